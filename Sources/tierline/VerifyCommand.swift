import TierlineEvents
import TierlineLedger

/// `tierline verify`: checks the ledger's integrity.
enum VerifyCommand: Command {
  static let spec = CommandSpec(
    name: "verify",
    summary: "Check the ledger's integrity; exit 1 and name the damage when any is found.",
    usage: "[--json]",
    options: [OptionSpec(name: "json", valueName: nil, help: "print the report as JSON")],
    positionals: [],
    requiredPositionals: 0)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let ledger = try Ledger.open(directory: context.storeDirectory)
    let report = try ledger.verify()
    if arguments.flag("json") {
      let problems = report.problems.map(jsonQuoted).joined(separator: ",")
      context.output.line(
        "{\"intact\":\(report.isIntact),\"records\":\(report.records),"
          + "\"accounts\":\(report.accounts),\"problems\":[\(problems)]}")
    } else {
      context.output.line(
        "Checked \(report.records) records and \(report.accounts) accounts: "
          + (report.isIntact ? "intact." : "\(report.problems.count) problems."))
      for problem in report.problems { context.output.line("  " + problem) }
    }
    guard report.isIntact else {
      throw CommandFailure(
        message: "the ledger is damaged (\(context.storeDirectory)): restore it from a backup",
        exitCode: .failure)
    }
  }
}
