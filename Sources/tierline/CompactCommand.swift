import TierlineLedger

/// `tierline compact`: merges the index runs of a format 4 ledger into one.
enum CompactCommand: Command {
  static let spec = CommandSpec(
    name: "compact",
    summary: "Merge the ledger's index runs into one, so that point queries read one run.",
    usage: "[--json]",
    options: [
      OptionSpec(name: "json", valueName: nil, help: "print the result as JSON")
    ],
    positionals: [],
    requiredPositionals: 0,
    details: """
      From storage format 4 on, each appended batch adds a sorted run to both indexes,
      and eight runs of one level merge into one run of the next. A query of one
      account seeks it in every live run, so after a bulk load of many batches one run
      makes queries cheaper. The merge rewrites every index entry once in one write
      transaction: appends wait for it, reads and backups go on, and a merge that fails
      changes nothing. It needs free disk space for a second copy of the indexes while
      it runs; the old runs' pages are reused by later writes. The log is not touched.

      Ledgers in storage formats 1 to 3 keep each index in one B-tree, and a ledger with
      one run has nothing to merge; the command then changes nothing and exits 0.
      """)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let ledger = try context.openLedger()
    let merge = try ledger.mergeIndexRuns()
    let merged = merge.slot != nil
    if arguments.flag("json") {
      let runsAfter = merged ? 1 : merge.runsBefore
      context.output.line(
        "{\"storage_format\":\(merge.storageFormat),\"runs_before\":\(merge.runsBefore),"
          + "\"runs_after\":\(runsAfter),\"events\":\(merge.events),\"merged\":\(merged)}")
      return
    }
    if let slot = merge.slot {
      context.output.line(
        "Merged \(merge.runsBefore) index runs of \(counted(Int(merge.events), "event")) "
          + "into one run in \(slot).")
    } else if merge.storageFormat < 4 {
      context.output.line(
        "Storage format \(merge.storageFormat) keeps each index in one B-tree; there is "
          + "nothing to merge.")
    } else if merge.runsBefore == 0 {
      context.output.line("The ledger has no events; there is nothing to merge.")
    } else {
      context.output.line(
        "The indexes are already one run of \(counted(Int(merge.events), "event")); there is "
          + "nothing to merge.")
    }
  }
}
