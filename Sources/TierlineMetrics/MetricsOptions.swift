import TierlineEvents

/// The calendar period that groups landings into cohorts.
public enum CohortPeriod: String, Sendable, CaseIterable {
  /// Calendar month of the first landing, such as `2024-03`.
  case month
  /// Calendar quarter of the first landing, such as `2024-Q1`.
  case quarter

  /// Returns the cohort label of a local landing date.
  public func label(of date: CivilDate) -> String {
    switch self {
    case .month:
      return String(date.description.prefix(7))
    case .quarter:
      return "\(date.year)-Q\((date.month - 1) / 3 + 1)"
    }
  }
}

/// The inputs of a metrics computation besides the accounts and the rules.
public struct MetricsOptions: Sendable {
  /// Valid time of the view; also the end of the NRR period.
  public var asOf: Timestamp
  /// Transaction time of the view.
  public var knownAt: Timestamp
  /// The calendar period of the landing cohorts.
  public var cohortPeriod: CohortPeriod
  /// The customer acquisition cost per account in major units; nil means the maximum CAC.
  public var cac: Fraction?
  /// The gross margin as a ratio in 0...1.
  public var grossMargin: Fraction
  /// The target CAC payback in months.
  public var paybackMonths: Int
  /// Months on the landing tier after which an active account counts as permanently small.
  public var smallAfterMonths: Int

  /// Months after landing within which an expansion counts for the expansion rate.
  public static let expansionWindowMonths = 12
  /// Months after landing over which the outcome tier of expected ACV is observed.
  public static let outcomeWindowMonths = 24
  /// Length of the NRR period in months, ending at `asOf`.
  public static let retentionPeriodMonths = 12

  /// Creates options; the defaults are monthly cohorts, 80% gross margin, an 18-month
  /// payback target and 18 months for permanently small accounts.
  public init(
    asOf: Timestamp, knownAt: Timestamp, cohortPeriod: CohortPeriod = .month,
    cac: Fraction? = nil, grossMargin: Fraction = Fraction(8, 10), paybackMonths: Int = 18,
    smallAfterMonths: Int = 18
  ) {
    self.asOf = asOf
    self.knownAt = knownAt
    self.cohortPeriod = cohortPeriod
    self.cac = cac
    self.grossMargin = grossMargin
    self.paybackMonths = paybackMonths
    self.smallAfterMonths = smallAfterMonths
  }
}
