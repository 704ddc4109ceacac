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

  /// The projection at the view's valid and transaction time.
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
  public init(
    account: AccountID, events: [RecordedEvent], playbook: Playbook, rulesVersion: String,
    asOf: Timestamp, knownAt: Timestamp
  ) {
    var state = AccountState(account: account, playbook: playbook)
    var standings: [Standing] = []
    var firstLandedAt: Timestamp?
    var landingTier: String?
    var landingACV: Int64 = 0
    for recorded in events {
      state.apply(recorded.event, position: recorded.position)
      let tier = state.currentTier
      let acv = state.currentACVMinorUnits
      if firstLandedAt == nil, let tier {
        firstLandedAt = recorded.event.occurredAt
        landingTier = tier
        landingACV = acv
      }
      let last = standings.last
      if firstLandedAt != nil, last?.tier != tier || last?.acvMinorUnits != acv {
        standings.append(
          Standing(at: recorded.event.occurredAt.microseconds, tier: tier, acvMinorUnits: acv))
      }
    }
    self.projection = state.projection(asOf: asOf, knownAt: knownAt, rulesVersion: rulesVersion)
    self.firstLandedAt = firstLandedAt
    self.landingTier = landingTier
    self.landingACVMinorUnits = landingACV
    self.currencyDigits = state.currentCurrencyDigits
    self.zone = ZoneCalendar(identifier: state.timeZoneIdentifier) ?? .utc
    self.standings = standings
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
