import TierlineEvents

/// The billing state of one Stripe subscription object that matters to the ledger.
struct StripeSubscription {
  /// The subscription id, `sub_…`.
  var id: String
  /// The customer id, `cus_…`, which becomes the account id.
  var customer: String
  /// The annual contract value: 0 unless the status is `active` or `past_due`.
  var acv: Money
  /// The tiers that `--prices` gives the subscription's prices, in item order.
  var mappedTiers: [String]

  /// Statuses in which a subscription is paid for; a trial is not a landing.
  static let paidStatuses: Set = ["active", "past_due"]

  /// Periods of each `recurring.interval` in one year.
  static let periodsPerYear: [String: Int64] = ["day": 365, "week": 52, "month": 12, "year": 1]

  /// Reads a subscription object, such as `data.object` of a subscription event.
  /// - Parameters:
  ///   - deleted: Whether the event ended the subscription, so its ACV is 0.
  ///   - prices: Tier ids by Stripe price id.
  /// - Throws: `StripeFieldError` naming the field at fault.
  init(
    _ object: JSONValue, deleted: Bool, prices: [String: String]
  ) throws(StripeFieldError) {
    guard let id = object.string(at: "id") else {
      throw StripeFieldError(field: "data.object.id", reason: "is missing")
    }
    let customer = object.string(at: "customer") ?? object.string(at: "customer.id")
    guard let customer else {
      throw StripeFieldError(field: "data.object.customer", reason: "is missing")
    }
    guard let currencyText = object.string(at: "currency"),
      let currency = Currency(code: currencyText.uppercased())
    else {
      throw StripeFieldError(
        field: "data.object.currency", reason: "is missing or not an ISO 4217 code")
    }
    let status = object.string(at: "status") ?? ""
    guard let items = object.value(at: "items.data")?.arrayElements else {
      throw StripeFieldError(field: "data.object.items.data", reason: "is missing")
    }

    var annualAmounts: [Int64] = []
    var tiers: [String] = []
    for (index, item) in items.enumerated() {
      let path = "data.object.items.data[\(index)]"
      try StripeSubscription.checkCurrency(item, path: path, subscriptionCurrency: currency)
      annualAmounts.append(try StripeSubscription.annualAmount(item, path: path))
      if let price = item.string(at: "price.id"), let tier = prices[price] { tiers.append(tier) }
    }
    self.id = id
    self.customer = customer
    let paid = !deleted && StripeSubscription.paidStatuses.contains(status)
    let total = annualAmounts.saturatingSum()
    guard total < Int64.max else {
      throw StripeFieldError(
        field: "data.object.items.data",
        reason: "gives a yearly amount beyond the largest amount the ledger stores")
    }
    self.acv = Money(minorUnits: paid ? total : 0, currency: currency)
    self.mappedTiers = tiers
  }

  /// Checks that an item's `price.currency`, when given, is the subscription's currency,
  /// because amounts in two currencies cannot be added into one ACV.
  private static func checkCurrency(
    _ item: JSONValue, path: String, subscriptionCurrency: Currency
  ) throws(StripeFieldError) {
    guard let code = item.string(at: "price.currency") else { return }
    let field = path + ".price.currency"
    guard let currency = Currency(code: code.uppercased()) else {
      throw StripeFieldError(
        field: field, reason: "\(jsonQuoted(code)) is not an ISO 4217 code such as usd")
    }
    guard currency == subscriptionCurrency else {
      let item = item.string(at: "id").map { "item \(jsonQuoted($0))" } ?? "the item"
      throw StripeFieldError(
        field: field,
        reason: "\(item) is priced in \(currency), but the subscription is in "
          + "\(subscriptionCurrency). Amounts in two currencies cannot be summed, so correct "
          + "the price or the subscription's currency")
    }
  }

  /// Computes the yearly amount of one subscription item in minor units.
  private static func annualAmount(
    _ item: JSONValue, path: String
  ) throws(StripeFieldError) -> Int64 {
    guard let unitAmount = item.integer(at: "price.unit_amount"), unitAmount >= 0 else {
      throw StripeFieldError(
        field: path + ".price.unit_amount",
        reason: "is missing or not a whole number of minor units; tiered and decimal "
          + "prices are not imported")
    }
    let quantity = item.integer(at: "quantity") ?? 1
    guard quantity >= 0 else {
      throw StripeFieldError(field: path + ".quantity", reason: "is negative")
    }
    let (periods, count) = try recurrence(item, path: path)
    let (perPeriod, overflow1) = unitAmount.multipliedReportingOverflow(by: quantity)
    let (product, overflow2) = perPeriod.multipliedReportingOverflow(by: periods)
    guard !overflow1, !overflow2 else {
      throw StripeFieldError(
        field: path + ".quantity",
        reason: "gives a yearly amount beyond the largest amount "
          + "the ledger stores")
    }
    guard product % count == 0 else {
      throw StripeFieldError(
        field: path + ".price.recurring.interval_count",
        reason: "gives a yearly amount that is not a whole number of minor units")
    }
    return product / count
  }

  /// Reads `price.recurring` of one item: the billing periods in a year and
  /// `interval_count`, the number of periods that one charge covers.
  private static func recurrence(
    _ item: JSONValue, path: String
  ) throws(StripeFieldError) -> (periodsPerYear: Int64, count: Int64) {
    let field = path + ".price.recurring"
    guard let recurring = item.value(at: "price.recurring"), recurring != .null else {
      throw StripeFieldError(
        field: field,
        reason: "is missing, so the price is one-time, and one-time prices are not recurring "
          + "revenue. Import only recurring prices")
    }
    guard let interval = recurring.string(at: "interval") else {
      throw StripeFieldError(
        field: field + ".interval", reason: "is missing. Expected day, week, month or year")
    }
    guard let periods = periodsPerYear[interval] else {
      throw StripeFieldError(
        field: field + ".interval",
        reason: "\(jsonQuoted(interval)) is not day, week, month or year")
    }
    guard let countValue = recurring["interval_count"], countValue != .null else {
      return (periods, 1)
    }
    guard let count = recurring.integer(at: "interval_count"), count > 0 else {
      let text = String(decoding: countValue.serialized(sortingKeys: true), as: UTF8.self)
      throw StripeFieldError(
        field: field + ".interval_count",
        reason: "is \(text), but interval_count must be a positive whole number")
    }
    return (periods, count)
  }
}

/// A Stripe object field that cannot be read.
struct StripeFieldError: Error {
  var field: String
  var reason: String
}
