import TierlineEvents
import TierlineLedger
import TierlinePlaybook
import TierlineProjections

/// Accounts where an expansion conversation could have started and did not.
public struct MissedExpansions: Sendable {
  /// An account whose trigger fired with no offer within the allowed days.
  public struct Unanswered: Hashable, Sendable {
    /// The account.
    public var account: String
    /// The current tier.
    public var tier: String
    /// The tier the conversation would offer.
    public var nextTier: String?
    /// The owner of that conversation.
    public var owner: String?
    /// The earliest trigger that fired on the current tier.
    public var trigger: String
    /// When it fired.
    public var firedAt: Timestamp
    /// Whole days from the firing to the view's valid time.
    public var daysSinceFiring: Int
    /// The first offer after the firing, made later than allowed; nil when none.
    public var lateOfferAt: Timestamp?
  }

  /// An active account below the top tier on which no trigger fired.
  public struct Silent: Hashable, Sendable {
    /// The account.
    public var account: String
    /// The current tier.
    public var tier: String
    /// The latest landing.
    public var landedAt: Timestamp
  }

  /// The rules version that evaluated the triggers.
  public var rulesVersion: String
  /// The days allowed between a firing and an offer.
  public var days: Int
  /// Triggers with no offer in time, oldest firing first.
  public var unanswered: [Unanswered]
  /// Accounts with no trigger fired, oldest landing first.
  public var silent: [Silent]
}

extension MissedExpansions {
  /// Classifies projections at one valid time.
  ///
  /// Only active accounts below the top tier count. An account's trigger is unanswered
  /// when its earliest firing on the current tier lies at least `days` days (of 24
  /// hours) before `asOf` and no offer was made from the firing through `days` days
  /// later.
  public init(
    projections: [AccountProjection], asOf: Timestamp, days: Int, rulesVersion: String
  ) {
    var found = Found(asOf: asOf, days: days)
    for projection in projections { found.add(projection) }
    self.init(found, days: days, rulesVersion: rulesVersion)
  }

  private init(_ found: Found, days: Int, rulesVersion: String) {
    self.rulesVersion = rulesVersion
    self.days = days
    self.unanswered = found.unanswered.sorted {
      ($0.firedAt, $0.account) < ($1.firedAt, $1.account)
    }
    self.silent = found.silent.sorted { ($0.landedAt, $0.account) < ($1.landedAt, $1.account) }
  }

  /// The accounts found so far, one projection at a time, so that a replay need not keep
  /// every projection.
  private struct Found {
    let asOf: Timestamp
    /// The time an offer may take after a firing, `days` days in µs.
    let allowed: Int64
    var unanswered: [Unanswered] = []
    var silent: [Silent] = []

    init(asOf: Timestamp, days: Int) {
      self.asOf = asOf
      allowed = Int64(days) * 86_400_000_000
    }

    mutating func add(_ projection: AccountProjection) {
      guard projection.status == "active", projection.nextTier != nil,
        let tier = projection.tier
      else { return }
      let firings = projection.triggers.compactMap { report -> (String, Timestamp)? in
        guard report.fired, let at = report.firedInstant else { return nil }
        return (report.type, at)
      }
      guard let earliest = firings.min(by: { $0.1 < $1.1 }) else {
        if let landed = projection.landedInstant {
          silent.append(Silent(account: projection.account, tier: tier, landedAt: landed))
        }
        return
      }
      let firedAt = earliest.1
      let deadline = firedAt.microseconds + allowed
      guard deadline <= asOf.microseconds else { return }
      let offers = projection.offers.compactMap { Timestamp(rfc3339: $0.at) }
        .filter { $0 >= firedAt }.sorted()
      if let first = offers.first, first.microseconds <= deadline { return }
      unanswered.append(
        Unanswered(
          account: projection.account, tier: tier, nextTier: projection.nextTier,
          owner: projection.owner, trigger: earliest.0, firedAt: firedAt,
          daysSinceFiring: Int((asOf.microseconds - firedAt.microseconds) / 86_400_000_000),
          lateOfferAt: offers.first))
    }
  }

  /// Finds the missed expansions of every account at `point` under `rules`, folding the
  /// accounts on `threads` threads.
  public static func find(
    in ledger: Ledger, at point: ReplayPoint, rules: ReplayRules, days: Int, threads: Int = 1
  ) throws(LedgerError) -> MissedExpansions {
    var found = Found(asOf: point.asOf, days: days)
    try ledger.forEachProjection(at: point, rules: rules, threads: threads) { found.add($0) }
    return MissedExpansions(found, days: days, rulesVersion: rules.version)
  }

  /// Encodes the result as a JSON object with a fixed key order.
  public func json(asOf: Timestamp, knownAt: Timestamp) -> JSONValue {
    let optional: (String?) -> JSONValue = { $0.map { .string($0) } ?? .null }
    return .object([
      ("as_of", .string(asOf.rfc3339)),
      ("known_at", .string(knownAt.rfc3339)),
      ("rules_version", .string(rulesVersion)),
      ("days", .number(String(days))),
      (
        "unanswered",
        .array(
          unanswered.map { item in
            .object([
              ("account", .string(item.account)),
              ("tier", .string(item.tier)),
              ("next_tier", optional(item.nextTier)),
              ("owner", optional(item.owner)),
              ("trigger", .string(item.trigger)),
              ("fired_at", .string(item.firedAt.rfc3339)),
              ("days_since_firing", .number(String(item.daysSinceFiring))),
              ("late_offer_at", optional(item.lateOfferAt?.rfc3339)),
            ])
          })
      ),
      (
        "never_fired",
        .array(
          silent.map { item in
            .object([
              ("account", .string(item.account)),
              ("tier", .string(item.tier)),
              ("landed_at", .string(item.landedAt.rfc3339)),
            ])
          })
      ),
    ])
  }
}
