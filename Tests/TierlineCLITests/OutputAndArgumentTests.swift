import Foundation
import Testing

/// Runs `command` with /bin/sh, so that it can redirect output and pass raw bytes.
private func shell(_ command: String) throws -> ProcessResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/sh")
  process.arguments = ["-c", command]
  process.environment = ["TIERLINE": Tierline.binary.path, "PATH": "/usr/bin:/bin"]
  let output = Pipe()
  let error = Pipe()
  process.standardOutput = output
  process.standardError = error
  try process.run()
  let outputData = output.fileHandleForReading.readDataToEndOfFile()
  let errorData = error.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return ProcessResult(
    status: process.terminationStatus,
    standardOutput: String(decoding: outputData, as: UTF8.self),
    standardError: String(decoding: errorData, as: UTF8.self))
}

@Suite("tierline output and arguments")
struct OutputAndArgumentTests {
  @Test("closed descriptors leave the ledger alone")
  func closedDescriptors() throws {
    let directory = try TemporaryDirectory()
    let store = try Tierline.initializedStore(in: directory)
    let lock = URL(fileURLWithPath: store).appendingPathComponent("lock.mdb").path
    let lockBytes = try #require(
      try FileManager.default.attributesOfItem(atPath: lock)[.size] as? Int)

    // The account has no landing, so the append writes a warning. The replay writes a note
    // for its future --known-at. With standard error closed, both must go nowhere.
    let line =
      #"{"id":"u1","type":"usage.recorded","account":"solo","occurred_at":"2024-01-01T00:00:00Z","#
      + #""data":{"metric":"seats","quantity":1}}"#
    let replay = "\"$TIERLINE\" --store '\(store)' replay --known-at 9999-12-31"
    for (command, redirects, status) in [
      ("printf '%s\\n' '\(line)' | \"$TIERLINE\" --store '\(store)' append -", "2>&-", 0),
      (replay, "2>&-", 0),
      (replay, "<&- 2>&-", 0),
      // Output still fails to be written, as on a closed descriptor.
      (replay, ">&-", 1),
      (replay, "<&- >&- 2>&-", 1),
    ] as [(String, String, Int32)] {
      let result = try shell("\(command) \(redirects)")
      #expect(result.status == status, "\(command) \(redirects): \(result.standardError)")
      let size = try FileManager.default.attributesOfItem(atPath: lock)[.size] as? Int
      #expect(size == lockBytes, "\(command) \(redirects)")
    }

