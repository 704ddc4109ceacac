import TierlineEvents
import TierlineLedger

extension Ledger {
  /// Folds every account visible at `point` under `rules` into its history.
  public func histories(at point: ReplayPoint, rules: ReplayRules) throws(LedgerError)
    -> [AccountHistory]
  {
    var histories: [AccountHistory] = []
    try forEachHistory(at: point) { account, events in
      histories.append(
        AccountHistory(
          account: account, events: events, playbook: rules.playbook,
          rulesVersion: rules.version, asOf: point.asOf, knownAt: point.knownAt))
    }
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
