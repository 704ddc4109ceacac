import TierlineEvents
import TierlineLedger
import TierlinePlaybook
import TierlineProjections

/// The consequences of replacing one playbook with another over the whole history.
///
/// Both sides fold every visible event under one playbook from the start, as
/// `replay --rules` does; the ledger is only read.
public struct RulesDiff: Sendable {
  /// One account whose readiness differs between the two rule sets.
  public struct ReadinessChange: Hashable, Sendable {
    /// The account.
    public var account: String
    /// Ready at the view's valid time under the baseline.
    public var readyBefore: Bool
    /// Ready at the view's valid time under the candidate.
    public var readyAfter: Bool
    /// The first ready instant under the baseline.
    public var firstReadyBefore: Timestamp?
    /// The first ready instant under the candidate.
    public var firstReadyAfter: Timestamp?
  }

  /// One expansion credited differently.
  public struct AttributionChange: Hashable, Sendable {
    /// The account.
    public var account: String
    /// When the tier changed, RFC 3339 UTC.
    public var at: String
    /// The tier reached.
    public var to: String
    /// Trigger types credited under the baseline.
    public var before: [String]
    /// Trigger types credited under the candidate.
    public var after: [String]
  }

  /// The baseline rules version.
  public var baselineVersion: String
  /// The candidate rules version.
  public var candidateVersion: String
  /// Accounts whose readiness or first ready instant differs, in account order.
  public var readinessChanges: [ReadinessChange]
  /// Accounts compared.
  public var accounts: Int
  /// Accounts with each trigger type fired at the view's valid time, in the order usage,
  /// milestone, time, organizational: (type, baseline count, candidate count).
  public var triggerFirings: [(type: String, before: Int, after: Int)]
  /// Expansions whose credited trigger types differ.
  public var attributionChanges: [AttributionChange]
  /// Every metric under the baseline.
  public var metricsBefore: PortfolioMetrics
  /// Every metric under the candidate.
  public var metricsAfter: PortfolioMetrics
}

extension Ledger {
  /// Folds the history at `options.asOf` under `baseline` and `candidate`, on `threads`
  /// threads, and compares readiness, first ready instants, trigger firings, attribution
  /// and every metric.
  public func rulesDiff(
    baseline: ReplayRules, candidate: ReplayRules, options: MetricsOptions, threads: Int = 1
  ) throws(LedgerError) -> RulesDiff {
    let point = ReplayPoint(asOf: options.asOf, knownAt: options.knownAt)
    var before: [AccountHistory] = []
    var after: [AccountHistory] = []
    var changes: [RulesDiff.ReadinessChange] = []
    var attributionChanges: [RulesDiff.AttributionChange] = []
    let folding = AccountFolding<RulesDiff.Fold, RulesDiff.Folded> {
      let (baseline, candidate) = (baseline.separateCopy(), candidate.separateCopy())
      return (
        start: { RulesDiff.Fold(account: $0, baseline: baseline, candidate: candidate) },
        finish: { $0.finish(at: point, baseline: baseline, candidate: candidate) }
      )
    }
    try forEachFold(at: point, threads: threads, with: folding) { folded in
      let (old, new) = (folded.before, folded.after)
      before.append(old)
      after.append(new)
      if old.projection.ready != new.projection.ready
        || folded.firstReadyBefore != folded.firstReadyAfter
      {
        changes.append(
          RulesDiff.ReadinessChange(
            account: old.account, readyBefore: old.projection.ready,
            readyAfter: new.projection.ready, firstReadyBefore: folded.firstReadyBefore,
            firstReadyAfter: folded.firstReadyAfter))
      }
      attributionChanges += RulesDiff.attributionChanges(old, new)
    }

    let types = ["usage", "milestone", "time", "organizational"]
    func fired(_ histories: [AccountHistory], _ type: String) -> Int {
      histories.filter { history in
        history.projection.triggers.contains { $0.type == type && $0.fired }
      }.count
    }
    return RulesDiff(
      baselineVersion: baseline.version, candidateVersion: candidate.version,
      readinessChanges: changes, accounts: before.count,
      triggerFirings: types.map { ($0, fired(before, $0), fired(after, $0)) },
      attributionChanges: attributionChanges,
      metricsBefore: PortfolioMetrics(
        histories: before, playbook: baseline.playbook, rulesVersion: baseline.version,
        options: options),
      metricsAfter: PortfolioMetrics(
        histories: after, playbook: candidate.playbook, rulesVersion: candidate.version,
        options: options))
  }
}

