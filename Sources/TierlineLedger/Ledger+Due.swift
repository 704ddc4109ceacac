import TierlineEvents
import TierlineProjections

/// One account's check-in as seen on a given date.
public struct CheckinDue: Hashable, Sendable {
  /// The account.
  public var account: String
  /// The due date, a calendar date in the account's time zone.
  public var dueOn: CivilDate
  /// `due`, `overdue` or `upcoming` on the date asked about.
  public var status: String
  /// Calendar days from the date asked about to the due date; negative when overdue.
  public var daysUntilDue: Int
  /// The account's tier.
  public var tier: String?
  /// The rules version that set the schedule.
  public var rulesVersion: String
}

extension Ledger {
  /// The check-ins that are due, overdue, or due within `upcomingDays` days on `date`.
  ///
  /// `date` is a calendar date in each account's own time zone. An account's events
  /// count up to the end of `date` in its zone, as known at `knownAt`. The rules are
  /// those in force at the end of `date` in UTC. Each due date is compared with `date` as
  /// a calendar date. A check-in is due from its due date through the playbook's due
  /// window, and overdue after it. Completed check-ins and accounts that are not active
  /// are left out. The result is ordered overdue first, then due, then upcoming, each by
  /// due date.
  public func checkinsDue(on date: CivilDate, upcomingDays: Int, knownAt: Timestamp = .now)
    throws(LedgerError) -> [CheckinDue]
  {
    let endOfDay = ZoneCalendar.utc.endOfDay(date)
    let rules = try replayRules(at: ReplayPoint(asOf: endOfDay, knownAt: knownAt))
    // Zone offsets lie within a day of UTC, so the log is read to the end of the next UTC
    // day. Each account's fold then leaves out the events after its own end of `date`.
    let readUntil = Timestamp(microseconds: endOfDay.microseconds + 86_400_000_000)
    let point = ReplayPoint(asOf: readUntil, knownAt: knownAt)
    let projectionPoint = ProjectionPoint(
      asOf: readUntil, knownAt: point.knownAt, playbook: rules.playbook)
    let folding = AccountFolding<LocalDateFold, AccountProjection> { account in
      LocalDateFold(
        state: AccountState(account: account, playbook: rules.playbook), lastDate: date)
    } finish: { fold in
      fold.state.projection(at: projectionPoint, rulesVersion: rules.version)
    }
    let window = rules.playbook.checkin.dueWindowDays
    var found: [CheckinDue] = []
    try forEachFold(at: point, threads: 1, with: folding) { projection in
      guard projection.status == "active", let checkin = projection.checkin,
        checkin.completedAt == nil, let dueOn = CivilDate(iso: checkin.dueOn)
      else { return }
      let days = date.days(until: dueOn)
      let status: String
      if days > upcomingDays {
        return
      } else if days > 0 {
        status = "upcoming"
      } else if -days <= window {
        status = "due"
      } else {
        status = "overdue"
      }
      found.append(
        CheckinDue(
          account: projection.account, dueOn: dueOn, status: status, daysUntilDue: days,
          tier: projection.tier, rulesVersion: projection.rulesVersion))
    }
    let order = ["overdue": 0, "due": 1, "upcoming": 2]
    return found.sorted { lhs, rhs in
      (order[lhs.status] ?? 3, lhs.dueOn.daysSinceEpoch, lhs.account)
        < (order[rhs.status] ?? 3, rhs.dueOn.daysSinceEpoch, rhs.account)
    }
  }
}

/// A fold of one account that leaves out the events after one calendar date in the
/// account's time zone.
///
/// An event counts when it occurred by the end of `lastDate` in the zone in force for
/// it: the zone of a landing that starts or restarts the account, otherwise the
/// account's zone. Only a landing changes the zone, so the cut is computed
/// again only after one.
struct LocalDateFold: AccountEventFold, Sendable {
  var state: AccountState
  /// The last date whose events count.
  let lastDate: CivilDate
  /// The zone of `cut`, and the first instant (µs) that no longer counts in it.
  private var cutZone: String
  private var cut: Int64

  init(state: AccountState, lastDate: CivilDate) {
    self.state = state
    self.lastDate = lastDate
    cutZone = state.timeZoneIdentifier
    cut = Self.cut(after: lastDate, in: cutZone)
  }

  mutating func apply(_ payload: Payload, occurredAt: Int64, position: UInt64) {
    guard case .accountLanded(let landed) = payload else {
      guard occurredAt < cut else { return }
      state.apply(payload, occurredAt: occurredAt, position: position)
      return
    }
    let zone = state.status == .active ? state.timeZoneIdentifier : landed.timeZone
    guard occurredAt < Self.cut(after: lastDate, in: zone) else { return }
    state.apply(payload, occurredAt: occurredAt, position: position)
    if state.timeZoneIdentifier != cutZone {
      cutZone = state.timeZoneIdentifier
      cut = Self.cut(after: lastDate, in: cutZone)
    }
  }

  mutating func applyUsage(metric: String, millionths: Int64, occurredAt: Int64, position: UInt64) {
    guard occurredAt < cut else { return }
    state.applyUsage(
      metric: metric, millionths: millionths, occurredAt: occurredAt, position: position)
  }

  /// Returns the first instant (µs) after the end of `date` in `zone`, or in UTC when
  /// Foundation does not know the zone, as the account's calendar does.
  private static func cut(after date: CivilDate, in zone: String) -> Int64 {
    let calendar = ZoneCalendar(identifier: zone) ?? ZoneCalendar.utc
    return calendar.endOfDay(date).microseconds + 1
  }
}
