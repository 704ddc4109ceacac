import TierlineEvents

/// The rules that turn an account's events into expansion decisions: the tier path, the
/// sequencing map per transition, trigger settings, the check-in schedule and the windows.
///
/// A playbook is immutable once parsed; `version` identifies its content.
public struct Playbook: Hashable, Sendable {
  /// A human-readable name such as `default`.
  public var name: String
  /// The currency of every price in the playbook.
  public var currency: Currency
  /// The tiers in path order: index 0 is the landing tier of the path.
  public var tiers: [Tier]
  /// The sequencing map: at most one transition out of each tier.
  public var transitions: [Transition]
  /// Thresholds of the four trigger types.
  public var triggers: TriggerSettings
  /// The onboarding check-in schedule.
  public var checkin: CheckinSchedule
  /// The milestone whose first occurrence ends time to first value.
  public var firstValueMilestone: String
  /// Calendar days before a tier change in which triggers and offers earn attribution.
  public var attributionWindowDays: Int
  /// Calendar days an expansion offer stays open.
  public var offerValidDays: Int

  /// Returns the tier with identifier `id`, or nil when the playbook has none.
  public func tier(_ id: String) -> Tier? {
    tiers.first { $0.id == id }
  }

  /// Returns the position of tier `id` on the path, or nil when the playbook has none.
  public func tierIndex(_ id: String) -> Int? {
    tiers.firstIndex { $0.id == id }
  }

  /// Returns the transition out of tier `tierID`, or nil on the top tier or an unknown tier.
  public func transition(from tierID: String) -> Transition? {
    transitions.first { $0.from == tierID }
  }

  /// The content version: `sha256:` and the first 16 hex digits of the SHA-256 of
  /// `canonicalJSON()`.
  public var version: String {
    "sha256:" + SHA256.hexDigest(canonicalJSON()).prefix(16)
  }
}

/// One tier of the path: its price, features and monthly usage limits.
public struct Tier: Hashable, Sendable {
  /// The identifier that events use, such as `starter`.
  public var id: String
  /// The display name.
  public var name: String
  /// The annual contract value of the tier.
  public var acv: Money
  /// Feature names, in file order.
  public var features: [String]
  /// Usage limits per calendar month in the account's time zone.
  public var limits: [UsageLimit]
}

/// A monthly limit on one usage metric.
public struct UsageLimit: Hashable, Sendable {
  /// The metric name, as in `usage.recorded` events.
  public var metric: String
  /// The limit per calendar month.
  public var limit: Quantity
  /// How a month's readings combine into the value compared with the limit.
  public var aggregation: Aggregation
}

/// How the readings of one calendar month combine.
public enum Aggregation: String, Hashable, Sendable, CaseIterable, Codable {
  /// The month's quantities added up, for counters such as API calls.
  case sum
  /// The month's largest reading, for levels such as seats.
  case max
}

/// One entry of the sequencing map: the move from one tier to the next.
public struct Transition: Hashable, Sendable {
  /// The tier the account is on.
  public var from: String
  /// The next tier on the path.
  public var to: String
  /// Milestones that must all be reached before the milestone trigger fires.
  public var milestones: [String]
  /// Who holds the expansion conversation.
  public var owner: Owner
  /// Why the next tier is worth it to an account that already succeeds in this one.
  public var valueProposition: String
  /// The ACV of the next tier as offered.
  public var price: Money
  /// Calendar days to wait after the milestone trigger fires.
  public var waitDays: Int
}

/// Who owns an expansion conversation.
public enum Owner: String, Hashable, Sendable, CaseIterable {
  /// Customer success.
  case cs
  /// The sales team.
  case sales
  /// The product itself, through in-app prompts.
  case product
}

/// Settings of the usage, time and organizational triggers.
public struct TriggerSettings: Hashable, Sendable {
  /// The share of a monthly limit at which the usage trigger fires.
  public var usageThreshold: Ratio
  /// Calendar days after landing at which the time trigger fires, ascending.
  public var timeOffsetsDays: [Int]
  /// The relative headcount growth at which the organizational trigger fires.
  public var headcountGrowth: Ratio
  /// Whether an added department fires the organizational trigger.
  public var departmentAdded: Bool
  /// Whether an added use case fires the organizational trigger.
  public var useCaseAdded: Bool
}

/// When the onboarding check-in falls due.
public struct CheckinSchedule: Hashable, Sendable {
  /// The `kind` of the `checkin.completed` event that completes it.
  public var kind: String
  /// Calendar days from the landing's local date to the due date.
  public var daysAfterLanding: Int
  /// Calendar days after the due date during which the check-in is due, not yet overdue.
  public var dueWindowDays: Int
}
