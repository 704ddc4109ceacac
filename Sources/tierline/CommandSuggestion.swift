import TierlineEvents

/// Returns the error message for `typed`, a command name that is not in `commandNames`,
/// with the closest command names when there are any.
func unknownCommandMessage(_ typed: String, commandNames: [String]) -> String {
  let name = visibleText(typed)
  let quoted = suggestedNames(for: typed, among: commandNames).map { "`\($0)`" }
  guard !quoted.isEmpty else {
    return "unknown command (\(name)): run `tierline --help` for the list of commands"
  }
  return "unknown command (\(name)): did you mean \(listed(quoted))? Run `tierline --help` "
    + "for the list of commands"
}
