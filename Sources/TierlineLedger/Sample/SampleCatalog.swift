import TierlineEvents

/// The tiers, metrics, milestones and time zones of the built-in default playbook,
/// as the sample portfolio uses them.
enum SampleCatalog {
  /// Tier ids in path order: index 0 is the landing tier, index 2 the top tier.
  static let tiers = ["starter", "growth", "scale"]

  /// List ACV per tier, in US cents.
  static let listACVCents: [Int64] = [600_000, 1_800_000, 3_600_000]

  /// Usage metric ids; a metric's position here is its index everywhere else.
  static let metrics = ["api_calls", "seats", "workflow_runs", "data_gb"]

  /// Monthly limits per metric, one row per tier.
  static let limits: [[Double]] = [
    [100_000, 10, 1_000, 50],
    [500_000, 50, 10_000, 500],
    [2_000_000, 200, 50_000, 5_000],
  ]

  /// Adoption milestones in the order accounts usually reach them.
  static let milestones = [
    "first_value", "integration_live", "workflows_automated", "second_team_onboarded",
  ]

  /// Milestones that the transition out of each tier requires (none out of the top).
  static let transitionMilestones: [[Int]] = [[0, 1], [2, 3], []]

  /// Days between completing a transition's milestones and the conversation.
  static let transitionWaitDays = [7, 14, 0]

  /// The owner of the conversation about the next tier, per current tier.
  static let transitionOwners = ["cs", "sales", ""]

  /// Days after landing at which the time-based trigger fires.
  static let timeOffsetsDays = [60, 90, 180]

  /// The usage ratio at which the usage trigger fires.
  static let usageThreshold = 0.8

  /// Days an offer stays open.
  static let offerValidDays = 90

  /// The check-in kind that the sample accounts complete.
  static let checkinKind = "onboarding_60d"

  /// IANA time zones with their standard UTC offset in seconds.
  ///
  /// NOTE: local times ignore daylight saving time. Events land at plausible local
  /// hours either way, and the ledger itself computes calendar days with real rules.
  static let zones: [(name: String, offsetSeconds: Int64)] = [
    ("America/New_York", -5 * 3600),
    ("America/Los_Angeles", -8 * 3600),
    ("Europe/Berlin", 1 * 3600),
    ("Asia/Tokyo", 9 * 3600),
    ("Australia/Sydney", 10 * 3600),
    ("UTC", 0),
  ]

  /// Relative frequency of each entry of `zones`.
  static let zoneWeights = [30, 15, 20, 10, 10, 15]

  /// Customer segments reported at landing, by landing tier.
  static let segments = ["smb", "mid_market", "enterprise"]

  /// Departments that `org.changed` events add.
  static let departments = [
    "finance", "marketing", "support", "operations", "engineering", "sales", "legal", "hr",
  ]

  /// Use cases that `org.changed` events add.
  static let useCases = [
    "reporting", "billing_automation", "data_sync", "alerting", "onboarding", "forecasting",
  ]

  /// Reasons given on `account.churned`.
  static let churnReasons = ["budget", "low_adoption", "switched_vendor", "company_closed"]

  /// Discounts off list price at landing, in percent; 0 means list price.
  static let landingDiscounts = [0, 5, 10, 15, 20]

  /// Relative frequency of each entry of `landingDiscounts`.
  static let landingDiscountWeights = [80, 5, 7, 5, 3]

  /// Returns the ACV of a tier after a discount in whole percent.
  static func acv(tier: Int, discountPercent: Int) -> Money {
    let cents = listACVCents[tier] * Int64(100 - discountPercent) / 100
    return Money(minorUnits: cents, currency: .usd)
  }
}
