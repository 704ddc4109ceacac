import TierlineEvents
import TierlineLedger
import TierlineProjections

/// `tierline replay`: every account's projection at a point in time.
enum ReplayCommand: Command {
  static let spec = CommandSpec(
    name: "replay",
    summary: "Fold the log into each account's projection at a point in time.",
    usage:
      "[--as-of T] [--known-at K] [--account ID] [--ready] [--rules FILE] [--threads N] [--json]",
    options: [
      OptionSpec(
        name: "as-of", valueName: "T",
        help: "valid time: leave out events that occurred after T (default: now)",
        validate: validateTimeOption),
      knownAtOptionSpec,
      OptionSpec(name: "account", valueName: "ID", help: "only this account"),
      OptionSpec(
        name: "ready", valueName: nil,
        help: "only the accounts ready for the expansion conversation"),
      rulesOptionSpec,
      threadsOptionSpec,
      OptionSpec(name: "json", valueName: nil, help: "print one JSON projection per line"),
    ],
    positionals: [],
    requiredPositionals: 0,
    details: timeFormatsHelp + "\n\n" + """
      In the table, the check-in column gives the check-in's status and its due date, or for a
      done check-in the day it was completed, both in the account's time zone.
      """)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let requested = try requestedPoint(arguments, validTimeOption: "as-of")
    let account = try arguments.value("account").map(accountArgument)
    // The requested count is checked, because the cap at the processor count would let
    // `--threads 2` pass on one processor.
    if account != nil, try requestedThreads(arguments) > 1 {
      throw UsageError(
        "--threads applies to a replay of every account; leave it out with --account")
    }
    let threads = try threadsOption(arguments)
    let override = try playbookOption(arguments)
    let ledger = try context.openLedger()
    let point = try requested.resolved(in: ledger)
    let rules = try ledger.replayRules(at: point, override: override)
    let json = arguments.flag("json")
    let readyOnly = arguments.flag("ready")

    var single: AccountProjection?
    if let account {
      guard let projection = try ledger.projection(of: account, at: point, rules: rules) else {
        throw accountNotFound(account, at: point)
      }
      single = projection
    }

    // The text header waits for the first projection. A damaged record fails its
    // checksum while the log is read, before any projection is printed, so such a
    // replay prints nothing on standard output, as with --json. A record that passes its
    // checksum but does not decode is found only when its account folds. The accounts
    // before it are printed by then, and the exit status is 1 then too.
    var headerPrinted = json
    let printHeader = {
      guard !headerPrinted else { return }
      headerPrinted = true
      context.output.line(
        "As of \(point.asOf.rfc3339), known at \(point.knownAt.rfc3339), rules \(rules.version)")
      context.output.line(
        "account".rightPadded(24) + " " + "status".rightPadded(10) + " "
          + "tier".rightPadded(10) + " " + "acv".leftPadded(16) + "  ready  "
          + "next".rightPadded(10) + " " + "check-in".rightPadded(20) + " triggers fired")
    }
    var count = 0
    var folded = 0
    let emit: (AccountProjection) -> Void = { projection in
      folded += 1
      guard projection.ready || !readyOnly else { return }
      count += 1
      if json {
        context.output.write(bytes: ProjectionJSON.encode(projection))
        context.output.line()
      } else {
        printHeader()
        context.output.line(row(projection))
      }
    }
    if let single {
      emit(single)
    } else {
      try ledger.forEachProjection(at: point, rules: rules, threads: threads, emit)
    }
    if !json {
      printHeader()
      context.output.line(
        readyOnly ? "\(count) of \(counted(folded, "account")) ready" : counted(count, "account"))
      if folded == 0 {
        context.output.line(
          "no event is visible: none had both occurred by the as-of time and been recorded "
            + "by the known-at time above")
      }
      context.output.line(
        "ready: a trigger fired, its wait elapsed, a higher tier exists and no offer for it "
          + "is open; `tierline why ACCOUNT` lists each condition")
    }
  }

  /// Returns the date in `zone` of an RFC 3339 time, or its UTC date when either cannot be
  /// read.
  private static func localDate(_ time: String, zone: String?) -> String {
    guard let instant = Timestamp(rfc3339: time), let zone,
      let calendar = ZoneCalendar(identifier: zone)
    else { return String(time.prefix(10)) }
    return calendar.localDate(of: instant).description
  }

  static func row(_ projection: AccountProjection) -> String {
    let fired = projection.triggers.filter(\.fired).map(\.type).joined(separator: ",")
    // A done check-in shows the local day it was completed, the others their due date,
    // which is a local date too.
    let checkin =
      projection.checkin.map { checkin in
        "\(checkin.status) "
          + (checkin.completedAt.map { localDate($0, zone: projection.timeZone) } ?? checkin.dueOn)
      } ?? "-"
    let acv = projection.acv.map { "\($0) \(projection.currency ?? "")" } ?? "-"
    return tableAccount(projection.account).rightPadded(24) + " "
      + projection.status.rightPadded(10) + " "
      + (projection.tier ?? "-").rightPadded(10) + " "
      + acv.leftPadded(16) + "  "
      + (projection.ready ? "yes" : "no").rightPadded(5) + "  "
      + (projection.nextTier ?? "-").rightPadded(10) + " " + checkin.rightPadded(20) + " "
      + (fired.isEmpty ? "-" : fired)
  }
}
