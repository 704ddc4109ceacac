import Foundation
import Testing

/// Writes the built-in playbook with a usage threshold of 0.50 and a milestone wait of
/// 2 days, so that more accounts become ready, and earlier.
func candidatePlaybook(in directory: TemporaryDirectory) throws -> String {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  let text = try String(
    contentsOf: root.appendingPathComponent("playbooks/default.json"), encoding: .utf8)
  let candidate =
    text
    .replacingOccurrences(of: "\"threshold\": \"0.80\"", with: "\"threshold\": \"0.50\"")
    .replacingOccurrences(of: "\"wait_days\": 14", with: "\"wait_days\": 2")
  #expect(candidate != text)
  let path = directory.path("candidate.json")
  try candidate.write(toFile: path, atomically: false, encoding: .utf8)
  return path
}

/// Accounts that a lower usage threshold or a shorter wait makes ready.
let whatIfLines = [
  Line.landed("u1-l", account: "u1", at: "2024-03-01T10:00:00Z"),
  Line.usage("u1-u", account: "u1", at: "2024-03-10T10:00:00Z", quantity: "60000"),
  Line.landed("m1-l", account: "m1", at: "2024-03-01T10:00:00Z"),
  Line.milestone("m1-a", account: "m1", at: "2024-03-05T10:00:00Z", name: "first_value"),
  Line.milestone("m1-b", account: "m1", at: "2024-03-06T10:00:00Z", name: "integration_live"),
  Line.landed("q1-l", account: "q1", at: "2024-03-01T10:00:00Z"),
]

@Suite("tierline rules")
struct RulesCommandTests {
  @Test("activate, list and show")
  func activateListShow() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let candidate = try candidatePlaybook(in: ledger.directory)
    let activated = try ledger.json(
      ["rules", "activate", candidate, "--effective", "2025-01-01T00:00:00Z"])
    let version = try #require(activated["rules_version"] as? String)
    #expect(activated["effective_at"] as? String == "2025-01-01T00:00:00Z")

    let listed = try ledger.run(["rules", "list", "--json"]).jsonLines()
    #expect(listed.count == 2)
    #expect(listed.last?["rules_version"] as? String == version)
    #expect(listed.last?["in_force"] as? Bool == true)
    #expect(listed.first?["in_force"] as? Bool == false)

    let shown = try ledger.run(["rules", "show", String(version.dropFirst(7).prefix(8))])
    #expect(shown.standardOutput.contains("\"threshold\":\"0.5\""))
    // A version has 16 hex digits, so 17 are malformed, not an unknown version.
    let tooLong = try Tierline.run(["--store", ledger.store, "rules", "show", version + "0"])
    #expect(tooLong.status == 64)
    #expect(tooLong.standardError.contains("invalid rules version"))

