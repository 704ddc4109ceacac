import TierlineEvents
import TierlineLedger

/// `tierline backup`: writes a compacted copy of the ledger while it stays in use.
enum BackupCommand: Command {
  static let spec = CommandSpec(
    name: "backup",
    summary: "Write a compacted, consistent copy of the ledger into a directory.",
    usage: "DIR [--no-verify] [--json]",
    options: [
      OptionSpec(
        name: "no-verify", valueName: nil,
        help: "skip opening the copy to check it as `tierline verify` does and to count its "
          + "events"),
      OptionSpec(name: "json", valueName: nil, help: "print the result as JSON"),
    ],
    positionals: ["DIR"],
    requiredPositionals: 1,
    details: """
      The copy is taken from one read snapshot, so appends may continue meanwhile: it
      contains every batch committed before it began and nothing of later ones. DIR is
      created when missing and must not contain data.mdb. To restore, stop the writers
      and copy DIR back in place of the ledger directory, or pass --store DIR.

      The copy is then checked as `tierline verify` checks a ledger, because a copy of a
      damaged ledger contains the same damage; the command exits 1 when it finds any.
      With --no-verify the copy is neither checked nor opened, so its events are not
      counted and the JSON output has "events":null.
      """)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let target = arguments.positionals[0]
    let ledger = try context.openLedger()
    let bytes: Int
    switch Result(catching: { () throws(LedgerError) in try ledger.backup(to: target) }) {
    case .success(let size):
      bytes = size
    case .failure(let error) where error.kind == .invalidInput:
      throw CommandFailure(message: error.message, exitCode: .usage)
    case .failure(let error):
      throw error
    }
    guard !arguments.flag("no-verify") else {
      // The copy is not opened, so its events are not counted either.
      if arguments.flag("json") {
        context.output.jsonLine(
          "{\"backup\":\(jsonQuoted(target)),\"events\":null,\"bytes\":\(bytes),"
            + "\"verified\":false}")
      } else {
        context.output.line(
          "Backed up the ledger to \(target) (\(counted(bytes, "byte"))); the copy was not "
            + "checked.")
      }
      return
    }
    let report: VerifyReport
    do {
      report = try Ledger.open(directory: target).verify()
    } catch  where error.kind == .storage {
      throw damagedCopy(target, problems: 1, first: error.message)
    } catch {
      throw CommandFailure(
        message: "checking the copy in \(target) failed: \(error); run `tierline --store "
          + "\(target) verify` before relying on the copy",
        exitCode: .failure)
    }
    if let first = report.problems.first {
      throw damagedCopy(target, problems: report.problems.count, first: first)
    }
    if arguments.flag("json") {
      context.output.jsonLine(
        "{\"backup\":\(jsonQuoted(target)),\"events\":\(report.records),\"bytes\":\(bytes),"
          + "\"verified\":true}")
    } else {
      context.output.line(
        "Backed up \(counted(Int(report.records), "event")) to \(target) "
          + "(\(counted(bytes, "byte"))); the copy is intact.")
    }
  }

  /// Returns the failure for a copy that the check found damaged. A copy of an intact
  /// ledger is intact, so the ledger has the same damage.
  static func damagedCopy(_ target: String, problems: Int, first: String) -> CommandFailure {
    CommandFailure(
      message: "the copy in \(target) is damaged, so the ledger is too: "
        + "\(counted(problems, "problem")), the first: \(first); run "
        + "`tierline verify` on the ledger, keep an older backup and remove \(target)",
      exitCode: .failure)
  }
}
