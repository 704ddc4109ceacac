import TierlineEvents

/// Returns the error message for `name`, a command name that is not in `commandNames`,
/// with the closest command names when there are any.
func unknownCommandMessage(_ typed: String, commandNames: [String]) -> String {
  let name = visibleText(typed)
  let quoted = suggestedNames(for: typed, among: commandNames).map { "`\($0)`" }
  guard let last = quoted.last else {
    return "unknown command (\(name)): run `tierline --help` for the list of commands"
  }
  let choices = quoted.count == 1 ? last : quoted.dropLast().joined(separator: ", ") + " or " + last
  return "unknown command (\(name)): did you mean \(choices)? Run `tierline --help` for the "
    + "list of commands"
}
