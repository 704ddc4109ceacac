import TierlineEvents

/// An option that a command accepts.
struct OptionSpec {
  /// The long name without dashes, such as `as-of`.
  var name: String
  /// The placeholder for the value, such as `T`; nil for a flag.
  var valueName: String?
  /// The help line: what the option sets, and in which unit.
  var help: String
  /// The value check that runs when the arguments are parsed, before the positional
  /// arguments are counted. Nil when the command checks the value itself or accepts any
  /// text.
  var validate: OptionValidator? = nil
}

/// A check of an option value that throws the usage error naming the problem. It gets
/// the value and the option's name without dashes.
typealias OptionValidator =
  @Sendable (_ value: String, _ option: String) throws(UsageError)
  -> Void

/// The shape of one command: its name, usage line, options and positional arguments.
struct CommandSpec {
  var name: String
  var summary: String
  /// The text after `tierline NAME` in the usage line, such as `ACCOUNT [--at T]`.
  var usage: String
  var options: [OptionSpec]
  /// The names of the positional arguments, in order.
  var positionals: [String]
  /// How many positional arguments must be present.
  var requiredPositionals: Int
  /// Further lines for `--help`.
  var details: String = ""
  /// Whether the command reads or writes a ledger, so that `--store` applies.
  var usesStore = true
  /// The actions, each named `NAME ACTION` (such as `rules diff`). When there are any,
  /// the first argument names the action, and the other arguments are parsed against
  /// that action's spec. `options` then only lists every action's options for
  /// `tierline NAME --help`.
  var subcommands: [CommandSpec] = []

  /// Returns the spec of the action `action`, such as the `rules diff` spec for `diff`.
  func subcommand(named action: String) -> CommandSpec? {
    subcommands.first { $0.name == "\(name) \(action)" }
  }

  /// The names of the actions, such as `diff` for the `rules diff` spec.
  var actionNames: [String] {
    subcommands.map { String($0.name.dropFirst(name.count + 1)) }
  }

  /// The names of the actions as a list, such as `activate, list, show or diff`.
  var actionList: String { listed(actionNames) }

  /// The `--help` text.
  var helpText: String {
    let store = usesStore ? "[--store DIR] " : ""
    var text = "Usage: tierline \(store)\(name) \(usage)\n\n\(summary)\n"
    if !details.isEmpty { text += "\n\(details)\n" }
    text += "\nOptions:\n"
    let rows =
      options.map { option in
        ("--\(option.name)" + (option.valueName.map { " \($0)" } ?? ""), option.help)
      }
      + (usesStore
        ? [("--store DIR", "ledger directory (default: $TIERLINE_STORE, else ./tierline.ledger)")]
        : []) + [("--help", "show this help")]
    let width = rows.map(\.0.count).max() ?? 0
    for (left, right) in rows {
      text += "  " + left + String(repeating: " ", count: width - left.count + 2) + right + "\n"
    }
    return text
  }
}

/// Arguments after parsing against a `CommandSpec`.
struct ParsedArguments {
  var values: [String: String] = [:]
  var flags: Set<String> = []
  var positionals: [String] = []
  var helpRequested = false
  /// The action of a command with actions, such as `diff` for `rules diff`. Nil for
  /// other commands, and for `tierline rules --help`.
  var action: String?

  /// Returns the value of an option, or nil when it was not given.
  func value(_ name: String) -> String? { values[name] }

  /// Returns whether a flag was given.
  func flag(_ name: String) -> Bool { flags.contains(name) }
}

/// A command-line usage error; the command exits with 64.
struct UsageError: Error {
  var message: String
  init(_ message: String) { self.message = message }
}

/// Parses `--name value`, `--name=value`, flags and positionals; `--` ends the options
/// and a lone `-` is a positional (standard input).
func parseArguments(_ arguments: ArraySlice<String>, for spec: CommandSpec) throws(UsageError)
  -> ParsedArguments
{
  do {
    return try parseCommandArguments(arguments, for: spec)
  } catch {
    // A request for help wins over a mistake elsewhere on the line, such as a misspelt
    // option, since the help shows how to fix it. `-h` may be an option's value, so only
    // `--help` before `--` counts.
    guard arguments.prefix(while: { $0 != "--" }).contains("--help") else { throw error }
    var help = ParsedArguments(helpRequested: true)
    // An unknown action stays an error, because no action's help can be printed for it.
    if !spec.subcommands.isEmpty {
      guard let action = arguments.first(where: { spec.subcommand(named: $0) != nil }) else {
        throw error
      }
      help.action = action
    }
    return help
  }
}

