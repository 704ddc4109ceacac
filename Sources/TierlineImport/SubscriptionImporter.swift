import TierlineEvents
import TierlineLedger
import TierlinePlaybook
import TierlineProjections

/// Derives landings, expansions, contractions, churn and reactivations from a billing
/// export with one row per subscription period.
///
/// A customer's MRR on a day is the sum of the monthly amounts of the rows that cover
/// that day, and its ACV is 12 × MRR. Each day on which that sum changes becomes one
/// event at the start of the day in the given time zone, with the id
/// `subscriptions:CUSTOMER:YYYY-MM-DD`, so a longer export re-imports the earlier
/// events as duplicates.
public enum SubscriptionImporter {
  /// Reads a billing export and plans its events.
  ///
  /// A customer with any rejected row gets no events, because the missing row would
  /// change every later movement. The other rows of that customer are rejected too.
  /// - Parameter now: The time of the run. An end date whose day starts later is left
  ///   out, so its row counts as running. A row that starts later is left out whole.
  ///   `plan.warnings` gives their numbers.
  /// - Throws: `ImportSetupError` when a column is missing, the currency differs from
  ///   the playbook's, or the time zone is unknown.
  public static func plan(
    _ bytes: [UInt8], playbook: Playbook, currency: Currency? = nil,
    timeZone: String = "UTC", decimalSeparator: DecimalSeparator = .point,
    now: Timestamp = .now, tiers: TierAssignment? = nil
  ) throws(ImportSetupError) -> ImportPlan {
    let currency = currency ?? playbook.currency
    guard currency == playbook.currency else {
      throw ImportSetupError(
        "the amounts are in \(currency) but the playbook's tiers are priced in "
          + "\(playbook.currency); tiers can only be chosen in one currency")
    }
    guard isIANATimeZone(timeZone), let zone = ZoneCalendar(identifier: timeZone) else {
      throw ImportSetupError("\(jsonQuoted(timeZone)) is not a known IANA time zone")
    }
    var plan = ImportPlan()
    plan.accountEventsChain = true
    let read = try SubscriptionRowReader.read(
      bytes, currency: currency, decimalSeparator: decimalSeparator, plan: &plan)
    var rejectedCustomers = read.rejectedCustomers
    var rows: [SubscriptionRow] = []
    for row in read.rows {
      if let rejection = rangeRejection(row, zone: zone) {
        plan.reject(rejection)
        rejectedCustomers.insert(row.customer)
      } else {
        rows.append(row)
      }
    }

    var builder = RevenueEventBuilder(
      tiers: tiers ?? TierAssignment(playbook: playbook), timeZone: timeZone)
    var scheduled = ScheduledDates()
    for schedule in SubscriptionSchedule.group(rows) {
      if rejectedCustomers.contains(schedule.customer) {
        for row in schedule.rows {
          plan.reject(
            line: row.line, field: "customer",
            reason: "\(jsonQuoted(schedule.customer)) has a rejected row, so none of its "
              + "rows are imported")
        }
        continue
      }
      let current = scheduled.leavingOut(schedule, after: now, in: zone)
      for change in current.changes() {
        let (acv, overflow) = change.monthly.minorUnits.multipliedReportingOverflow(by: 12)
        guard !overflow else {
          plan.reject(
            line: change.line, field: "monthly_amount",
            reason: "gives \(jsonQuoted(schedule.customer)) an ACV beyond the largest amount "
              + "the ledger stores")
          break
        }
        let revenue = RevenueChange(
          id: "subscriptions:\(schedule.customer):\(change.date)", account: schedule.customer,
          at: zone.startOfDay(change.date), acv: Money(minorUnits: acv, currency: currency),
          line: change.line)
        if let (draft, _) = builder.apply(revenue) {
          plan.add(draft, line: change.line)
        }
      }
    }
    plan.warnings += scheduled.warnings(now: now)
    return plan
  }

  /// Returns the rejection of a row whose start or end date begins, in `zone`, outside
  /// the years that event times may have, as 0001-01-01 does east of UTC.
  private static func rangeRejection(_ row: SubscriptionRow, zone: ZoneCalendar) -> ImportRejection?
  {
    let dates = [("start_date", row.start)] + (row.end.map { [("end_date", $0)] } ?? [])
    for (field, date) in dates {
      let start = zone.startOfDay(date)
      guard ImportTime.isInRange(start) else {
        return ImportRejection(
          line: row.line, field: field,
          reason: "\(date) begins at \(start.rfc3339) in \(zone.identifier), which "
            + "\(ImportTime.outsideYears); use a later date")
      }
    }
    return nil
  }

