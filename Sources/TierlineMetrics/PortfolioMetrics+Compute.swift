import TierlineEvents
import TierlinePlaybook

extension PortfolioMetrics {
  /// Computes every metric over `histories`, folded under `playbook`.
  ///
  /// Accounts that never landed are left out. Tier ACVs are the playbook's list prices;
  /// the landing ACV is the mean ACV of the accounts' first landings.
  public init(
    histories: [AccountHistory], playbook: Playbook, rulesVersion: String,
    options: MetricsOptions
  ) {
    let landed = histories.filter { $0.firstLandedAt != nil }
    let digits = playbook.currency.minorUnitDigits
    self.rulesVersion = rulesVersion
    self.options = options
    self.currency = playbook.currency.code
    self.currencyDigits = digits
    self.accounts = landed.count

    outcomes = Self.outcomes(of: landed, playbook: playbook)
    // Without accounts there is no outcome to weigh and no landing to average.
    expectedACV =
      landed.isEmpty ? nil : UnitEconomics.expectedACV(outcomes.map { ($0.share, $0.acv) })
    // Every ACV is in the playbook's currency: the ledger rejects events and rules in
    // another currency, so the sums need no conversion.
    let landingTotal = landed.reduce(Fraction.zero) { sum, history in
      sum + Fraction(Int128(history.landingACVMinorUnits), scale(history.currencyDigits))
    }
    landingACV = landingTotal.divided(by: Fraction(Int128(landed.count)))

    let expanded = landed.filter { Self.expandedWithin12Months($0) }.count
    expandedWithin12Months = expanded
    expansionRate12Months =
      landed.isEmpty ? nil : Fraction(Int128(expanded), Int128(landed.count))
    expansionWindowOpen =
      landed.filter {
        $0.isWithin(months: MetricsOptions.expansionWindowMonths, of: options.asOf)
      }.count

    let periodStart = Self.retentionPeriodStart(options.asOf)
    retention = Self.retention(of: landed, from: periodStart, to: options.asOf)
    cohorts = Self.cohorts(of: landed, playbook: playbook, options: options, from: periodStart)
    ttfv = Self.ttfv(of: landed)

    maximumCAC = landingACV.map {
      UnitEconomics.maximumCAC(
        acv: $0, grossMargin: options.grossMargin, paybackMonths: options.paybackMonths)
    }
    cac = options.cac ?? maximumCAC
    paybackMonthsOnLandingACV = Self.paybackMonths(cac: cac, acv: landingACV, options: options)
    paybackMonthsOnExpectedACV = Self.paybackMonths(cac: cac, acv: expectedACV, options: options)

    permanentlySmall = Self.permanentlySmall(in: landed, options: options)
    attribution = Self.attribution(of: landed, playbook: playbook)
  }

  /// Returns the CAC payback in months, or nil when the CAC or the ACV is unknown or the
  /// ACV is zero.
  private static func paybackMonths(cac: Fraction?, acv: Fraction?, options: MetricsOptions)
    -> Fraction?
  {
    guard let cac, let acv else { return nil }
    return UnitEconomics.paybackMonths(cac: cac, acv: acv, grossMargin: options.grossMargin)
  }

  /// Returns the start of the NRR period: `asOf` moved back 12 calendar months on its UTC
  /// date, keeping the time of day.
  static func retentionPeriodStart(_ asOf: Timestamp) -> Timestamp {
    let day = Int(floorDivision(asOf.microseconds, 86_400_000_000))
    let date = CivilDate(daysSinceEpoch: day)
    let start = date.adding(months: -MetricsOptions.retentionPeriodMonths)
    let shift = Int64(date.daysSinceEpoch - start.daysSinceEpoch) * 86_400_000_000
    return Timestamp(microseconds: asOf.microseconds - shift)
  }

  /// Returns whether the first expansion came within 12 months of the first landing.
  static func expandedWithin12Months(_ history: AccountHistory) -> Bool {
    guard let months = history.monthsToFirstExpansion else { return false }
    return months <= MetricsOptions.expansionWindowMonths
  }

  /// Counts `histories` by the highest tier held within 24 months of landing.
  static func outcomes(of histories: [AccountHistory], playbook: Playbook) -> [TierOutcome] {
    var counts = Array(repeating: 0, count: playbook.tiers.count)
    for history in histories {
      guard
        let index = history.highestTierIndex(
          withinMonths: MetricsOptions.outcomeWindowMonths, playbook: playbook)
      else { continue }
      counts[index] += 1
    }
    let total = counts.reduce(0, +)
    return playbook.tiers.enumerated().map { index, tier in
      TierOutcome(
        tier: tier.id, acv: fraction(tier.acv), accounts: counts[index],
        share: total == 0 ? .zero : Fraction(Int128(counts[index]), Int128(total)))
    }
  }

  static func retention(
    of histories: [AccountHistory], from start: Timestamp, to end: Timestamp
  ) -> RetentionFigures {
    var figures = RetentionFigures()
    for history in histories {
      let startACV = history.acvMinorUnits(at: start)
      guard startACV > 0 else { continue }
      let endACV = history.acvMinorUnits(at: end)
      let minorUnits = scale(history.currencyDigits)
      figures.add(
        start: Fraction(Int128(startACV), minorUnits),
        end: Fraction(Int128(endACV), minorUnits))
    }
    return figures
  }

  static func cohorts(
    of histories: [AccountHistory], playbook: Playbook, options: MetricsOptions,
    from periodStart: Timestamp
  ) -> [CohortMetrics] {
    var groups: [String: [AccountHistory]] = [:]
    for history in histories {
      guard let date = history.landingDate else { continue }
      groups[options.cohortPeriod.label(of: date), default: []].append(history)
    }
    return groups.keys.sorted().map { label in
      let members = groups[label] ?? []
      let outcomes = Self.outcomes(of: members, playbook: playbook)
      let expanded = members.filter { Self.expandedWithin12Months($0) }.count
      let months = members.compactMap(\.monthsToFirstExpansion)
      let curve = (0...MetricsOptions.outcomeWindowMonths).map { window in
        Fraction(Int128(months.filter { $0 <= window }.count), Int128(members.count))
      }
      return CohortMetrics(
        label: label, accounts: members.count, outcomes: outcomes,
        expectedACV: UnitEconomics.expectedACV(outcomes.map { ($0.share, $0.acv) }),
        outcomeWindowComplete: !members.contains {
          $0.isWithin(months: MetricsOptions.outcomeWindowMonths, of: options.asOf)
        },
        expandedWithin12Months: expanded,
        expansionRate12Months: Fraction(Int128(expanded), Int128(members.count)),
        expansionWindowComplete: !members.contains {
          $0.isWithin(months: MetricsOptions.expansionWindowMonths, of: options.asOf)
        },
        retention: retention(of: members, from: periodStart, to: options.asOf),
        expansionCurve: curve,
        observedMonths: members.map { $0.monthsObserved(at: options.asOf) }.min() ?? 0)
    }
  }
}

/// 10 to the power `digits`, the minor units per major unit.
func scale(_ digits: Int) -> Int128 {
  var value: Int128 = 1
  for _ in 0..<digits { value *= 10 }
  return value
}

/// Money as a fraction of major units.
func fraction(_ money: Money) -> Fraction {
  Fraction(Int128(money.minorUnits), scale(money.currency.minorUnitDigits))
}

/// Division rounding toward negative infinity.
func floorDivision(_ value: Int64, _ divisor: Int64) -> Int64 {
  let quotient = value / divisor
  return value % divisor < 0 ? quotient - 1 : quotient
}
