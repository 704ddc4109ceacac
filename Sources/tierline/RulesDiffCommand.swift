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
    let threads = try threadsOption(arguments)
    if let version = arguments.value("against") { try RulesCommand.checkVersionFormat(version) }
    let ledger = try context.openLedger()
    let point = try requested.resolved(in: ledger)
    let candidate = try ledger.replayRules(
      at: point, override: try loadPlaybook(candidatePath, purpose: "playbook"))
    let baseline: ReplayRules
    if let version = arguments.value("against") {
      let playbook = try RulesCommand.activation(version, in: ledger).playbook
      // A stored version may be one that lacks a tier of events appended after it was
      // replaced, so it is checked like a candidate.
      try ledger.checkTiers(of: playbook, at: point, action: "compare against these rules")
      baseline = ReplayRules(playbook: playbook)
    } else {
      baseline = try ledger.replayRules(at: point)
    }
    // Rules that differ only in their name cannot change anything, which an all-zero
    // diff would leave unexplained.
    var renamed = candidate.playbook
    renamed.name = baseline.playbook.name
    if renamed == baseline.playbook {
      let detail =
        candidate.playbook.name == baseline.playbook.name ? "" : " except in its name"
      writeToStandardError(
        "note: the candidate's rules equal \(baseline.version)\(detail), so nothing changes\n")
    }
    let options = MetricsOptions(asOf: point.asOf, knownAt: point.knownAt)
    let diff = try ledger.rulesDiff(
      baseline: baseline, candidate: candidate, options: options, threads: threads)

    if arguments.flag("json") {
      let bytes = diff.json().serialized(sortingKeys: false)
      context.output.jsonLine(String(decoding: bytes, as: UTF8.self))
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
        "  " + tableAccount(change.account).rightPadded(24) + " ready " + yesNo(change.readyBefore)
          + " -> "
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
    output.line("Attribution changes: \(counted(diff.attributionChanges.count, "expansion"))")
    if !diff.attributionChanges.isEmpty {
      // A lower bar that fires a trigger earlier can cost it the credit, which surprises
      // a reader who sees only the two lists.
      let before = baseline.playbook.attributionWindowDays
      let after = candidate.playbook.attributionWindowDays
      let window =
        before == after
        ? "\(before) days under both rules"
        : "\(before) days under the baseline, \(after) under the candidate"
      output.line(
        "  A trigger earns an expansion when it fired within the attribution window before "
          + "the tier change: \(window).")
      output.line("  One that fires earlier can fall outside it.")
      // At the listed time the account already has the new tier, so `why` at that time
      // shows no trigger fired.
      // The diff's transaction time goes along when it was given, so that `why` reads
      // the history the diff compared.
      let knownAt =
        arguments.value("known-at") != nil ? " --known-at \(point.knownAt.rfc3339)" : ""
      let rules = shellQuoted(candidatePath) + knownAt
      var hint =
        "  To see when each fired, run `tierline why ACCOUNT --at TIME --rules \(rules)` "
        + "with TIME one microsecond before the listed time"
      let first = diff.attributionChanges[0]
      if let changedAt = Timestamp(rfc3339: first.at) {
        let earlier = Timestamp(microseconds: changedAt.microseconds - 1)
        hint +=
          ", as in `tierline why \(shellQuoted(first.account)) --at \(earlier.rfc3339) "
          + "--rules \(rules)` for the first change below"
      }
      output.line(hint + ".")
    }
    for change in diff.attributionChanges {
      output.line(
        "  " + change.account.rightPadded(24) + " " + change.at + " to " + change.to + ": "
          + listText(change.before) + " -> " + listText(change.after))
    }
    printMetricChanges(
      before: MetricsText.lines(diff.metricsBefore), after: MetricsText.lines(diff.metricsAfter),
      to: output)
  }

  /// Prints the metric lines that differ, each before (`-`) and after (`+`).
  ///
  /// Both renderings list the same metrics in the same order, so lines are paired by
  /// position after the first, which names the rules. When the counts differ, as when a
  /// cohort appears under one rule set only, both renderings are printed whole.
  static func printMetricChanges(before: [String], after: [String], to output: StandardOutput) {
    guard before.count == after.count else {
      output.line("Metrics before:")
      for line in before { output.line("  " + line) }
      output.line("Metrics after:")
      for line in after { output.line("  " + line) }
      return
    }
    let changed = before.indices.dropFirst().filter { before[$0] != after[$0] }
    if changed.isEmpty {
      output.line("Metrics: no change")
      return
    }
    output.line("Metrics that change (- before, + after; `--json` has them all):")
    // A changed row of the cohort table is shown under the table's header line.
    let header = before.firstIndex { $0.hasPrefix("cohort ") }
    var headerShown = false
    for index in changed {
      if let header, index > header, !headerShown {
        output.line("    " + before[header])
        headerShown = true
      }
      output.line("  - " + before[index])
      output.line("  + " + after[index])
    }
  }

  static func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

  static func listText(_ types: [String]) -> String {
    types.isEmpty ? "unattributed" : types.joined(separator: ",")
  }
}
