import TierlineEvents

/// Events waiting to be delivered, released in order of delivery time.
///
/// An event's delivery time is its occurred time, except for late events, which a
/// source delivers days or weeks afterwards. Ties keep insertion order, so the output
/// depends only on what was inserted and never on sorting details. Events stay in
/// their slot until released; only the small keys move.
struct ArrivalQueue {
  /// The sort key of one waiting event and the slot that stores it.
  private struct Key {
    var deliveredAt: Int64
    var order: Int
    var slot: Int
  }

  private var slots: [Event?] = []
  private var freeSlots: [Int] = []
  private var keys: [Key] = []
  private var ready: [Key] = []
  private var nextOrder = 0

  /// The number of events waiting.
  var count: Int { keys.count }

  /// Adds an event that a source delivers at `deliveredAt` (µs since the epoch).
  mutating func insert(_ event: Event, deliveredAt: Int64) {
    let slot: Int
    if let free = freeSlots.popLast() {
      slot = free
      slots[slot] = event
    } else {
      slot = slots.count
      slots.append(event)
    }
    keys.append(Key(deliveredAt: deliveredAt, order: nextOrder, slot: slot))
    nextOrder += 1
  }

  /// Calls `body` with every event delivered before `cutoff`, in delivery order, and
  /// removes them; pass `Int64.max` to release everything.
  mutating func release(before cutoff: Int64, to body: (Event) throws -> Void) rethrows {
    ready.removeAll(keepingCapacity: true)
    var kept = 0
    for index in keys.indices {
      let key = keys[index]
      if key.deliveredAt < cutoff {
        ready.append(key)
      } else {
        keys[kept] = key
        kept += 1
      }
    }
    keys.removeLast(keys.count - kept)

    ready.sort { left, right in
      if left.deliveredAt != right.deliveredAt { return left.deliveredAt < right.deliveredAt }
      return left.order < right.order
    }
    for key in ready {
      guard let event = slots[key.slot] else { continue }
      slots[key.slot] = nil
      freeSlots.append(key.slot)
      try body(event)
    }
  }
}