/// Parses the arguments as `parseArguments` does, without its fallback to help.
private func parseCommandArguments(_ arguments: ArraySlice<String>, for spec: CommandSpec)
  throws(UsageError) -> ParsedArguments
{
  if !spec.subcommands.isEmpty { return try parseActionArguments(arguments, for: spec) }
  var parsed = ParsedArguments()
  // A command that reads no ledger, such as `generate`, rejects --store after its name.
  let known =
    spec.options + (spec.usesStore ? [OptionSpec(name: "store", valueName: "DIR", help: "")] : [])
  var index = arguments.startIndex
  var optionsEnded = false
  // The number of positional arguments before `--`, when it was given.
  var positionalsBeforeEnd: Int?
  // The options with a value, in command-line order, for checking the values after the
  // loop.
  var givenValues: [(option: OptionSpec, value: String)] = []
  while index < arguments.endIndex {
    let argument = arguments[index]
    index += 1
    if argument == "-h", !optionsEnded {
      parsed.helpRequested = true
      continue
    }
    if optionsEnded || !argument.hasPrefix("--") {
      if isOption(argument) && !optionsEnded {
        // Every option is long, so `-json` most likely means `--json`.
        throw UsageError(
          unknownOptionMessage(
            visibleText(argument), for: spec,
            closest: optionSuggestions(optionName(argument), spec)))
      }
      parsed.positionals.append(argument)
      continue
    }
    if argument == "--" {
      optionsEnded = true
      positionalsBeforeEnd = parsed.positionals.count
      continue
    }
    if argument == "--help" {
      parsed.helpRequested = true
      continue
    }
    var name = String(argument.dropFirst(2))
    var inlineValue: String?
    if let equals = name.firstIndex(of: "=") {
      inlineValue = String(name[name.index(after: equals)...])
      name = String(name[..<equals])
    }
    if name == "help" { throw UsageError("option --help takes no value") }
    if name == "store", !spec.usesStore {
      throw UsageError(
        "option --store does not apply to \(spec.name), which reads no ledger; see "
          + "`tierline \(spec.name) --help`")
    }
    guard let option = known.first(where: { $0.name == name }) else {
      // `why` names its valid time --at, `due` its date --on and the other commands
      // --as-of, so a user who mixes them up, or misspells another command's name, gets
      // this command's name. A misspelling of this command's own name gets the usual
      // suggestion below.
      let validTimeNames = ["as-of", "at", "on"]
      if let meant = suggestedNames(for: name, among: validTimeNames, minimumPrefix: 3).first,
        !known.contains(where: { $0.name == meant }),
        let validTime = validTimeNames.first(where: { name in
          known.contains { $0.name == name }
        })
      {
        let meaning = validTime == "on" ? "date" : "valid time"
        throw UsageError(
          "unknown option --\(visibleText(name)) for \(spec.name); \(spec.name) takes the "
            + "\(meaning) as --\(validTime)")
      }
      // An empty name, as in `--=x`, is shown with its value, so that it does not read as
      // the `--` that ends the options.
      let displayed = name.isEmpty ? visibleText(argument) : "--" + visibleText(name)
      throw UsageError(
        unknownOptionMessage(displayed, for: spec, closest: optionSuggestions(name, spec)))
    }
    if option.valueName == nil {
      guard inlineValue == nil else { throw UsageError("option --\(name) takes no value") }
      parsed.flags.insert(name)
      continue
    }
    guard parsed.values[name] == nil else {
      throw UsageError("option --\(name) is given twice; give it once")
    }
    if let inlineValue {
      parsed.values[name] = inlineValue
      givenValues.append((option, inlineValue))
    } else {
      // The next argument is another option when it looks like one; a value that starts
      // with `--` can still be given as --name=VALUE.
      guard index < arguments.endIndex, !arguments[index].hasPrefix("--") else {
        throw UsageError("option --\(name) needs a value (\(option.valueName ?? "VALUE"))")
      }
      parsed.values[name] = arguments[index]
      givenValues.append((option, arguments[index]))
      index += 1
    }
  }
  if parsed.helpRequested { return parsed }
  // A value typed with a space, as in `--as-of June 2025`, leaves a stray positional
  // argument (2025). The invalid value is the mistake to report, so it comes first.
  for (option, value) in givenValues {
    try option.validate?(value, option.name)
  }
  guard parsed.positionals.count >= spec.requiredPositionals else {
    let missing = spec.positionals[parsed.positionals.count]
    throw UsageError(
      "missing \(missing) for \(spec.name); usage: tierline \(spec.name) \(spec.usage)")
  }
  guard parsed.positionals.count <= spec.positionals.count else {
    let unexpected = parsed.positionals[spec.positionals.count]
    // An option given after `--` arrives here as an argument, so the message gives the reason.
    if let positionalsBeforeEnd, spec.positionals.count >= positionalsBeforeEnd,
      unexpected.hasPrefix("-"), unexpected != "-", unexpected != "--"
    {
      throw UsageError(
        "unexpected argument \(shortened(visibleText(unexpected))) for \(spec.name): options "
          + "must come before `--`, which ends them")
    }
    throw UsageError(
      "unexpected argument \(shortened(visibleText(unexpected))) for \(spec.name); usage: "
        + "tierline \(spec.name) \(spec.usage)")
  }
  return parsed
}

