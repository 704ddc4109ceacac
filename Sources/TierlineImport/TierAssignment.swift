import TierlineEvents
import TierlinePlaybook

/// Chooses the playbook tier for a contract value found in billing data.
///
/// The tier is the one whose ACV equals the amount. Otherwise it is the highest tier on
/// the path whose ACV is at most the amount, and an amount below every tier gets the
/// first tier.
/// The event keeps the real amount as its ACV in every case, so a custom price stays
/// exact: $9,000 a year on the default playbook is `starter` at 9000.00.
///
/// A ledger's rules can change over time, so the tiers may come with the times from
/// which they apply, and a change is given the tiers in force when it happened.
public struct TierAssignment: Sendable {
  /// The tiers in path order of each set of rules, with the time from which they apply,
  /// in time order.
  public let schedule: [(from: Timestamp, tiers: [Tier])]
  /// The currency of the playbook's prices.
  public let currency: Currency

  /// Creates the assignment for one playbook, whatever the time.
  public init(playbook: Playbook) {
    schedule = [(.minimum, playbook.tiers)]
    currency = playbook.currency
  }

  /// Creates the assignment for playbooks that apply from the given times on, in time
  /// order. A later playbook with the same time replaces an earlier one, and before the
  /// first time the playbooks of that time apply. All share `currency`.
  public init(schedule: [(from: Timestamp, playbook: Playbook)], currency: Currency) {
    self.schedule = schedule.map { ($0.from, $0.playbook.tiers) }
    self.currency = currency
  }

  /// Returns the tier id for an annual contract value in the playbook's currency, with
  /// the tiers in force at `time`.
  ///
  /// A replay folds the change under the rules in force at its as-of, which may be any
  /// later rules too, so only tiers that all of those have are chosen, as `append`
  /// requires. A later entry with the same start replaces an earlier one.
  public func tier(forACV acv: Money, at time: Timestamp) -> String {
    let inForce =
      schedule.last { $0.from <= time } ?? schedule.last { $0.from == schedule.first?.from }
    var tiers = inForce?.tiers ?? []
    let later = schedule.indices.filter { index in
      schedule[index].from > time
        && (index + 1 == schedule.count || schedule[index + 1].from != schedule[index].from)
    }
    for index in later {
      let known = Set(schedule[index].tiers.map(\.id))
      let shared = tiers.filter { known.contains($0.id) }
      // With no tier in common, the change keeps the tiers so far, and `append`
      // rejects it with a message naming the rules that lack its tier.
      if !shared.isEmpty { tiers = shared }
    }
    if let exact = tiers.first(where: { $0.acv == acv }) { return exact.id }
    let affordable = tiers.last { $0.acv.minorUnits <= acv.minorUnits }
    return (affordable ?? tiers.first)?.id ?? ""
  }
}
