import Foundation
import Testing
import TierlineLedger
import TierlinePlaybook
@testable import TierlineStore

@Suite("tierline append")
struct AppendCommandTests {
  let directory: TemporaryDirectory
  let store: String

  init() throws {
    directory = try TemporaryDirectory()
    store = try Tierline.initializedStore(in: directory)
  }

  func eventCount() throws -> Int {
    let report = try Tierline.verifyReport(of: store)
    #expect(report["storage_format"] as? Int == 4)
    return try #require(report["records"] as? Int)
  }

  @Test("duplicate id is skipped")
  func duplicateSkipped() throws {
    let input = [
      Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z"),
      Line.usage("e2", account: "a", at: "2024-01-11T09:00:00Z"),
    ].joined(separator: "\n")
    let first = try Tierline.run(["--store", store, "append", "--json", "-"], input: input)
    #expect(first.status == 0)
    let second = try Tierline.run(["--store", store, "append", "--json", "-"], input: input)
    #expect(second.status == 0)
    let counts = try #require(try second.jsonLines().first)
    #expect(counts["appended"] as? Int == 0)
    #expect(counts["duplicates"] as? Int == 2)
    // Nothing was stored, so no recorded time belongs to this append.
    #expect(counts["recorded_at"] is NSNull)
    #expect(try eventCount() == 2)
  }

  @Test("batched append merges its runs")
  func batchedAppendMergesRuns() throws {
    // Thirty batches of one: three runs of 8 events in level 1 and six of 1 in level 0.
    let input = (1...30).map {
      Line.usage("m\($0)", account: "acct-\($0 % 4)", at: "2024-01-\(10 + $0 % 9)T09:00:00Z")
    }.joined(separator: "\n")
    let bulk = try Tierline.run(
      ["--store", store, "append", "--batch-size", "1", "--json", "-"], input: input)
    #expect(bulk.status == 0, "\(bulk.standardError)")
    let counts = try #require(try bulk.jsonLines().first)
    #expect(counts["index_runs_merged"] as? Int == 9)
    #expect(counts["index_runs"] as? Int == 1)
    #expect(try Tierline.verifyReport(of: store)["index_runs"] as? Int == 1)

    // Three events may merge at most three entries: their own three runs.
    let more = (31...33).map {
      Line.usage("m\($0)", account: "acct-1", at: "2024-01-20T09:00:00Z")
    }.joined(separator: "\n")
    let small = try Tierline.run(
      ["--store", store, "append", "--batch-size", "1", "-"], input: more)
    #expect(small.status == 0, "\(small.standardError)")
    #expect(
      small.standardOutput.hasSuffix(
        "Merged 3 of the 4 index runs into one, which leaves 2 runs.\n"),
      "\(small.standardOutput)")
    #expect(try Tierline.verifyReport(of: store)["index_runs"] as? Int == 2)

    // One batch adds one run, which has nothing of its size to merge with.
    let single = try Tierline.run(
      ["--store", store, "append", "--json", "-"],
      input: Line.usage("m34", account: "acct-2", at: "2024-01-21T09:00:00Z"))
    let singleCounts = try #require(try single.jsonLines().first)
    #expect(singleCounts["index_runs_merged"] as? Int == 0)
    #expect(singleCounts["index_runs"] as? Int == 3)

    let unmerged = try Tierline.run(
      ["--store", store, "append", "--batch-size", "1", "--no-merge", "--json", "-"],
      input: (35...36).map {
        Line.usage("m\($0)", account: "acct-3", at: "2024-01-22T09:00:00Z")
      }.joined(separator: "\n"))
    #expect(unmerged.status == 0, "\(unmerged.standardError)")
    let unmergedCounts = try #require(try unmerged.jsonLines().first)
    #expect(unmergedCounts["index_runs_merged"] as? Int == 0)
    #expect(unmergedCounts["index_runs"] is NSNull)
    #expect(try Tierline.verifyReport(of: store)["index_runs"] as? Int == 5)
    #expect(try eventCount() == 36)

