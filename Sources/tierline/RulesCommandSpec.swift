/// The command-line shape of `tierline rules` and of each of its actions.
extension RulesCommand {
  static let spec = CommandSpec(
    name: "rules",
    summary: "Activate, list, show or compare (diff) versions of the rules.",
    // Each action's part is its own usage, so that the two help texts agree.
    usage: [activateSpec, listSpec, showSpec, diffSpec].map { action in
      "\(action.name.dropFirst("rules ".count)) \(action.usage)"
    }.joined(separator: " | "),
    options: [
      effectiveOption.labeled("activate"),
      againstOption.labeled("diff"),
      asOfOption.labeled("diff"),
      knownAtOptionSpec.labeled("diff"),
      threadsOption.labeled("diff"),
      // `show` always prints JSON and takes no --json.
      jsonOptionSpec.labeled("activate, list, diff"),
    ],
    positionals: ["ACTION", "FILE|VERSION|CANDIDATE"],
    requiredPositionals: 1,
    details: """
      activate FILE   store an activation of the playbook FILE, in force from --effective
      list            every activation: version, effective time, activation time, name
      show VERSION    print the stored playbook of VERSION as canonical JSON
      diff CANDIDATE  fold the whole history under the playbook file CANDIDATE and under
                      --against, and report what changes; the ledger is only read

      Run `tierline rules ACTION --help` for the options of one action.
      """ + "\n\n" + versionHelp + "\n" + timeFormatsHelp,
    subcommands: [activateSpec, listSpec, showSpec, diffSpec])

  static let activateSpec = CommandSpec(
    name: "rules activate",
    summary: "Store an activation of the playbook FILE, in force from --effective.",
    usage: "FILE [--effective T] [--json]",
    options: [
      effectiveOption,
      OptionSpec(
        name: "json", valueName: nil,
        help: "print the version, effective time and activation time as JSON"),
    ],
    positionals: ["FILE"],
    requiredPositionals: 1,
    details: """
      Activations are never removed. Activating the rules already in force stores another
      row in `tierline rules list` and prints a warning, because it changes no query
      result.
      """ + "\n" + timeFormatsHelp)

  static let listSpec = CommandSpec(
    name: "rules list",
    summary: "List every activation: version, effective time, activation time and name.",
    usage: "[--json]",
    options: [
      OptionSpec(
        name: "json", valueName: nil,
        help: "print one JSON object per activation, with in_force set for the rules in "
          + "force now")
    ],
    positionals: [],
    requiredPositionals: 0,
    details: "In the text output, * marks the rules in force now.")

  static let showSpec = CommandSpec(
    name: "rules show",
    summary: "Print the stored playbook of VERSION as canonical JSON.",
    usage: "VERSION",
    options: [],
    positionals: ["VERSION"],
    requiredPositionals: 1,
    details: versionHelp)

  static let diffSpec = CommandSpec(
    name: "rules diff",
    summary: "Compare stored rules with a candidate playbook over the whole history.",
    usage: "CANDIDATE [--against VERSION] [--as-of T] [--known-at K] [--threads N] [--json]",
    options: [
      againstOption,
      asOfOption,
      knownAtOptionSpec,
      threadsOption,
      OptionSpec(name: "json", valueName: nil, help: "print one JSON object"),
    ],
    positionals: ["CANDIDATE"],
    requiredPositionals: 1,
    details: """
      Folds the whole history under the playbook file CANDIDATE and under --against, and
      lists the accounts whose readiness or first ready time changes, the trigger
      firings, the attribution changes and the metrics that change. The ledger is only
      read.
      """ + "\n\n" + versionHelp + "\n" + timeFormatsHelp)

  static let versionHelp = """
    VERSION is `sha256:` and 16 hex digits, or a unique prefix of at least 4 of the hex
    digits.
    """

  static let effectiveOption = OptionSpec(
    name: "effective", valueName: "T",
    help: "valid time from which the rules apply (default: now); for the start of a day "
      + "give a time, such as 2025-07-01T00:00:00Z",
    validate: validateTimeOption)
  static let againstOption = OptionSpec(
    name: "against", valueName: "VERSION",
    help: "the stored version to compare with (default: the rules in force at --as-of)")
  static let asOfOption = OptionSpec(
    name: "as-of", valueName: "T", help: "valid time of the comparison (default: now)",
    validate: validateTimeOption)
  static let threadsOption = OptionSpec(
    name: "threads", valueName: "N",
    help: "fold every account on N threads, from 1 to 256 and capped at the number of "
      + "processors (default 1)",
    validate: integerOptionValidator(threadCountRange))
}

extension OptionSpec {
  /// Returns the option with its help prefixed by the action it applies to, as
  /// `tierline rules --help` lists the options of every action together.
  fileprivate func labeled(_ action: String) -> OptionSpec {
    var copy = self
    copy.help = "\(action): \(help)"
    return copy
  }
}