/// Parses the arguments of a command with actions, such as `rules`. The action comes
/// first, after any --store and --help, or right after `--`. Every other argument is
/// parsed against the action's own spec, so an option of another action is a usage error.
private func parseActionArguments(_ arguments: ArraySlice<String>, for spec: CommandSpec)
  throws(UsageError) -> ParsedArguments
{
  var index = arguments.startIndex
  var optionsEnded = false
  while index < arguments.endIndex {
    let argument = arguments[index]
    if argument == "--store" {
      guard index + 1 < arguments.endIndex, !isOption(arguments[index + 1]) else {
        throw UsageError("option --store needs a value (DIR)")
      }
      index += 2
    } else if argument.hasPrefix("--store=") || argument == "--help" || argument == "-h" {
      index += 1
    } else if argument == "--" {
      // The `--` stays among the arguments passed on, where it still ends the options.
      optionsEnded = true
      index += 1
      break
    } else {
      break
    }
  }

  // Help without an action is the help of the whole command.
  let helpRequested = arguments.contains("--help") || arguments.contains("-h")
  guard index < arguments.endIndex else {
    if helpRequested { return ParsedArguments(helpRequested: true) }
    throw UsageError(
      "missing ACTION for \(spec.name); usage: tierline \(spec.name) \(spec.usage)")
  }

  let action = arguments[index]
  if isOption(action), !optionsEnded {
    if helpRequested { return ParsedArguments(helpRequested: true) }
    try rejectOptionBeforeAction(action, for: spec)
  }
  guard let actionSpec = spec.subcommand(named: action) else {
    if let closest = suggestedNames(for: action, among: spec.actionNames).first {
      throw UsageError(
        "unknown \(spec.name) action (\(visibleText(action))): did you mean `\(closest)`? "
          + "Use \(spec.actionList)")
    }
    throw UsageError(
      "unknown \(spec.name) action (\(visibleText(action))): use \(spec.actionList)")
  }

  var parsed = try parseArguments(
    arguments[..<index] + arguments[(index + 1)...], for: actionSpec)
  parsed.action = action
  return parsed
}

/// Returns whether `argument` reads as an option: it starts with `-` and is not `-`, which
/// names standard input.
func isOption(_ argument: String) -> Bool {
  argument.hasPrefix("-") && argument != "-"
}

/// Throws the error for `option`, given before the action of `spec`, such as `rules`.
/// An option that some actions take names those actions; any other gets the closest
/// option names of every action.
private func rejectOptionBeforeAction(_ option: String, for spec: CommandSpec)
  throws(UsageError) -> Never
{
  let name = optionName(option)
  if name == "help" { throw UsageError("option --help takes no value") }
  let actions = zip(spec.actionNames, spec.subcommands)
    .filter { _, action in action.options.contains { $0.name == name } }.map(\.0)
  if option.hasPrefix("--"), !actions.isEmpty {
    let displayed = shortened(visibleText(option))
    throw UsageError(
      "option \(displayed) comes before the \(spec.name) action; give the action first, as in "
        + "`tierline \(spec.name) ACTION \(displayed)`, with ACTION \(actions.count == 1 ? "" : "one of ")"
        + listed(actions))
  }
  let names =
    Set(spec.subcommands.flatMap { $0.options.map(\.name) }).sorted() + [
      "help", "store",
    ]
  let closest = suggestedNames(for: name, among: names, minimumPrefix: 3).map { "`--\($0)`" }
  throw UsageError(unknownOptionMessage(visibleText(option), for: spec, closest: closest))
}

/// Returns the name of the option `argument`, without its leading dashes and its
/// `=value`.
func optionName(_ argument: String) -> String {
  String(argument.drop { $0 == "-" }.prefix { $0 != "=" })
}

/// Returns `items` as a list such as `a, b or c`.
func listed(_ items: [String]) -> String {
  guard let last = items.last, items.count > 1 else { return items.last ?? "" }
  return items.dropLast().joined(separator: ", ") + " or " + last
}

/// Returns `text` cut to its first 100 characters, with an ellipsis, when longer, so that
/// a long argument does not fill the terminal.
private func shortened(_ text: String) -> String {
  text.count > 100 ? String(text.prefix(100)) + "…" : text
}

/// Returns the options of `spec` that `typed`, an option name without dashes, most likely
/// misspells, as `--name` in backquotes. `--help` is among them, and `--store` only for
/// a command that reads a ledger.
private func optionSuggestions(_ typed: String, _ spec: CommandSpec) -> [String] {
  let names = spec.options.map(\.name) + ["help"] + (spec.usesStore ? ["store"] : [])
  return suggestedNames(for: typed, among: names, minimumPrefix: 3).map { "`--\($0)`" }
}

/// Returns the message for an unknown option, shown as `option`, with the closest option
/// names when there are any.
private func unknownOptionMessage(_ option: String, for spec: CommandSpec, closest: [String])
  -> String
{
  let option = shortened(option)
  guard !closest.isEmpty else {
    return "unknown option \(option) for \(spec.name); see `tierline \(spec.name) --help`"
  }
  return "unknown option \(option) for \(spec.name): did you mean \(listed(closest))? See "
    + "`tierline \(spec.name) --help`"
}
