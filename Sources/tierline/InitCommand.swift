import Foundation
import TierlineEvents
import TierlineLedger
import TierlinePlaybook

/// `tierline init`: creates a ledger and activates its first playbook.
enum InitCommand: Command {
  static let spec = CommandSpec(
    name: "init",
    summary: "Create a ledger, with the built-in playbook or the one given.",
    usage: "[--playbook FILE] [--effective T] [--json]",
    options: [
      OptionSpec(name: "playbook", valueName: "FILE", help: "playbook JSON to activate first"),
      OptionSpec(
        name: "effective", valueName: "T",
        help: "valid time from which the playbook applies (default: the beginning of time)",
        validate: validateTimeOption),
      OptionSpec(name: "json", valueName: nil, help: "print the result as JSON"),
    ],
    positionals: [],
    requiredPositionals: 0,
    details: """
      Without --playbook the built-in default applies: tiers starter ($6,000), growth
      ($18,000) and scale ($36,000) ACV in USD. See docs/rules.md for the file format.
      The ledger directory (--store) is created with any missing parent directories; an
      existing one must be empty. A symbolic link to an existing directory puts the
      ledger in that directory, and a link to a missing path is rejected.
      """)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let playbook: Playbook
    if let path = arguments.value("playbook") {
      playbook = try loadPlaybook(path, purpose: "playbook")
    } else {
      playbook = Playbook.builtInDefault
    }
    let effective = try arguments.value("effective").map {
      try parseTimeOption($0, option: "effective")
    }
    try checkNoDanglingLink(context.storeDirectory)
    try checkNewOrEmptyDirectory(context.storeDirectory)
    _ = try Ledger.create(
      directory: context.storeDirectory, playbook: playbook, effectiveAt: effective ?? .minimum)
    if let effective {
      try noteBareEffectiveDate(arguments.value("effective"), effective: effective)
    }
    if arguments.flag("json") {
      context.output.jsonLine(
        "{\"store\":\(jsonQuoted(context.storeDirectory)),"
          + "\"rules_version\":\(jsonQuoted(playbook.version))}")
    } else {
      context.output.line(
        "Created a ledger at \(context.storeDirectory) with rules \(playbook.version) "
          + "(\(printable(playbook.name))).")
    }
  }

  /// Rejects a ledger path through a symbolic link to a missing path. The store would
  /// otherwise report only "No such file or directory" for the link.
  static func checkNoDanglingLink(_ directory: String) throws(CommandFailure) {
    guard let dangling = danglingSymbolicLink(in: directory) else { return }
    var trimmed = Substring(directory)
    while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    let subject =
      dangling.link == trimmed
      ? "ledger directory \(directory) is"
      : "ledger directory \(directory) cannot be created because \(dangling.link) is"
    throw CommandFailure(
      message: "\(subject) a symbolic link to a missing path (\(dangling.target)): create "
        + "that directory first, or name another --store",
      exitCode: .failure)
  }

  /// Rejects a ledger path that is a file, or a directory with other files and no
  /// `data.mdb`.
  ///
  /// `Ledger.create` makes the same checks, but its messages use "folder" where the
  /// help of --store uses "directory". A directory with `data.mdb` is left to
  /// `Ledger.create`, which distinguishes an existing ledger from an interrupted creation.
  static func checkNewOrEmptyDirectory(_ directory: String) throws(CommandFailure) {
    let files = FileManager.default
    var isDirectory: ObjCBool = false
    guard files.fileExists(atPath: directory, isDirectory: &isDirectory) else { return }
    guard isDirectory.boolValue else {
      throw CommandFailure(
        message: "\(directory) is a file, not a directory: name a new or empty directory for "
          + "the ledger with --store or TIERLINE_STORE",
        exitCode: .failure)
    }
    let contents = (try? files.contentsOfDirectory(atPath: directory)) ?? []
    guard !contents.contains("data.mdb") else { return }
    // An interrupted creation can leave lock.mdb alone, which `Ledger.create` accepts.
    let others = contents.filter { $0 != "lock.mdb" }.sorted()
    guard let first = others.first else { return }
    let more = others.count > 1 ? " and \(others.count - 1) more" : ""
    throw CommandFailure(
      message: "\(directory) is not empty (it contains \(first)\(more)): create the ledger in "
        + "a new or empty directory",
      exitCode: .failure)
  }
}
