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
  /// Events are folded up to the end of `date` in UTC, as known now. Each due date is a
  /// local calendar date of its account and is compared with `date` as a calendar date;
  /// a check-in is due from its due date through the playbook's due window, and overdue
  /// after it. Completed check-ins and accounts that are not active are left out. The
  /// result is ordered overdue first, then due, then upcoming, each by due date.
  public func checkinsDue(on date: CivilDate, upcomingDays: Int, knownAt: Timestamp = .now)
    throws(LedgerError) -> [CheckinDue]
  {
    let endOfDay = Timestamp(microseconds: Int64(date.daysSinceEpoch + 1) * 86_400_000_000 - 1)
    let point = ReplayPoint(asOf: endOfDay, knownAt: knownAt)
    let rules = try replayRules(at: point)
    let window = rules.playbook.checkin.dueWindowDays
    var found: [CheckinDue] = []
    try forEachProjection(at: point, rules: rules) { projection in
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
