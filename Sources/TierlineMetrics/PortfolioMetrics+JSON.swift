import TierlineEvents

extension PortfolioMetrics {
  /// Decimals of shares and ratios in the output, rounded half to even.
  public static let ratioDigits = 4
  /// Decimals of month counts in the output, rounded half to even.
  public static let monthDigits = 2

  /// Encodes the metrics as a JSON object with a fixed key order.
  ///
  /// Money is a decimal string with the currency's decimals, shares and ratios are decimal
  /// strings with four decimals, and counts and days are JSON numbers.
  public func json() -> JSONValue {
    .object([
      ("rules_version", .string(rulesVersion)),
      ("as_of", .string(options.asOf.rfc3339)),
      ("known_at", .string(options.knownAt.rfc3339)),
      ("currency", .string(currency)),
      ("accounts", number(accounts)),
      ("cohort_period", .string(options.cohortPeriod.rawValue)),
      ("expected_acv", money(expectedACV)),
      ("landing_acv", money(landingACV)),
      ("outcomes", .array(outcomes.map(outcomeJSON))),
      ("expansion_rate_12m", ratio(expansionRate12Months)),
      ("expanded_12m", number(expandedWithin12Months)),
      ("expansion_window_open", number(expansionWindowOpen)),
      ("nrr", ratio(retention.nrr)),
      ("retention", retentionJSON(retention)),
      ("ttfv_days_median", median(ttfv.median)),
      ("ttfv_days_p90", ttfv.percentile90.map(number) ?? .null),
      ("ttfv", ttfvJSON()),
      ("gross_margin", ratio(options.grossMargin)),
      ("payback_months_target", number(options.paybackMonths)),
      ("max_cac", money(maximumCAC)),
      ("cac", money(cac)),
      (
        "cac_payback_months",
        .object([
          ("landing_acv", months(paybackMonthsOnLandingACV)),
          ("expected_acv", months(paybackMonthsOnExpectedACV)),
        ])
      ),
      ("permanently_small", smallJSON()),
      ("attribution", attributionJSON()),
      ("cohorts", .array(cohorts.map(cohortJSON))),
    ])
  }

  /// Encodes the metrics as compact UTF-8 JSON text.
  public func jsonText() -> String {
    String(decoding: json().serialized(sortingKeys: false), as: UTF8.self)
  }

  /// Formats money with the currency's decimals, rounded half to even; nil gives `-`.
  public func moneyText(_ value: Fraction?) -> String {
    value?.decimalString(digits: currencyDigits) ?? "-"
  }

  /// Formats a share or ratio with four decimals, rounded half to even; nil gives `-`.
  public func ratioText(_ value: Fraction?) -> String {
    value?.decimalString(digits: Self.ratioDigits) ?? "-"
  }

  /// Formats a share as a percentage with `digits` decimals (one unless given), rounded
  /// half to even; nil gives `-`.
  public func percentText(_ value: Fraction?, digits: Int = 1) -> String {
    guard let value else { return "-" }
    return (value * Fraction(100)).decimalString(digits: digits) + "%"
  }

  /// Formats months with two decimals, rounded half to even; nil gives `-`.
  public func monthsText(_ value: Fraction?) -> String {
    value?.decimalString(digits: Self.monthDigits) ?? "-"
  }

  func money(_ value: Fraction?) -> JSONValue {
    value.map { .string($0.decimalString(digits: currencyDigits)) } ?? .null
  }

  func ratio(_ value: Fraction?) -> JSONValue {
    value.map { .string($0.decimalString(digits: Self.ratioDigits)) } ?? .null
  }

  func months(_ value: Fraction?) -> JSONValue {
    value.map { .string($0.decimalString(digits: Self.monthDigits)) } ?? .null
  }

  func number(_ value: Int) -> JSONValue { .number(String(value)) }

  /// Writes a median of whole days, which is a whole or a half number of days.
  func median(_ value: Fraction?) -> JSONValue {
    guard let value else { return .null }
    return .number(value.denominator == 1 ? "\(value.numerator)" : value.decimalString(digits: 1))
  }

