#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TierlineEvents
import TierlineLedger

/// Everything a command needs besides its own arguments.
struct CommandContext {
  /// The ledger directory chosen by --store, $TIERLINE_STORE or the default.
  var storeDirectory: String
  var output: StandardOutput
}

/// A subcommand of `tierline`.
protocol Command {
  static var spec: CommandSpec { get }
  static func run(_ arguments: ParsedArguments, context: CommandContext) throws
}

let commands: [any Command.Type] = [
  InitCommand.self, AppendCommand.self, ReplayCommand.self, WhyCommand.self,
  DueCommand.self, LogCommand.self, GenerateCommand.self, VerifyCommand.self,
  ImportCommand.self,
  MetricsCommand.self, RulesCommand.self, MissedCommand.self, ReportCommand.self,
  BackupCommand.self, CompactCommand.self,
]

let generalHelp = """
  Usage: tierline [--store DIR] <command> [options]

  Tierline is an event-sourced account ledger for land-and-expand SaaS. Every landing,
  usage record, milestone, check-in, tier change, organizational change and offer is an
  immutable event; every answer is a fold of that log at a point in time.

  Commands:
  \(commands.map { "  " + $0.spec.name.padding(10) + $0.spec.summary }.joined(separator: "\n"))

  The ledger directory is --store DIR, else $TIERLINE_STORE, else ./tierline.ledger.
  Run `tierline <command> --help` for a command's options, `tierline --version` for the version.
  Exit codes: 0 ok, 1 failure, 64 bad usage, 65 invalid input data, 75 conflict (retry).
  """

extension String {
  fileprivate func padding(_ width: Int) -> String {
    self + String(repeating: " ", count: max(1, width - count))
  }
}

@MainActor
func runMain() -> ExitCode {
  // This runs before anything opens a ledger's files, which could take a closed number.
  if let (name, reason) = openClosedStandardDescriptors() {
    printError(
      "\(name) is closed, and /dev/null cannot be opened in its place: \(reason); run "
        + "tierline with \(name) open")
    return .failure
  }
  keepFreedMemoryForReuse()
  var arguments = Array(CommandLine.arguments.dropFirst())
  var store = getenv("TIERLINE_STORE").map { String(cString: $0) } ?? ""
  if store.isEmpty { store = "tierline.ledger" }
  let output = StandardOutput()
  defer { output.flush() }
  // A closed pipe (`tierline replay | head`) ends the command quietly with status 0
  // instead of killing it with SIGPIPE; StandardOutput handles the failed write.
  signal(SIGPIPE, SIG_IGN)
  // A write that starts at the file size limit (`ulimit -f`) raises SIGXFSZ, which would
  // end the process without a message. Ignored, the write fails and the store names the
  // limit.
  signal(SIGXFSZ, SIG_IGN)

  // `CommandLine.arguments` repairs invalid UTF-8 with U+FFFD, which would turn a mistyped
  // account id into another account's, so the raw bytes are checked first.
  for index in 1..<Int(CommandLine.argc) {
    guard let raw = CommandLine.unsafeArgv[index],
      String(validatingCString: raw) == nil
    else { continue }
    printError("argument \(index) is not valid UTF-8: pass ids, paths and times as UTF-8 text")
    return .usage
  }

  // The global --store may come before the command; commands also accept it after. It
  // may be given once: with two directories, which one a write goes to would be a guess.
  var storeGiven = false
  while let first = arguments.first, first == "--store" || first.hasPrefix("--store=") {
    guard !storeGiven else {
      printError("option --store is given twice; give it once")
      return .usage
    }
    storeGiven = true
    if first == "--store", arguments.count >= 2, !isOption(arguments[1]) {
      store = arguments[1]
      arguments.removeFirst(2)
    } else if first.hasPrefix("--store=") {
      store = String(first.dropFirst("--store=".count))
      arguments.removeFirst()
    } else {
      printError("option --store needs a value (DIR)")
      return .usage
    }
  }

  guard let name = arguments.first else {
    printError("missing command: choose one of the commands below")
    writeToStandardError(generalHelp + "\n")
    return .usage
  }
  if name == "--help" || name == "-h" || name == "help" {
    output.line(generalHelp)
    return .success
  }
  if name == "--version" {
    output.line("tierline \(tierlineVersion)")
    return .success
  }
  if name.hasPrefix("--help=") || name.hasPrefix("--version=") {
    printError("option \(name.prefix { $0 != "=" }) takes no value")
    return .usage
  }
  if isOption(name) {
    // Before the command, only --store, --help and --version are options.
    let closest = suggestedNames(
      for: optionName(name), among: ["store", "help", "version"], minimumPrefix: 3
    ).first
    printError(
      "unknown option \(visibleText(name)) before the command"
        + (closest.map { ": did you mean `--\($0)`? Run" } ?? "; run")
        + " `tierline --help` for the options and commands")
    return .usage
  }
  guard let command = commands.first(where: { $0.spec.name == name }) else {
    printError(unknownCommandMessage(name, commandNames: commands.map { $0.spec.name }))
    return .usage
  }

  do {
    let parsed = try parseArguments(arguments.dropFirst(), for: command.spec)
    if parsed.helpRequested {
      let helpSpec = parsed.action.flatMap(command.spec.subcommand(named:)) ?? command.spec
      output.write(helpSpec.helpText)
      return .success
    }
    if let storeOption = parsed.value("store") {
      guard !storeGiven else {
        printError("option --store is given twice; give it once")
        return .usage
      }
      store = storeOption
    }
    guard !store.isEmpty else {
      throw UsageError("option --store needs a directory, not an empty value")
    }
    try command.run(parsed, context: CommandContext(storeDirectory: store, output: output))
    return .success
  } catch let error as UsageError {
    output.flush()
    printError(error.message)
    return .usage
  } catch let error as LedgerError {
    output.flush()
    printError(error.message)
    return error.exitCode
  } catch let error as CommandFailure {
    output.flush()
    printError(error.message)
    return error.exitCode
  } catch {
    output.flush()
    printError("\(error)")
    return .failure
  }
}

/// The version printed by `tierline --version`.
let tierlineVersion = "0.1.0"

exit(runMain().rawValue)