  /// Reads a billing export into one schedule per customer, for MRR movement reports.
  /// - Throws: `ImportSetupError` when a column is missing, or the first rejected row.
  public static func schedules(
    _ bytes: [UInt8], currency: Currency, decimalSeparator: DecimalSeparator = .point
  ) throws -> [SubscriptionSchedule] {
    var plan = ImportPlan()
    let (rows, _) = try SubscriptionRowReader.read(
      bytes, currency: currency, decimalSeparator: decimalSeparator, plan: &plan)
    if let rejection = plan.rejections.first { throw rejection }
    return SubscriptionSchedule.group(rows)
  }
}

/// All subscription rows of one customer, and the days on which its MRR changes.
public struct SubscriptionSchedule: Sendable {
  /// The customer.
  public var customer: String
  /// The customer's rows in input order.
  public var rows: [SubscriptionRow]

  /// Groups rows by customer, in order of each customer's first row.
  public static func group(_ rows: [SubscriptionRow]) -> [SubscriptionSchedule] {
    var order: [String] = []
    var byCustomer: [String: [SubscriptionRow]] = [:]
    for row in rows {
      if byCustomer[row.customer] == nil { order.append(row.customer) }
      byCustomer[row.customer, default: []].append(row)
    }
    return order.map { SubscriptionSchedule(customer: $0, rows: byCustomer[$0] ?? []) }
  }

  /// Sums the monthly amounts of the rows that cover a day: the customer's MRR, in minor
  /// units.
  public func monthlyRevenue(on date: CivilDate) -> Int64 {
    rows.filter { $0.covers(date) }.map(\.monthlyAmount.minorUnits).saturatingSum()
  }

  /// Lists every day on which the MRR differs from the day before, with the new MRR and
  /// the first line of a row that starts that day, or else of a row that ends that day:
  /// a subscription that replaces another is the row that explains the change.
  public func changes() -> [(date: CivilDate, monthly: Money, line: Int)] {
    guard let currency = rows.first?.monthlyAmount.currency else { return [] }
    var starts: [CivilDate: Int] = [:]
    var ends: [CivilDate: Int] = [:]
    for row in rows {
      starts[row.start] = min(starts[row.start] ?? row.line, row.line)
      if let end = row.end { ends[end] = min(ends[end] ?? row.line, row.line) }
    }
    var result: [(date: CivilDate, monthly: Money, line: Int)] = []
    var previous: Int64 = 0
    for date in Set(starts.keys).union(ends.keys).sorted() {
      guard let line = starts[date] ?? ends[date] else { continue }
      let revenue = monthlyRevenue(on: date)
      guard revenue != previous else { continue }
      result.append((date, Money(minorUnits: revenue, currency: currency), line))
      previous = revenue
    }
    return result
  }
}

/// The dates after the time of the run that the subscription importer leaves out.
///
/// An end date in the future is a scheduled cancellation or plan change. Stored as a
/// churn, it would stay in the ledger even when the customer renews before that day.
private struct ScheduledDates {
  /// End dates left out, so that their rows count as running.
  var endDates = 0
  /// Rows left out because they start later.
  var laterRows = 0

  /// Returns the schedule as of `now`: without the rows that start later, and with the
  /// end dates after `now` removed.
  mutating func leavingOut(
    _ schedule: SubscriptionSchedule, after now: Timestamp, in zone: ZoneCalendar
  ) -> SubscriptionSchedule {
    var current = schedule
    current.rows = []
    for var row in schedule.rows {
      guard zone.startOfDay(row.start) <= now else {
        laterRows += 1
        continue
      }
      if let end = row.end, zone.startOfDay(end) > now {
        row.end = nil
        endDates += 1
      }
      current.rows.append(row)
    }
    return current
  }

  /// Returns one message for each kind of date left out, or none.
  func warnings(now: Timestamp) -> [String] {
    var messages: [String] = []
    if endDates > 0 {
      let dates = endDates == 1 ? "1 end date" : "\(endDates) end dates"
      let rows = endDates == 1 ? "its row counts" : "their rows count"
      messages.append(
        "left out \(dates) after the time of the run (\(now.rfc3339)) as scheduled, so "
          + "\(rows) as running. Import a later export after those dates to record them")
    }
    if laterRows > 0 {
      let rows = laterRows == 1 ? "1 row that starts" : "\(laterRows) rows that start"
      messages.append(
        "left out \(rows) after the time of the run (\(now.rfc3339)) as "
          + "scheduled. Import a later export after those dates to record them")
    }
    return messages
  }
}
