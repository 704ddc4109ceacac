/// One immutable fact about an account, as the source reported it.
///
/// `recorded_at` is not part of the event: the ledger stamps it on append and keeps
/// it beside the stored event (see `RecordedEvent`).
public struct Event: Hashable, Sendable {
  /// The identifier chosen by the source; the ledger's idempotency key.
  public var id: String
  /// The account the event belongs to.
  public var account: AccountID
  /// When the event happened (valid time).
  public var occurredAt: Timestamp
  /// The type-specific content.
  public var payload: Payload

  /// Creates an event.
  public init(id: String, account: AccountID, occurredAt: Timestamp, payload: Payload) {
    self.id = id
    self.account = account
    self.occurredAt = occurredAt
    self.payload = payload
  }

  /// The event's type.
  public var type: EventType { payload.type }

  /// The maximum event id length, in UTF-8 bytes.
  public static let maximumIDLength = 200
}

/// An event together with the ledger's stamps.
public struct RecordedEvent: Hashable, Sendable {
  /// The event as appended.
  public var event: Event
  /// The global position in the log, starting at 1.
  public var position: UInt64
  /// When the ledger stored it (transaction time).
  public var recordedAt: Timestamp

  /// Creates a recorded event.
  public init(event: Event, position: UInt64, recordedAt: Timestamp) {
    self.event = event
    self.position = position
    self.recordedAt = recordedAt
  }
}

/// The eight event types of interchange format v1.
public enum EventType: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
  case accountLanded = 1
  case usageRecorded = 2
  case milestoneReached = 3
  case checkinCompleted = 4
  case tierChanged = 5
  case orgChanged = 6
  case expansionOffered = 7
  case accountChurned = 8

  /// The name used in the `type` field of the JSON interchange format.
  public var name: String {
    switch self {
    case .accountLanded: return "account.landed"
    case .usageRecorded: return "usage.recorded"
    case .milestoneReached: return "milestone.reached"
    case .checkinCompleted: return "checkin.completed"
    case .tierChanged: return "tier.changed"
    case .orgChanged: return "org.changed"
    case .expansionOffered: return "expansion.offered"
    case .accountChurned: return "account.churned"
    }
  }

  /// Looks a type up by its interchange name.
  public init?(name: String) {
    guard let match = EventType.allCases.first(where: { $0.name == name }) else { return nil }
    self = match
  }

  public var description: String { name }
}

/// The type-specific content of an event.
public enum Payload: Hashable, Sendable {
  case accountLanded(AccountLanded)
  case usageRecorded(UsageRecorded)
  case milestoneReached(MilestoneReached)
  case checkinCompleted(CheckinCompleted)
  case tierChanged(TierChanged)
  case orgChanged(OrgChanged)
  case expansionOffered(ExpansionOffered)
  case accountChurned(AccountChurned)

  /// The event type this content belongs to.
  public var type: EventType {
    switch self {
    case .accountLanded: return .accountLanded
    case .usageRecorded: return .usageRecorded
    case .milestoneReached: return .milestoneReached
    case .checkinCompleted: return .checkinCompleted
    case .tierChanged: return .tierChanged
    case .orgChanged: return .orgChanged
    case .expansionOffered: return .expansionOffered
    case .accountChurned: return .accountChurned
    }
  }
}

/// `account.landed`: the first paid contract, or a return after churn.
public struct AccountLanded: Hashable, Sendable {
  public var tier: String
  public var acv: Money
  /// The IANA time zone in which the account's calendar days are counted.
  public var timeZone: String
  public var owner: String?
  public var segment: String?

  public init(tier: String, acv: Money, timeZone: String, owner: String? = nil, segment: String? = nil) {
    self.tier = tier
    self.acv = acv
    self.timeZone = timeZone
    self.owner = owner
    self.segment = segment
  }
}

/// `usage.recorded`: a quantity of one usage metric.
public struct UsageRecorded: Hashable, Sendable {
  public var metric: String
  public var quantity: Quantity
  /// The unit of `quantity`, such as `calls` or `GB`; nil when the source gave none and
  /// for every record stored in schema version 1.
  public var unit: String?

  public init(metric: String, quantity: Quantity, unit: String? = nil) {
    self.metric = metric
    self.quantity = quantity
    self.unit = unit
  }
}

/// `milestone.reached`: an adoption milestone such as `first_value`.
public struct MilestoneReached: Hashable, Sendable {
  public var milestone: String

  public init(milestone: String) {
    self.milestone = milestone
  }
}

/// `checkin.completed`: a customer-success check-in and its two findings.
public struct CheckinCompleted: Hashable, Sendable {
  /// The check-in kind, such as `onboarding_60d`.
  public var kind: String
  public var valueDelivered: Bool
  public var approachingCapacity: Bool
  public var notes: String?

  public init(kind: String, valueDelivered: Bool, approachingCapacity: Bool, notes: String? = nil) {
    self.kind = kind
    self.valueDelivered = valueDelivered
    self.approachingCapacity = approachingCapacity
    self.notes = notes
  }
}

/// `tier.changed`: a move to another tier at a new ACV, up or down.
public struct TierChanged: Hashable, Sendable {
  public var to: String
  public var acv: Money
  public var reason: String?

  public init(to: String, acv: Money, reason: String? = nil) {
    self.to = to
    self.acv = acv
    self.reason = reason
  }
}

/// `org.changed`: a change in the customer's organization; at least one field is set.
public struct OrgChanged: Hashable, Sendable {
  /// The organization's headcount after the change.
  public var headcount: Int64?
  public var departmentAdded: String?
  public var useCaseAdded: String?

  public init(headcount: Int64? = nil, departmentAdded: String? = nil, useCaseAdded: String? = nil) {
    self.headcount = headcount
    self.departmentAdded = departmentAdded
    self.useCaseAdded = useCaseAdded
  }
}

/// `expansion.offered`: an offer of a higher tier.
public struct ExpansionOffered: Hashable, Sendable {
  public var to: String
  /// Who made the offer: `cs`, `sales` or `product`.
  public var by: String
  /// The trigger type that prompted the offer, when the source records it.
  public var trigger: String?

  public init(to: String, by: String, trigger: String? = nil) {
    self.to = to
    self.by = by
    self.trigger = trigger
  }
}

/// `account.churned`: the account left entirely.
public struct AccountChurned: Hashable, Sendable {
  public var reason: String?

  public init(reason: String? = nil) {
    self.reason = reason
  }
}
