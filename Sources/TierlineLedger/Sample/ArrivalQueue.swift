import TierlineEvents

/// Sample events waiting to be delivered, released in order of delivery time.
///
/// An event's delivery time is its occurred time, except for late events, which a
/// source delivers days or weeks afterwards. Ties keep insertion order, so the output
/// depends only on what was inserted and never on sorting details. Entries are plain
/// values without strings; the caller builds each `Event` only when it is released.
struct ArrivalQueue {
  /// One waiting event.
  struct Entry {
    /// Delivery time in µs since the epoch.
    var deliveredAt: Int64
    /// Insertion count; breaks ties between equal delivery times.
    var order: Int
    /// Occurred time in µs since the epoch.
    var occurredAt: Int64
    /// The account's position in the portfolio, from 0.
    var account: Int32
    /// The account's event number, from 1.
    var sequence: Int32
    var fact: SampleFact
  }

  private var waiting: [Entry] = []
  private var ready: [Entry] = []
  private var nextOrder = 0

  /// The number of events waiting.
  var count: Int { waiting.count }

  /// Adds an event of account number `account` (its position in the portfolio).
  mutating func insert(
    _ fact: SampleFact, account: Int32, sequence: Int32, occurredAt: Int64, deliveredAt: Int64
  ) {
    waiting.append(
      Entry(
        deliveredAt: deliveredAt, order: nextOrder, occurredAt: occurredAt, account: account,
        sequence: sequence, fact: fact))
    nextOrder += 1
  }

  /// Calls `body` with every entry delivered before `cutoff`, in delivery order, and
  /// removes them; pass `Int64.max` to release everything.
  mutating func release(before cutoff: Int64, to body: (Entry) throws -> Void) rethrows {
    ready.removeAll(keepingCapacity: true)
    var keptCount = 0
    for index in waiting.indices {
      let entry = waiting[index]
      if entry.deliveredAt < cutoff {
        ready.append(entry)
      } else {
        waiting[keptCount] = entry
        keptCount += 1
      }
    }
    waiting.removeLast(waiting.count - keptCount)

    ready.sort { left, right in
      if left.deliveredAt != right.deliveredAt { return left.deliveredAt < right.deliveredAt }
      return left.order < right.order
    }
    for entry in ready {
      try body(entry)
    }
  }
}
