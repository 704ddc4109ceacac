import TierlineEvents

/// One row of a billing export: a subscription billed a monthly amount over a period.
public struct SubscriptionRow: Hashable, Sendable {
  /// The 1-based line the row starts on.
  public var line: Int
  /// The customer, which becomes the account id.
  public var customer: String
  /// The subscription id within the billing system.
  public var subscription: String
  /// The first day covered.
  public var start: CivilDate
  /// The first day no longer covered; nil while the subscription runs.
  public var end: CivilDate?
  /// The amount billed per month.
  public var monthlyAmount: Money

  /// Whether the subscription covers `date`: from `start`, up to but not including `end`.
  public func covers(_ date: CivilDate) -> Bool {
    start <= date && end.map { date < $0 } ?? true
  }

  /// Returns whether this row and `other` cover at least one common day.
  func overlaps(_ other: SubscriptionRow) -> Bool {
    let startsBeforeOtherEnds = other.end.map { start < $0 } ?? true
    let otherStartsBeforeThisEnds = end.map { other.start < $0 } ?? true
    return startsBeforeOtherEnds && otherStartsBeforeThisEnds
  }

  /// The covered days as text: `2024-01-01 to 2024-06-01`, or `2024-01-01 onward`.
  var periodDescription: String {
    end.map { "\(start) to \($0)" } ?? "\(start) onward"
  }

  /// Returns whether `other` has the same customer, subscription, dates and amount.
  func repeatsContent(of other: SubscriptionRow) -> Bool {
    customer == other.customer && subscription == other.subscription && start == other.start
      && end == other.end && monthlyAmount == other.monthlyAmount
  }
}

/// Reads the rows of a billing export from CSV.
enum SubscriptionRowReader {
  /// Accepted header names, after lower-casing and turning spaces and hyphens into `_`.
  static let columnNames: [(column: String, names: [String])] = [
    ("customer", ["customer", "customer_id"]),
    ("subscription", ["subscription", "subscription_id"]),
    ("start_date", ["start_date", "start", "started_at"]),
    ("end_date", ["end_date", "end", "ended_at"]),
    ("monthly_amount", ["monthly_amount", "mrr", "amount"]),
  ]

  /// Reads every row, rejecting rows with a bad date or amount.
  /// - Returns: the valid rows, and the customers named on rejected rows.
  static func read(
    _ bytes: [UInt8], currency: Currency, decimalSeparator: DecimalSeparator,
    plan: inout ImportPlan
  ) throws(ImportSetupError) -> (rows: [SubscriptionRow], rejectedCustomers: Set<String>) {
    let table: CSVTable
    do {
      table = try CSVReader.read(bytes)
    } catch {
      throw ImportSetupError("the subscriptions file has no valid header row: \(error)")
    }
    let normalized = table.header.map {
      $0.trimmingSpaces().lowercased().replacing(" ", with: "_").replacing("-", with: "_")
    }
    var positions: [String: Int] = [:]
    for (column, names) in columnNames {
      guard let index = normalized.firstIndex(where: names.contains) else {
        throw ImportSetupError(
          "the subscriptions file has no \(column) column; expected the columns customer, "
            + "subscription, start_date, end_date, monthly_amount")
      }
      positions[column] = index
    }
    for error in table.errors { plan.reject(error) }

    var rows: [SubscriptionRow] = []
    var rejectedCustomers = Set<String>()
    for record in table.records {
      guard record.fields.count == table.header.count else {
        plan.reject(
          line: record.line, field: nil,
          reason: "has \(record.fields.count) fields; the header has \(table.header.count)")
        continue
      }
      let cell = { (column: String) in
        record.fields[positions[column] ?? 0].trimmingSpaces()
      }
      let result = parseRow(
        line: record.line, cell: cell, currency: currency, separator: decimalSeparator)
      switch result {
      case .success(let row): rows.append(row)
      case .failure(let rejection):
        plan.reject(rejection)
        rejectedCustomers.insert(cell("customer"))
      }
    }
    return checkRepeats(rows, rejectedCustomers: rejectedCustomers, plan: &plan)
  }

  /// Drops rows that repeat an earlier row exactly, counting them as duplicates, and
  /// rejects a row whose period overlaps an earlier row of the same subscription.
  ///
  /// Two overlapping periods of one subscription would be summed into one MRR, but a
  /// subscription bills one amount at a time. Rows without a subscription id are not
  /// compared.
  private static func checkRepeats(
    _ rows: [SubscriptionRow], rejectedCustomers: Set<String>, plan: inout ImportPlan
  ) -> (rows: [SubscriptionRow], rejectedCustomers: Set<String>) {
    var rejectedCustomers = rejectedCustomers
    var uniqueRows: [SubscriptionRow] = []
    var rowsBySubscription: [String: [SubscriptionRow]] = [:]
    for row in rows {
      let key = row.customer + "\u{0}" + row.subscription
      let earlier = rowsBySubscription[key] ?? []
      if earlier.contains(where: row.repeatsContent) {
        plan.countRepeatedRecord()
        continue
      }
      if !row.subscription.isEmpty, let other = earlier.first(where: row.overlaps) {
        plan.reject(
          line: row.line, field: "start_date",
          reason: "subscription \(jsonQuoted(row.subscription)) covers \(row.periodDescription) "
            + "here and \(other.periodDescription) on line \(other.line), which overlap. End "
            + "the earlier period on the day the later one starts, or remove one of the rows")
        rejectedCustomers.insert(row.customer)
        continue
      }
      uniqueRows.append(row)
      rowsBySubscription[key, default: []].append(row)
    }
    return (uniqueRows, rejectedCustomers)
  }

  private static func parseRow(
    line: Int, cell: (String) -> String, currency: Currency, separator: DecimalSeparator
  ) -> Result<SubscriptionRow, ImportRejection> {
    func reject(_ field: String, _ reason: String) -> Result<SubscriptionRow, ImportRejection> {
      .failure(ImportRejection(line: line, field: field, reason: reason))
    }
    let customer = cell("customer")
    guard !customer.isEmpty else { return reject("customer", "is empty") }
    let subscription = cell("subscription")
    guard let start = CivilDate(iso: cell("start_date")) else {
      return reject("start_date", dateProblem(cell("start_date")))
    }
    var end: CivilDate?
    if !cell("end_date").isEmpty {
      guard let date = CivilDate(iso: cell("end_date")) else {
        return reject("end_date", dateProblem(cell("end_date")))
      }
      guard start < date else {
        return reject(
          "end_date",
          "\(date) is not after the start date \(start); the end date is the "
            + "first day no longer covered")
      }
      end = date
    }
    let amount: Money
    do {
      let text = try DecimalText.normalize(cell("monthly_amount"), separator: separator)
      amount = try Money(decimal: text, currency: currency)
    } catch let error as DecimalTextError {
      return reject("monthly_amount", error.reason)
    } catch {
      return reject("monthly_amount", "\(jsonQuoted(cell("monthly_amount"))): \(error)")
    }
    guard amount.minorUnits >= 0 else {
      return reject("monthly_amount", "is negative; a refund or credit is not a subscription")
    }
    return .success(
      SubscriptionRow(
        line: line, customer: customer, subscription: subscription, start: start, end: end,
        monthlyAmount: amount))
  }
}

/// Explains why `text` is not a date `YYYY-MM-DD`. It is either a date that does not
/// exist, such as 2024-02-30, or text of another form.
private func dateProblem(_ text: String) -> String {
  CivilDate.hasISOForm(text)
    ? "\(jsonQuoted(text)) names a date that does not exist"
    : "\(jsonQuoted(text)) is not a date YYYY-MM-DD"
}
