import TierlineEvents
import TierlineImport
import TierlineLedger

/// The JSON form of an import report.
enum ImportReportJSON {
  /// Encodes a report as one JSON object; a dry run also lists the events it would append.
  /// `merge` is the merge of index runs after the import, when one was tried and
  /// succeeded.
  static func encode(_ report: ImportReport, dryRun: Bool, merge: IndexRunMerge? = nil) -> String {
    var fields = [
      "\"dry_run\":\(dryRun)", "\"stored\":\(report.stored)",
      "\"appended\":\(report.appended)",
      "\"would_append\":\(dryRun ? report.newEvents.count : report.appended)",
      "\"duplicates\":\(report.duplicates)", "\"rejected\":\(report.rejections.count)",
      "\"ignored\":\(report.ignored)",
    ]
    fields.append("\"recorded_at\":" + (report.recordedAt.map { jsonQuoted($0.rfc3339) } ?? "null"))
    fields.append("\"index_runs_merged\":\(merge?.mergedRuns ?? 0)")
    fields.append("\"index_runs\":" + AppendCommand.runsLeftJSON(merge))
    let rejections = report.rejections.map { rejection in
      "{\"\(rejection.unit)\":\(rejection.line),\"field\":"
        + (rejection.field.map(jsonQuoted) ?? "null")
        + ",\"reason\":\(jsonQuoted(rejection.reason))}"
    }
    fields.append("\"rejections\":[" + rejections.joined(separator: ",") + "]")
    fields.append("\"warnings\":[" + report.warnings.map(jsonQuoted).joined(separator: ",") + "]")
    if dryRun {
      let events = report.newEvents.map { item in
        "{\"\(report.unit)\":\(item.line),\"event\":\(EventJSON.encode(item.incoming.event))}"
      }
      fields.append("\"events\":[" + events.joined(separator: ",") + "]")
    }
    return "{" + fields.joined(separator: ",") + "}"
  }
}
