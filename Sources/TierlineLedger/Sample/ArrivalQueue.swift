import TierlineEvents

/// Events waiting to be delivered, released in order of delivery time.
///
/// An event's delivery time is its occurred time, except for late events, which a
/// source delivers days or weeks afterwards. Ties keep insertion order, so the output
/// depends only on what was inserted and never on sorting details.
struct ArrivalQueue {
  private var events: [Event] = []
  private var deliveries: [Int64] = []
  private var orders: [Int] = []
  private var nextOrder = 0

  /// The number of events waiting.
  var count: Int { events.count }

  /// Adds an event that a source delivers at `deliveredAt` (µs since the epoch).
  mutating func insert(_ event: Event, deliveredAt: Int64) {
    events.append(event)
    deliveries.append(deliveredAt)
    orders.append(nextOrder)
    nextOrder += 1
  }

  /// Calls `body` with every event delivered before `cutoff`, in delivery order, and
  /// removes them; pass `Int64.max` to release everything.
  mutating func release(before cutoff: Int64, to body: (Event) throws -> Void) rethrows {
    var ready: [Int] = []
    for index in deliveries.indices where deliveries[index] < cutoff {
      ready.append(index)
    }
    guard !ready.isEmpty else { return }

    ready.sort { left, right in
      if deliveries[left] != deliveries[right] { return deliveries[left] < deliveries[right] }
      return orders[left] < orders[right]
    }
    for index in ready {
      try body(events[index])
    }

    var keptEvents: [Event] = []
    var keptDeliveries: [Int64] = []
    var keptOrders: [Int] = []
    keptEvents.reserveCapacity(events.count - ready.count)
    for index in deliveries.indices where deliveries[index] >= cutoff {
      keptEvents.append(events[index])
      keptDeliveries.append(deliveries[index])
      keptOrders.append(orders[index])
    }
    events = keptEvents
    deliveries = keptDeliveries
    orders = keptOrders
  }
}
