import TierlineEvents
import TierlinePlaybook
import TierlineProjections

/// Finds the first instant at which an account was ready for the expansion conversation.
///
/// Between two consecutive event times the folded state is fixed. Each readiness
/// condition that depends on time alone turns from unmet to met at the start of a local
/// day in the account's zone: a milestone wait elapses, a time trigger fires, an open
/// offer expires. Readiness is therefore monotone inside each such interval and can only
/// begin at the interval's start or at a local midnight inside it. The search evaluates
/// readiness at the last microsecond of every interval. In the first interval where the
/// account is ready there, it returns the interval's start when ready at once, and
/// otherwise bisects over the local days of the interval for the first ready day start.
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
      let start = events[index].event.occurredAt
      while index < events.count, events[index].event.occurredAt == start {
        state.apply(events[index].event, position: events[index].position)
        index += 1
      }
      let end =
        index < events.count
        ? Timestamp(microseconds: events[index].event.occurredAt.microseconds - 1) : asOf
      guard end >= start, state.isReady(at: end) else { continue }
      if state.isReady(at: start) { return start }
      return firstReadyDayStart(state, after: start, through: end)
    }
    return nil
  }

  /// Returns the start of the first local day in (`start`, `end`] at which `state` is
  /// ready, given that it is ready at `end` and not at `start`.
  static func firstReadyDayStart(
    _ state: AccountState, after start: Timestamp, through end: Timestamp
  ) -> Timestamp {
    let zone = ZoneCalendar(identifier: state.timeZoneIdentifier) ?? .utc
    var low = zone.localDate(of: start).daysSinceEpoch + 1
    var high = zone.localDate(of: end).daysSinceEpoch
    // NOTE: with no local midnight inside the interval the monotone argument above rules
    // out a change, so `end` is returned as the one instant known to be ready.
    guard low <= high else { return end }
    while low < high {
      let middle = low + (high - low) / 2
      if state.isReady(at: zone.startOfDay(CivilDate(daysSinceEpoch: middle))) {
        high = middle
      } else {
        low = middle + 1
      }
    }
    return zone.startOfDay(CivilDate(daysSinceEpoch: low))
  }
}
