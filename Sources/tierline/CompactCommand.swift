import TierlineLedger

/// `tierline compact`: merges the index runs of a format 4 ledger into one.
enum CompactCommand: Command {
  static let spec = CommandSpec(
    name: "compact",
    summary: "Merge the index runs into one, so that point queries read one run.",
    usage: "[--json]",
    options: [
      OptionSpec(name: "json", valueName: nil, help: "print the result as JSON")
    ],
    positionals: [],
    requiredPositionals: 0,
    details: """
      From storage format 4 on, each appended batch adds a sorted run to both indexes.
      Runs live on levels 0 to 11, each with 8 places, and the eight runs of a full
      level merge into one run of the next. A query of one account seeks it in every
      live run, so one run makes queries cheaper. An append or import already ends by
      merging its smallest runs, within the number of events it stored, so compact
      serves ledgers appended with --no-merge, grown by many small appends, or whose
      merge at the end of an append failed. `tierline verify` gives the number of
      runs. The merged run takes a free place of the highest level that has a run.

      The merge rewrites every index entry once, in one write transaction. Appends wait
      for it, while reads and backups go on. A merge that fails changes nothing, and the
      log is not touched.

      This is not a compaction of the file. The new run is written before the old
      runs' pages are freed, so data.mdb grows by about the size of the indexes and
      does not shrink, and later writes reuse the freed pages. To get a smaller file,
      write a compacted copy with `tierline backup DIR`.

      Ledgers in storage formats 1 to 3 keep each index in one B-tree, and a ledger
      with one run has nothing to merge. The command then changes nothing and exits 0.
      """)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let ledger = try context.openLedger()
    let merge = try ledger.mergeIndexRuns()
    if arguments.flag("json") {
      let events = merge.events.map(String.init) ?? "null"
      let level = merge.mergedLevel.map(String.init) ?? "null"
      let place = merge.mergedPlace.map(String.init) ?? "null"
      context.output.jsonLine(
        "{\"storage_format\":\(merge.storageFormat),\"runs_before\":\(merge.runsBefore),"
          + "\"runs_after\":\(merge.runsAfter),\"events\":\(events),\"merged\":\(merge.merged),"
          + "\"level\":\(level),\"place\":\(place)}")
      return
    }
    if let level = merge.mergedLevel, let place = merge.mergedPlace {
      context.output.line(
        "Merged \(merge.runsBefore) index runs of \(counted(Int(merge.events ?? 0), "event")) "
          + "into one run in level \(level), place \(place).")
    } else if merge.events == nil {
      context.output.line(
        "Storage format \(merge.storageFormat) keeps each index in one B-tree, so there is "
          + "nothing to merge.")
    } else if merge.runsBefore == 0 {
      context.output.line("The ledger has no events, so there is nothing to merge.")
    } else {
      context.output.line(
        "The indexes are already one run of \(counted(Int(merge.events ?? 0), "event")), so "
          + "there is nothing to merge.")
    }
  }
}
