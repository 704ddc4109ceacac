import TierlineEvents

extension AccountState {
  /// Returns whether the account is ready for the expansion conversation at `instant`.
  ///
  /// The result equals `projection(asOf: instant, …).ready`, but no projection is built,
  /// so a search over many instants stays cheap.
  public func isReady(at instant: Timestamp) -> Bool {
    guard status == .active, let transition = playbook.transition(from: tier) else {
      return false
    }
    let now = instant.microseconds
    let evaluation = evaluateTriggers(at: now)
    guard let waitEnd = evaluation.actionable.map(\.at).min(), waitEnd <= now else {
      return false
    }
    return !offers.contains { $0.to == transition.to && isOpen($0, at: now) }
  }
}
