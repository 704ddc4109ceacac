import TierlineEvents
import TierlineLedger

extension Ledger {
  /// Folds every account visible at `point` under `rules` into its history.
  public func histories(at point: ReplayPoint, rules: ReplayRules) throws(LedgerError)
    -> [AccountHistory]
  {
    // The full replay reads the log once and skips building an event for most usage
    // records, which change neither tier nor ACV.
    let folding = AccountFolding { account in
      AccountHistory.Fold(account: account, playbook: rules.playbook)
    } finish: { fold in
      AccountHistory(fold, asOf: point.asOf, knownAt: point.knownAt, rulesVersion: rules.version)
    }
    var histories: [AccountHistory] = []
    try forEachFold(at: point, threads: 1, with: folding) { histories.append($0) }
    return histories
  }

  /// Computes the portfolio metrics at `options.asOf` and `options.knownAt` under `rules`.
  public func metrics(options: MetricsOptions, rules: ReplayRules) throws(LedgerError)
    -> PortfolioMetrics
  {
    let point = ReplayPoint(asOf: options.asOf, knownAt: options.knownAt)
    return PortfolioMetrics(
      histories: try histories(at: point, rules: rules), playbook: rules.playbook,
      rulesVersion: rules.version, options: options)
  }
}
