import TierlineEvents
import TierlinePlaybook
import TierlineProjections

/// One account's folded history under one playbook: its projection at the view's valid
/// time and every change of its tier and ACV up to then.
///
/// Metrics need more than one projection: NRR needs the ACV at the start of a period and
/// the cohort figures need the highest tier held within a window after landing.
///
/// It is a class, so the metrics pass histories around without copying each
/// projection's strings and arrays.
public final class AccountHistory: Sendable {
  /// The tier and ACV from one instant on.
  public struct Standing: Hashable, Sendable {
    /// The instant of the change, µs since the epoch.
    public var at: Int64
    /// The tier, or nil while not landed or churned.
    public var tier: String?
    /// The ACV in minor units; 0 while not landed or churned.
    public var acvMinorUnits: Int64
  }

  /// The projection at the view's valid and transaction time, without the condition
  /// lists of its triggers and its readiness. No metric reads them, and dropping them
  /// cuts a history from about 4 KB to 1.5 KB.
  public let projection: AccountProjection
  /// The first landing; nil when the account never landed.
  public let firstLandedAt: Timestamp?
  /// The tier of the first landing.
  public let landingTier: String?
  /// The ACV of the first landing, in minor units.
  public let landingACVMinorUnits: Int64
  /// The number of decimals of the account's currency.
  public let currencyDigits: Int
  /// The calendar of the account's time zone.
  public let zone: ZoneCalendar
  /// Every change of tier or ACV, oldest first.
  public let standings: [Standing]

  /// The account identifier.
  public var account: String { projection.account }

  /// Folds `events` under `playbook` and records each change of tier or ACV.
  /// - Parameters:
  ///   - events: one account's events in (occurred_at, position) order, already cut at
  ///     the view's valid and transaction time.
  ///   - asOf: the valid time of the projection.
  public convenience init(
    account: AccountID, events: [RecordedEvent], playbook: Playbook, rulesVersion: String,
    asOf: Timestamp, knownAt: Timestamp
  ) {
    var fold = Fold(account: account, playbook: playbook)
    for recorded in events {
      fold.apply(recorded.event, position: recorded.position)
    }
    self.init(fold, asOf: asOf, knownAt: knownAt, rulesVersion: rulesVersion)
  }

  /// Creates the history of a finished fold, with its projection at `asOf`.
  public init(_ fold: Fold, asOf: Timestamp, knownAt: Timestamp, rulesVersion: String) {
    let state = fold.state
    var projection = state.projection(asOf: asOf, knownAt: knownAt, rulesVersion: rulesVersion)
    projection.readiness = []
    for index in projection.triggers.indices { projection.triggers[index].conditions = [] }
    self.projection = projection
    self.firstLandedAt = fold.firstLandedAt.map { Timestamp(microseconds: $0) }
    self.landingTier = fold.landingTier
    self.landingACVMinorUnits = fold.landingACV
    self.currencyDigits = state.currentCurrencyDigits
    self.zone = ZoneCalendar(identifier: state.timeZoneIdentifier) ?? .utc
    self.standings = fold.standings
  }

  /// One account's fold that records each change of tier or ACV, fed one event at a
  /// time by a replay or by `init(account:events:playbook:rulesVersion:asOf:knownAt:)`.
  public struct Fold: AccountEventFold, Sendable {
    /// The folded state.
    public private(set) var state: AccountState
    var standings: [Standing] = []
    var firstLandedAt: Int64?
    var landingTier: String?
    var landingACV: Int64 = 0

    /// Creates the fold of an account with no events applied yet.
    public init(account: AccountID, playbook: Playbook) {
      state = AccountState(account: account, playbook: playbook)
    }

    public mutating func apply(_ payload: Payload, occurredAt: Int64, position: UInt64) {
      state.apply(payload, occurredAt: occurredAt, position: position)
      noteStanding(at: occurredAt)
    }

    /// Applies a usage event, which changes neither tier nor ACV.
    public mutating func applyUsage(
      metric: String, millionths: Int64, occurredAt: Int64, position: UInt64
    ) {
      state.applyUsage(
        metric: metric, millionths: millionths, occurredAt: occurredAt, position: position)
    }

    /// Records the landing and any change of tier or ACV after an event at `at`.
    private mutating func noteStanding(at: Int64) {
      let tier = state.currentTier
      let acv = state.currentACVMinorUnits
      if firstLandedAt == nil, let tier {
        firstLandedAt = at
        landingTier = tier
        landingACV = acv
      }
      let last = standings.last
      if firstLandedAt != nil, last?.tier != tier || last?.acvMinorUnits != acv {
        standings.append(Standing(at: at, tier: tier, acvMinorUnits: acv))
      }
    }
  }

  /// Returns the ACV in minor units in force at `instant`: 0 before landing and while
  /// churned.
  public func acvMinorUnits(at instant: Timestamp) -> Int64 {
    standings.last { $0.at <= instant.microseconds }?.acvMinorUnits ?? 0
  }

  /// Returns the tier in force at `instant`: nil before landing and while churned.
  public func tier(at instant: Timestamp) -> String? {
    standings.last { $0.at <= instant.microseconds }?.tier
  }

  /// The local date of the first landing in the account's zone.
  public var landingDate: CivilDate? {
    firstLandedAt.map { zone.localDate(of: $0) }
  }

  /// Returns whether `instant` lies within `months` calendar months of the first landing,
  /// which means its local date comes before the landing's local date plus `months`.
  public func isWithin(months: Int, of instant: Timestamp) -> Bool {
    guard let landingDate else { return false }
    return zone.localDate(of: instant) < landingDate.adding(months: months)
  }

  /// Returns the highest position on the tier path within `months` calendar months of
  /// the first landing, or nil when the account never had a tier of `playbook`.
  public func highestTierIndex(withinMonths months: Int, playbook: Playbook) -> Int? {
    standings.filter { isWithin(months: months, of: Timestamp(microseconds: $0.at)) }
      .compactMap { $0.tier.flatMap(playbook.tierIndex) }
      .max()
  }

  /// The calendar months from the first landing to the first expansion, nil without one.
  /// It is the smallest `m` such that the expansion lies within `m` months.
  public var monthsToFirstExpansion: Int? {
    guard let landingDate, let expansion = firstExpansionAt else { return nil }
    let expansionDate = zone.localDate(of: expansion)
    guard expansionDate >= landingDate else { return 0 }
    return landingDate.wholeMonths(until: expansionDate) + 1
  }

  /// Returns the whole calendar months from the first landing to `instant` in the
  /// account's zone, or 0 when the account never landed.
  public func monthsObserved(at instant: Timestamp) -> Int {
    guard let landingDate else { return 0 }
    return landingDate.wholeMonths(until: zone.localDate(of: instant))
  }

  /// The instant of the first expansion to a higher tier, as the fold recorded it.
  public var firstExpansionAt: Timestamp? {
    projection.expansions.first.flatMap { Timestamp(rfc3339: $0.at) }
  }
}
