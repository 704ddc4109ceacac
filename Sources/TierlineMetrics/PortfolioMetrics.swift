/// The portfolio's unit economics at one point in valid and transaction time, under one
/// rules version.
///
/// Money is a fraction of major units and shares are fractions in 0...1; both are exact
/// until `PortfolioMetrics+JSON` formats them.
public struct PortfolioMetrics: Sendable {
  /// The version of the playbook that produced every figure.
  public var rulesVersion: String
  /// The options the figures were computed with.
  public var options: MetricsOptions
  /// The playbook currency's ISO 4217 code.
  public var currency: String
  /// The currency's number of decimals; money is rounded half to even to it.
  public var currencyDigits: Int
  /// Accounts that landed by `options.asOf`.
  public var accounts: Int
  /// The outcome tiers over all landed accounts.
  public var outcomes: [TierOutcome]
  /// Σ share × tier ACV over `outcomes`, or nil without accounts.
  public var expectedACV: Fraction?
  /// The mean ACV of the first landings, or nil without accounts.
  public var landingACV: Fraction?
  /// Accounts that expanded within 12 months of landing.
  public var expandedWithin12Months: Int
  /// `expandedWithin12Months` / `accounts`; nil without accounts.
  public var expansionRate12Months: Fraction?
  /// Accounts whose first 12 months had not ended by `options.asOf`.
  public var expansionWindowOpen: Int
  /// Net revenue retention over the 12 months ending at `options.asOf`.
  public var retention: RetentionFigures
  /// One entry per landing cohort, oldest first.
  public var cohorts: [CohortMetrics]
  /// Time to first value.
  public var ttfv: TTFVFigures
  /// The largest CAC that pays back within the target on the landing ACV, or nil without
  /// accounts.
  public var maximumCAC: Fraction?
  /// The CAC the payback figures use: `options.cac`, else `maximumCAC`.
  public var cac: Fraction?
  /// CAC payback in months on the landing ACV; nil when it is zero.
  public var paybackMonthsOnLandingACV: Fraction?
  /// CAC payback in months on the expected ACV; nil when it is zero.
  public var paybackMonthsOnExpectedACV: Fraction?
  /// Active accounts still on their landing tier long after landing, oldest first.
  public var permanentlySmall: [SmallAccount]
  /// Expansion ARR by trigger type and by owner.
  public var attribution: AttributionFigures
}

/// The share of accounts whose highest tier within 24 months of landing was one tier.
public struct TierOutcome: Hashable, Sendable {
  /// The tier id.
  public var tier: String
  /// The tier's list ACV in major units.
  public var acv: Fraction
  /// The accounts with this outcome.
  public var accounts: Int
  /// `accounts` over all accounts counted.
  public var share: Fraction
}

/// The figures of one landing cohort.
public struct CohortMetrics: Sendable {
  /// The cohort label, such as `2024-03` or `2024-Q1`.
  public var label: String
  /// Accounts whose first landing fell in the cohort.
  public var accounts: Int
  /// The outcome tiers within 24 months.
  public var outcomes: [TierOutcome]
  /// Σ share × tier ACV over `outcomes`.
  public var expectedACV: Fraction
  /// Whether every account's 24-month window had ended by the view's valid time.
  public var outcomeWindowComplete: Bool
  /// Accounts that expanded within 12 months of landing.
  public var expandedWithin12Months: Int
  /// `expandedWithin12Months` / `accounts`.
  public var expansionRate12Months: Fraction
  /// Whether every account's 12-month window had ended by the view's valid time.
  public var expansionWindowComplete: Bool
  /// Retention of the cohort's accounts over the NRR period.
  public var retention: RetentionFigures
  /// The cumulative share of the cohort that had expanded within m months, m = 0...24.
  public var expansionCurve: [Fraction]
  /// Whole calendar months that every account of the cohort has been observed since
  /// landing; curve points beyond it can still rise.
  public var observedMonths: Int
}

