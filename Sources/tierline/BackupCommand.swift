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
        help: "skip checking the copy with `tierline verify` afterwards"),
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
    let copy = try Ledger.open(directory: target)
    let events = try copy.eventCount()
    let checked = !arguments.flag("no-verify")
    if checked {
      let report = try copy.verify()
      if let first = report.problems.first {
        throw CommandFailure(
          message: "the copy in \(target) is damaged, so the ledger is too: "
            + "\(counted(report.problems.count, "problem")), the first: \(first); run "
            + "`tierline verify` on the ledger, keep an older backup and remove \(target)",
          exitCode: .failure)
      }
    }
    if arguments.flag("json") {
      context.output.line(
        "{\"backup\":\(jsonQuoted(target)),\"events\":\(events),\"bytes\":\(bytes),"
          + "\"verified\":\(checked)}")
    } else {
      context.output.line(
        "Backed up \(counted(Int(events), "event")) to \(target) (\(counted(Int(bytes), "byte")))"
          + (checked ? "; the copy is intact." : "; the copy was not checked."))
    }
  }
}
