import TierlineEvents
import TierlineLedger

/// `tierline verify`: checks the ledger's integrity.
enum VerifyCommand: Command {
  static let spec = CommandSpec(
    name: "verify",
    summary: "Check the ledger's integrity; exit 1 and name the damage when any is found.",
    usage: "[--projections [--rules FILE]] [--json]",
    options: [
      OptionSpec(
        name: "projections", valueName: nil,
        help: "also fold the log incrementally in arrival order and compare every "
          + "account's projection with a full replay, byte for byte"),
      OptionSpec(
        name: "rules", valueName: "FILE",
        help: "with --projections: fold the whole history under this playbook instead of "
          + "the activated rules"),
      OptionSpec(name: "json", valueName: nil, help: "print the report as JSON"),
    ],
    positionals: [],
    requiredPositionals: 0,
    details: """
      Checks the log's last position and last recorded time in meta against the log's
      last record, every record's checksum and encoding, positions without gaps,
      recorded_at never decreasing, every event id indexed at its record, and every
      account's index entries (count, times and positions) against the log, and that
      every stored playbook can be read. From storage format 4 on it also checks every
      index run against the directory of runs: its checksums, its filter, its entry
      counts, and that every slot without a run is empty. When LMDB meets a damaged page
      it ends the read, and verify lists what it found up to there.

      From storage format 4 on it also gives the number of index runs ("index_runs" in
      JSON, null before format 4); `tierline compact` merges them into one.
      """)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    // Without --projections no rules are read, so a --rules file would be ignored.
    if arguments.value("rules") != nil, !arguments.flag("projections") {
      throw UsageError(
        "--rules applies only with --projections: add --projections, or leave out --rules")
    }
    let ledger: Ledger
    var report: VerifyReport
    var check: ProjectionCheck?
    do {
      ledger = try context.openLedger()
      report = try ledger.verify()
      if arguments.flag("projections") {
        // Folding a damaged log fails on its first bad record, which the report above
        // already lists, so the projections are compared only on an intact ledger.
        if report.isIntact {
          let result = try ledger.checkProjections(override: try playbookOption(arguments))
          for account in result.mismatches {
            report.problems.append(
              "projection: incremental fold and full replay differ for \(account)")
          }
          check = result
        } else {
          report.problems.append("projections: not compared, because the ledger is damaged")
        }
      }
    } catch let error as LedgerError {
      throw error.withRestoreAdvice
    }
    if arguments.flag("json") {
      let problems = report.problems.map(jsonQuoted).joined(separator: ",")
      var text =
        "{\"intact\":\(report.isIntact),\"records\":\(report.records),"
        + "\"accounts\":\(report.accounts),\"storage_format\":\(report.storageFormat),"
        + "\"stale_readers_cleared\":\(ledger.staleReadersCleared),"
        + "\"index_runs\":\(report.indexRuns.map(String.init) ?? "null")"
      if let check {
        text += ",\"projections_compared\":\(check.accounts),\"refolds\":\(check.refolds)"
      }
      context.output.jsonLine(text + ",\"problems\":[\(problems)]}")
    } else {
      context.output.line(
        "Checked \(counted(Int(report.records), "record")) and "
          + "\(counted(Int(report.accounts), "account")) in storage format "
          + "\(report.storageFormat): "
          + (report.isIntact ? "intact." : "\(counted(report.problems.count, "problem"))."))
      if let check {
        let verdict =
          check.mismatches.isEmpty ? "identical" : "\(check.mismatches.count) differ"
        context.output.line(
          "Compared \(counted(check.accounts, "projection")) folded incrementally "
            + "(\(counted(check.events, "event")) "
            + "in arrival order, \(counted(check.refolds, "refold")) for late events) with a "
            + "full replay: \(verdict).")
      }
      for problem in report.problems { context.output.line("  " + problem) }
      if report.isIntact, let runs = report.indexRuns, runs > 1 {
        context.output.line(
          "The indexes are kept as \(runs) runs, and a point query reads each; "
            + "`tierline compact` merges them into one.")
      }
    }
    guard report.isIntact else {
      throw CommandFailure(
        message: "the ledger is damaged (\(context.storeDirectory)): restore it from a backup",
        exitCode: .failure)
    }
  }
}
