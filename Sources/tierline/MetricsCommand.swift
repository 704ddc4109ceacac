import TierlineEvents
import TierlineLedger
import TierlineMetrics

/// `tierline metrics`: the portfolio's unit economics at a point in time.
enum MetricsCommand: Command {
  static let spec = CommandSpec(
    name: "metrics",
    summary: "Compute expected ACV, expansion rate, NRR, TTFV and CAC payback.",
    usage: "[--as-of T] [--known-at K] [--cac AMOUNT] [--gross-margin R] "
      + "[--payback-months N] [--cohort month|quarter] [--small-after-months N] "
      + "[--rules FILE] [--threads N] [--json]",
    options: metricsOptionSpecs + [
      OptionSpec(name: "json", valueName: nil, help: "print one JSON object")
    ],
    positionals: [],
    requiredPositionals: 0,
    details: timeFormatsHelp + "\n" + """
      Money is exact, and rounded half to even to the currency's decimals only when
      printed. docs/metrics.md defines every figure.
      """)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let metrics = try computeMetrics(arguments, context: context).metrics

    if arguments.flag("json") {
      context.output.jsonLine(metrics.jsonText())
      return
    }
    for line in MetricsText.lines(metrics) { context.output.line(line) }
  }
}
