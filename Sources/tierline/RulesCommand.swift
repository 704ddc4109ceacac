import TierlineEvents
import TierlineLedger
import TierlinePlaybook

/// `tierline rules`: activate, list, show and compare playbook versions.
enum RulesCommand: Command {
  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    // The parser accepts only the actions of `spec` and checks each one's positional
    // arguments against the action's own spec.
    switch arguments.action {
    case "activate":
      try activate(arguments.positionals[0], arguments, context: context)
    case "list":
      try list(arguments, context: context)
    case "show":
      try show(arguments.positionals[0], context: context)
    case "diff":
      try RulesDiffCommand.run(
        candidatePath: arguments.positionals[0], arguments, context: context)
    default:
      preconditionFailure("rules action \(arguments.action ?? "nil") has no spec")
    }
  }

  static func activate(_ path: String, _ arguments: ParsedArguments, context: CommandContext)
    throws
  {
    let playbook = try loadPlaybook(path, purpose: "playbook")
    let now = Timestamp.now
    let effective =
      try arguments.value("effective").map { try parseTimeOption($0, option: "effective") }
      ?? now
    let ledger = try context.openLedger()
    // Activations are never removed, so activating the rules already in force adds a row
    // to `rules list` that changes no query result. The row is stored with a warning.
    let inForce = try ledger.rules(asOf: effective, knownAt: now)
    try ledger.activate(playbook, effectiveAt: effective, now: now)
    try noteBareEffectiveDate(arguments.value("effective"), effective: effective)
    if inForce.version == playbook.version {
      writeToStandardError(
        "warning: rules \(playbook.version) were already in force at \(effective.rfc3339); "
          + "the new activation changes no query result\n")
    }
    if arguments.flag("json") {
      context.output.jsonLine(
        "{\"rules_version\":\(jsonQuoted(playbook.version)),"
          + "\"effective_at\":\"\(effective.rfc3339)\",\"activated_at\":\"\(now.rfc3339)\"}")
    } else {
      context.output.line(
        "Activated rules \(playbook.version) (\(printable(playbook.name))), effective "
          + "\(effective.rfc3339).")
    }
  }

  static func list(_ arguments: ParsedArguments, context: CommandContext) throws {
    let ledger = try context.openLedger()
    let activations = try ledger.activations()
    let now = Timestamp.now
    let inForce = try ledger.rules(asOf: now, knownAt: now)
    if arguments.flag("json") {
      for activation in activations {
        let current = activation == inForce
        context.output.jsonLine(
          "{\"rules_version\":\(jsonQuoted(activation.version)),"
            + "\"name\":\(jsonQuoted(activation.playbook.name)),"
            + "\"effective_at\":\"\(activation.effectiveAt.rfc3339)\","
            + "\"activated_at\":\"\(activation.activatedAt.rfc3339)\","
            + "\"in_force\":\(current)}")
      }
      return
    }
    context.output.line(
      "  " + "version".rightPadded(24) + " " + "effective".rightPadded(30) + " "
        + "activated".rightPadded(30) + " name")
    for activation in activations {
      context.output.line(
        (activation == inForce ? "* " : "  ") + activation.version.rightPadded(24) + " "
          + activation.effectiveAt.rfc3339.rightPadded(30) + " "
          + activation.activatedAt.rfc3339.rightPadded(30) + " "
          + printable(activation.playbook.name))
    }
    context.output.line("* in force now")
  }

  static func show(_ version: String, context: CommandContext) throws {
    try checkVersionFormat(version)
    let ledger = try context.openLedger()
    let activation = try activation(version, in: ledger)
    context.output.write(bytes: activation.playbook.canonicalJSON())
    context.output.line()
  }

  /// Throws a usage error when a VERSION given on the command line is malformed, before
  /// any ledger is opened, so the error is the same whether or not the ledger exists.
  static func checkVersionFormat(_ version: String) throws {
    do {
      _ = try Ledger.versionDigits(version)
    } catch  where error.kind == .invalidInput {
      throw UsageError(error.message)
    }
  }

  /// Returns the activation of a VERSION given on the command line. A malformed or
  /// ambiguous VERSION is a usage error, like any other invalid option value.
  static func activation(_ version: String, in ledger: Ledger) throws -> RulesActivation {
    do {
      return try ledger.activation(version: version)
    } catch  where error.kind == .invalidInput {
      throw UsageError(error.message)
    }
  }
}
