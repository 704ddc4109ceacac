import TierlineEvents
import TierlineLedger
import TierlinePlaybook

/// `tierline rules`: activate, list, show and compare playbook versions.
enum RulesCommand: Command {
  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let action = arguments.positionals[0]
    let operand = arguments.positionals.count > 1 ? arguments.positionals[1] : nil
    switch action {
    case "activate":
      try activate(try require(operand, "FILE", action), arguments, context: context)
    case "list":
      try list(arguments, context: context)
    case "show":
      try show(try require(operand, "VERSION", action), context: context)
    case "diff":
      try RulesDiffCommand.run(
        candidatePath: try require(operand, "CANDIDATE", action), arguments, context: context)
    default:
      throw UsageError(
        "unknown rules action (\(action)): use activate, list, show or diff")
    }
  }

  static func require(_ operand: String?, _ name: String, _ action: String) throws(UsageError)
    -> String
  {
    guard let operand else {
      throw UsageError(
        "missing \(name) for rules \(action); see `tierline rules \(action) --help`")
    }
    return operand
  }

  static func activate(_ path: String, _ arguments: ParsedArguments, context: CommandContext)
    throws
  {
    let playbook = try loadPlaybook(path)
    let now = Timestamp.now
    let effective =
      try arguments.value("effective").map { try parseTimeOption($0, option: "effective") }
      ?? now
    let ledger = try Ledger.open(directory: context.storeDirectory)
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
      context.output.line(
        "{\"rules_version\":\(jsonQuoted(playbook.version)),"
          + "\"effective_at\":\"\(effective.rfc3339)\",\"activated_at\":\"\(now.rfc3339)\"}")
    } else {
      context.output.line(
        "Activated rules \(playbook.version) (\(playbook.name)), effective "
          + "\(effective.rfc3339).")
    }
  }

  static func list(_ arguments: ParsedArguments, context: CommandContext) throws {
    let ledger = try Ledger.open(directory: context.storeDirectory)
    let activations = try ledger.activations()
    let now = Timestamp.now
    let inForce = try ledger.rules(asOf: now, knownAt: now)
    if arguments.flag("json") {
      for activation in activations {
        let current = activation == inForce
        context.output.line(
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
          + activation.activatedAt.rfc3339.rightPadded(30) + " " + activation.playbook.name)
    }
    context.output.line("* in force now")
  }

  static func show(_ version: String, context: CommandContext) throws {
    let ledger = try Ledger.open(directory: context.storeDirectory)
    let activation = try activation(version, in: ledger)
    context.output.write(bytes: activation.playbook.canonicalJSON())
    context.output.line()
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

  /// Reads and parses a playbook file.
  static func loadPlaybook(_ path: String) throws -> Playbook {
    do {
      return try Playbook(json: try readPlaybookFile(path, purpose: "playbook"))
    } catch let error as PlaybookError {
      let field = error.field.isEmpty ? "" : "\(error.field): "
      throw CommandFailure(
        message: "invalid playbook (\(path)): \(field)\(error.reason)", exitCode: .dataError)
    }
  }
}
