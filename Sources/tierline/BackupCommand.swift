import TierlineEvents
import TierlineLedger

/// `tierline backup`: writes a compacted copy of the ledger while it stays in use.
enum BackupCommand: Command {
  static let spec = CommandSpec(
    name: "backup",
    summary: "Write a compacted, consistent copy of the ledger into a directory.",
    usage: "DIR [--json]",
    options: [
      OptionSpec(name: "json", valueName: nil, help: "print the result as JSON")
    ],
    positionals: ["DIR"],
    requiredPositionals: 1,
    details: """
      The copy is taken from one read snapshot, so appends may continue meanwhile: it
      holds every batch committed before it began and nothing of later ones. DIR is
      created when missing and must not contain data.mdb. To restore, stop the writers
      and copy DIR back in place of the ledger directory, or pass --store DIR.
      """)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let target = arguments.positionals[0]
    let ledger = try Ledger.open(directory: context.storeDirectory)
    let bytes: Int
    switch Result(catching: { () throws(LedgerError) in try ledger.backup(to: target) }) {
    case .success(let size):
      bytes = size
    case .failure(let error) where error.kind == .invalidInput:
      throw CommandFailure(message: error.message, exitCode: .usage)
    case .failure(let error):
      throw error
    }
    let events = try Ledger.open(directory: target).eventCount()
    if arguments.flag("json") {
      context.output.line(
        "{\"backup\":\(jsonQuoted(target)),\"events\":\(events),\"bytes\":\(bytes)}")
    } else {
      context.output.line("Backed up \(events) events to \(target) (\(bytes) bytes).")
    }
  }
}
