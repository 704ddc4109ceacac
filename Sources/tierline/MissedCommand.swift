import TierlineEvents
import TierlineLedger
import TierlineMetrics

/// `tierline missed`: triggers that no offer followed, and accounts where none fired.
enum MissedCommand: Command {
  static let spec = CommandSpec(
    name: "missed",
    summary: "List fired triggers with no offer in time and accounts where none fired.",
    usage: "[--as-of T] [--known-at K] [--days N] [--rules FILE] [--threads N] [--json]",
    options: [
      OptionSpec(
        name: "as-of", valueName: "T",
        help: "valid time: leave out events that occurred after T (default: now)",
        validate: validateTimeOption),
      knownAtOptionSpec,
      OptionSpec(
        name: "days", valueName: "N",
        help: "days after a firing by which an offer must follow (default 14)",
        validate: integerOptionValidator(dayCountRange)),
      rulesOptionSpec,
      threadsOptionSpec,
      OptionSpec(name: "json", valueName: nil, help: "print one JSON object"),
    ],
    positionals: [],
    requiredPositionals: 0,
    details: """
      Only active accounts below the top tier are listed. A trigger counts from its
      earliest firing on the current tier; it is missed when N days (of 24 hours) have
      passed and no offer was made in them. Both lists are oldest first. The column
      "days" is the whole days from the firing to --as-of; "late offer" is the first
      offer made after the N days, if any.
      """ + "\n" + timeFormatsHelp)

  /// The values that --days accepts.
  static let dayCountRange = 0...3660

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let requested = try requestedPoint(arguments, validTimeOption: "as-of")
    let days =
      try arguments.value("days").map {
        try parseIntegerOption($0, option: "days", range: dayCountRange)
      } ?? 14
    let threads = try threadsOption(arguments)
    let override = try playbookOption(arguments)
    let ledger = try context.openLedger()
    let point = try requested.resolved(in: ledger)
    let rules = try ledger.replayRules(at: point, override: override)
    let missed = try MissedExpansions.find(
      in: ledger, at: point, rules: rules, days: days, threads: threads)

    if arguments.flag("json") {
      let bytes = missed.json(asOf: point.asOf, knownAt: point.knownAt)
        .serialized(sortingKeys: false)
      context.output.jsonLine(String(decoding: bytes, as: UTF8.self))
      return
    }
    let output = context.output
    output.line(
      "As of \(point.asOf.rfc3339), known at \(point.knownAt.rfc3339), rules \(rules.version), "
        + "offers due within \(days) days")
    output.line("Triggers with no offer in time: \(missed.unanswered.count)")
    output.line(
      "  " + "account".rightPadded(24) + " " + "tier".rightPadded(10) + " "
        + "trigger".rightPadded(15) + " " + "fired_at".rightPadded(28) + " "
        + "days".leftPadded(5) + "  late offer")
    for item in missed.unanswered {
      output.line(
        "  " + tableAccount(item.account).rightPadded(24) + " " + item.tier.rightPadded(10) + " "
          + item.trigger.rightPadded(15) + " " + item.firedAt.rfc3339.rightPadded(28) + " "
          + String(item.daysSinceFiring).leftPadded(5) + "  "
          + (item.lateOfferAt?.rfc3339 ?? "-"))
    }
    output.line("Accounts with no trigger fired: \(missed.silent.count)")
    for item in missed.silent {
      output.line(
        "  " + tableAccount(item.account).rightPadded(24) + " " + item.tier.rightPadded(10)
          + " landed "
          + item.landedAt.rfc3339)
    }
  }
}
