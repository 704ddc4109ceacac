import TierlineEvents
import TierlineLedger

extension Ledger {
  /// Folds every account visible at `point` under `rules` into its history, on `threads`
  /// threads.
  public func histories(at point: ReplayPoint, rules: ReplayRules, threads: Int = 1)
    throws(LedgerError) -> [AccountHistory]
  {
    // The full replay reads the log once and skips building an event for most usage
    // records, which change neither tier nor ACV.
    let folding = AccountFolding<AccountHistory.Fold, AccountHistory> {
      let rules = rules.separateCopy()
      return (
        start: { AccountHistory.Fold(account: $0, playbook: rules.playbook) },
        finish: {
          AccountHistory($0, asOf: point.asOf, knownAt: point.knownAt, rulesVersion: rules.version)
        }
      )
    }
    var histories: [AccountHistory] = []
    try forEachFold(at: point, threads: threads, with: folding) { histories.append($0) }
    return histories
  }

  /// Computes the portfolio metrics at `options.asOf` and `options.knownAt` under `rules`,
  /// folding the accounts on `threads` threads.
  public func metrics(options: MetricsOptions, rules: ReplayRules, threads: Int = 1)
    throws(LedgerError) -> PortfolioMetrics
  {
    let point = ReplayPoint(asOf: options.asOf, knownAt: options.knownAt)
    return PortfolioMetrics(
      histories: try histories(at: point, rules: rules, threads: threads),
      playbook: rules.playbook,
      rulesVersion: rules.version, options: options)
  }
}
