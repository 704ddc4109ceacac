import TierlineEvents

/// The order in which the Stripe importer applies events: the order they happened.
///
/// `created` has whole seconds, so ties need a second rule. A subscription's `.created`
/// event goes before its other events of the same second, and its `.deleted` event after
/// them. Its updates of one second go in the order their `previous_attributes` chain
/// shows, when it shows one. Other ties follow the file's direction, because the events
/// API lists the newest event first and a log of webhook deliveries usually lists the
/// oldest first.
enum StripeEventOrder {
  /// One Stripe event with its line or array position in the file.
  typealias Entry = (line: Int, created: Timestamp, value: JSONValue)

  /// Sorts events, given in file order, into the order they happened.
  static func sorted(_ events: [Entry]) -> [Entry] {
    let newestFirst = listsNewestFirst(events)
    var ordered = events.sorted { left, right in
      if left.created != right.created { return left.created < right.created }
      return newestFirst ? left.line > right.line : left.line < right.line
    }
    var start = 0
    while start < ordered.count {
      var end = start + 1
      while end < ordered.count, ordered[end].created == ordered[start].created { end += 1 }
      placeCreationFirst(&ordered, in: start..<end)
      start = end
    }
    return ordered
  }

  /// Returns whether the file lists the newest event first: true unless more neighbouring
  /// events go forward in time than back. Counting every pair, not the first and last
  /// events alone, keeps one stray event from turning the direction around. A file that
  /// shows no direction, such as one of a single second, is read as Stripe's own lists
  /// are ordered, newest first.
  static func listsNewestFirst(_ events: [Entry]) -> Bool {
    var forward = 0
    var back = 0
    for (earlier, later) in zip(events, events.dropFirst()) {
      if earlier.created < later.created { forward += 1 }
      if earlier.created > later.created { back += 1 }
    }
    return forward <= back
  }

  /// Reorders the events of each subscription within `range`, one `created` second, so
  /// that its `.created` event comes first and its `.deleted` event last. The events keep
  /// the positions that the subscription's events had, so other subscriptions stay put.
  private static func placeCreationFirst(_ ordered: inout [Entry], in range: Range<Int>) {
    guard range.count > 1 else { return }
    var positions: [String: [Int]] = [:]
    for index in range {
      let type = ordered[index].value.string(at: "type") ?? ""
      guard StripeImporter.subscriptionTypes.contains(type),
        let subscription = ordered[index].value.string(at: "data.object.id")
      else { continue }
      positions[subscription, default: []].append(index)
    }
    for indices in positions.values where indices.count > 1 {
      let entries = indices.map { ordered[$0] }
      let ranked = entries.indices.sorted { left, right in
        (lifecycleRank(entries[left]), left) < (lifecycleRank(entries[right]), right)
      }
      var sequence = ranked.map { entries[$0] }
      let updates = sequence.indices.filter { lifecycleRank(sequence[$0]) == 1 }
      if let chained = chainOrder(updates.map { sequence[$0] }) {
        for (slot, entry) in zip(updates, chained) { sequence[slot] = entry }
      }
      for (position, entry) in zip(indices, sequence) {
        ordered[position] = entry
      }
    }
  }

  /// Returns one subscription's updates of one second in the order their
  /// `previous_attributes` show, or nil when they show no single order.
  ///
  /// An update follows another when every value it lists as previous equals that value
  /// in the other's resulting subscription, as when a quantity goes from 1 to 3 and then
  /// from 3 to 5.
  static func chainOrder(_ updates: [Entry]) -> [Entry]? {
    guard updates.count > 1 else { return nil }
    let count = updates.count
    var follows = [[Bool]](repeating: [Bool](repeating: false, count: count), count: count)
    for later in 0..<count {
      for earlier in 0..<count where earlier != later {
        follows[later][earlier] = isFollowing(updates[later], updates[earlier])
      }
    }
    let starts = (0..<count).filter { index in !(0..<count).contains { follows[index][$0] } }
    guard starts.count == 1, var current = starts.first else { return nil }
    var order = [current]
    while order.count < count {
      let next = (0..<count).filter { !order.contains($0) && follows[$0][current] }
      guard next.count == 1, let chosen = next.first else { return nil }
      order.append(chosen)
      current = chosen
    }
    return order.map { updates[$0] }
  }

  /// Returns whether `later`'s previous values equal the subscription after `earlier`.
  private static func isFollowing(_ later: Entry, _ earlier: Entry) -> Bool {
    guard case .object(let previous)? = later.value.value(at: "data.previous_attributes"),
      !previous.isEmpty,
      case .object(let state)? = earlier.value.value(at: "data.object")
    else { return false }
    return previous.allSatisfy { member in
      state.first { $0.key == member.key }?.value == member.value
    }
  }

  /// Returns 0 for a `.created` event, 2 for a `.deleted` event and 1 for any other.
  private static func lifecycleRank(_ entry: Entry) -> Int {
    switch entry.value.string(at: "type") {
    case "customer.subscription.created": return 0
    case "customer.subscription.deleted": return 2
    default: return 1
    }
  }
}
