import TierlineEvents
import TierlinePlaybook
import TierlineProjections

/// The outcome of comparing incremental folding with full replay.
public struct ProjectionCheck: Sendable {
  /// Accounts compared.
  public var accounts = 0
  /// Events read in log order by the incremental fold.
  public var events = 0
  /// Accounts the incremental fold had to fold again because of a late event.
  public var refolds = 0
  /// Accounts whose two projections differ, at most `Ledger.maximumListedProblems`.
  public var mismatches: [String] = []
}

extension Ledger {
  /// Folds the log incrementally in arrival order and compares every account's
  /// projection with a full replay, byte for byte.
  ///
  /// Both sides include every stored event (as of and known at the latest
  /// representable time) and use the rules in force then, or `override`.
  /// - Parameter step: how many log positions the incremental fold reads per catch-up,
  ///   so that states are carried across several catch-ups as they are in service.
  public func checkProjections(override: Playbook? = nil, step: UInt64 = 10_000)
    throws(LedgerError) -> ProjectionCheck
  {
    let point = ReplayPoint(asOf: .maximum, knownAt: .maximum)
    let rules = try replayRules(at: point, override: override)
    let projector = IncrementalProjector(rules: rules)
    var check = ProjectionCheck()
    check.events = try projector.catchUp(with: self, step: step)
    check.refolds = projector.refolds

    try forEachProjection(at: point, rules: rules) { full in
      check.accounts += 1
      let account = AccountID(normalized: full.account)
      let incremental = projector.projection(of: account, asOf: point.asOf, knownAt: point.knownAt)
      let same =
        incremental.map { ProjectionJSON.encode($0) == ProjectionJSON.encode(full) } ?? false
      if !same, check.mismatches.count < Ledger.maximumListedProblems {
        check.mismatches.append(full.account)
      }
    }
    if projector.accounts.count != check.accounts,
      check.mismatches.count < Ledger.maximumListedProblems
    {
      let counts = "\(projector.accounts.count) accounts, the replay \(check.accounts)"
      check.mismatches.append("(the incremental fold has \(counts))")
    }
    return check
  }
}