    let closedOutput = try shell("\(replay) >&-")
    #expect(
      closedOutput.standardError.contains("could not write standard output"),
      "\(closedOutput.standardError)")

    let verify = try Tierline.run(["--store", store, "verify"])
    #expect(verify.status == 0, "\(verify.standardError)")
    let projection = try Tierline.run(
      ["--store", store, "replay", "--json", "--account", "solo"])
    #expect(projection.status == 0, "\(projection.standardError)")
  }

  @Test("write failure exits 1")
  func writeFailure() throws {
    let full = try shell(#""$TIERLINE" generate --accounts 50 --seed 1 > /dev/full"#)
    #expect(full.status == 1)
    #expect(full.standardError.contains("could not write standard output"))
    #expect(full.standardError.contains("incomplete"))

    // A report file on a full device names the system's reason.
    let directory = try TemporaryDirectory()
    let store = try Tierline.initializedStore(in: directory)
    let report = try Tierline.run(["--store", store, "report", "--html", "/dev/full"])
    #expect(report.status == 1)
    #expect(report.standardError.contains("(/dev/full): No space left on device"))

    // A reader that goes away still ends the command quietly.
    let closed = try shell(#""$TIERLINE" generate --accounts 50 --seed 1 | head -n 1"#)
    #expect(closed.status == 0)
    #expect(closed.lines.count == 1)
  }

  @Test("init makes missing parent directories")
  func initMakesParents() throws {
    let help = try Tierline.run(["init", "--help"])
    #expect(
      help.standardOutput.contains("is created with any missing parent directories;"),
      "\(help.standardOutput)")

    let directory = try TemporaryDirectory()
    let store = directory.path("a/b/ledger")
    let created = try Tierline.run(["--store", store, "init"])
    #expect(created.status == 0, "\(created.standardError)")
    #expect(FileManager.default.fileExists(atPath: store + "/data.mdb"))

    // A file in the way is still an error that names the path.
    let blocked = directory.path("file/ledger")
    #expect(FileManager.default.createFile(atPath: directory.path("file"), contents: Data()))
    let failed = try Tierline.run(["--store", blocked, "init"])
    #expect(failed.status != 0)
    #expect(failed.standardError.contains("file"), "\(failed.standardError)")
  }

  /// Creates `link`, a symbolic link to the missing path `missing`, and `chained`, a link
  /// to `link`, in `directory`.
  func danglingLinks(in directory: TemporaryDirectory) throws
    -> (missing: String, link: String, chained: String)
  {
    let missing = directory.path("missing")
    let link = directory.path("link")
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: missing)
    let chained = directory.path("chained")
    try FileManager.default.createSymbolicLink(atPath: chained, withDestinationPath: link)
    return (missing, link, chained)
  }

  @Test("init through a dangling symbolic link")
  func initThroughDanglingLink() throws {
    let directory = try TemporaryDirectory()
    let files = FileManager.default
    // A link to another link names the path at the end of the chain.
    let (missing, link, chainedLink) = try danglingLinks(in: directory)
    // A relative target is resolved from the link's directory.
    let relativeLink = directory.path("relative")
    try files.createSymbolicLink(atPath: relativeLink, withDestinationPath: "missing")
    let before = try files.contentsOfDirectory(atPath: directory.path("")).sorted()

    for store in [link, link + "/", relativeLink, chainedLink] {
      let result = try Tierline.run(["--store", store, "init"])
      #expect(result.status == 1, "\(store)")
      #expect(
        result.standardError
          == "error: ledger directory \(store) is a symbolic link to a missing path "
          + "(\(missing)): create that directory first, or name another --store\n")
    }

    // A link among the parent folders is named as well.
    let nested = try Tierline.run(["--store", link + "/ledger", "init"])
    #expect(nested.status == 1)
    #expect(
      nested.standardError.contains(
        "ledger directory \(link)/ledger cannot be created because \(link) is a symbolic link "
          + "to a missing path (\(missing))"),
      "\(nested.standardError)")

    // Nothing was created, and the links are unchanged.
    #expect(!files.fileExists(atPath: missing))
    #expect(try files.contentsOfDirectory(atPath: directory.path("")).sorted() == before)
    #expect(try files.destinationOfSymbolicLink(atPath: link) == missing)

    // A link to an existing empty folder still gets the ledger in that folder.
    let folder = directory.path("folder")
    try files.createDirectory(atPath: folder, withIntermediateDirectories: false)
    let folderLink = directory.path("folder-link")
    try files.createSymbolicLink(atPath: folderLink, withDestinationPath: folder)
    let created = try Tierline.run(["--store", folderLink, "init"])
    #expect(created.status == 0, "\(created.standardError)")
    #expect(files.fileExists(atPath: folder + "/data.mdb"))
    #expect(try files.destinationOfSymbolicLink(atPath: folderLink) == folder)
    let replay = try Tierline.run(["--store", folderLink, "replay", "--json"])
    #expect(replay.status == 0, "\(replay.standardError)")
  }

  @Test("verify rules without projections")
  func verifyRulesWithoutProjections() throws {
    let directory = try TemporaryDirectory()
    let store = directory.path("ledger")
    let created = try Tierline.run(["--store", store, "init"])
    #expect(created.status == 0, "\(created.standardError)")
    // The check comes before the file is read, so the file need not exist.
    let playbook = directory.path("candidate.json")
    let result = try Tierline.run(["--store", store, "verify", "--rules", playbook])
    #expect(result.status == 64, "\(result.standardError)")
    #expect(
      result.standardError.contains("--rules applies only with --projections"),
      "\(result.standardError)")
    let plain = try Tierline.run(["--store", store, "verify"])
    #expect(plain.status == 0, "\(plain.standardError)")
  }

  @Test("missing ledger behind a dangling link")
  func missingLedgerBehindDanglingLink() throws {
    let directory = try TemporaryDirectory()
    let (missing, link, chainedLink) = try danglingLinks(in: directory)

    let commands = [
      ["replay"], ["metrics"], ["missed"], ["rules", "list"], ["verify"], ["log", "a"],
      ["due", "--on", "2024-06-01"], ["why", "a"], ["append", "-"],
      ["backup", directory.path("backup")],
    ]
    // The link is the store, a link to that link, or a parent of the store.
    let stores = [(link, link), (chainedLink, chainedLink), (link + "/ledger", link)]
    for (store, named) in stores {
      for command in commands {
        let result = try Tierline.run(["--store", store] + command, input: "")
        #expect(result.status == 1, "\(store) \(command)")
        #expect(
          result.standardError
            == "error: no ledger at \(store): \(named) is a symbolic link to a missing path "
            + "(\(missing)); create that directory and run `tierline init`, or name another "
            + "--store\n",
          "\(store) \(command)")
      }
    }
    #expect(!FileManager.default.fileExists(atPath: missing))

    // A missing path without a link keeps the plain message.
    let absent = directory.path("absent")
    let plain = try Tierline.run(["--store", absent, "replay"])
    #expect(plain.status == 1)
    #expect(
      plain.standardError
        == "error: no ledger at \(absent): create one with `tierline init`, or name another "
        + "with --store or TIERLINE_STORE\n")
  }

  @Test("init rejects a file or non-empty directory")
  func initRejectsOtherFiles() throws {
    let directory = try TemporaryDirectory()
    let folder = directory.path("notes")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    #expect(FileManager.default.createFile(atPath: folder + "/todo.txt", contents: Data()))
    let rejected = try Tierline.run(["--store", folder, "init"])
    #expect(rejected.status == 1)
    #expect(
      rejected.standardError
        == "error: \(folder) is not empty (it contains todo.txt): create the ledger in a new "
        + "or empty directory\n")
    #expect(!FileManager.default.fileExists(atPath: folder + "/data.mdb"))

    #expect(FileManager.default.createFile(atPath: folder + "/notes.txt", contents: Data()))
    let two = try Tierline.run(["--store", folder, "init"])
    #expect(two.status == 1)
    #expect(two.standardError.contains("(it contains notes.txt and 1 more)"))

    // A file in place of the directory gets its own message.
    let file = folder + "/todo.txt"
    let onFile = try Tierline.run(["--store", file, "init"])
    #expect(onFile.status == 1)
    #expect(
      onFile.standardError
        == "error: \(file) is a file, not a directory: name a new or empty directory for the "
        + "ledger with --store or TIERLINE_STORE\n")

    // An existing ledger is still reported as one.
    let store = try Tierline.initializedStore(in: directory)
    let again = try Tierline.run(["--store", store, "init"])
    #expect(again.status == 1)
    #expect(again.standardError.contains("a ledger already exists at \(store)"))
  }

  @Test("misspelled command gets suggestion")
  func misspelledCommandSuggestion() throws {
    let suggested = [
      ("replya", "replay"), ("REPLAY", "replay"), ("rulse", "rules"), ("lgo", "log"),
      ("mterics", "metrics"), ("improt", "import"), ("reprot", "report"),
      // A unique prefix.
      ("gen", "generate"), ("w", "why"),
    ]
    for (typed, command) in suggested {
      let result = try Tierline.run([typed])
      #expect(result.status == 64, "\(typed)")
      #expect(
        result.standardError
          == "error: unknown command (\(typed)): did you mean `\(command)`? Run "
          + "`tierline --help` for the list of commands\n",
        "\(typed)")
    }

    // Two commands at the same distance are both named.
    let tie = try Tierline.run(["rmport"])
    #expect(tie.status == 64)
    #expect(
      tie.standardError
        == "error: unknown command (rmport): did you mean `import` or `report`? Run "
        + "`tierline --help` for the list of commands\n")

    // Nothing close, or a prefix of several commands (replay, report).
    for typed in ["foo", "xyz", "rep", "bogus"] {
      let result = try Tierline.run([typed])
      #expect(result.status == 64, "\(typed)")
      #expect(
        result.standardError
          == "error: unknown command (\(typed)): run `tierline --help` for the list of "
          + "commands\n",
        "\(typed)")
    }
  }

  @Test("-h prints help like --help")
  func shortHelp() throws {
    for arguments in [["replay"], ["rules"], ["rules", "diff"], ["append"]] {
      let short = try Tierline.run(arguments + ["-h"])
      let long = try Tierline.run(arguments + ["--help"])
      #expect(short.status == 0, "\(arguments): \(short.standardError)")
      #expect(short.standardOutput.hasPrefix("Usage: tierline"), "\(arguments)")
      #expect(short.standardOutput == long.standardOutput, "\(arguments)")
    }
    // --help wins over a mistake elsewhere on the line.
    for (arguments, usage) in [
      (["replay", "--help", "--bogus"], "replay"),
      (["rules", "diff", "--bogus", "--help"], "rules diff"),
    ] {
      let result = try Tierline.run(arguments)
      #expect(result.status == 0, "\(arguments): \(result.standardError)")
      #expect(result.standardOutput.hasPrefix("Usage: tierline [--store DIR] \(usage) "))
    }

    // Before the action, -h prints the action's help, as --help does.
    let before = try Tierline.run(["rules", "-h", "list"])
    #expect(before.status == 0)
    #expect(
      before.standardOutput == (try Tierline.run(["rules", "--help", "list"])).standardOutput)
    #expect(before.standardOutput.hasPrefix("Usage: tierline [--store DIR] rules list"))
  }

  @Test("misspelled option gets suggestion")
  func misspelledOptionSuggestion() throws {
    let option = "unknown option "
    let cases = [
      (["append", "--no-merg"], option + "--no-merg for append: did you mean `--no-merge`?"),
      (["replay", "--as-f", "2025-01-01"], option + "--as-f for replay: did you mean `--as-of`?"),
      (["replay", "--jsno"], option + "--jsno for replay: did you mean `--json`?"),
      // A unique prefix of three letters or more.
      (["append", "--bat", "5"], option + "--bat for append: did you mean `--batch-size`?"),
      (["append", "--hlep"], option + "--hlep for append: did you mean `--help`?"),
      (["append", "-json"], option + "-json for append: did you mean `--json`?"),
      // An invisible character is shown escaped, so the two names do not look alike.
      (
        ["append", "--json\u{200B}"],
        option + "--json\\u{200B} for append: did you mean `--json`?"
      ),
      (["rules", "--stor", "x", "list"], option + "--stor for rules: did you mean `--store`?"),
      (["why", "a", "--asof", "2024-01-01"], option + "--asof for why; why takes the "),
      (["rules", "dif"], "unknown rules action (dif): did you mean `diff`? Use activate,"),
      (["append", "--=x"], option + "--=x for append; see"),
      (["generate", "--store", "x"], "option --store does not apply to generate, which reads"),
      (["replay", "--help=x"], "option --help takes no value"),
      (["--help=x"], "option --help takes no value"),
      (["rules", "--bogus", "list"], option + "--bogus for rules; see"),
      (["rules", "-json", "list"], option + "-json for rules: did you mean `--json`?"),
      (
        ["rules", "--effective=x", "list"],
        "option --effective=x comes before the rules action; give the action first, as in "
          + "`tierline rules ACTION --effective=x`, with ACTION activate"
      ),
      (["--store", "--help"], "option --store needs a value (DIR)"),
      // Before the command, only --store, --help and --version are options.
      (["--stor", "x", "verify"], option + "--stor before the command: did you mean `--store`?"),
      (["--storex", "verify"], option + "--storex before the command: did you mean `--store`?"),
      (["--verison"], option + "--verison before the command: did you mean `--version`?"),
      (["--bogus"], option + "--bogus before the command; run `tierline --help`"),
      (["re\u{200B}play"], "unknown command (re\\u{200B}play): did you mean `replay`?"),
      (["why", "a", "\u{200B}"], "unexpected argument \\u{200B} for why"),
    ]
    for (arguments, message) in cases {
      let result = try Tierline.run(arguments)
      #expect(result.status == 64, "\(arguments)")
      #expect(
        result.standardError.hasPrefix("error: " + message),
        "\(arguments): \(result.standardError)")
    }

    // Nothing close, a prefix too short to guess from, and --store for a command that
    // reads no ledger.
    for arguments in [
      ["replay", "--bogus"], ["append", "--b", "5"], ["generate", "--stor", "x"],
    ] {
      let result = try Tierline.run(arguments)
      #expect(result.status == 64, "\(arguments)")
      #expect(!result.standardError.contains("did you mean"), "\(arguments)")
      #expect(result.standardError.contains("--help"), "\(arguments)")
    }
  }

  @Test("help uses directory, not folder")
  func helpUsesDirectory() throws {
    let commands = [
      "init", "append", "replay", "why", "due", "log", "generate", "verify", "import",
      "metrics", "rules", "missed", "report", "backup",
    ]
    let general = try Tierline.run(["--help"])
    #expect(general.standardOutput.contains("ledger directory"))
    for command in commands {
      let help = try Tierline.run([command, "--help"])
      #expect(help.status == 0, "\(command)")
      #expect(!help.standardOutput.lowercased().contains("folder"), "\(command)")
    }
  }

  @Test("invalid UTF-8 argument exits 64")
  func invalidUTF8() throws {
    let directory = try TemporaryDirectory()
    let store = try Tierline.initializedStore(in: directory)
    let result = try shell(#""$TIERLINE" --store '\#(store)' why "$(printf '\377\376')""#)
    #expect(result.status == 64)
    #expect(result.standardError.contains("argument 4 is not valid UTF-8"))
  }

  @Test("input files from pipes and devices")
  func inputFiles() throws {
    let directory = try TemporaryDirectory()
    let store = try Tierline.initializedStore(in: directory)
    let empty = try Tierline.run(["--store", store, "replay", "--rules", "/dev/null"])
    #expect(empty.status == 65)
    #expect(empty.standardError.contains("rules file is empty (/dev/null)"))
    // Every import format treats an empty or blank file alike.
    let blank = directory.path("blank.txt")
    try "\n \r\n\t\n".write(toFile: blank, atomically: true, encoding: .utf8)
    let mark = directory.path("mark.txt")
    try "\u{FEFF}\n".write(toFile: mark, atomically: true, encoding: .utf8)
    for format in ["stripe", "subscriptions"] {
      for file in ["/dev/null", blank, mark] {
        let imported = try Tierline.run(["--store", store, "import", format, file])
        #expect(imported.status == 65, "\(format) \(file): \(imported.standardError)")
        #expect(imported.standardError.contains("give a file with content"))
      }
    }
    // append reads a line holding only the mark as blank.
    let appended = try Tierline.run(["--store", store, "append", mark])
    #expect(appended.status == 65)
    #expect(appended.standardError.contains("no events in the input"), "\(appended.standardError)")
    let folder = try Tierline.run(["--store", store, "replay", "--rules", directory.path("")])
    #expect(folder.status == 1)
    #expect(folder.standardError.contains("rules file is a directory"))

    // An endless source ends with an error instead of exhausting memory.
    let endless = try Tierline.run(["--store", store, "replay", "--rules", "/dev/zero"])
    #expect(endless.status == 1)
    #expect(endless.standardError.contains("rules file is larger than 16777216 bytes"))

    // Standard input can serve one input only.
    let twice = try Tierline.run(
      ["--store", store, "import", "csv", "-", "--mapping", "-"], input: "a\n")
    #expect(twice.status == 64)
    #expect(twice.standardError.contains("only one input can be -"))

    // A playbook read from a pipe, as a process substitution passes it.
    let piped = try shell(
      #"cat '\#(ImportCommandTests.repositoryPath("playbooks/default.json"))' | "#
        + #""$TIERLINE" --store '\#(store)' replay --rules /dev/stdin"#)
    #expect(piped.status == 0, "\(piped.standardError)")
    #expect(piped.standardOutput.contains("rules sha256:"))
  }

  @Test("control characters in errors are escaped")
  func errorControlCharacters() throws {
    let result = try shell(#""$TIERLINE" why "$(printf 'x\033]0;title\007')""#)
    #expect(result.status == 64)
    #expect(!result.standardError.unicodeScalars.contains { $0.value == 0x1B || $0.value == 7 })
    #expect(result.standardError.contains(#"x\u{1B}]0;title"#))

    // A right-to-left override, which an account id may contain, cannot reorder the line.
    let directory = try TemporaryDirectory()
    let store = try Tierline.initializedStore(in: directory)
    let reordered = try shell(
      #""$TIERLINE" --store '\#(store)' why "$(printf 'x\342\200\256y')""#)
    #expect(reordered.status == 1)
    #expect(!reordered.standardError.unicodeScalars.contains { $0.value == 0x202E })
    #expect(reordered.standardError.contains(#"account not found (x\u{202E}y)"#))

    // A newline in an argument cannot start a forged line of its own.
    let forged = try shell(#""$TIERLINE" why "$(printf 'x\nerror: forged')""#)
    #expect(forged.status == 64)
    #expect(forged.standardError.split(separator: "\n").count == 1)
    #expect(forged.standardError.contains(#"x\nerror: forged"#))
  }

  @Test("option value that is an option")
  func missingValue() throws {
    let missing = try Tierline.run(["replay", "--threads", "--json"])
    #expect(missing.status == 64)
    #expect(missing.standardError.contains("option --threads needs a value (N)"))

    let signed = try Tierline.run(["replay", "--threads", "+2"])
    #expect(signed.status == 64)
    #expect(signed.standardError.contains("invalid value for --threads (+2)"))

    for arguments in [
      ["--store", "a", "--store", "b", "replay"], ["--store", "a", "replay", "--store", "b"],
    ] {
      let stores = try Tierline.run(arguments)
      #expect(stores.status == 64, "\(arguments)")
      #expect(stores.standardError.contains("option --store is given twice"), "\(arguments)")
    }

    let twice = try Tierline.run(["replay", "--threads", "2", "--threads", "3"])
    #expect(twice.status == 64)
    #expect(twice.standardError.contains("option --threads is given twice"))
  }

  @Test("time and date option messages")
  func timeOptionMessages() throws {
    let noSuchDay = try Tierline.run(["replay", "--as-of", "2025-02-30"])
    #expect(noSuchDay.status == 64)
    #expect(noSuchDay.standardError.contains("(2025-02-30): it names a date that does not exist"))

    let noSuchMonth = try Tierline.run(["due", "--on", "2025-13-01"])
    #expect(noSuchMonth.status == 64)
    #expect(noSuchMonth.standardError.contains("(2025-13-01): it names a date that does not exist"))

    // A text that is simply not a time gets the accepted forms, with one set of examples.
    let partial = try Tierline.run(["replay", "--as-of", "2025-06-30T12:00"])
    #expect(partial.status == 64)
    #expect(partial.standardError.components(separatedBy: "such as").count == 3)
    #expect(!partial.standardError.contains("2024-03-01T09:30:00Z"))

    let yearZero = try Tierline.run(["due", "--on", "0000-01-01"])
    #expect(yearZero.status == 64)
    #expect(yearZero.standardError.contains("(0000-01-01): it lies before the year 0001"))

    let hour = try Tierline.run(["replay", "--as-of", "2025-06-30T25:00:00Z"])
    #expect(hour.status == 64)
    #expect(hour.standardError.contains("time of day out of range"))
  }

  @Test("invalid value before stray argument")
  func invalidValueBeforeStrayArgument() throws {
    let directory = try TemporaryDirectory()
    let store = directory.path("ledger")
    let invalidTime = "invalid time for --as-of (June): use RFC 3339"
    // Each value is split in two, so the second word is a stray positional argument.
    let cases: [(arguments: [String], message: String)] = [
      (["replay", "--as-of", "June", "2025"], invalidTime),
      (["replay", "--as-of=June", "2025"], invalidTime),
      (["replay", "--known-at", "June", "2025"], "invalid time for --known-at (June)"),
      (["replay", "--threads", "four", "2"], "invalid value for --threads (four)"),
      (["why", "acme", "--at", "June", "2025"], "invalid time for --at (June)"),
      (["due", "--on", "June", "2"], "invalid date for --on (June)"),
      (["due", "--within", "two", "weeks"], "invalid value for --within (two)"),
      (["due", "--status", "late", "ones"], "invalid value for --status (late)"),
      (["metrics", "--as-of", "June", "2025"], invalidTime),
      (["metrics", "--cohort", "calendar", "month"], "invalid value for --cohort (calendar)"),
      (["metrics", "--cac", "7200.0001", "USD"], "invalid value for --cac (7200.0001)"),
      (["metrics", "--gross-margin", "80", "%"], "invalid value for --gross-margin (80)"),
      (["report", "--html", "r.html", "--as-of", "June", "2025"], invalidTime),
      (["missed", "--as-of", "June", "2025"], invalidTime),
      (["missed", "--days", "two", "weeks"], "invalid value for --days (two)"),
      (["rules", "diff", "candidate.json", "--as-of", "June", "2025"], invalidTime),
      (
        ["rules", "activate", "rules.json", "--effective", "June", "2025"],
        "invalid time for --effective (June)"
      ),
      (["init", "--effective", "June", "2025"], "invalid time for --effective (June)"),
      (
        ["append", "--batch-size", "1k", "a.ndjson", "b.ndjson"],
        "invalid value for --batch-size (1k)"
      ),
      (["generate", "--accounts", "ten", "thousand"], "invalid value for --accounts (ten)"),
      (["generate", "--seed", "one", "two"], "invalid value for --seed (one)"),
    ]
    for (arguments, message) in cases {
      let result = try Tierline.run(["--store", store] + arguments)
      #expect(result.status == 64, "\(arguments)")
      #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
      #expect(!result.standardError.contains("unexpected argument"), "\(arguments)")
    }
    // `init` stopped at the invalid time, before creating the ledger directory.
    #expect(!FileManager.default.fileExists(atPath: store))

    // An invalid value is also reported before a missing positional argument.
    let missing = try Tierline.run(["--store", store, "why", "--at", "June"])
    #expect(missing.status == 64)
    #expect(missing.standardError.contains("invalid time for --at (June)"))

    // A stray argument after a valid value is still reported as one, with the usage.
    let replayUsage =
      "[--as-of T] [--known-at K] [--account ID] [--ready] [--rules FILE] [--threads N] [--json]"
    let stray = try Tierline.run(["--store", store, "replay", "--as-of", "2025-06-01", "2025"])
    #expect(stray.status == 64)
    #expect(
      stray.standardError
        == "error: unexpected argument 2025 for replay; usage: tierline replay \(replayUsage)\n")

    // An option after `--` is read as an argument, and the message gives the reason.
    let ended = try Tierline.run(["--store", store, "replay", "--", "--json"])
    #expect(ended.status == 64)
    #expect(
      ended.standardError
        == "error: unexpected argument --json for replay: options must come before `--`, "
        + "which ends them\n")
    // A stray argument before `--` gets the plain message.
    let beforeEnd = try Tierline.run(["--store", store, "replay", "extra", "--", "--json"])
    #expect(beforeEnd.status == 64)
    #expect(
      beforeEnd.standardError
        == "error: unexpected argument extra for replay; usage: tierline replay \(replayUsage)\n")
    // A second `--` is not an option, so it gets the plain message too.
    let twice = try Tierline.run(["--store", store, "replay", "--", "--"])
    #expect(twice.status == 64)
    #expect(
      twice.standardError
        == "error: unexpected argument -- for replay; usage: tierline replay \(replayUsage)\n")

    // --help prints the help whatever the other values are.
    let help = try Tierline.run(["replay", "--as-of", "June", "2025", "--help"])
    #expect(help.status == 0)
    #expect(help.standardOutput.hasPrefix("Usage: tierline [--store DIR] replay "))
  }

  @Test("control characters in text are escaped")
  func controlCharacters() throws {
    let directory = try TemporaryDirectory()
    let store = try Tierline.initializedStore(in: directory)
    let landed = """
      {"id":"c1","type":"account.landed","account":"c","occurred_at":"2025-01-01T00:00:00Z",\
      "data":{"tier":"starter","acv":"6000.00","currency":"USD","timezone":"UTC"}}
      """
    let appended = try Tierline.run(["--store", store, "append", "-"], input: landed)
    #expect(appended.status == 0, "\(appended.standardError)")
    let listed = try Tierline.run(["--store", store, "rules", "list"])
    let version = try #require(
      listed.standardOutput.split(separator: " ").first { $0.hasPrefix("sha256:") })
    let stored = try Tierline.run(["--store", store, "rules", "show", String(version)])
    let playbook = stored.standardOutput.replacingOccurrences(
      of: #""value_proposition":""#, with: #""value_proposition":"\u001b[31mRED\u0007 "#)
    #expect(playbook != stored.standardOutput)
    let path = directory.path("escape.json")
    try playbook.write(toFile: path, atomically: false, encoding: .utf8)

    let text = try Tierline.run(["--store", store, "why", "c", "--rules", path])
    #expect(text.status == 0, "\(text.standardError)")
    #expect(!text.standardOutput.unicodeScalars.contains { $0.value == 0x1B || $0.value == 7 })
    #expect(text.standardOutput.contains(#"\u{1B}[31mRED"#))
    // JSON output escapes the same text as JSON does.
    let json = try Tierline.run(["--store", store, "why", "c", "--rules", path, "--json"])
    #expect(json.standardOutput.contains(#"\u001b[31mRED\u0007"#))
  }
}
