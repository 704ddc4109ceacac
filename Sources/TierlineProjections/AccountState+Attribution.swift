import TierlineEvents
import TierlinePlaybook

extension AccountState {
  /// Builds the expansion record of a move to a higher tier at `at` (µs), before the
  /// tier-scoped state is reset.
  ///
  /// Credits every trigger type that fired since the previous tier change and within
  /// `attribution_window_days` local calendar days before the change, and the latest
  /// offer for the new tier in the same span. The time trigger is credited only when no
  /// usage or milestone trigger fired.
  func expansion(to newTier: String, acv: Money, at: Int64) -> ExpansionReport {
    let evaluation = evaluateTriggers(at: at)
    let windowStartDay = localDate(at).daysSinceEpoch - playbook.attributionWindowDays
    func inWindow(_ instant: Int64?) -> Bool {
      guard let instant else { return false }
      return localDate(instant).daysSinceEpoch >= windowStartDay
    }

    var attributedTo: [String] = []
    if inWindow(evaluation.usageAt) { attributedTo.append("usage") }
    if inWindow(evaluation.milestoneAt) { attributedTo.append("milestone") }
    if inWindow(evaluation.latestTimeOffsetAt) { attributedTo.append("time") }
    if evaluation.organizationalFirings.contains(where: { inWindow($0) }) {
      attributedTo.append("organizational")
    }

    let offer = offers.last { offer in
      offer.to == newTier && offer.epoch == tierEpoch && inWindow(offer.at)
    }
    // The old and new ACV share a currency: `Ledger.append` rejects ACVs in any other
    // currency than the rules', and the fold itself converts nothing.
    let delta = acv.minorUnits - acvMinorUnits
    return ExpansionReport(
      at: rfc3339(at), from: tier, to: newTier,
      acvDelta: Money.format(minorUnits: delta, digits: acv.currency.minorUnitDigits),
      attributedTo: attributedTo,
      offer: offer.map { OfferReference(at: rfc3339($0.at), by: $0.by, trigger: $0.trigger) })
  }
}
