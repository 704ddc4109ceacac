import TierlineEvents

/// One change in an account's recurring revenue, as read from billing data.
struct RevenueChange {
  /// The event id to use when the change becomes an event.
  var id: String
  /// The account.
  var account: String
  /// When the new amount takes effect.
  var at: Timestamp
  /// The account's whole annual contract value from then on; 0 when nothing is billed.
  var acv: Money
  /// The input record the change came from.
  var line: Int
  /// The tier named by the source; nil to choose it from the ACV.
  var tier: String? = nil
}

/// Turns each account's sequence of revenue changes into lifecycle events.
///
/// From no revenue to some is `account.landed`, which is a reactivation when the account
/// had churned before. From some to none is `account.churned`. A higher or lower amount
/// is `tier.changed` with the reason `expansion` or `contraction`. An unchanged amount
/// gives no event. Changes must arrive in time order per account.
struct RevenueEventBuilder {
  let tiers: TierAssignment
  /// The IANA time zone given to landed accounts.
  let timeZone: String
  private var current: [String: Int64] = [:]
  private var landedBefore: Set<String> = []

  init(tiers: TierAssignment, timeZone: String) {
    self.tiers = tiers
    self.timeZone = timeZone
  }

  /// Records an account's revenue before the first change seen, without an event, for
  /// an input that starts after the account landed.
  mutating func seed(account: String, acv: Money) {
    guard current[account] == nil, acv.minorUnits > 0 else { return }
    current[account] = acv.minorUnits
    landedBefore.insert(account)
  }

  /// Applies a change and returns the event draft it implies, or nil when the amount is
  /// unchanged.
  mutating func apply(_ change: RevenueChange) -> (draft: JSONValue, kind: RevenueMovement)? {
    let previous = current[change.account] ?? 0
    let next = change.acv.minorUnits
    guard previous != next else { return nil }
    current[change.account] = next
    let at = change.at.rfc3339
    let currencyCode = change.acv.currency.code

    if previous == 0 {
      let kind: RevenueMovement = landedBefore.contains(change.account) ? .reactivation : .new
      landedBefore.insert(change.account)
      let data: [(key: String, value: JSONValue)] = [
        ("tier", .string(change.tier ?? tiers.tier(forACV: change.acv, at: change.at))),
        ("acv", .string(change.acv.decimalString)), ("currency", .string(currencyCode)),
        ("timezone", .string(timeZone)),
      ]
      let draft = eventDraft(
        id: change.id, type: .accountLanded, account: change.account, occurredAt: at, data: data)
      return (draft, kind)
    }
    if next == 0 {
      let draft = eventDraft(
        id: change.id, type: .accountChurned, account: change.account, occurredAt: at,
        data: [("reason", .string("subscription ended"))])
      return (draft, .churn)
    }
    let kind: RevenueMovement = next > previous ? .expansion : .contraction
    let data: [(key: String, value: JSONValue)] = [
      ("to", .string(change.tier ?? tiers.tier(forACV: change.acv, at: change.at))),
      ("acv", .string(change.acv.decimalString)), ("currency", .string(currencyCode)),
      ("reason", .string(kind.rawValue)),
    ]
    let draft = eventDraft(
      id: change.id, type: .tierChanged, account: change.account, occurredAt: at, data: data)
    return (draft, kind)
  }
}

/// The movement of one account's recurring revenue, as in MRR movement reports.
public enum RevenueMovement: String, Sendable, CaseIterable {
  /// From nothing to some revenue, for the first time.
  case new
  /// To more revenue than before.
  case expansion
  /// To less, but some, revenue.
  case contraction
  /// From some revenue to none.
  case churn
  /// From nothing to some revenue after an earlier churn.
  case reactivation
}
