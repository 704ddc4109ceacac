/// The rules' conclusions about one account at one point in valid and transaction time.
///
/// Instants are RFC 3339 UTC text and money is decimal text, exactly as in the JSON that
/// `ProjectionJSON.encode` writes; absent values are nil.
public struct AccountProjection: Hashable, Sendable, Codable {
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
  public var landedAt: String?
  /// The IANA time zone of the latest landing, in which due dates, calendar months and
  /// TTFV days are counted; nil before landing.
  public var timeZone: String? = nil
  /// The first time the first-value milestone was reached since the latest landing.
  public var firstValueAt: String?
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
  public var reactivations: [String]
  /// Events that occurred before the first landing and were ignored.
  public var eventsBeforeLanding: Int
  /// Events ignored after landing: anything while churned except a return, a second landing
  /// while active, and a check-in of another kind.
  public var eventsIgnored: Int

  enum CodingKeys: String, CodingKey {
    case account, status, tier, acv, currency, triggers, ready, readiness, owner, price
    case checkin, expansions, offers, reactivations
    case asOf = "as_of"
    case knownAt = "known_at"
    case rulesVersion = "rules_version"
    case landedAt = "landed_at"
    case timeZone = "timezone"
    case firstValueAt = "first_value_at"
    case ttfvDays = "ttfv_days"
    case nextTier = "next_tier"
    case valueProposition = "value_proposition"
    case eventsBeforeLanding = "events_before_landing"
    case eventsIgnored = "events_ignored"
  }
}

/// One trigger type and whether it fired since the last tier change.
public struct TriggerReport: Hashable, Sendable, Codable {
  /// `usage`, `milestone`, `time` or `organizational`.
  public var type: String
  /// Whether the trigger counts as fired at the view's valid time.
  public var fired: Bool
  /// When it fired.
  public var firedAt: String?
  /// The conditions behind `fired`.
  public var conditions: [Condition]

  enum CodingKeys: String, CodingKey {
    case type, fired, conditions
    case firedAt = "fired_at"
  }
}

/// One condition of a decision: the actual value against the required value.
public struct Condition: Hashable, Sendable, Codable {
  /// The quantity compared, such as `api_calls in 2024-03`.
  public var name: String
  /// The observed value.
  public var actual: String
  /// The value the rules require.
  public var required: String
  /// Whether the actual value satisfies the requirement.
  public var met: Bool
}

/// The onboarding check-in of the latest landing.
public struct CheckinReport: Hashable, Sendable, Codable {
  /// The local due date, `YYYY-MM-DD` in the account's zone.
  public var dueOn: String
  /// `upcoming`, `due`, `overdue` or `done`.
  public var status: String
  /// When the check-in was completed.
  public var completedAt: String?

  enum CodingKeys: String, CodingKey {
    case status
    case dueOn = "due_on"
    case completedAt = "completed_at"
  }
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
public struct OfferReport: Hashable, Sendable, Codable {
  /// When the offer was made.
  public var at: String
  /// The tier offered.
  public var to: String
  /// The owner who made the offer.
  public var by: String
  /// The trigger type that prompted the offer, as the source reported it.
  public var trigger: String?
  /// Whether the offer is open: made less than `offer_valid_days` before, with no tier
  /// change since.
  public var open: Bool
}