    // Merged or not, the ledger returns the same log as one appended in one batch.
    let other = try Tierline.initializedStore(in: directory, name: "single.ledger")
    let all =
      [input, more, Line.usage("m34", account: "acct-2", at: "2024-01-21T09:00:00Z")]
      + (35...36).map { Line.usage("m\($0)", account: "acct-3", at: "2024-01-22T09:00:00Z") }
    let whole = try Tierline.run(
      ["--store", other, "append", "-"], input: all.joined(separator: "\n"))
    #expect(whole.status == 0, "\(whole.standardError)")
    for account in ["acct-0", "acct-1", "acct-2", "acct-3"] {
      let logs = try [store, other].map { ledger in
        // Every column but recorded_at, the third, which differs between the ledgers.
        try Tierline.run(["--store", ledger, "log", account]).standardOutput
          .split(separator: "\n").map { line in
            line.split(separator: " ").enumerated().filter { $0.offset != 2 }.map(\.element)
              .joined(separator: " ")
          }
      }
      #expect(logs[0] == logs[1])
      #expect(logs[0].count > 5)
    }
  }

  @Test("format 3 has no runs to count")
  func formatThreeRunsNull() throws {
    let other = directory.path("format3.ledger")
    var options = StoreOptions(createIfMissing: true)
    options.newFormatVersion = 3
    _ = try EventStore(directory: other, options: options)
    try Ledger.open(directory: other).activate(.builtInDefault, effectiveAt: .minimum)

    let input = (1...3).map {
      Line.usage("f\($0)", account: "acct-1", at: "2024-01-1\($0)T09:00:00Z")
    }.joined(separator: "\n")
    let result = try Tierline.run(
      ["--store", other, "append", "--batch-size", "1", "--json", "-"], input: input)
    #expect(result.status == 0, "\(result.standardError)")
    let counts = try #require(try result.jsonLines().first)
    #expect(counts["appended"] as? Int == 3)
    #expect(counts["index_runs_merged"] as? Int == 0)
    #expect(counts["index_runs"] is NSNull)
    let verified = try Tierline.verifyReport(of: other)
    #expect(verified["storage_format"] as? Int == 3)
    #expect(verified["index_runs"] is NSNull)
  }

  @Test("failed batch still merges stored runs")
  func failedBatchMergesStoredRuns() throws {
    let first = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.landed("c1", account: "a", at: "2024-01-10T09:00:00Z"))
    #expect(first.status == 0, "\(first.standardError)")
    // Three batches of two store six events, and the fourth reuses c1 with other content.
    let input =
      (2...7).map { Line.usage("c\($0)", account: "a", at: "2024-01-1\($0)T09:00:00Z") }
      + [Line.landed("c1", account: "a", at: "2024-01-10T09:00:00Z", acv: "7000.00")]
    let failed = try Tierline.run(
      ["--store", store, "append", "--batch-size", "2", "--json", "-"],
      input: input.joined(separator: "\n"))
    #expect(failed.status == 65, "\(failed.standardError)")
    let counts = try #require(try failed.jsonLines().first)
    #expect(counts["appended"] as? Int == 6)
    #expect(counts["failed_from_line"] as? Int == 7)
    // Six entries take the run of c1 and two runs of two, smallest first.
    #expect(counts["index_runs_merged"] as? Int == 3)
    #expect(counts["index_runs"] as? Int == 2)
    #expect(try Tierline.verifyReport(of: store)["index_runs"] as? Int == 2)
    #expect(try eventCount() == 7)
  }

  @Test("batches print first and last stamp")
  func batchStamps() throws {
    let input = (1...3).map {
      Line.landed("b\($0)", account: "acct-\($0)", at: "2024-01-10T09:00:00Z")
    }.joined(separator: "\n")
    let result = try Tierline.run(
      ["--store", store, "append", "--batch-size", "1", "--json", "-"], input: input)
    #expect(result.status == 0, "\(result.standardError)")
    let counts = try #require(try result.jsonLines().first)
    let first = try #require(counts["first_recorded_at"] as? String)
    let last = try #require(counts["recorded_at"] as? String)
    #expect(first < last)

    // Known at the first stamp, the first batch is visible and the later ones are not.
    let known = try Tierline.run([
      "--store", store, "replay", "--json", "--as-of", "2024-02-01", "--known-at", first,
    ])
    #expect(known.status == 0, "\(known.standardError)")
    #expect(try known.jsonLines().map { $0["account"] as? String } == ["acct-1"])
  }

  @Test("new account without landing warns")
  func unlandedAccountWarns() throws {
    let typo = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.usage("u1", account: "acme-typo", at: "2024-01-11T09:00:00Z"))
    #expect(typo.status == 0, "\(typo.standardError)")
    #expect(
      typo.standardError.contains(
        #"warning: 1 new account got events but no account.landed event: "acme-typo". It"#))
    #expect(try eventCount() == 1)

    // An invisible character and a quote in an id are escaped, so the id cannot read as
    // another one.
    let invisible = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.usage("u4", account: "acme\u{200B}", at: "2024-01-11T09:00:00Z") + "\n"
        + Line.usage("u5", account: #"a \"b"#, at: "2024-01-11T09:00:00Z"))
    #expect(invisible.status == 0, "\(invisible.standardError)")
    #expect(
      invisible.standardError.contains(#"2 new accounts got events"#), "\(invisible.standardError)")
    #expect(invisible.standardError.contains(#""acme\u{200B}", "a \"b""#))

    // Landed in the same input, or already holding events: no warning.
    let landed = try Tierline.run(
      ["--store", store, "append", "-"],
      input: [
        Line.usage("u2", account: "acme", at: "2024-01-11T09:00:00Z"),
        Line.landed("l1", account: "acme", at: "2024-01-10T09:00:00Z"),
        Line.usage("u3", account: "acme-typo", at: "2024-01-12T09:00:00Z"),
      ].joined(separator: "\n"))
    #expect(landed.status == 0, "\(landed.standardError)")
    #expect(landed.standardError.isEmpty, "\(landed.standardError)")

    // A later batch that fails still leaves the earlier batches' accounts to warn about.
    let partial = try Tierline.run(
      ["--store", store, "append", "--batch-size", "1", "-"],
      input: [
        Line.usage("u6", account: "ghost", at: "2024-01-11T09:00:00Z"),
        Line.usage("u1", account: "acme", at: "2024-01-12T09:00:00Z"),
      ].joined(separator: "\n"))
    #expect(partial.status == 65, "\(partial.standardError)")
    #expect(partial.standardError.contains(#"1 new account got events"#))
    #expect(partial.standardError.contains(#""ghost""#))
  }

  @Test("reused id with other content stores nothing")
  func reusedIDRejected() throws {
    let first = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z"))
    #expect(first.status == 0)
    let input = [
      Line.usage("e2", account: "a", at: "2024-01-11T09:00:00Z"),
      Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z", acv: "7000.00"),
    ].joined(separator: "\n")
    let second = try Tierline.run(["--store", store, "append", "-"], input: input)
    #expect(second.status == 65)
    #expect(second.standardError.contains("e1"))
    #expect(second.standardError.contains("line 2"))
    #expect(try eventCount() == 1)
  }

  @Test("id reused in batched input stores nothing")
  func reusedIDInBatchedInput() throws {
    let input = [
      Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z"),
      Line.usage("e2", account: "a", at: "2024-01-11T09:00:00Z"),
      Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z", acv: "7000.00"),
    ].joined(separator: "\n")
    let result = try Tierline.run(
      ["--store", store, "append", "--batch-size", "1", "-"], input: input)
    #expect(result.status == 65)
    #expect(result.standardError.contains(#"line 3: id: event id "e1" is already used on line 1"#))
    #expect(try eventCount() == 0)

    // The same event twice is a duplicate, not a conflict.
    let repeated = [input.split(separator: "\n")[0], input.split(separator: "\n")[0]]
    let duplicate = try Tierline.run(
      ["--store", store, "append", "--batch-size", "1", "-"],
      input: repeated.joined(separator: "\n"))
    #expect(duplicate.status == 0, "\(duplicate.standardError)")
    #expect(try eventCount() == 1)

    // Ids and contents compare as bytes, as the ledger compares them: "café" in NFC and
    // in NFD are two ids, and two contents.
    let spellings = try Tierline.run(
      ["--store", store, "append", "--batch-size", "1", "-"],
      input: [
        Line.landed("caf\u{E9}", account: "nfc", at: "2024-01-10T09:00:00Z"),
        Line.landed("cafe\u{301}", account: "nfd", at: "2024-01-10T09:00:00Z"),
      ].joined(separator: "\n"))
    #expect(spellings.status == 0, "\(spellings.standardError)")
    #expect(try eventCount() == 3)
    let contents = try Tierline.run(
      ["--store", store, "append", "--batch-size", "1", "-"],
      input: [
        Line.milestone("m1", account: "nfc", at: "2024-01-11T09:00:00Z", name: "caf\u{E9}"),
        Line.milestone("m1", account: "nfc", at: "2024-01-11T09:00:00Z", name: "cafe\u{301}"),
      ].joined(separator: "\n"))
    #expect(contents.status == 65)
    #expect(try eventCount() == 3)
  }

  @Test("batched append leaves only the ledger's files")
  func batchedAppendFiles() throws {
    let input = (1...50).map { day in
      day == 1
        ? Line.landed("e1", account: "a", at: "2024-01-01T09:00:00Z")
        : Line.usage(
          "e\(day)", account: "a", at: "2024-01-\(String(format: "%02d", day % 28 + 1))T09:00:00Z")
    }.joined(separator: "\n")
    let stored = try Tierline.run(
      ["--store", store, "append", "--batch-size", "7", "-"], input: input)
    #expect(stored.status == 0, "\(stored.standardError)")
    #expect(stored.standardOutput.contains("Appended 50 events"))
    #expect(try eventCount() == 50)
    // A later batch that fails: the id of line 1 with other content.
    let failing = try Tierline.run(
      ["--store", store, "append", "--batch-size", "2", "-"],
      input: [
        Line.usage("f1", account: "a", at: "2024-02-01T09:00:00Z"),
        Line.usage("f2", account: "a", at: "2024-02-02T09:00:00Z"),
        Line.landed("e1", account: "a", at: "2024-01-01T09:00:00Z", acv: "7000.00"),
      ].joined(separator: "\n"))
    #expect(failing.status == 65)
    #expect(try eventCount() == 52)
    let files = try FileManager.default.contentsOfDirectory(atPath: store).sorted()
    #expect(files == ["data.mdb", "lock.mdb"])

    // A TMPDIR that cannot take the file sends it to the ledger's directory, with a note.
    let elsewhere = try Tierline.run(
      ["--store", store, "append", "--batch-size", "7", "-"], input: input,
      environment: ["TMPDIR": directory.path("missing")])
    #expect(elsewhere.status == 0, "\(elsewhere.standardError)")
    #expect(elsewhere.standardOutput.contains("skipped 50 duplicates"))
    #expect(
      elsewhere.standardError.contains(
        "note: cannot create a temporary file for the batches in \(directory.path("missing")): "
          + "No such file or directory, so it is in \(store)"), "\(elsewhere.standardError)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: store).sorted() == files)
  }

  @Test("JSON output keeps format characters")
  func jsonWithFormatCharacters() throws {
    // U+202E reverses the text after it on a terminal; JSON carries it as it is.
    let account = "a\u{202E}bc"
    let stored = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.landed("j1", account: account, at: "2024-01-10T09:00:00Z"))
    #expect(stored.status == 0, "\(stored.standardError)")
    let log = try Tierline.run(["--store", store, "log", account, "--json"])
    #expect(log.status == 0, "\(log.standardError)")
    let event = try #require(try log.jsonLines().first)
    #expect(event["account"] as? String == account)
    let due = try Tierline.run(["--store", store, "due", "--on", "2024-03-01", "--json"])
    #expect(try due.jsonLines().contains { $0["account"] as? String == account })
    // Text output still escapes them.
    let text = try Tierline.run(["--store", store, "log", account])
    #expect(text.standardOutput.contains("\\u{202E}"))
  }

  @Test("events far ahead of now warn")
  func futureEventsWarn() throws {
    let input = [
      Line.landed("f1", account: "a", at: "2024-01-10T09:00:00Z"),
      Line.usage("f2", account: "a", at: "2205-01-01T09:00:00Z"),
      Line.usage("f3", account: "a", at: "2204-01-01T09:00:00Z"),
    ].joined(separator: "\n")
    for options in [[], ["--batch-size", "1"]] {
      let directory = try TemporaryDirectory()
      let ledger = try Tierline.initializedStore(in: directory)
      let result = try Tierline.run(["--store", ledger, "append"] + options + ["-"], input: input)
      #expect(result.status == 0, "\(result.standardError)")
      #expect(
        result.standardError.contains(
          "warning: 2 events of the input occurred more than a day after now, the latest at "
            + "2205-01-01T09:00:00Z (line 2)"), "\(result.standardError)")
    }
    // An event within a day of now is no mistake to warn about.
    let soon = Date().addingTimeInterval(3_600)
    let result = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.usage("f4", account: "a", at: ISO8601DateFormatter().string(from: soon)))
    #expect(result.status == 0, "\(result.standardError)")
    #expect(!result.standardError.contains("after now"))
  }

  @Test("failed later batch still reports JSON")
  func failedBatchJSON() throws {
    let first = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z"))
    #expect(first.status == 0, "\(first.standardError)")
    let input = [
      Line.usage("e2", account: "a", at: "2024-01-11T09:00:00Z"),
      Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z", acv: "7000.00"),
    ].joined(separator: "\n")
    let result = try Tierline.run(
      ["--store", store, "append", "--batch-size", "1", "--json", "-"], input: input)
    #expect(result.status == 65)
    let summary = try #require(try result.jsonLines().first)
    #expect(summary["appended"] as? Int == 1)
    #expect(summary["failed_from_line"] as? Int == 2)
    #expect(result.standardError.contains("append all of it again"), "\(result.standardError)")
    #expect(try eventCount() == 2)
  }

  @Test("unlimited metric gets a note")
  func unlimitedMetricNote() throws {
    let input = [
      Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z"),
      Line.usage("e2", account: "a", at: "2024-01-11T09:00:00Z", metric: "apicalls"),
      Line.usage("e3", account: "a", at: "2024-01-11T10:00:00Z"),
    ].joined(separator: "\n")
    let result = try Tierline.run(["--store", store, "append", "-"], input: input)
    #expect(result.status == 0, "\(result.standardError)")
    #expect(
      result.standardError.contains(
        "no tier of any rules in the ledger limits the metric \"apicalls\". The usage is stored"))
    #expect(!result.standardError.contains("\"api_calls\""))
    #expect(try eventCount() == 3)

    // Metrics that a tier limits get no note.
    let limited = Line.usage("e4", account: "a", at: "2024-01-12T09:00:00Z")
    let quiet = try Tierline.run(["--store", store, "append", "-"], input: limited)
    #expect(quiet.status == 0, "\(quiet.standardError)")
    #expect(quiet.standardError.isEmpty)
  }

  @Test("unused check-in kind and milestone")
  func unusedNameNotes() throws {
    let input = [
      Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z"),
      Line.checkinCompleted("e2", account: "a", at: "2024-03-01T09:00:00Z", kind: "60-day"),
      Line.milestone("e3", account: "a", at: "2024-03-02T09:00:00Z", name: "integration-live"),
      Line.milestone("e4", account: "a", at: "2024-03-03T09:00:00Z", name: "go-live"),
    ].joined(separator: "\n")
    let result = try Tierline.run(["--store", store, "append", "-"], input: input)
    #expect(result.status == 0, "\(result.standardError)")
    #expect(
      result.standardError.contains(
        "no rules in the ledger schedule the check-in kind \"60-day\". The check-in is stored"))
    #expect(
      result.standardError.contains(
        "no rules in the ledger name the milestones \"integration-live\", \"go-live\". The "
          + "milestone is stored"))
    #expect(try eventCount() == 4)

    // The scheduled kind and the milestones that rules name get no note.
    let named = [
      Line.checkinCompleted("e5", account: "a", at: "2024-03-04T09:00:00Z"),
      Line.milestone("e6", account: "a", at: "2024-03-05T09:00:00Z", name: "integration_live"),
      Line.milestone("e7", account: "a", at: "2024-03-06T09:00:00Z", name: "first_value"),
    ].joined(separator: "\n")
    let quiet = try Tierline.run(["--store", store, "append", "-"], input: named)
    #expect(quiet.status == 0, "\(quiet.standardError)")
    #expect(quiet.standardError.isEmpty, "\(quiet.standardError)")
  }

  @Test("metric notes follow the fold's matching")
  func metricNoteMatching() throws {
    // An NFD spelling of a limited metric counts toward its limit, so it gets no note.
    let playbookPath = try Tierline.renamedPlaybook(
      at: directory.url.appendingPathComponent("cafe.json").path,
      [("api_calls", "caf\u{E9}_calls")])
    let cafe = directory.url.appendingPathComponent("cafe.ledger").path
    let created = try Tierline.run(["--store", cafe, "init", "--playbook", playbookPath])
    #expect(created.status == 0, "\(created.standardError)")
    let input = [
      Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z"),
      Line.usage("e2", account: "a", at: "2024-01-11T09:00:00Z", metric: "cafe\u{301}_calls"),
    ].joined(separator: "\n")
    let nfd = try Tierline.run(["--store", cafe, "append", "-"], input: input)
    #expect(nfd.status == 0, "\(nfd.standardError)")
    #expect(nfd.standardError.isEmpty)

    // A metric that only earlier rules limit still counts for replays of that time.
    let activated = try Tierline.run(
      ["--store", store, "rules", "activate", playbookPath, "--effective", "2025-01-01T00:00:00Z"])
    #expect(activated.status == 0, "\(activated.standardError)")
    let old = [
      Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z"),
      Line.usage("e2", account: "a", at: "2024-01-11T09:00:00Z"),
    ].joined(separator: "\n")
    let earlier = try Tierline.run(["--store", store, "append", "-"], input: old)
    #expect(earlier.status == 0, "\(earlier.standardError)")
    #expect(earlier.standardError.isEmpty)
  }

  /// Writes a small subscriptions CSV file and returns its path.
  private func subscriptionsCSV() throws -> String {
    let csv = directory.url.appendingPathComponent("subscriptions.csv").path
    try Data("customer,subscription\nc1,s1\n".utf8).write(to: URL(fileURLWithPath: csv))
    return csv
  }

  @Test("missing ledger reported before input errors")
  func missingLedgerFirst() throws {
    let csv = try subscriptionsCSV()
    let missing = directory.url.appendingPathComponent("absent.ledger").path
    let result = try Tierline.run(["--store", missing, "append", csv])
    #expect(result.status == 1)
    #expect(result.standardError.contains("no ledger at \(missing)"))
    #expect(!result.standardError.contains("invalid JSON"))
  }

  @Test("CSV input points to import")
  func csvPointsToImport() throws {
    let csv = try subscriptionsCSV()
    let result = try Tierline.run(["--store", store, "append", csv])
    #expect(result.status == 65)
    #expect(result.standardError.contains("invalid JSON"))
    #expect(result.standardError.contains("looks like CSV, which `tierline import` reads"))
    #expect(try eventCount() == 0)
  }

  @Test("format note precedes line errors")
  func formatNoteFirst() throws {
    // More rows than the 20 listed line errors.
    let rows = (1...30).map { "c\($0),s\($0)" }
    let csv = directory.path("many.csv")
    try Data((["customer,subscription"] + rows).joined(separator: "\n").utf8)
      .write(to: URL(fileURLWithPath: csv))
    let result = try Tierline.run(["--store", store, "append", csv])
    #expect(result.status == 65)
    let lines = result.standardError.split(separator: "\n").map(String.init)
    #expect(
      lines.first
        == "note: \(csv) looks like CSV, which `tierline import` reads (see "
        + "`tierline import --help`)")
    #expect(lines.dropFirst().first?.hasPrefix("error: line 1: invalid JSON") == true)
    #expect(lines.filter { $0.contains("looks like CSV") }.count == 1)
    #expect(lines.last?.hasSuffix("nothing was stored: fix the input and append it again") == true)
    #expect(try eventCount() == 0)
  }

  @Test("large CSV input points to import")
  func largeCSVPointsToImport() throws {
    // About 6 MB, more than the 4 MiB that `append` keeps of an input with no valid event.
    let row = "c1,s1," + String(repeating: "x", count: 94) + "\n"
    let csv = directory.path("large.csv")
    try Data(("customer,subscription,notes\n" + String(repeating: row, count: 60_000)).utf8)
      .write(to: URL(fileURLWithPath: csv))
    let result = try Tierline.run(["--store", store, "append", csv])
    #expect(result.status == 65)
    #expect(
      result.standardError.split(separator: "\n").first.map(String.init)
        == "note: \(csv) looks like CSV, which `tierline import` reads (see "
        + "`tierline import --help`)")
    #expect(try eventCount() == 0)
  }

  @Test("array with an event per line gets the note")
  func arrayWithEventLines() throws {
    // The last element has no comma after it, so its line is a valid event; the others
    // are not. Nothing is stored, and the first "[" names the form.
    let events = [
      Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z"),
      Line.usage("e2", account: "a", at: "2024-01-11T09:00:00Z"),
    ]
    let input = "[\n" + events.joined(separator: ",\n") + "\n]\n"
    let result = try Tierline.run(["--store", store, "append", "-"], input: input)
    #expect(result.status == 65)
    let note = try #require(result.standardError.split(separator: "\n").first)
    #expect(
      note.hasPrefix("note: standard input starts with [ as a JSON array does, but "), "\(note)")
    #expect(try eventCount() == 0)

    // NDJSON with one bad line gets no note.
    let ndjson = events.joined(separator: "\n") + "\nnot json\n"
    let plain = try Tierline.run(["--store", store, "append", "-"], input: ndjson)
    #expect(plain.status == 65)
    #expect(!plain.standardError.contains("note:"), "\(plain.standardError)")
  }

  @Test("large JSON array named by first character")
  func largeJSONArrayNote() throws {
    // A valid JSON array of about 6 MB. `append` keeps only the first 4 MiB of an input
    // with no valid event, so it cannot parse the array and names it by its first "[".
    let item = "{\"id\":\"" + String(repeating: "x", count: 90) + "\"},\n"
    let path = directory.path("large.json")
    try Data(("[\n" + String(repeating: item, count: 60_000) + "{}\n]\n").utf8)
      .write(to: URL(fileURLWithPath: path))
    let result = try Tierline.run(["--store", store, "append", path])
    #expect(result.status == 65)
    let note = try #require(result.standardError.split(separator: "\n").first)
    #expect(note.hasPrefix("note: \(path) starts with [ as a JSON array does, but "), "\(note)")
    #expect(try eventCount() == 0)
  }

  @Test("one-line array over the line limit")
  func oneLineArrayOverLimit() throws {
    // Over 64 KiB on one line, more than an event may take, so the reader stops at the
    // line before parsing it, and its first "[" names the form.
    let event = Line.usage("e", account: "a", at: "2024-01-11T09:00:00Z")
    let input = "  [" + Array(repeating: event, count: 1_000).joined(separator: ",") + "]\n"
    #expect(input.utf8.count > 65_536)
    let result = try Tierline.run(["--store", store, "append", "-"], input: input)
    #expect(result.status == 65)
    let lines = result.standardError.split(separator: "\n").map(String.init)
    #expect(lines.count == 2, "\(lines)")
    #expect(
      lines.first?.hasPrefix(
        "note: standard input has a line that starts with [ as a JSON array does, but ")
        == true, "\(lines)")
    #expect(lines.last?.hasPrefix("error: line 1: the line is longer than") == true)
    #expect(try eventCount() == 0)

    // A byte-order mark before the array, or a file named .csv, does not hide the note.
    let marked = try Tierline.run(["--store", store, "append", "-"], input: "\u{FEFF}" + input)
    #expect(marked.status == 65)
    #expect(
      marked.standardError.hasPrefix(
        "note: standard input has a line that starts with [ as a JSON array does, but "),
      "\(marked.standardError)")
    let csvPath = directory.path("array.csv")
    try Data(input.utf8).write(to: URL(fileURLWithPath: csvPath))
    let csv = try Tierline.run(["--store", store, "append", csvPath])
    #expect(csv.status == 65)
    #expect(
      csv.standardError.hasPrefix(
        "note: \(csvPath) has a line that starts with [ as a JSON array does, but "),
      "\(csv.standardError)")

    // An over-long line that is not an array gets only the error.
    let long = "{\"id\":\"" + String(repeating: "x", count: 70_000) + "\"}\n"
    let plain = try Tierline.run(["--store", store, "append", "-"], input: long)
    #expect(plain.status == 65)
    #expect(!plain.standardError.contains("note:"), "\(plain.standardError)")
  }

  @Test("JSON document points to import")
  func jsonDocumentPointsToImport() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let stripe = root.appendingPathComponent("examples/stripe-events.json").path
    let stripeLines = try String(contentsOfFile: stripe, encoding: .utf8)
      .split(separator: "\n").count
    let advice =
      ", but `append` reads one event per line. Put each event on a line of its own, or "
      + "import a Stripe or Segment export with `tierline import stripe` or "
      + "`tierline import segment` (see `tierline import --help`)"

    let document = try Tierline.run(["--store", store, "append", stripe])
    #expect(document.status == 65)
    let documentLines = document.standardError.split(separator: "\n").map(String.init)
    #expect(
      documentLines.first
        == "note: \(stripe) is one JSON document over \(stripeLines) lines" + advice)
    #expect(documentLines.dropFirst().first?.hasPrefix("error: line 1: ") == true)
    // Every line fails alike, so one error shows the kind and the rest are counted.
    #expect(documentLines.count == 2, "\(document.standardError)")
    #expect(documentLines.last?.contains("(and \(stripeLines - 1) more invalid lines)") == true)

    let events = [
      Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z"),
      Line.usage("e2", account: "a", at: "2024-01-11T09:00:00Z"),
    ]
    let array = try Tierline.run(
      ["--store", store, "append", "-"], input: "[" + events.joined(separator: ",") + "]\n")
    #expect(array.status == 65)
    #expect(
      array.standardError.split(separator: "\n").first.map(String.init)
        == "note: standard input is a JSON array" + advice)

    // Over several lines, with no line an event, one error shows the kind.
    let lines = try Tierline.run(
      ["--store", store, "append", "-"], input: "[\n{\"a\":1},\n{\"b\":2}\n]\n")
    #expect(lines.status == 65)
    let linesErrors = lines.standardError.split(separator: "\n").map(String.init)
    #expect(linesErrors.first == "note: standard input is a JSON array" + advice)
    #expect(linesErrors.count == 2, "\(lines.standardError)")
    #expect(linesErrors.last?.contains("(and 3 more invalid lines)") == true)

    // A line too long to read after a document is not part of it, so its error still
    // shows, after the errors before it.
    let followed = try Tierline.run(
      ["--store", store, "append", "-"],
      input: "[\n{\"a\":1}\n]\n" + String(repeating: "x", count: 70_000) + "\n")
    #expect(followed.status == 65)
    let followedErrors = followed.standardError.split(separator: "\n").map(String.init)
    #expect(followedErrors.count == 5, "\(followed.standardError)")
    #expect(followedErrors.last?.hasPrefix("error: line 4: ") == true)
    #expect(followedErrors.last?.contains("maximum event size") == true)

    // Two lines: one more line, in the singular.
    let two = try Tierline.run(["--store", store, "append", "-"], input: "[\n]\n")
    #expect(two.status == 65)
    #expect(two.standardError.contains("(and 1 more invalid line);"), "\(two.standardError)")

    // An array cut short is not valid JSON, but its first character still shows the form.
    let cut = try Tierline.run(
      ["--store", store, "append", "-"], input: "[\n" + events[0] + ",\n" + events[1] + ",\n")
    #expect(cut.status == 65)
    #expect(
      cut.standardError.split(separator: "\n").first.map(String.init)
        == "note: standard input starts with [ as a JSON array does" + advice)
    #expect(try eventCount() == 0)
  }

  @Test(
    "NDJSON with bad lines gets no note",
    arguments: [
      // A valid event, then a bad line.
      [Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z"), "{\"id\":"],
      // A bad line first, then a valid event.
      ["[1]", Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z")],
      // One object on one line that is not an event.
      ["{\"object\":\"list\",\"data\":[]}"],
    ])
  func ndjsonGetsNoNote(lines: [String]) throws {
    // The name ends with .csv, which the CSV note also looks at.
    let path = directory.path("events.csv")
    try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
    let result = try Tierline.run(["--store", store, "append", path])
    #expect(result.status == 65)
    #expect(!result.standardError.contains("note:"), "\(result.standardError)")
    #expect(try eventCount() == 0)
  }

  @Test("bad line stores nothing of the batch")
  func badLineStoresNothing() throws {
    let input = [
      Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z"),
      Line.usage("e2", account: "a", at: "2024-01-11T09:00:00Z"),
      Line.usage("e3", account: "a", at: "2024-02-30T09:00:00Z"),
      Line.usage("e4", account: "a", at: "2024-01-12T09:00:00Z"),
    ].joined(separator: "\n")
    let result = try Tierline.run(["--store", store, "append", "-"], input: input)
    #expect(result.status == 65)
    #expect(result.standardError.contains("line 3"))
    #expect(result.standardError.contains("occurred_at"))
    #expect(try eventCount() == 0)
  }

  @Test(
    "invalid inputs exit 65 and store nothing",
    arguments: [
      ("malformed JSON", "{\"id\":\"x\",", "line 1"),
      (
        "unknown type",
        """
        {"id":"x","type":"account.exploded","account":"a","occurred_at":"2024-01-10T09:00:00Z","data":{}}
        """, "type"
      ),
      (
        "bad timestamp",
        """
        {"id":"x","type":"milestone.reached","account":"a","occurred_at":"2024-01-10 9am","data":{"milestone":"m"}}
        """, "occurred_at"
      ),
      (
        "money with three decimals",
        Line.landed("x", account: "a", at: "2024-01-10T09:00:00Z", acv: "6000.001"),
        "data.acv"
      ),
      (
        "unknown tier",
        Line.landed("x", account: "a", at: "2024-01-10T09:00:00Z", tier: "platinum"),
        "platinum"
      ),
      (
        "over-long account id",
        Line.landed(
          "x", account: String(repeating: "a", count: 201),
          at: "2024-01-10T09:00:00Z"), "account"
      ),
      ("empty file", "", "no events"),
    ])
  func invalidInputRejected(name: String, input: String, expectedText: String) throws {
    let result = try Tierline.run(["--store", store, "append", "-"], input: input)
    #expect(result.status == 65, "\(name): \(result.standardError)")
    #expect(result.standardError.contains(expectedText), "\(name): \(result.standardError)")
    #expect(try eventCount() == 0)
  }

  @Test("10 MB event is rejected")
  func hugeEventRejected() throws {
    let padding = String(repeating: "x", count: 10 * 1024 * 1024)
    let input = """
      {"id":"big","type":"account.churned","account":"a","occurred_at":"2024-01-10T09:00:00Z",\
      "data":{"reason":"\(padding)"}}
      """
    let result = try Tierline.run(["--store", store, "append", "-"], input: input)
    #expect(result.status == 65)
    #expect(result.standardError.contains("line 1"))
    #expect(try eventCount() == 0)
  }

  @Test("NFC and NFD account ids are one account")
  func normalizedAccountIDs() throws {
    let composed = "caf\u{E9}"
    let decomposed = "cafe\u{301}"
    let input = [
      Line.landed("e1", account: composed, at: "2024-01-10T09:00:00Z"),
      Line.usage("e2", account: decomposed, at: "2024-01-11T09:00:00Z"),
    ].joined(separator: "\n")
    let result = try Tierline.run(["--store", store, "append", "-"], input: input)
    #expect(result.status == 0, "\(result.standardError)")
    let log = try Tierline.run(["--store", store, "log", decomposed, "--json"])
    #expect(log.status == 0)
    #expect(log.lines.count == 2)
    let verify = try Tierline.run(["--store", store, "verify", "--json"])
    let report = try #require(try verify.jsonLines().first)
    #expect(report["accounts"] as? Int == 1)
  }

  @Test("version conflict counts batch lines")
  func versionConflictInBatch() throws {
    let landed = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.landed("v0", account: "acme", at: "2024-01-10T09:00:00Z"))
    #expect(landed.status == 0, "\(landed.standardError)")
    let input = [
      Line.tierChanged(
        "v1", account: "acme", at: "2024-02-01T09:00:00Z", to: "growth", acv: "18000.00",
        expectedVersion: 1),
      Line.tierChanged(
        "v2", account: "acme", at: "2024-03-01T09:00:00Z", to: "scale", acv: "36000.00",
        expectedVersion: 1),
    ].joined(separator: "\n")
    let result = try Tierline.run(["--store", store, "append", "-"], input: input)
    // The first line's expected version held, so the second line's contradicts it, and a
    // retry would fail the same way: an input error, not a race.
    #expect(result.status == 65)
    #expect(
      result.standardError.contains("at version 2 (counting 1 earlier line of this batch)"),
      "\(result.standardError)")
    #expect(result.standardError.contains("a retry fails the same way"))

    // Expecting a version the stored account has already passed is a race: retry.
    let stale = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.tierChanged(
        "v3", account: "acme", at: "2024-03-01T09:00:00Z", to: "scale", acv: "36000.00",
        expectedVersion: 0))
    #expect(stale.status == 75, "\(stale.standardError)")

    // An earlier line without an expected version leaves open whether another writer
    // came between. The input was written when acme was at version 1, so its second line
    // expects 2, but another writer's event came first.
    let other = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.usage("w1", account: "acme", at: "2024-03-02T09:00:00Z"))
    #expect(other.status == 0, "\(other.standardError)")
    let raced = try Tierline.run(
      ["--store", store, "append", "-"],
      input: [
        Line.usage("w2", account: "acme", at: "2024-03-03T09:00:00Z"),
        Line.tierChanged(
          "w3", account: "acme", at: "2024-03-04T09:00:00Z", to: "scale", acv: "36000.00",
          expectedVersion: 2),
      ].joined(separator: "\n"))
    #expect(raced.status == 75, "\(raced.standardError)")
  }

  @Test("two writers on one expected version, one wins")
  func racingWriters() throws {
    let landing = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z"))
    #expect(landing.status == 0)
    let results = ResultBox()
    let group = DispatchGroup()
    let store = self.store
    for writer in 0..<2 {
      group.enter()
      Thread {
        let line = Line.tierChanged(
          "change-\(writer)", account: "a", at: "2024-03-01T09:00:00Z", to: "growth",
          acv: "18000.00", expectedVersion: 1)
        let result = try? Tierline.run(["--store", store, "append", "-"], input: line)
        results.add(result?.status ?? -1)
        group.leave()
      }.start()
    }
    group.wait()
    #expect(results.sorted == [0, 75])
    #expect(try eventCount() == 2)
  }
}

/// Exit statuses collected from several threads.
final class ResultBox: @unchecked Sendable {
  private var statuses: [Int32] = []
  private let lock = NSLock()

  func add(_ status: Int32) {
    lock.lock()
    statuses.append(status)
    lock.unlock()
  }

  var sorted: [Int32] {
    lock.lock()
    defer { lock.unlock() }
    return statuses.sorted()
  }
}
