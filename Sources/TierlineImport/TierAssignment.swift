import TierlineEvents
import TierlinePlaybook

/// Chooses the playbook tier for a contract value found in billing data.
///
/// The tier is the one whose ACV equals the amount. Otherwise it is the highest tier on
/// the path whose ACV is at most the amount, and an amount below every tier gets the
/// first tier.
/// The event keeps the real amount as its ACV in every case, so a custom price stays
/// exact: $9,000 a year on the default playbook is `starter` at 9000.00.
public struct TierAssignment: Sendable {
  /// The tiers in path order, all priced in `currency`.
  public let tiers: [Tier]
  /// The currency of the playbook's prices.
  public let currency: Currency

  /// Creates the assignment for a playbook.
  public init(playbook: Playbook) {
    tiers = playbook.tiers
    currency = playbook.currency
  }

  /// Returns the tier id for an annual contract value in the playbook's currency.
  public func tier(forACV acv: Money) -> String {
    if let exact = tiers.first(where: { $0.acv == acv }) { return exact.id }
    let affordable = tiers.last { $0.acv.minorUnits <= acv.minorUnits }
    return (affordable ?? tiers.first)?.id ?? ""
  }
}
