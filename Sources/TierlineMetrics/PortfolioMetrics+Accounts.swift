import TierlineEvents
import TierlinePlaybook

extension PortfolioMetrics {
  /// TTFV percentiles and the 12-month expansion rate per TTFV band.
  static func ttfv(of histories: [AccountHistory]) -> TTFVFigures {
    let days = histories.compactMap(\.projection.ttfvDays).sorted()
    var median: Fraction?
    var percentile90: Int?
    if !days.isEmpty {
      let lower = days[(days.count - 1) / 2]
      let upper = days[days.count / 2]
      median = Fraction(Int128(lower + upper), 2)
      // Nearest rank: the smallest value with at least 90% of the values at or below it.
      let rank = (days.count * 9 + 9) / 10
      percentile90 = days[rank - 1]
    }

    let labels = ["<30", "30-60", ">60", "none"]
    var members = Array(repeating: 0, count: labels.count)
    var expanded = Array(repeating: 0, count: labels.count)
    for history in histories {
      let band: Int
      switch history.projection.ttfvDays {
      case .none: band = 3
      case .some(let value) where value < 30: band = 0
      case .some(let value) where value <= 60: band = 1
      case .some: band = 2
      }
      members[band] += 1
      if expandedWithin12Months(history) { expanded[band] += 1 }
    }
    let bands = labels.indices.map { index in
      TTFVBand(
        label: labels[index], accounts: members[index],
        expandedWithin12Months: expanded[index],
        expansionRate12Months: members[index] == 0
          ? nil : Fraction(Int128(expanded[index]), Int128(members[index])))
    }
    return TTFVFigures(
      accounts: days.count, accountsWithoutFirstValue: members[3], median: median,
      percentile90: percentile90, days: days, bands: bands)
  }

  /// Lists active accounts on their landing tier below the top tier, never expanded, at
  /// least `options.smallAfterMonths` calendar months after landing; oldest first.
  static func permanentlySmall(in histories: [AccountHistory], options: MetricsOptions)
    -> [SmallAccount]
  {
    var found: [(landed: Int64, account: SmallAccount)] = []
    for history in histories {
      let projection = history.projection
      // An account that landed on the top tier has nowhere to expand, so it is not small.
      guard projection.status == "active", projection.expansions.isEmpty,
        projection.nextTier != nil,
        let tier = projection.tier, tier == history.landingTier,
        let landedAt = history.firstLandedAt,
        !history.isWithin(months: options.smallAfterMonths, of: options.asOf)
      else { continue }
      let months = history.monthsObserved(at: options.asOf)

      let fired = projection.triggers.filter(\.fired)
      let firstFiring = fired.compactMap(\.firedInstant).min()
      let followed = firstFiring.map { first in
        projection.offers.contains { $0.instant >= first }
      }
      found.append(
        (
          landedAt.microseconds,
          SmallAccount(
            account: projection.account, landedAt: landedAt.rfc3339, tier: tier,
            monthsOnTier: months,
            triggersFired: fired.map { ($0.type, $0.firedAt ?? "") },
            triggersNeverFired: projection.triggers.filter { !$0.fired }.map(\.type),
            offers: projection.offers.count, offerFollowedTrigger: followed ?? false)
        ))
    }
    return found.sorted { ($0.landed, $0.account.account) < ($1.landed, $1.account.account) }
      .map(\.account)
  }

  /// Expansion ARR by trigger type and owner over every expansion of `histories`.
  static func attribution(of histories: [AccountHistory], playbook: Playbook)
    -> AttributionFigures
  {
    let types = ["usage", "milestone", "time", "organizational"]
    var byTrigger = Array(repeating: Fraction.zero, count: types.count)
    var byOwner: [String: Fraction] = [:]
    var figures = AttributionFigures()
    for history in histories {
      for expansion in history.projection.expansions {
        let delta = Fraction(decimal: expansion.acvDelta) ?? .zero
        figures.expansions += 1
        figures.total = figures.total + delta
        if expansion.attributedTo.isEmpty {
          figures.unattributed = figures.unattributed + delta
        }
        for (index, type) in types.enumerated() where expansion.attributedTo.contains(type) {
          byTrigger[index] = byTrigger[index] + delta
        }
        let owner =
          expansion.offer?.by ?? playbook.transition(from: expansion.from)?.owner.rawValue
          ?? "none"
        byOwner[owner, default: .zero] = byOwner[owner, default: .zero] + delta
      }
    }
    figures.byTrigger = types.indices.map { (types[$0], byTrigger[$0]) }
    figures.byOwner = byOwner.keys.sorted().map { ($0, byOwner[$0] ?? .zero) }
    return figures
  }
}