    let before = try ledger.json(["metrics", "--as-of", "2024-12-31"])
    let after = try ledger.json(["metrics", "--as-of", "2025-02-01"])
    #expect(before["rules_version"] as? String == listed.first?["rules_version"] as? String)
    #expect(after["rules_version"] as? String == version)
  }

  @Test("malformed version without ledger")
  func malformedVersionWithoutLedger() throws {
    let directory = try TemporaryDirectory()
    let missing = directory.path("no-ledger")
    let candidate = try candidatePlaybook(in: directory)
    for arguments in [
      ["rules", "show", "xyz"], ["rules", "diff", candidate, "--against", "sha256:xyz"],
    ] {
      let result = try Tierline.run(["--store", missing] + arguments)
      #expect(result.status == 64, "\(arguments)")
      #expect(result.standardError.contains("invalid rules version"), "\(arguments)")
      #expect(!FileManager.default.fileExists(atPath: missing), "\(arguments)")
    }
  }

  @Test("diff of renamed rules says nothing changes")
  func diffOfRenamedRules() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let text = try String(
      contentsOf: root.appendingPathComponent("playbooks/default.json"), encoding: .utf8)
    let renamed = ledger.directory.path("renamed.json")
    try text.replacingOccurrences(of: #""name": "default""#, with: #""name": "other""#)
      .write(toFile: renamed, atomically: false, encoding: .utf8)
    let diff = try ledger.run(["rules", "diff", renamed])
    #expect(diff.standardError.contains("equal sha256:"))
    #expect(diff.standardError.contains("except in its name, so nothing changes"))

    let changed = try ledger.run(["rules", "diff", try candidatePlaybook(in: ledger.directory)])
    #expect(!changed.standardError.contains("nothing changes"))
  }

  @Test("playbook name stays on one row")
  func nameWithControlCharacters() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let path = try candidatePlaybook(in: ledger.directory)
    let text = try String(contentsOfFile: path, encoding: .utf8)
      .replacingOccurrences(
        of: #""name": "default""#, with: #""name": "evil\u001b[31m\nfake line""#)
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    let activated = try ledger.run(["rules", "activate", path])
    #expect(activated.standardOutput.contains(#"(evil\u{1B}[31m\nfake line)"#))
    let listed = try ledger.run(["rules", "list"])
    // A header, two activations of one row each, and the legend of the mark.
    #expect(listed.standardOutput.split(separator: "\n").count == 4)
    #expect(listed.standardOutput.contains(#" evil\u{1B}[31m\nfake line"#))

    // U+2028 and U+2029 break a line in some terminals too.
    let separated = try String(contentsOfFile: path, encoding: .utf8)
      .replacingOccurrences(
        of: #""name": "evil\u001b[31m\nfake line""#, with: #""name": "one\u2028two\u2029three""#)
    try separated.write(toFile: path, atomically: false, encoding: .utf8)
    _ = try ledger.run(["rules", "activate", path])
    let relisted = try ledger.run(["rules", "list"])
    #expect(relisted.standardOutput.contains(#" one\u{2028}two\u{2029}three"#))
  }

  @Test("activating the rules in force warns")
  func activateSameRulesWarns() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let candidate = try candidatePlaybook(in: ledger.directory)
    let first = try ledger.run(["rules", "activate", candidate, "--effective", "2025-01-01"])
    #expect(first.status == 0, "\(first.standardError)")
    // The date alone gets its note, and nothing else is written.
    #expect(
      first.standardError
        == "note: --effective 2025-01-01 is the end of that day in UTC, "
        + "2025-01-01T23:59:59.999999Z; for the start of the day give --effective "
        + "2025-01-01T00:00:00Z\n")

    let again = try ledger.run(["rules", "activate", candidate, "--effective", "2025-02-01"])
    #expect(again.status == 0, "\(again.standardError)")
    #expect(again.standardError.contains("were already in force at 2025-02-01T23:59:59.999999Z"))
    #expect(try ledger.run(["rules", "list", "--json"]).jsonLines().count == 3)

    // Before the first activation the built-in rules were in force, so no warning here.
    let earlier = try ledger.run(
      ["rules", "activate", candidate, "--effective", "2024-06-01T00:00:00Z"])
    #expect(earlier.status == 0, "\(earlier.standardError)")
    #expect(earlier.standardError.isEmpty)
  }

  @Test("init notes a bare effective date")
  func initBareEffectiveDateNote() throws {
    let directory = try TemporaryDirectory()
    let store = directory.url.appendingPathComponent("ledger").path
    let dated = try Tierline.run(["--store", store, "init", "--effective", "2024-01-01"])
    #expect(dated.status == 0, "\(dated.standardError)")
    #expect(dated.standardError.contains("note: --effective 2024-01-01 is the end of that day"))

    let other = directory.url.appendingPathComponent("other").path
    let timed = try Tierline.run(["--store", other, "init", "--effective", "2024-01-01T00:00:00Z"])
    #expect(timed.status == 0, "\(timed.standardError)")
    #expect(timed.standardError.isEmpty)
  }

  @Test("a bare effective date gets a note")
  func bareEffectiveDateNote() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let candidate = try candidatePlaybook(in: ledger.directory)
    let dated = try ledger.run(["rules", "activate", candidate, "--effective", "2025-01-01"])
    #expect(dated.status == 0, "\(dated.standardError)")
    #expect(
      dated.standardError.contains(
        "note: --effective 2025-01-01 is the end of that day in UTC, 2025-01-01T23:59:59.999999Z"))
    #expect(dated.standardError.contains("give --effective 2025-01-01T00:00:00Z"))

    let timed = try ledger.run(
      ["rules", "activate", candidate, "--effective", "2025-03-01T00:00:00+02:00"])
    #expect(timed.status == 0, "\(timed.standardError)")
    #expect(!timed.standardError.contains("note:"))
  }

  @Test("rules lacking stored tier rejected")
  func missingTierRejected() throws {
    let ledger = try CLILedger([
      Line.landed("s1", account: "big", at: "2024-01-10T09:00:00Z", tier: "scale", acv: "36000.00")
    ])
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let data = try Data(contentsOf: root.appendingPathComponent("playbooks/default.json"))
    var playbook = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let tiers = try #require(playbook["tiers"] as? [[String: Any]])
    playbook["tiers"] = tiers.filter { $0["id"] as? String != "scale" }
    let transitions = try #require(playbook["transitions"] as? [[String: Any]])
    playbook["transitions"] = transitions.filter { $0["to"] as? String != "scale" }
    let path = ledger.directory.path("no-scale.json")
    try JSONSerialization.data(withJSONObject: playbook).write(to: URL(fileURLWithPath: path))

    let activated = try Tierline.run([
      "--store", ledger.store, "rules", "activate", path, "--effective", "2030-01-01T00:00:00Z",
    ])
    #expect(activated.status == 65)
    #expect(activated.standardError.contains("names tier \"scale\""), "\(activated.standardError)")
    #expect(try ledger.run(["rules", "list", "--json"]).jsonLines().count == 1)

    let diff = try Tierline.run(["--store", ledger.store, "rules", "diff", path])
    #expect(diff.status == 65)
    // Before the landing no stored event names the tier, so the comparison runs.
    let early = try Tierline.run([
      "--store", ledger.store, "rules", "diff", path, "--as-of", "2024-01-01",
    ])
    #expect(early.status == 0, "\(early.standardError)")
    // Nor was the landing known before it was recorded.
    let unknown = try Tierline.run([
      "--store", ledger.store, "rules", "diff", path, "--known-at", "2000-01-01",
    ])
    #expect(unknown.status == 0, "\(unknown.standardError)")
    // A what-if under the playbook is rejected the same way.
    let metrics = try Tierline.run([
      "--store", ledger.store, "metrics", "--rules", path, "--as-of", "2024-06-30",
    ])
    #expect(metrics.status == 65, "\(metrics.standardError)")

    // Rules that lack the tier from 2030 on are fine for the stored landing only if no
    // event on that tier is appended before 2030 either.
    let other = try CLILedger([Line.landed("o1", account: "small", at: "2024-01-10T09:00:00Z")])
    let later = try Tierline.run([
      "--store", other.store, "rules", "activate", path, "--effective", "2030-01-01T00:00:00Z",
    ])
    #expect(later.status == 0, "\(later.standardError)")
    let appended = try Tierline.run(
      ["--store", other.store, "append", "-"],
      input: Line.landed(
        "o2", account: "big", at: "2024-02-10T09:00:00Z", tier: "scale", acv: "36000.00"))
    #expect(appended.status == 65)
    #expect(appended.standardError.contains("in force from 2030"), "\(appended.standardError)")

    // Replaced at the same effective time, those rules no longer block the event.
    let full = try #require(
      try other.run(["rules", "list", "--json"]).jsonLines().first?["rules_version"] as? String)
    let fullFile = other.directory.path("full.json")
    try other.run(["rules", "show", full]).standardOutput.write(
      toFile: fullFile, atomically: false, encoding: .utf8)
    let replaced = try Tierline.run([
      "--store", other.store, "rules", "activate", fullFile, "--effective",
      "2030-01-01T00:00:00Z",
    ])
    #expect(replaced.status == 0, "\(replaced.standardError)")
    let again = try Tierline.run(
      ["--store", other.store, "append", "-"],
      input: Line.landed(
        "o2", account: "big", at: "2024-02-10T09:00:00Z", tier: "scale", acv: "36000.00"))
    #expect(again.status == 0, "\(again.standardError)")

    // Now the replaced rules lack a stored tier, so comparing against them is rejected.
    // Listed by effective time: the first rules, then the two activations of 2030.
    let listed = try other.run(["rules", "list", "--json"]).jsonLines()
    try #require(listed.count == 3)
    let noScaleVersion = try #require(listed[1]["rules_version"] as? String)
    let against = try Tierline.run([
      "--store", other.store, "rules", "diff", fullFile, "--against", noScaleVersion,
    ])
    #expect(against.status == 65, "\(against.standardError)")
  }

  @Test("playbook with a byte order mark")
  func playbookWithByteOrderMark() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let candidate = try candidatePlaybook(in: ledger.directory)
    let marked = ledger.directory.path("marked.json")
    let bytes =
      [UInt8]([0xEF, 0xBB, 0xBF]) + [UInt8](try Data(contentsOf: URL(fileURLWithPath: candidate)))
    try Data(bytes).write(to: URL(fileURLWithPath: marked))
    let result = try Tierline.run([
      "--store", ledger.store, "rules", "activate", marked, "--effective", "2030-01-01T00:00:00Z",
    ])
    #expect(result.status == 0, "\(result.standardError)")
  }

  @Test("action help lists its own options")
  func actionHelp() throws {
    let expected: [(action: String, usage: String, options: Set<String>)] = [
      ("activate", "FILE [--effective T] [--json]", ["--effective", "--json"]),
      ("list", "[--json]", ["--json"]),
      ("show", "VERSION", []),
      (
        "diff", "CANDIDATE [--against VERSION] [--as-of T] [--known-at K] [--threads N] [--json]",
        ["--against", "--as-of", "--known-at", "--threads", "--json"]
      ),
    ]
    for (action, usage, options) in expected {
      let help = try Tierline.run(["rules", action, "--help"])
      #expect(help.status == 0, "\(action): \(help.standardError)")
      #expect(help.lines.first == "Usage: tierline [--store DIR] rules \(action) \(usage)")
      let listed = Set(
        help.lines.filter { $0.hasPrefix("  --") }.map {
          String($0.dropFirst(2).prefix { $0 != " " })
        })
      #expect(listed == options.union(["--store", "--help"]), "\(action)")
      // The other actions' lines of `tierline rules --help` are left out.
      #expect(!help.standardOutput.contains("activate FILE   "), "\(action)")
      #expect(!help.standardOutput.contains(" | "), "\(action)")
    }

    // `--help` after the action's own arguments and options prints the same text.
    let late = try Tierline.run(["rules", "diff", "candidate.json", "--threads", "2", "--help"])
    #expect(late.lines.first?.hasPrefix("Usage: tierline [--store DIR] rules diff ") == true)

    // Without an action, the help lists every action.
    let whole = try Tierline.run(["rules", "--help"])
    #expect(whole.status == 0, "\(whole.standardError)")
    for action in ["activate FILE", "list", "show VERSION", "diff CANDIDATE"] {
      #expect(whole.lines.contains { $0.hasPrefix(action + " ") }, "\(action)")
    }
    #expect(whole.standardOutput.contains("--effective T"))
    #expect(whole.standardOutput.contains("--against VERSION"))
    // The usage line joins the actions' own usage lines.
    let joined = expected.map { "\($0.action) \($0.usage)" }.joined(separator: " | ")
    #expect(whole.lines.first == "Usage: tierline [--store DIR] rules \(joined)")
    // An option of one action only is labelled with that action.
    for (action, _, options) in expected {
      let others = expected.filter { $0.action != action }
      for option in options where !others.contains(where: { $0.options.contains(option) }) {
        let line = try #require(whole.lines.first { $0.hasPrefix("  \(option) ") }, "\(option)")
        // Two spaces at least separate the option column from its help.
        #expect(line.contains("  \(action): "), "\(line)")
      }
    }

    // An unknown action is reported with or without --help.
    for arguments in [["rules", "retire", "--help"], ["rules", "--help", "retire"]] {
      let unknown = try Tierline.run(arguments)
      #expect(unknown.status == 64, "\(arguments)")
      #expect(unknown.standardOutput.isEmpty, "\(arguments)")
      #expect(
        unknown.standardError
          == "error: unknown rules action (retire): use activate, list, show or diff\n",
        "\(arguments)")
    }
  }

  @Test("action rejects other actions' options")
  func actionRejectsOtherOptions() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let candidate = try candidatePlaybook(in: ledger.directory)
    let listed = try ledger.run(["rules", "list", "--json"]).jsonLines()
    let version = try #require(listed.first?["rules_version"] as? String)

    let cases: [(arguments: [String], message: String)] = [
      (
        ["rules", "activate", candidate, "--as-of", "2025-01-01"],
        "unknown option --as-of for rules activate; see `tierline rules activate --help`"
      ),
      (
        ["rules", "activate", candidate, "--threads", "2"],
        "unknown option --threads for rules activate; see `tierline rules activate --help`"
      ),
      (
        ["rules", "activate", candidate, "--against", version],
        "unknown option --against for rules activate; see `tierline rules activate --help`"
      ),
      (
        ["rules", "activate", candidate, "--known-at", "2020-01-01"],
        "unknown option --known-at for rules activate; see `tierline rules activate --help`"
      ),
      (
        ["rules", "list", "--known-at", "2020-01-01"],
        "unknown option --known-at for rules list; see `tierline rules list --help`"
      ),
      (
        ["rules", "show", version, "--json"],
        "unknown option --json for rules show; see `tierline rules show --help`"
      ),
      (
        ["rules", "diff", candidate, "--effective", "2025-01-01"],
        "unknown option --effective for rules diff; see `tierline rules diff --help`"
      ),
      (
        ["rules", "list", "extra"],
        "unexpected argument extra for rules list; usage: tierline rules list [--json]"
      ),
      (
        ["rules", "show", version, "extra"],
        "unexpected argument extra for rules show; usage: tierline rules show VERSION"
      ),
      (
        ["rules", "--json", "list"],
        "option --json comes before the rules action; give the action first, as in "
          + "`tierline rules ACTION --json`, with ACTION one of activate, list or diff"
      ),
      (["rules", "-", "list"], "unknown rules action (-): use activate, list, show or diff"),
      // After `--` the next argument is the action, and later ones are not options.
      (["rules", "--", "-h"], "unknown rules action (-h): use activate, list, show or diff"),
      (
        ["rules", "--", "list", "--json"],
        "unexpected argument --json for rules list: options must come before `--`, which "
          + "ends them"
      ),
    ]
    for (arguments, message) in cases {
      let result = try Tierline.run(["--store", ledger.store] + arguments)
      #expect(result.status == 64, "\(arguments)")
      #expect(result.standardOutput.isEmpty, "\(arguments)")
      #expect(result.standardError == "error: \(message)\n", "\(arguments)")
    }
    // None of the rejected activations was stored.
    let after = try ledger.run(["rules", "list", "--json"]).jsonLines()
    #expect(after.count == listed.count)

    // --store may come before the action, as before any command.
    let storeFirst = try Tierline.run(["rules", "--store", ledger.store, "list", "--json"])
    #expect(storeFirst.status == 0, "\(storeFirst.standardError)")
    #expect(storeFirst.lines.count == listed.count)

    // `--` may come before the action.
    let plain = try ledger.run(["rules", "list"])
    let endedCases = [
      ["--store", ledger.store, "rules", "--", "list"],
      ["rules", "--store", ledger.store, "--", "list"],
    ]
    for arguments in endedCases {
      let ended = try Tierline.run(arguments)
      #expect(ended.status == 0, "\(arguments): \(ended.standardError)")
      #expect(ended.lines.count == plain.lines.count, "\(arguments): \(ended.standardOutput)")
    }
    let shown = try Tierline.run(["--store", ledger.store, "rules", "--", "show", version])
    #expect(shown.status == 0, "\(shown.standardError)")
    #expect(shown.standardOutput.contains("\"tiers\""), "\(shown.standardOutput)")
  }

  @Test("playbook missing field message")
  func playbookMissingField() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let text = try String(
      contentsOf: root.appendingPathComponent("playbooks/default.json"), encoding: .utf8)
    let withoutFormat = ledger.directory.path("no-format.json")
    let noFormatText = text.replacingOccurrences(of: "\"format\": 1,", with: "")
    #expect(noFormatText != text)
    try noFormatText.write(toFile: withoutFormat, atomically: false, encoding: .utf8)
    let withoutMilestone = ledger.directory.path("no-milestone.json")
    let noMilestoneText = text.replacingOccurrences(
      of: "\"first_value_milestone\": \"first_value\",", with: "")
    #expect(noMilestoneText != text)
    try noMilestoneText.write(toFile: withoutMilestone, atomically: false, encoding: .utf8)

    let formatMessage =
      "error: invalid playbook (\(withoutFormat)): format: missing; give \"format\": 1 (the "
      + "supported version); see docs/rules.md for the file format\n"
    let commands = [
      ["--store", ledger.store, "rules", "diff", withoutFormat],
      ["--store", ledger.store, "rules", "activate", withoutFormat],
      ["--store", ledger.store, "replay", "--rules", withoutFormat],
      ["--store", ledger.directory.path("new.ledger"), "init", "--playbook", withoutFormat],
    ]
    for arguments in commands {
      let result = try Tierline.run(arguments)
      #expect(result.status == 65, "\(arguments)")
      #expect(result.standardError == formatMessage, "\(arguments)")
    }

    // A field without a fixed value gets the pointer to the format description only.
    let milestone = try Tierline.run(["--store", ledger.store, "rules", "diff", withoutMilestone])
    #expect(milestone.status == 65)
    #expect(
      milestone.standardError
        == "error: invalid playbook (\(withoutMilestone)): first_value_milestone: missing; "
        + "see docs/rules.md for the file format\n")
  }

  @Test("unknown version is not found")
  func unknownVersion() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let result = try Tierline.run(["--store", ledger.store, "rules", "show", "sha256:0000"])
    #expect(result.status == 1)
    #expect(result.standardError.contains("rules list"))

    let malformed = try Tierline.run(["--store", ledger.store, "rules", "show", "abc"])
    #expect(malformed.status == 64)
  }

  @Test("diff leaves data.mdb byte-identical")
  func diffReadOnly() throws {
    let ledger = try CLILedger(januaryCohortLines + whatIfLines)
    let candidate = try candidatePlaybook(in: ledger.directory)
    let dataFile = URL(fileURLWithPath: ledger.store).appendingPathComponent("data.mdb")
    let before = try Data(contentsOf: dataFile)
    let diff = try ledger.json(["rules", "diff", candidate, "--as-of", "2024-04-01"])
    let after = try Data(contentsOf: dataFile)
    #expect(before == after)
    #expect(!(diff["readiness_changes"] as? [Any] ?? []).isEmpty)
    let list = try ledger.run(["rules", "list", "--json"]).jsonLines()
    #expect(list.count == 1)
  }

  @Test("diff against the same rules is empty")
  func diffAgainstItself() throws {
    let ledger = try CLILedger(januaryCohortLines + whatIfLines)
    let candidate = try candidatePlaybook(in: ledger.directory)
    let activated = try ledger.json(
      ["rules", "activate", candidate, "--effective", "2030-01-01T00:00:00Z"])
    let version = try #require(activated["rules_version"] as? String)
    let diff = try ledger.json(
      ["rules", "diff", candidate, "--against", version, "--as-of", "2024-04-01"])
    #expect(diff["baseline"] as? String == version)
    #expect(diff["candidate"] as? String == version)
    #expect(diff["accounts_changed"] as? Int == 0)
    #expect((diff["attribution_changes"] as? [Any])?.isEmpty == true)
  }

  @Test("diff text lists changed metric lines")
  func diffText() throws {
    // Under the candidate the usage trigger fires before x1 expands and earns the credit.
    let expansion = [
      Line.landed("x1-l", account: "x1", at: "2024-03-01T10:00:00Z"),
      Line.usage("x1-u", account: "x1", at: "2024-03-10T10:00:00Z", quantity: "60000"),
      Line.tierChanged(
        "x1-t", account: "x1", at: "2024-03-20T10:00:00Z", to: "growth", acv: "18000.00"),
    ]
    let ledger = try CLILedger(januaryCohortLines + whatIfLines + expansion)
    let candidate = try candidatePlaybook(in: ledger.directory)
    let activated = try ledger.json(
      ["rules", "activate", candidate, "--effective", "2030-01-01T00:00:00Z"])
    let version = try #require(activated["rules_version"] as? String)
    let unchanged = try ledger.run(
      ["rules", "diff", candidate, "--against", version, "--as-of", "2024-04-01"])
    #expect(unchanged.standardOutput.contains("Metrics: no change"), "\(unchanged.standardOutput)")

    let changed = try ledger.run(["rules", "diff", candidate, "--as-of", "2024-12-31"])
    let lines = changed.standardOutput.split(separator: "\n").map(String.init)
    #expect(!lines.contains("Metrics before:"), "\(changed.standardOutput)")
    let removed = lines.filter { $0.hasPrefix("  - ") }
    let added = lines.filter { $0.hasPrefix("  + ") }
    #expect(!removed.isEmpty, "\(changed.standardOutput)")
    #expect(removed.count == added.count)
    #expect(zip(removed, added).allSatisfy { $0.dropFirst(4) != $1.dropFirst(4) })
  }

  @Test("diff agrees with replay under each rule set")
  func diffMatchesReplay() throws {
    let ledger = try CLILedger(januaryCohortLines + whatIfLines)
    let candidate = try candidatePlaybook(in: ledger.directory)
    let baselineVersion = try #require(
      try ledger.run(["rules", "list", "--json"]).jsonLines().first?["rules_version"] as? String)
    let baseline = ledger.directory.path("baseline.json")
    try ledger.run(["rules", "show", baselineVersion]).standardOutput
      .write(toFile: baseline, atomically: false, encoding: .utf8)

    let asOf = "2024-03-12T00:00:00Z"
    let diff = try ledger.json(["rules", "diff", candidate, "--as-of", asOf])
    #expect(diff["baseline"] as? String == baselineVersion)
    func ready(_ rules: String) throws -> [String: Bool] {
      let lines = try ledger.run(["replay", "--rules", rules, "--as-of", asOf, "--json"])
        .jsonLines()
      var result: [String: Bool] = [:]
      for line in lines {
        result[try #require(line["account"] as? String)] = try #require(line["ready"] as? Bool)
      }
      return result
    }
    let readyBefore = try ready(baseline)
    let readyAfter = try ready(candidate)
    let changes = try #require(diff["readiness_changes"] as? [[String: Any]])
    let changed = Set(changes.compactMap { $0["account"] as? String })
    for change in changes {
      let account = try #require(change["account"] as? String)
      #expect(change["ready_before"] as? Bool == readyBefore[account], "\(account)")
      #expect(change["ready_after"] as? Bool == readyAfter[account], "\(account)")
    }
    for (account, value) in readyBefore where readyAfter[account] != value {
      #expect(changed.contains(account), "\(account) changed readiness but is not listed")
    }
    // u1 crosses 50% of the api_calls limit on 10 March, not 80%.
    #expect(readyBefore["u1"] == false)
    #expect(readyAfter["u1"] == true)
    let u1 = try #require(changes.first { $0["account"] as? String == "u1" })
    #expect(u1["first_ready_before"] is NSNull)
    #expect(u1["first_ready_after"] as? String == "2024-03-10T10:00:00Z")
    // m1's milestones complete on 6 March; the wait ends 8 March instead of 20 March.
    let m1 = try #require(changes.first { $0["account"] as? String == "m1" })
    #expect(m1["first_ready_after"] as? String == "2024-03-08T00:00:00Z")
    #expect(!changed.contains("q1"))

    let firings = try #require(diff["trigger_firings"] as? [String: [String: Int]])
    #expect(firings["usage"]?["change"] == 1)
    let metrics = try #require(diff["metrics"] as? [String: [String: Any]])
    #expect(metrics["before"]?["rules_version"] as? String == baselineVersion)
    #expect(metrics["after"]?["rules_version"] as? String != baselineVersion)
  }

  @Test("attribution changes explain the window")
  func attributionWindowNote() throws {
    let directory = try TemporaryDirectory()
    let store = directory.path("ledger")
    #expect(try Tierline.run(["--store", store, "init"]).status == 0)
    let generated = try Tierline.run(["generate", "--accounts", "200", "--seed", "1"])
    let appended = try Tierline.run(
      ["--store", store, "append", "-"], input: generated.standardOutput)
    #expect(appended.status == 0, "\(appended.standardError)")
    // A lower usage bar, as in the README's example, moves some usage firings earlier
    // than the window before their expansion.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let text = try String(
      contentsOf: root.appendingPathComponent("playbooks/default.json"), encoding: .utf8)
    // The name needs quoting for the shell.
    let candidate = directory.path("Ann's candidate.json")
    try text.replacingOccurrences(of: "\"threshold\": \"0.80\"", with: "\"threshold\": \"0.50\"")
      .write(toFile: candidate, atomically: true, encoding: .utf8)

    let diff = try Tierline.run(
      ["--store", store, "rules", "diff", candidate, "--as-of", "2025-06-30"])
    #expect(diff.status == 0, "\(diff.standardError)")
    #expect(diff.standardOutput.contains("-> unattributed"), "\(diff.standardOutput)")
    #expect(
      diff.standardOutput.contains(
        "  A trigger earns an expansion when it fired within the attribution window before "
          + "the tier change: 90 days under both rules.\n"),
      "\(diff.standardOutput)")
    let quoted = "'" + directory.path("Ann") + #"'\''s candidate.json'"#
    #expect(
      diff.standardOutput.contains(
        "  To see when each fired, run `tierline why ACCOUNT --at TIME --rules \(quoted)` "
          + "with TIME one microsecond before the listed time, as in `tierline why "),
      "\(diff.standardOutput)")

    // The example names the first listed change and a time at which `why` shows the
    // triggers that the candidate credits, which at the listed time it no longer shows.
    let lines = diff.standardOutput.split(separator: "\n").map(String.init)
    let hint = try #require(lines.first { $0.contains("as in `tierline why ") })
    let example = try #require(hint.split(separator: "`").dropFirst(3).first)
    let words = example.split(separator: " ").map(String.init)
    try #require(words.count >= 6)
    #expect(words[3] == "--at")
    let hintIndex = try #require(lines.firstIndex(of: hint))
    let change = try #require(lines.dropFirst(hintIndex + 1).first)
    let fields = change.split(separator: " ").map(String.init)
    // The account, the change time, "to", the tier, then the credits before and after.
    try #require(fields.count == 7)
    #expect(fields[0] == words[2])
    let credited = fields[6].split(separator: ",").map(String.init)
    for (time, fired) in [(words[4], true), (fields[1], false)] {
      let why = try Tierline.run([
        "--store", store, "why", fields[0], "--at", time, "--rules", candidate,
      ])
      #expect(why.status == 0, "\(why.standardError)")
      for type in credited where type != "unattributed" {
        #expect(
          why.standardOutput.contains("\n  \(type): fired at ") == fired,
          "\(time): \(why.standardOutput)")
      }
    }

    // A diff at a given transaction time passes it on to `why`.
    let knownAt = "2100-01-01T00:00:00Z"
    let pinned = try Tierline.run([
      "--store", store, "rules", "diff", candidate, "--as-of", "2025-06-30", "--known-at",
      knownAt,
    ])
    #expect(pinned.status == 0, "\(pinned.standardError)")
    let printedKnownAt = try #require(
      pinned.standardOutput.split(separator: "\n").first?.split(separator: " ").last)
    #expect(
      pinned.standardOutput.contains("--rules \(quoted) --known-at \(printedKnownAt)`"),
      "\(pinned.standardOutput)")
    #expect(!diff.standardOutput.contains("--known-at"), "\(diff.standardOutput)")
  }
}
