import TierlineEvents
import TierlineLedger
import TierlineMetrics

/// `tierline rules diff`: what changes when the whole history is folded under a candidate
/// playbook instead of stored rules. It only reads the ledger.
enum RulesDiffCommand {
  static func run(candidatePath: String, _ arguments: ParsedArguments, context: CommandContext)
    throws
  {
    let requested = try requestedPoint(arguments, validTimeOption: "as-of")
    let ledger = try Ledger.open(directory: context.storeDirectory)
    let point = try requested.resolved(in: ledger)
    let candidate = try ledger.replayRules(
      at: point, override: try RulesCommand.loadPlaybook(candidatePath))
    let baseline: ReplayRules
    if let version = arguments.value("against") {
      baseline = ReplayRules(playbook: try ledger.activation(version: version).playbook)
    } else {
      baseline = try ledger.replayRules(at: point)
    }
    let options = MetricsOptions(asOf: point.asOf, knownAt: point.knownAt)
    let diff = try ledger.rulesDiff(baseline: baseline, candidate: candidate, options: options)

    if arguments.flag("json") {
      let bytes = diff.json().serialized(sortingKeys: false)
      context.output.line(String(decoding: bytes, as: UTF8.self))
      return
    }
    let output = context.output
    output.line(
      "Rules \(diff.baselineVersion) -> \(diff.candidateVersion), as of "
        + "\(point.asOf.rfc3339), known at \(point.knownAt.rfc3339)")
    output.line(
      "Accounts whose readiness or first ready time changes: "
        + "\(diff.readinessChanges.count) of \(diff.accounts)")
    for change in diff.readinessChanges {
      output.line(
        "  " + change.account.rightPadded(24) + " ready " + yesNo(change.readyBefore) + " -> "
          + yesNo(change.readyAfter) + ", first ready "
          + (change.firstReadyBefore?.rfc3339 ?? "never") + " -> "
          + (change.firstReadyAfter?.rfc3339 ?? "never"))
    }
    output.line("Trigger firings (accounts with the trigger fired):")
    for firing in diff.triggerFirings {
      let change = firing.after - firing.before
      output.line(
        "  " + firing.type.rightPadded(15) + String(firing.before).leftPadded(8) + " -> "
          + String(firing.after).leftPadded(8) + "  (" + (change >= 0 ? "+" : "")
          + "\(change))")
    }
    output.line("Attribution changes: \(diff.attributionChanges.count) expansions")
    for change in diff.attributionChanges {
      output.line(
        "  " + change.account.rightPadded(24) + " " + change.at + " to " + change.to + ": "
          + listText(change.before) + " -> " + listText(change.after))
    }
    output.line("Metrics before:")
    for line in MetricsText.lines(diff.metricsBefore) { output.line("  " + line) }
    output.line("Metrics after:")
    for line in MetricsText.lines(diff.metricsAfter) { output.line("  " + line) }
  }

  static func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

  static func listText(_ types: [String]) -> String {
    types.isEmpty ? "unattributed" : types.joined(separator: ",")
  }
}