/// ARR movements of the accounts active at the start of a period.
public struct RetentionFigures: Hashable, Sendable {
  /// Accounts active at the start.
  public var accounts = 0
  /// Their ARR at the start.
  public var startARR = Fraction.zero
  /// Their ARR at the end; churned accounts count zero.
  public var endARR = Fraction.zero
  /// ARR added by accounts whose ACV rose.
  public var expansion = Fraction.zero
  /// ARR lost by accounts still active whose ACV fell.
  public var contraction = Fraction.zero
  /// ARR lost by accounts not active at the end.
  public var churn = Fraction.zero
  /// Accounts still active at the end with a lower ACV.
  public var contractedAccounts = 0
  /// Accounts not active at the end.
  public var churnedAccounts = 0

  /// Creates empty figures.
  public init() {}

  /// Net revenue retention, end ARR over start ARR; nil when start ARR is zero.
  public var nrr: Fraction? { endARR.divided(by: startARR) }

  /// Adds one account that was active at the start with `start` ARR and has `end` ARR.
  public mutating func add(start: Fraction, end: Fraction) {
    accounts += 1
    startARR = startARR + start
    endARR = endARR + end
    if end.isZero {
      churn = churn + start
      churnedAccounts += 1
    } else if end < start {
      contraction = contraction + (start - end)
      contractedAccounts += 1
    } else if start < end {
      expansion = expansion + (end - start)
    }
  }
}

/// Time to first value over the accounts that reached it.
public struct TTFVFigures: Sendable {
  /// Accounts with a TTFV.
  public var accounts: Int
  /// Accounts landed without a first value yet.
  public var accountsWithoutFirstValue: Int
  /// The median in days: the mean of the two middle values when the count is even.
  public var median: Fraction?
  /// The 90th percentile in days, by nearest rank.
  public var percentile90: Int?
  /// Every TTFV in days, ascending.
  public var days: [Int]
  /// The 12-month expansion rate by TTFV band: `<30`, `30-60`, `>60` and `none`.
  public var bands: [TTFVBand]
}

/// The accounts of one TTFV band and how many of them expanded within 12 months.
public struct TTFVBand: Hashable, Sendable {
  /// `<30`, `30-60` (both ends included), `>60` or `none` (no first value).
  public var label: String
  /// Accounts in the band.
  public var accounts: Int
  /// Those that expanded within 12 months of landing.
  public var expandedWithin12Months: Int
  /// `expandedWithin12Months` / `accounts`; nil for an empty band.
  public var expansionRate12Months: Fraction?
}

/// An active account still on its landing tier, never expanded, long after landing.
public struct SmallAccount: Hashable, Sendable {
  /// The account.
  public var account: String
  /// The first landing, RFC 3339 UTC.
  public var landedAt: String
  /// The landing tier.
  public var tier: String
  /// Whole calendar months from landing to the view's valid time.
  public var monthsOnTier: Int
  /// Trigger types that fired on the tier, with when, in the projection's order.
  public var triggersFired: [(type: String, at: String)]
  /// Trigger types that never fired on the tier.
  public var triggersNeverFired: [String]
  /// Offers made since landing.
  public var offers: Int
  /// Whether an offer came at or after the earliest trigger firing.
  public var offerFollowedTrigger: Bool

  public static func == (lhs: SmallAccount, rhs: SmallAccount) -> Bool {
    lhs.account == rhs.account && lhs.landedAt == rhs.landedAt
      && lhs.triggersFired.map(\.type) == rhs.triggersFired.map(\.type)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(account)
    hasher.combine(landedAt)
  }
}

/// Expansion ARR by what earned it.
public struct AttributionFigures: Sendable {
  /// ACV added by every expansion.
  public var total = Fraction.zero
  /// ACV added by expansions crediting each trigger type, in the order usage,
  /// milestone, time, organizational. An expansion crediting two types counts in both.
  public var byTrigger: [(type: String, arr: Fraction)] = []
  /// ACV added by owner: the owner of the credited offer, else the transition's owner.
  public var byOwner: [(owner: String, arr: Fraction)] = []
  /// ACV added by expansions that credit no trigger.
  public var unattributed = Fraction.zero
  /// Expansions counted.
  public var expansions = 0

  /// `unattributed` / `total`; nil when nothing expanded.
  public var unattributedShare: Fraction? { unattributed.divided(by: total) }
}
