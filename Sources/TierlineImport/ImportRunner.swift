import TierlineEvents
import TierlineLedger

/// The outcome of an import, or in a dry run the outcome it would have.
public struct ImportReport: Sendable {
  /// The events appended, or in a dry run the events that would be appended.
  public var newEvents: [NumberedEvent] = []
  /// What a record number counts: `line` for text formats, `item` for a JSON array.
  public var unit = "line"
  /// Events stored by this import; 0 in a dry run.
  public var appended = 0
  /// Events skipped because the ledger or an earlier record of the input has them.
  public var duplicates = 0
  /// Records rejected by the importer or by the ledger's checks, ordered by line.
  public var rejections: [ImportRejection] = []
  /// Records that carry nothing to import.
  public var ignored = 0
  /// The importer's messages about input that is not imported as written.
  public var warnings: [String] = []
  /// Whether the new events were stored: false in a dry run and after rejections
  /// without `skipInvalid`.
  public var stored = false
  /// The transaction time of the appended batch, when one was stored.
  public var recordedAt: Timestamp?
}

/// Checks an `ImportPlan` against the ledger and appends it as one atomic batch.
public enum ImportRunner {
  /// Runs an import.
  ///
  /// Every event is first checked as `Ledger.append` would check it: tiers must exist in
  /// the rules in force, and an id already stored must carry identical content. When any
  /// record is rejected and `skipInvalid` is false, nothing is stored. Otherwise the new
  /// events are appended in one batch, unless `dryRun` is true.
  /// - Throws: `LedgerError` when the ledger cannot be read or the append fails.
  /// - Parameter maximumEvents: The most new events one import stores; tests lower it.
  public static func run(
    _ plan: ImportPlan, ledger: Ledger, dryRun: Bool, skipInvalid: Bool,
    now: Timestamp = .now, maximumEvents: Int = Ledger.maximumBatchEvents
  ) throws(LedgerError) -> ImportReport {
    var report = ImportReport()
    report.unit = plan.unit
    report.duplicates = plan.repeatedInInput
    report.ignored = plan.ignored
    report.warnings = plan.warnings
    report.rejections = plan.rejections

    // The counts come from the account index, without reading any event.
    let counts = try ledger.eventCounts(of: plan.assumedAccounts.map(\.account))
    for ((account, line), count) in zip(plan.assumedAccounts, counts) where count == 0 {
      report.warnings.append(
        "\(plan.unit) \(line): the update takes \(jsonQuoted(account.value))'s earlier "
          + "subscription state as already in the ledger, but the ledger has no event of that "
          + "account, so it stays not landed; import the export that starts at the "
          + "subscription's creation first")
    }
    let previews = try ledger.preview(plan.events)
    // The line of each account's first event that the ledger rejected, when later events
    // of the account build on it.
    var rejectedAccounts: [String: Int] = [:]
    for (item, preview) in zip(plan.events, previews) {
      let account = item.incoming.event.account.value
      if plan.accountEventsChain, let earlier = rejectedAccounts[account] {
        report.rejections.append(
          ImportRejection(
            line: item.line, unit: plan.unit, field: nil,
            reason: "follows \(plan.unit) \(earlier) of the same account, which was rejected"))
        continue
      }
      switch preview {
      case .new:
        report.newEvents.append(item)
      case .duplicate:
        report.duplicates += 1
      case .rejected(let error):
        report.rejections.append(rejection(from: error, item: item, unit: plan.unit))
        if rejectedAccounts[account] == nil { rejectedAccounts[account] = item.line }
      }
    }
    report.rejections.sort { $0.line < $1.line }
    var future = FutureEvents(now: now)
    for item in report.newEvents { future.add(item) }
    if let warning = future.warning(unit: plan.unit, events: "new events") {
      report.warnings.append(warning)
    }

    // The ledger's own message names `append --batch-size`, which `import` does not have.
    // A dry run checks this too, so that it exits as the real run would.
    let wouldStore = report.rejections.isEmpty || skipInvalid
    guard !wouldStore || report.newEvents.count <= maximumEvents else {
      throw LedgerError(
        .invalidInput,
        "the input gives \(report.newEvents.count) new events, more than the \(maximumEvents) "
          + "that one import stores in its one batch; nothing was stored: split the file into "
          + "parts of at most \(maximumEvents) events, keeping each account's records in one "
          + "part, and import them in order")
    }
    guard wouldStore, !dryRun, !report.newEvents.isEmpty else { return report }
    let summary = try ledger.append(report.newEvents, now: now)
    // Another writer may have stored some of these events since the check.
    report.appended = summary.appended
    report.duplicates += summary.duplicates
    report.stored = true
    report.recordedAt = summary.recordedAt
    return report
  }

  /// Turns a ledger check failure into a rejection of the record the event came from.
  private static func rejection(
    from error: LedgerError, item: NumberedEvent, unit: String
  ) -> ImportRejection {
    var reason = error.message
    let prefix = "line \(item.line): " + (error.field.map { $0 + ": " } ?? "")
    if reason.hasPrefix(prefix) { reason.removeFirst(prefix.count) }
    // The import reports itself what was stored.
    let batchNote = "; nothing of this batch was stored"
    if reason.hasSuffix(batchNote) { reason.removeLast(batchNote.count) }
    return ImportRejection(line: item.line, unit: unit, field: error.field, reason: reason)
  }
}
