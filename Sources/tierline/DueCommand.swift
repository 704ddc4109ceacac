import TierlineEvents
import TierlineLedger

/// `tierline due`: check-ins due, overdue and upcoming on a date.
enum DueCommand: Command {
  static let spec = CommandSpec(
    name: "due",
    summary: "List the check-ins due, overdue and upcoming on a date.",
    usage: "[--on DATE] [--within DAYS] [--status LIST] [--known-at K] [--json]",
    options: [
      OptionSpec(
        name: "on", valueName: "DATE", help: "the date, YYYY-MM-DD (default: today in UTC)",
        validate: validateDateOption),
      OptionSpec(
        name: "within", valueName: "DAYS",
        help: "also list check-ins due up to DATE + DAYS (default 14)",
        validate: integerOptionValidator(dayCountRange)),
      OptionSpec(
        name: "status", valueName: "LIST",
        help: "list only these statuses, comma-separated: overdue, due, upcoming (default: all)",
        validate: { text, _ throws(UsageError) in _ = try parseStatuses(text) }),
      knownAtOptionSpec,
      OptionSpec(name: "json", valueName: nil, help: "print one JSON object per check-in"),
    ],
    positionals: [],
    requiredPositionals: 0,
    details: """
      DATE and the due dates are calendar dates in each account's time zone: an account's
      events count up to the end of DATE in its zone. A check-in is due from its due date
      through the playbook's due window (checkin.due_window_days, 7 days in the built-in
      playbook): with 7, a check-in due on 2 June is due through 9 June, overdue from 10
      June, and upcoming before 2 June. Overdue check-ins are listed however late they
      are; completed ones are not listed, and neither are those of accounts that have
      churned by DATE. `replay` and `why` still show a churned account's check-in as
      it stood, overdue included.
      """)

  /// The values that --within accepts.
  static let dayCountRange = 0...3660

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let date: CivilDate
    if let text = arguments.value("on") {
      date = try parseDateOption(text, option: "on")
    } else {
      let days = Timestamp.now.epochSeconds / 86_400
      date = CivilDate(daysSinceEpoch: Int(days))
    }
    let within =
      try arguments.value("within").map {
        try parseIntegerOption($0, option: "within", range: dayCountRange)
      } ?? 14
    let statuses = try arguments.value("status").map(parseStatuses)
    let knownAt = try arguments.value("known-at").map {
      try parseTimeOption($0, option: "known-at")
    }
    let ledger = try context.openLedger()
    let knownAtUsed = try resolvedKnownAt(knownAt, in: ledger)
    let checkins = try ledger.checkinsDue(on: date, upcomingDays: within, knownAt: knownAtUsed)
      .filter { statuses?.contains($0.status) ?? true }

    if arguments.flag("json") {
      for item in checkins {
        context.output.jsonLine(
          "{\"account\":\(jsonQuoted(item.account)),\"due_on\":\"\(item.dueOn)\","
            + "\"status\":\"\(item.status)\",\"days_until_due\":\(item.daysUntilDue),"
            + "\"tier\":\(item.tier.map(jsonQuoted) ?? "null"),"
            + "\"rules_version\":\(jsonQuoted(item.rulesVersion)),"
            + "\"known_at\":\"\(knownAtUsed.rfc3339)\"}")
      }
      return
    }
    context.output.line(
      "Check-ins on \(date), known at \(knownAtUsed.rfc3339) (upcoming: the next "
        + "\(within) days; days: until the due date, negative when past)")
    context.output.line(
      "status".rightPadded(9) + " " + "due_on".rightPadded(10) + " " + "days".leftPadded(5)
        + "  " + "account".rightPadded(24) + " tier")
    for item in checkins {
      context.output.line(
        item.status.rightPadded(9) + " " + item.dueOn.description + " "
          + String(item.daysUntilDue).leftPadded(5) + "  "
          + tableAccount(item.account).rightPadded(24) + " "
          + (item.tier ?? "-"))
    }
    let counts = ["overdue", "due", "upcoming"].filter { statuses?.contains($0) ?? true }
      .map { status in "\(checkins.filter { $0.status == status }.count) \(status)" }
    context.output.line(counts.joined(separator: ", "))
  }

  /// Reads a comma-separated list of check-in statuses, such as `due,upcoming`.
  static func parseStatuses(_ text: String) throws(UsageError) -> Set<String> {
    let known: Set<String> = ["overdue", "due", "upcoming"]
    let requested = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    guard !requested.isEmpty, requested.allSatisfy(known.contains) else {
      throw UsageError(
        "invalid value for --status (\(text)): use overdue, due or upcoming, "
          + "or several of them separated by commas")
    }
    return Set(requested)
  }
}