extension RulesDiff {
  /// Lists the expansions of one account that are credited differently, matched by
  /// instant and tier. An expansion under one rule set only gets an empty other side.
  static func attributionChanges(_ old: AccountHistory, _ new: AccountHistory)
    -> [AttributionChange]
  {
    var changes: [AttributionChange] = []
    let newByKey = Dictionary(
      new.projection.expansions.map { ("\($0.at) \($0.to)", $0) }, uniquingKeysWith: { a, _ in a })
    var seen: Set<String> = []
    for expansion in old.projection.expansions {
      let key = "\(expansion.at) \(expansion.to)"
      seen.insert(key)
      let after = newByKey[key]?.attributedTo ?? []
      if after != expansion.attributedTo || newByKey[key] == nil {
        changes.append(
          AttributionChange(
            account: old.account, at: expansion.at, to: expansion.to,
            before: expansion.attributedTo, after: after))
      }
    }
    let added = new.projection.expansions.filter { !seen.contains("\($0.at) \($0.to)") }
    for expansion in added {
      changes.append(
        AttributionChange(
          account: new.account, at: expansion.at, to: expansion.to, before: [],
          after: expansion.attributedTo))
    }
    return changes
  }
}

extension RulesDiff {
  /// One account's folds under both playbooks, fed together by one replay.
  struct Fold: AccountEventFold, Sendable {
    var before: AccountHistory.Fold
    var after: AccountHistory.Fold
    var firstBefore: FirstReadiness.Fold
    var firstAfter: FirstReadiness.Fold

    init(account: AccountID, baseline: ReplayRules, candidate: ReplayRules) {
      before = AccountHistory.Fold(account: account, playbook: baseline.playbook)
      after = AccountHistory.Fold(account: account, playbook: candidate.playbook)
      firstBefore = FirstReadiness.Fold(account: account, playbook: baseline.playbook)
      firstAfter = FirstReadiness.Fold(account: account, playbook: candidate.playbook)
    }

    mutating func apply(_ payload: Payload, occurredAt: Int64, position: UInt64) {
      before.apply(payload, occurredAt: occurredAt, position: position)
      after.apply(payload, occurredAt: occurredAt, position: position)
      firstBefore.apply(payload, occurredAt: occurredAt, position: position)
      firstAfter.apply(payload, occurredAt: occurredAt, position: position)
    }

    mutating func applyUsage(
      metric: String, millionths: Int64, occurredAt: Int64, position: UInt64
    ) {
      before.applyUsage(
        metric: metric, millionths: millionths, occurredAt: occurredAt, position: position)
      after.applyUsage(
        metric: metric, millionths: millionths, occurredAt: occurredAt, position: position)
      firstBefore.applyUsage(
        metric: metric, millionths: millionths, occurredAt: occurredAt, position: position)
      firstAfter.applyUsage(
        metric: metric, millionths: millionths, occurredAt: occurredAt, position: position)
    }

    /// Returns both histories and both first ready instants at `point`.
    func finish(at point: ReplayPoint, baseline: ReplayRules, candidate: ReplayRules)
      -> Folded
    {
      Folded(
        before: AccountHistory(
          before, asOf: point.asOf, knownAt: point.knownAt, rulesVersion: baseline.version),
        after: AccountHistory(
          after, asOf: point.asOf, knownAt: point.knownAt, rulesVersion: candidate.version),
        firstReadyBefore: firstBefore.instant(asOf: point.asOf),
        firstReadyAfter: firstAfter.instant(asOf: point.asOf))
    }
  }

  /// The output of `Fold` for one account.
  struct Folded: Sendable {
    var before: AccountHistory
    var after: AccountHistory
    var firstReadyBefore: Timestamp?
    var firstReadyAfter: Timestamp?
  }
}
