import TierlineEvents
import TierlinePlaybook
import TierlineProjections

/// Finds the first instant at which an account was ready for the expansion conversation.
///
/// Between two consecutive event times the folded state is fixed, and each readiness
/// condition that depends on time alone only turns from unmet to met: a wait elapses,
/// a time trigger fires, an open offer expires. Readiness is therefore monotone inside
/// each such interval. The search evaluates the projection at the last microsecond of
/// every interval and, in the first interval where the account is ready there, bisects
/// over microseconds for the first ready instant.
public enum FirstReadiness {
  /// Returns the first instant, at or before `asOf`, at which the account was ready
  /// under `playbook`, or nil when it never was.
  /// - Parameter events: one account's events in (occurred_at, position) order, already
  ///   cut at the view's valid and transaction time.
  public static func instant(
    account: AccountID, events: [RecordedEvent], playbook: Playbook, asOf: Timestamp
  ) -> Timestamp? {
    var state = AccountState(account: account, playbook: playbook)
    var index = 0
    while index < events.count {
      let start = events[index].event.occurredAt.microseconds
      while index < events.count, events[index].event.occurredAt.microseconds == start {
        state.apply(events[index].event, position: events[index].position)
        index += 1
      }
      let end =
        index < events.count
        ? events[index].event.occurredAt.microseconds - 1 : asOf.microseconds
      guard end >= start, isReady(state, at: end) else { continue }

      var low = start
      var high = end
      while low < high {
        let middle = low + (high - low) / 2
        if isReady(state, at: middle) {
          high = middle
        } else {
          low = middle + 1
        }
      }
      return Timestamp(microseconds: low)
    }
    return nil
  }

  static func isReady(_ state: AccountState, at instant: Int64) -> Bool {
    let time = Timestamp(microseconds: instant)
    return state.projection(asOf: time, knownAt: time, rulesVersion: "").ready
  }
}