  func outcomeJSON(_ outcome: TierOutcome) -> JSONValue {
    .object([
      ("tier", .string(outcome.tier)),
      ("acv", money(outcome.acv)),
      ("accounts", number(outcome.accounts)),
      ("share", ratio(outcome.share)),
    ])
  }

  func retentionJSON(_ figures: RetentionFigures) -> JSONValue {
    .object([
      ("period_start", .string(PortfolioMetrics.retentionPeriodStart(options.asOf).rfc3339)),
      ("accounts", number(figures.accounts)),
      ("start_arr", money(figures.startARR)),
      ("end_arr", money(figures.endARR)),
      ("expansion", money(figures.expansion)),
      ("contraction", money(figures.contraction)),
      ("churn", money(figures.churn)),
      ("contracted_accounts", number(figures.contractedAccounts)),
      ("churned_accounts", number(figures.churnedAccounts)),
    ])
  }

  func ttfvJSON() -> JSONValue {
    .object([
      ("accounts", number(ttfv.accounts)),
      ("without_first_value", number(ttfv.accountsWithoutFirstValue)),
      ("median", median(ttfv.median)),
      ("p90", ttfv.percentile90.map(number) ?? .null),
      (
        "bands",
        .array(
          ttfv.bands.map { band in
            .object([
              ("band", .string(band.label)),
              ("accounts", number(band.accounts)),
              ("expanded_12m", number(band.expandedWithin12Months)),
              ("expansion_rate_12m", ratio(band.expansionRate12Months)),
            ])
          })
      ),
    ])
  }

  func smallJSON() -> JSONValue {
    .object([
      ("after_months", number(options.smallAfterMonths)),
      ("count", number(permanentlySmall.count)),
      (
        "accounts",
        .array(
          permanentlySmall.map { small in
            .object([
              ("account", .string(small.account)),
              ("landed_at", .string(small.landedAt)),
              ("tier", .string(small.tier)),
              ("months_on_tier", number(small.monthsOnTier)),
              (
                "triggers_fired",
                .array(
                  small.triggersFired.map {
                    .object([("type", .string($0.type)), ("fired_at", .string($0.at))])
                  })
              ),
              ("triggers_never_fired", .array(small.triggersNeverFired.map { .string($0) })),
              ("offers", number(small.offers)),
              ("offer_followed_trigger", .bool(small.offerFollowedTrigger)),
            ])
          })
      ),
    ])
  }

  func attributionJSON() -> JSONValue {
    .object([
      ("expansions", number(attribution.expansions)),
      ("total_arr", money(attribution.total)),
      ("by_trigger", .object(attribution.byTrigger.map { ($0.type, money($0.arr)) })),
      ("by_owner", .object(attribution.byOwner.map { ($0.owner, money($0.arr)) })),
      ("unattributed_arr", money(attribution.unattributed)),
      ("unattributed_share", ratio(attribution.unattributedShare)),
    ])
  }

  func cohortJSON(_ cohort: CohortMetrics) -> JSONValue {
    .object([
      ("cohort", .string(cohort.label)),
      ("accounts", number(cohort.accounts)),
      ("expected_acv", money(cohort.expectedACV)),
      ("outcomes", .array(cohort.outcomes.map(outcomeJSON))),
      ("outcome_window_complete", .bool(cohort.outcomeWindowComplete)),
      ("expansion_rate_12m", ratio(cohort.expansionRate12Months)),
      ("expanded_12m", number(cohort.expandedWithin12Months)),
      ("expansion_window_complete", .bool(cohort.expansionWindowComplete)),
      ("nrr", ratio(cohort.retention.nrr)),
      ("retention", retentionJSON(cohort.retention)),
      ("expansion_curve", .array(cohort.expansionCurve.map { ratio($0) })),
      ("observed_months", number(cohort.observedMonths)),
    ])
  }
}
