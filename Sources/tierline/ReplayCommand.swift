import TierlineEvents
import TierlineLedger
import TierlineProjections

/// `tierline replay`: every account's projection at a point in time.
enum ReplayCommand: Command {
  static let spec = CommandSpec(
    name: "replay",
    summary: "Fold the log into each account's projection at a point in time.",
    usage: "[--as-of T] [--known-at K] [--account ID] [--rules FILE] [--json]",
    options: [
      OptionSpec(
        name: "as-of", valueName: "T",
        help: "valid time: leave out events that occurred after T (default: now)"),
      knownAtOptionSpec,
      OptionSpec(name: "account", valueName: "ID", help: "only this account"),
      rulesOptionSpec,
      OptionSpec(name: "json", valueName: nil, help: "print one JSON projection per line"),
    ],
    positionals: [],
    requiredPositionals: 0,
    details: timeFormatsHelp)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let point = try replayPoint(arguments, validTimeOption: "as-of")
    let account = try arguments.value("account").map(accountArgument)
    let override = try playbookOption(arguments)
    let ledger = try Ledger.open(directory: context.storeDirectory)
    let rules = try ledger.replayRules(at: point, override: override)
    let json = arguments.flag("json")

    if !json {
      context.output.line(
        "As of \(point.asOf.rfc3339), known at \(point.knownAt.rfc3339), rules \(rules.version)")
      context.output.line(
        "account".rightPadded(24) + " " + "status".rightPadded(10) + " "
          + "tier".rightPadded(10) + " " + "acv".leftPadded(12) + "  ready  "
          + "next".rightPadded(10) + " " + "check-in".rightPadded(20) + " triggers fired")
    }
    var count = 0
    let emit: (AccountProjection) -> Void = { projection in
      count += 1
      if json {
        context.output.write(bytes: ProjectionJSON.encode(projection))
        context.output.line()
      } else {
        context.output.line(row(projection))
      }
    }

    if let account {
      guard let projection = try ledger.projection(of: account, at: point, rules: rules) else {
        throw CommandFailure(
          message: "account not found (\(account.value)): no event of it is visible as of "
            + "\(point.asOf.rfc3339), known at \(point.knownAt.rfc3339)",
          exitCode: .failure)
      }
      emit(projection)
    } else {
      try ledger.forEachProjection(at: point, rules: rules, emit)
    }
    if !json { context.output.line("\(count) accounts") }
  }

  static func row(_ projection: AccountProjection) -> String {
    let fired = projection.triggers.filter(\.fired).map(\.type).joined(separator: ",")
    let checkin = projection.checkin.map { "\($0.status) \($0.dueOn)" } ?? "-"
    return projection.account.rightPadded(24) + " " + projection.status.rightPadded(10) + " "
      + (projection.tier ?? "-").rightPadded(10) + " "
      + (projection.acv ?? "-").leftPadded(12) + "  "
      + (projection.ready ? "yes" : "no").rightPadded(5) + "  "
      + (projection.nextTier ?? "-").rightPadded(10) + " " + checkin.rightPadded(20) + " "
      + (fired.isEmpty ? "-" : fired)
  }
}
