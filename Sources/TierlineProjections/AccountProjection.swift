import TierlineEvents

/// The rules' conclusions about one account at one point in valid and transaction time.
///
/// Money is decimal text, exactly as in the JSON that `ProjectionJSON.encode` writes, and
/// absent values are nil. The view's own times and an expansion's times are RFC 3339 UTC
/// text. The landing, first value, trigger, check-in, offer and return times are kept as
/// `Timestamp`s, and each condition's parts as `ConditionText`, and formatted when read:
/// `landedAt`, `firedAt` and the like give the RFC 3339 text.
public struct AccountProjection: Hashable, Sendable {
  /// The account identifier.
  public var account: String
  /// The valid time of the view.
  public var asOf: String
  /// The transaction time of the view.
  public var knownAt: String
  /// The version of the playbook whose rules made every decision below.
  public var rulesVersion: String
  /// `not_landed`, `active` or `churned`.
  public var status: String
  /// The current tier; nil unless active.
  public var tier: String?
  /// The current ACV as a decimal string; nil unless active.
  public var acv: String?
  /// The ISO 4217 code of `acv`.
  public var currency: String?
  /// The latest landing.
  public var landedInstant: Timestamp?
  /// The IANA time zone of the latest landing, in which due dates, calendar months and
  /// TTFV days are counted; nil before landing.
  public var timeZone: String? = nil
  /// The first time the first-value milestone was reached since the latest landing.
  public var firstValueInstant: Timestamp?
  /// Calendar days in the account's zone from landing to first value.
  public var ttfvDays: Int?
  /// The four triggers in the order usage, milestone, time, organizational.
  public var triggers: [TriggerReport]
  /// Whether the account is ready for the expansion conversation.
  public var ready: Bool
  /// The conditions of readiness, each with its actual and required value.
  public var readiness: [Condition]
  /// The tier after the current one.
  public var nextTier: String?
  /// The owner of the conversation about `nextTier`: `cs`, `sales` or `product`.
  public var owner: String?
  /// The price of `nextTier` as a decimal string.
  public var price: String?
  /// The reason `nextTier` is worth its price to this account.
  public var valueProposition: String?
  /// The onboarding check-in; nil before landing.
  public var checkin: CheckinReport?
  /// Every expansion, oldest first.
  public var expansions: [ExpansionReport]
  /// Every expansion offer, oldest first.
  public var offers: [OfferReport]
  /// Every return after churn, oldest first.
  public var reactivationInstants: [Timestamp]
  /// Events that occurred before the first landing and were ignored.
  public var eventsBeforeLanding: Int
  /// Events ignored after landing: anything while churned except a return, a second landing
  /// while active, and a check-in of another kind.
  public var eventsIgnored: Int
  /// Of `eventsIgnored`, the landings while active.
  public var secondLandingsIgnored = 0
  /// Of `eventsIgnored`, the check-ins while active of a kind the rules do not schedule.
  /// The rest came while the account was churned.
  public var unscheduledCheckinsIgnored = 0

  /// The latest landing, in RFC 3339.
  public var landedAt: String? { landedInstant?.rfc3339 }
  /// The first value since the latest landing, in RFC 3339.
  public var firstValueAt: String? { firstValueInstant?.rfc3339 }
  /// Every return after churn, oldest first, in RFC 3339.
  public var reactivations: [String] { reactivationInstants.map(\.rfc3339) }
}

/// One trigger type and whether it fired since the last tier change.
public struct TriggerReport: Hashable, Sendable {
  /// `usage`, `milestone`, `time` or `organizational`.
  public var type: String
  /// Whether the trigger counts as fired at the view's valid time.
  public var fired: Bool
  /// When it fired.
  public var firedInstant: Timestamp?
  /// The conditions behind `fired`.
  public var conditions: [Condition]

  /// When it fired, in RFC 3339.
  public var firedAt: String? { firedInstant?.rfc3339 }
}

/// One condition of a decision: the actual value against the required value.
///
/// Each part keeps the value it describes, such as an instant or a quantity, and is
/// formatted only when its text is read, because a full replay builds every account's
/// conditions and most of them are never printed.
public struct Condition: Hashable, Sendable {
  /// The quantity compared, such as `api_calls in 2024-03`, before formatting.
  public var nameText: ConditionText
  /// The observed value, before formatting.
  public var actualText: ConditionText
  /// The value the rules require, before formatting.
  public var requiredText: ConditionText
  /// Whether the actual value satisfies the requirement.
  public var met: Bool

