import Foundation
import TierlineEvents
import TierlineLedger
import TierlineMetrics

/// `tierline report`: one self-contained HTML page of the portfolio metrics.
enum ReportCommand: Command {
  static let spec = CommandSpec(
    name: "report",
    summary: "Write the portfolio metrics as one self-contained HTML page.",
    usage: "--html FILE [--as-of T] [--known-at K] [metrics options]",
    options: [OptionSpec(name: "html", valueName: "FILE", help: "the HTML file to write")]
      + metricsOptionSpecs,
    positionals: [],
    requiredPositionals: 0,
    details: """
      The page contains the headline figures, the cohort expansion curves, the TTFV
      histogram, expansion ARR by trigger type, the check-ins due on the --as-of date
      (upcoming: the next 14 days) and the permanently small accounts. It loads nothing
      from the network. The metrics options are those of `tierline metrics`.
      """ + "\n" + timeFormatsHelp)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    guard let path = arguments.value("html") else {
      throw UsageError("missing --html FILE for report; see `tierline report --help`")
    }
    let (ledger, point, metrics) = try computeMetrics(arguments, context: context)
    let date = CivilDate(
      daysSinceEpoch: Int(floorDivision(point.asOf.microseconds, 86_400_000_000)))
    let checkins = try ledger.checkinsDue(on: date, upcomingDays: 14, knownAt: point.knownAt)
    let html = HTMLReport.render(metrics: metrics, checkins: checkins)
    if let failure = writeWholeFile(path, bytes: Array(html.utf8)) {
      // The system's reason, such as a full disk or a missing directory, shows what to fix.
      throw CommandFailure(
        message: "report file cannot be written (\(path)): \(failure); check the directory, "
          + "its permissions and the free disk space",
        exitCode: .failure)
    }
    context.output.line(
      "Wrote \(path): \(counted(metrics.accounts, "account")), rules \(metrics.rulesVersion).")
  }

  static func floorDivision(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return value % divisor < 0 ? quotient - 1 : quotient
  }
}
