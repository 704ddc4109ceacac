import TierlineEvents
import TierlinePlaybook

/// The `--prices` file of the Stripe importer: a JSON object from price id to tier id,
/// such as `{"price_growth_monthly": "growth"}`.
public enum PriceMapping {
  /// Parses a price mapping.
  /// - Throws: `ImportSetupError` unless the file is an object of strings.
  public static func read(_ bytes: [UInt8]) throws(ImportSetupError) -> [String: String] {
    let root: JSONValue
    do {
      root = try JSONValue.parse(bytes)
    } catch {
      throw ImportSetupError("the price mapping is not valid JSON: \(error)")
    }
    guard let members = root.objectMembers else {
      throw ImportSetupError(
        "the price mapping must be a JSON object such as {\"price_123\": \"growth\"}")
    }
    var prices: [String: String] = [:]
    for (price, tier) in members {
      guard let tier = tier.stringValue, !tier.isEmpty else {
        throw ImportSetupError("the price mapping gives \(price) no tier id string")
      }
      prices[price] = tier
    }
    return prices
  }

  /// Checks that every tier of `prices` is in `playbook`.
  /// - Throws: `ImportSetupError` naming the first price, in id order, whose tier is not.
  public static func checkTiers(_ prices: [String: String], in playbook: Playbook)
    throws(ImportSetupError)
  {
    for (price, tier) in prices.sorted(by: { $0.key < $1.key }) where playbook.tier(tier) == nil {
      throw ImportSetupError(
        "the price mapping gives \(price) the tier \(jsonQuoted(tier)), which the playbook "
          + "does not have; it has " + playbook.tiers.map(\.id).joined(separator: ", "))
    }
  }
}