  /// Creates a condition from parts kept as values.
  public init(
    name: ConditionText, actual: ConditionText, required: ConditionText, met: Bool
  ) {
    nameText = name
    actualText = actual
    requiredText = required
    self.met = met
  }

  /// Creates a condition from finished texts.
  public init(name: String, actual: String, required: String, met: Bool) {
    self.init(name: .text(name), actual: .text(actual), required: .text(required), met: met)
  }

  /// The quantity compared, such as `api_calls in 2024-03`.
  public var name: String { nameText.formatted }
  /// The observed value.
  public var actual: String { actualText.formatted }
  /// The value the rules require.
  public var required: String { requiredText.formatted }
}

/// A part of a condition, kept as the value it describes until its text is read.
///
/// Two parts are equal when their texts are, in whichever case they are kept.
public enum ConditionText: Hashable, Sendable, ExpressibleByStringLiteral {
  /// Finished text.
  case text(String)
  /// An amount in millionths of a unit, written as the shortest exact decimal.
  case quantity(Int64)
  /// A count, written in decimal.
  case count(Int)
  /// An instant in µs since the epoch, written in RFC 3339 UTC between two texts.
  case instant(Int64, before: String, after: String)
  /// A metric's usage in one calendar month: `api_calls in 2024-03`.
  case usage(metric: String, month: UsageMonth)

  /// Creates finished text.
  public init(stringLiteral text: String) {
    self = .text(text)
  }

  /// The text that people and the JSON output read.
  public var formatted: String {
    switch self {
    case .text(let text):
      return text
    case .quantity(let millionths):
      return Quantity(millionths: millionths).description
    case .count(let count):
      return String(count)
    case .instant(let microseconds, let before, let after):
      return before + Timestamp(microseconds: microseconds).rfc3339 + after
    case .usage(let metric, let month):
      return metric + " in " + month.description
    }
  }

  public static func == (lhs: ConditionText, rhs: ConditionText) -> Bool {
    lhs.formatted == rhs.formatted
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(formatted)
  }
}

/// The onboarding check-in of the latest landing.
public struct CheckinReport: Hashable, Sendable {
  /// The local due date, `YYYY-MM-DD` in the account's zone.
  public var dueOn: String
  /// `upcoming`, `due`, `overdue` or `done`.
  public var status: String
  /// When the check-in was completed.
  public var completedInstant: Timestamp?

  /// When the check-in was completed, in RFC 3339.
  public var completedAt: String? { completedInstant?.rfc3339 }
}

/// A move to a higher tier and what it is attributed to.
public struct ExpansionReport: Hashable, Sendable, Codable {
  /// When the tier changed.
  public var at: String
  /// The tier before.
  public var from: String
  /// The tier after.
  public var to: String
  /// The ACV increase as a decimal string.
  public var acvDelta: String
  /// The trigger types credited, in the order usage, milestone, time, organizational;
  /// empty for an unattributed (organic) expansion.
  public var attributedTo: [String]
  /// The offer credited, if one was made for that tier within the window.
  public var offer: OfferReference?

  enum CodingKeys: String, CodingKey {
    case at, from, to, offer
    case acvDelta = "acv_delta"
    case attributedTo = "attributed_to"
  }
}

/// The offer credited with an expansion.
public struct OfferReference: Hashable, Sendable, Codable {
  /// When the offer was made.
  public var at: String
  /// The owner who made the offer.
  public var by: String
  /// The trigger type that prompted the offer, as the source reported it.
  public var trigger: String?
}

/// One expansion offer and whether it is still open at the view's valid time.
public struct OfferReport: Hashable, Sendable {
  /// When the offer was made.
  public var instant: Timestamp
  /// The tier offered.
  public var to: String
  /// The owner who made the offer.
  public var by: String
  /// The trigger type that prompted the offer, as the source reported it.
  public var trigger: String?
  /// Whether that trigger had fired, and counted, by the offer's time on the tier the
  /// account had then, in the events folded. Nil when the offer names no trigger.
  public var triggerFired: Bool?
  /// Whether the offer is open: made less than `offer_valid_days` before, with no tier
  /// change since.
  public var open: Bool

  /// When the offer was made, in RFC 3339.
  public var at: String { instant.rfc3339 }
}
