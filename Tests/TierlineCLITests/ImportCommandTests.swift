import Foundation
import Testing

@Suite("tierline import")
struct ImportCommandTests {
  let directory: TemporaryDirectory
  let store: String

  static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func repositoryPath(_ relative: String) -> String {
    repository.appendingPathComponent(relative).path
  }

  static let mapping = """
    {"version": 1,
     "type": {"column": "kind", "values": {"signup": "account.landed", "calls": "usage.recorded"}},
     "id": {"column": "row"}, "account": {"column": "customer"},
     "occurred_at": {"column": "date"},
     "data": {
       "account.landed": {"tier": {"column": "plan"}, "acv": {"column": "amount"},
         "currency": {"value": "USD"}, "timezone": {"value": "UTC"}},
       "usage.recorded": {"metric": {"value": "api_calls"}, "quantity": {"column": "amount"}}}}
    """

  /// A CSV file with a byte-order mark, CRLF line ends, a quoted comma, a quoted line
  /// break in an unmapped column and doubled quotes.
  static let goodCSV =
    "\u{FEFF}row,kind,customer,date,plan,amount,note\r\n"
    + "1,signup,\"Acme, \"\"West\"\"\",2024-01-10,starter,6000.00,\"first\nsecond\"\r\n"
    + "2,calls,\"Acme, \"\"West\"\"\",2024-02-01T10:00:00Z,,1200,\r\n"
    + "\"3\",calls,\"Acme, \"\"West\"\"\",2024-02-02,\"\",\"40\",\"a, b\"\r\n"

  init() throws {
    directory = try TemporaryDirectory()
    store = try Tierline.initializedStore(in: directory)
    try Data(ImportCommandTests.mapping.utf8).write(to: URL(fileURLWithPath: mappingPath))
  }

  var mappingPath: String { directory.path("mapping.json") }

  func write(_ text: String, to name: String) throws -> String {
    let path = directory.path(name)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  func eventCount() throws -> Int {
    let result = try Tierline.run(["--store", store, "verify", "--json"])
    #expect(result.status == 0, "\(result.standardError)")
    let report = try #require(try result.jsonLines().first)
    return try #require(report["records"] as? Int)
  }

  func importJSON(_ arguments: [String]) throws -> (status: Int32, report: [String: Any]) {
    let result = try Tierline.run(["--store", store, "import"] + arguments + ["--json"])
    let report = try #require(try result.jsonLines().first, "\(result.standardError)")
    return (result.status, report)
  }

  @Test("csv import twice appends once")
  func csvReimport() throws {
    let csv = try write(ImportCommandTests.goodCSV, to: "good.csv")
    let first = try importJSON(["csv", csv, "--mapping", mappingPath])
    #expect(first.status == 0)
    #expect(first.report["appended"] as? Int == 3)
    #expect(first.report["rejected"] as? Int == 0)
    let second = try importJSON(["csv", csv, "--mapping", mappingPath])
    #expect(second.status == 0)
    #expect(second.report["appended"] as? Int == 0)
    #expect(second.report["duplicates"] as? Int == 3)
    #expect(try eventCount() == 3)

    let log = try Tierline.run(["--store", store, "log", "Acme, \"West\""])
    #expect(log.status == 0, "\(log.standardError)")
    #expect(log.standardOutput.contains("usage.recorded"))
  }

  @Test("unknown mapped tier names the prices file")
  func pricesFileNamed() throws {
    let prices = directory.path("prices.json")
    try #"{"price_1": "enterprise"}"#.write(toFile: prices, atomically: true, encoding: .utf8)
    let result = try Tierline.run(
      [
        "--store", store, "import", "stripe",
        ImportCommandTests.repositoryPath("examples/stripe-events.json"), "--prices", prices,
      ])
    #expect(result.status == 65)
    #expect(
      result.standardError.hasPrefix(
        "error: \(prices): the price mapping gives price_1 the tier \"enterprise\""),
      "\(result.standardError)")
  }

  @Test("import warns about far-future events")
  func importFutureEvents() throws {
    let events = directory.path("future.ndjson")
    let event =
      #"{"id":"evt_f","object":"event","type":"customer.subscription.created","#
      + #""created":253402300799,"data":{"object":{"id":"sub_f","customer":"cus_F","#
      + #""status":"active","currency":"usd","items":{"data":[{"quantity":1,"#
      + #""price":{"id":"p","unit_amount":50000,"recurring":{"interval":"month"}}}]}}}}"#
    try (event + "\n").write(toFile: events, atomically: true, encoding: .utf8)
    let result = try Tierline.run(["--store", store, "import", "stripe", events, "--json"])
    #expect(result.status == 0, "\(result.standardError)")
    let report = try #require(try result.jsonLines().first)
    let warnings = try #require(report["warnings"] as? [String])
    #expect(
      warnings.contains {
        $0.hasPrefix(
          "1 new event occurred more than a day after now, the latest at 9999-12-31T23:59:59Z (line 1)"
        )
      }, "\(warnings)")
  }

  @Test("import warns about unlanded accounts")
  func unlandedAccountWarning() throws {
    let landed = try Tierline.run(
      [
        "--store", store, "import", "csv", try write(ImportCommandTests.goodCSV, to: "good.csv"),
        "--mapping", mappingPath,
      ])
    #expect(landed.status == 0, "\(landed.standardError)")
    #expect(!landed.standardError.contains("warning"), "\(landed.standardError)")

    // Usage of a known account and of one whose id differs by a letter, with no landing.
    let csv = try write(
      "row,kind,customer,date,plan,amount\n"
        + "10,calls,\"Acme, \"\"West\"\"\",2024-03-01,,5\n"
        + "11,calls,\"Acme, \"\"Wesst\"\"\",2024-03-01,,7\n", to: "usage.csv")
    let dryRun = try Tierline.run(
      ["--store", store, "import", "csv", csv, "--mapping", mappingPath, "--dry-run"])
    #expect(dryRun.status == 0, "\(dryRun.standardError)")
    #expect(!dryRun.standardError.contains("warning"), "\(dryRun.standardError)")

    let imported = try Tierline.run(
      ["--store", store, "import", "csv", csv, "--mapping", mappingPath])
    #expect(imported.status == 0, "\(imported.standardError)")
    #expect(
      imported.standardError.contains("1 new account got events but no account.landed event"),
      "\(imported.standardError)")
    #expect(imported.standardError.contains("Wesst"), "\(imported.standardError)")
    #expect(!imported.standardError.contains("\"West"), "\(imported.standardError)")
  }

  @Test("csv ambiguous number fails with 65 and stores nothing")
  func csvRejection() throws {
    let csv = try write(
      "row,kind,customer,date,plan,amount\n1,signup,acme,2024-01-10,starter,6000.00\n"
        + "2,calls,acme,2024-02-01,,\"12.000,50\"\n",
      to: "bad.csv")
    let failed = try Tierline.run([
      "--store", store, "import", "csv", csv, "--mapping", mappingPath,
    ])
    #expect(failed.status == 65)
    #expect(failed.standardError.contains("line 3: data.quantity (column amount)"))
    #expect(try eventCount() == 0)

    let withComma = try Tierline.run(
      [
        "--store", store, "import", "csv", csv, "--mapping", mappingPath,
        "--decimal-separator", ",",
      ])
    #expect(withComma.status == 65)
    #expect(withComma.standardError.contains("line 2: data.acv (column amount)"))
    #expect(try eventCount() == 0)

    let skipped = try importJSON(["csv", csv, "--mapping", mappingPath, "--skip-invalid"])
    #expect(skipped.status == 0)
    #expect(skipped.report["appended"] as? Int == 1)
    #expect(skipped.report["rejected"] as? Int == 1)
    #expect(try eventCount() == 1)
  }

  @Test("dry run lists events and rejections")
  func dryRun() throws {
    let csv = try write(
      "row,kind,customer,date,plan,amount\n1,signup,acme,2024-01-10,starter,6000.00\n"
        + "2,calls,acme,2024-02-01,,\"9,99\"\n",
      to: "dry.csv")
    let result = try Tierline.run(
      ["--store", store, "import", "csv", csv, "--mapping", mappingPath, "--dry-run"])
    #expect(result.status == 65)
    #expect(result.lines.first?.hasPrefix("would append line 2: {\"id\":\"csv:1\"") == true)
    #expect(
      result.lines.contains { $0.hasPrefix("would reject line 3: data.quantity (column amount)") })
    #expect(result.standardOutput.contains("Dry run: would append 1 event,"))
    #expect(try eventCount() == 0)

    let skipping = try importJSON([
      "csv", csv, "--mapping", mappingPath, "--dry-run", "--skip-invalid",
    ])
    #expect(skipping.status == 0)
    #expect(skipping.report["would_append"] as? Int == 1)
    #expect((skipping.report["events"] as? [Any])?.count == 1)
    let rejections = try #require(skipping.report["rejections"] as? [[String: Any]])
    #expect(rejections.first?["line"] as? Int == 3)
    #expect(try eventCount() == 0)
  }

  @Test("dry run numbers events of one record")
  func dryRunNumbersEventsOfOneRecord() throws {
    let path = ImportCommandTests.repositoryPath("examples/subscriptions.csv")
    let result = try Tierline.run(
      ["--store", store, "import", "subscriptions", path, "--dry-run"])
    #expect(result.status == 0, "\(result.standardError)")
    let labels = result.lines.compactMap { line in
      line.hasPrefix("would append ") ? line.prefix { $0 != "{" } : nil
    }
    #expect(labels.count == 12)
    #expect(labels.contains("would append line 5 (event 1 of 2): "))
    #expect(labels.contains("would append line 5 (event 2 of 2): "))
    #expect(labels.contains("would append line 2: "))
  }

  @Test("subscriptions example lands and expands")
  func subscriptions() throws {
    let path = ImportCommandTests.repositoryPath("examples/subscriptions.csv")
    let first = try importJSON(["subscriptions", path])
    #expect(first.status == 0)
    #expect(first.report["appended"] as? Int == 12)
    let second = try importJSON(["subscriptions", path])
    #expect(second.report["appended"] as? Int == 0)
    #expect(second.report["duplicates"] as? Int == 12)

    let replay = try Tierline.run(
      ["--store", store, "replay", "--json", "--account", "acme", "--as-of", "2024-12-31"])
    #expect(replay.status == 0, "\(replay.standardError)")
    let projection = try #require(try replay.jsonLines().first)
    #expect(projection["tier"] as? String == "growth")
    #expect(projection["acv"] as? String == "18000.00")
  }

  @Test("unknown format gets suggestion")
  func unknownFormat() throws {
    let close = try Tierline.run(["--store", store, "import", "subscription", "x.csv"])
    #expect(close.status == 64)
    #expect(
      close.standardError
        == "error: unknown import format (subscription): did you mean `subscriptions`? Use "
        + "csv, subscriptions, stripe or segment\n")
    let far = try Tierline.run(["--store", store, "import", "bogus", "x.csv"])
    #expect(far.status == 64)
    #expect(
      far.standardError
        == "error: unknown import format (bogus): use csv, subscriptions, stripe or segment\n")
  }

  @Test("import merges the smallest runs")
  func importMergesRuns() throws {
    // Four runs of one event each, left unmerged.
    let events = (1...4).map {
      Line.usage("u\($0)", account: "other", at: "2024-02-0\($0)T09:00:00Z")
    }.joined(separator: "\n")
    let appended = try Tierline.run(
      ["--store", store, "append", "--batch-size", "1", "--no-merge", "-"], input: events)
    #expect(appended.status == 0, "\(appended.standardError)")

    // The import's 12 events may rewrite 12 entries: the four small runs and not its own.
    let path = ImportCommandTests.repositoryPath("examples/subscriptions.csv")
    let imported = try importJSON(["subscriptions", path])
    #expect(imported.status == 0)
    #expect(imported.report["index_runs_merged"] as? Int == 4)
    #expect(imported.report["index_runs"] as? Int == 2)
    #expect(try Tierline.verifyReport(of: store)["index_runs"] as? Int == 2)

    let again = try importJSON(["subscriptions", path])
    #expect(again.report["appended"] as? Int == 0)
    #expect(again.report["index_runs_merged"] as? Int == 0)
    #expect(again.report["index_runs"] is NSNull)
  }

  @Test("rejected landing rejects later rows")
  func rejectedLandingTakesLaterRows() throws {
    // Rules from 2030 on whose tiers share no id with the built-in ones, so no tier of
    // a change in 2024 is known to every rules a replay may fold it under.
    let builtIn = try String(
      contentsOfFile: ImportCommandTests.repositoryPath("playbooks/default.json"), encoding: .utf8)
    let renamed =
      builtIn
      .replacingOccurrences(of: "\"starter\"", with: "\"basic\"")
      .replacingOccurrences(of: "\"growth\"", with: "\"premium\"")
      .replacingOccurrences(of: "\"scale\"", with: "\"elite\"")
    let later = try write(renamed, to: "renamed.json")
    let activated = try Tierline.run([
      "--store", store, "rules", "activate", later, "--effective", "2030-01-01T00:00:00Z",
    ])
    #expect(activated.status == 0, "\(activated.standardError)")

    let path = try write(
      "customer,subscription,start_date,end_date,monthly_amount\n"
        + "acme,s1,2024-01-01,2024-06-01,2000\nacme,s2,2024-06-01,,500\n", to: "chain.csv")
    let imported = try Tierline.run([
      "--store", store, "import", "subscriptions", path, "--skip-invalid",
    ])
    #expect(imported.status == 0, "\(imported.standardError)")
    #expect(imported.standardError.contains("follows line 2 of the same account"))
    #expect(!imported.standardError.contains("nothing of this batch was stored"))
    #expect(try eventCount() == 0)
  }

  @Test("subscriptions scheduled end warns")
  func subscriptionsScheduledEnd() throws {
    let path = try write(
      "customer,subscription,start_date,end_date,monthly_amount\n"
        + "acme,s1,2024-01-01,9999-01-01,500\n", to: "scheduled.csv")
    let imported = try Tierline.run(["--store", store, "import", "subscriptions", path])
    #expect(imported.status == 0)
    #expect(imported.standardError.contains("warning: left out 1 end date after the time"))
    #expect(imported.standardOutput.contains("Appended 1 event,"))
    #expect(try eventCount() == 1)

    let again = try Tierline.run([
      "--store", store, "import", "subscriptions", path, "--json",
    ])
    let report = try #require(try again.jsonLines().first)
    let warnings = try #require(report["warnings"] as? [String])
    #expect(warnings.count == 1)
    #expect(warnings.first?.contains("end date") == true)
  }

  @Test("stripe NDJSON needs skip-invalid for its bad line")
  func stripe() throws {
    let path = ImportCommandTests.repositoryPath(
      "Tests/TierlineImportTests/Fixtures/stripe-events.ndjson")
    let failed = try Tierline.run(["--store", store, "import", "stripe", path])
    #expect(failed.status == 65)
    #expect(failed.standardError.contains("line 9: data.object.customer"))
    #expect(try eventCount() == 0)

    let first = try importJSON(["stripe", path, "--skip-invalid"])
    #expect(first.status == 0)
    #expect(first.report["appended"] as? Int == 5)
    #expect(first.report["ignored"] as? Int == 2)
    let second = try importJSON(["stripe", path, "--skip-invalid"])
    #expect(second.report["appended"] as? Int == 0)
    #expect(second.report["duplicates"] as? Int == 6)
    #expect(try eventCount() == 5)
  }

  @Test("stripe created in milliseconds exits with 65")
  func stripeMilliseconds() throws {
    let path = try write(
      """
      {"id":"evt_1","object":"event","type":"customer.subscription.created",\
      "created":10000000000000,"data":{"object":{"id":"sub_1","customer":"cus_1",\
      "status":"active","currency":"usd","items":{"data":[{"quantity":1,\
      "price":{"id":"p","unit_amount":50000,"recurring":{"interval":"month"}}}]}}}}

      """, to: "milliseconds.ndjson")
    let failed = try Tierline.run(["--store", store, "import", "stripe", path])
    #expect(failed.status == 65)
    #expect(failed.standardError.contains("rejected: line 1: created: 10000000000000"))
    #expect(failed.standardError.contains("milliseconds"))
    #expect(try eventCount() == 0)

    let dryRun = try Tierline.run(["--store", store, "import", "stripe", path, "--dry-run"])
    #expect(dryRun.status == 65)
    #expect(dryRun.lines.contains { $0.hasPrefix("would reject line 1: created: 10000000000000") })
  }

  @Test("stripe update of an unseen subscription warns")
  func stripeAssumedState() throws {
    func subscription(_ type: String, id: String, created: Int, quantity: Int) -> String {
      """
      {"id":"\(id)","object":"event","type":"customer.subscription.\(type)",\
      "created":\(created),"data":{"object":{"id":"sub_1","customer":"cus_1",\
      "status":"active","currency":"usd","items":{"data":[{"id":"si_1","quantity":\(quantity),\
      "price":{"id":"p","unit_amount":50000,"recurring":{"interval":"month"}}}]}},\
      "previous_attributes":{"items":{"data":[{"id":"si_1","quantity":1,\
      "price":{"id":"p","unit_amount":50000,"recurring":{"interval":"month"}}}]}}}}
      """
    }
    let update = try write(
      subscription("updated", id: "evt_2", created: 1_710_000_000, quantity: 3) + "\n",
      to: "update.ndjson")
    let alone = try Tierline.run(["--store", store, "import", "stripe", update, "--dry-run"])
    #expect(alone.status == 0, "\(alone.standardError)")
    #expect(alone.standardError.contains(#"takes "cus_1"'s earlier subscription state"#))
    #expect(alone.standardError.contains("stays not landed"))

    // Once the ledger has the landing, the same update assumes nothing new.
    let created = try write(
      subscription("created", id: "evt_1", created: 1_700_000_000, quantity: 1) + "\n",
      to: "created.ndjson")
    let landed = try Tierline.run(["--store", store, "import", "stripe", created])
    #expect(landed.status == 0, "\(landed.standardError)")
    let after = try Tierline.run(["--store", store, "import", "stripe", update])
    #expect(after.status == 0, "\(after.standardError)")
    #expect(!after.standardError.contains("warning"))
    #expect(after.standardOutput.contains("Appended 1 event,"))
  }

  @Test("stripe page with more pages warns")
  func stripeMorePages() throws {
    let path = try write(
      """
      {"object":"list","has_more":true,"data":[\
      {"id":"evt_1","object":"event","type":"customer.subscription.created",\
      "created":1704067200,"data":{"object":{"id":"sub_1","customer":"cus_1",\
      "status":"active","currency":"usd","items":{"data":[{"quantity":1,\
      "price":{"id":"p","unit_amount":50000,"recurring":{"interval":"month"}}}]}}}}]}
      """, to: "page.json")
    let imported = try Tierline.run(["--store", store, "import", "stripe", path])
    #expect(imported.status == 0)
    #expect(imported.standardError.hasPrefix("warning: the list has more pages"))
    #expect(try eventCount() == 1)
  }

  @Test("segment calls import with headcount")
  func segment() throws {
    let fixtures = "Tests/TierlineImportTests/Fixtures/"
    let calls = ImportCommandTests.repositoryPath(fixtures + "segment-calls.ndjson")
    let mapping = ImportCommandTests.repositoryPath(fixtures + "segment-mapping.json")
    let first = try importJSON(["segment", calls, "--mapping", mapping, "--skip-invalid"])
    #expect(first.status == 0)
    #expect(first.report["appended"] as? Int == 6)
    let second = try importJSON(["segment", calls, "--mapping", mapping, "--skip-invalid"])
    #expect(second.report["appended"] as? Int == 0)
    #expect(try eventCount() == 6)
  }

  @Test("added users fire the organizational trigger")
  func addedUsersFireTrigger() throws {
    let landed = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.landed("l1", account: "acme", at: "2024-01-01T00:00:00Z"))
    #expect(landed.status == 0, "\(landed.standardError)")
    let calls = try write(
      """
      {"type":"group","messageId":"g1","groupId":"acme","traits":{"employees":10},\
      "timestamp":"2024-02-01T00:00:00Z"}
      {"type":"track","messageId":"t1","event":"Account Added User",\
      "context":{"groupId":"acme"},"timestamp":"2024-02-02T00:00:00Z"}
      {"type":"track","messageId":"t2","event":"Account Added User",\
      "context":{"groupId":"acme"},"timestamp":"2024-02-03T00:00:00Z"}
      """, to: "calls.ndjson")
    let mapping = try write(#"{"version":1,"events":{}}"#, to: "segment.json")
    let imported = try importJSON(["segment", calls, "--mapping", mapping])
    #expect(imported.status == 0)
    #expect(imported.report["appended"] as? Int == 3)

    // The built-in playbook fires at 20% headcount growth: 10 to 12 people.
    let replay = try Tierline.run(
      ["--store", store, "replay", "--json", "--account", "acme", "--as-of", "2024-03-01"])
    let projection = try #require(try replay.jsonLines().first)
    let triggers = try #require(projection["triggers"] as? [[String: Any]])
    let organizational = try #require(triggers.first { $0["type"] as? String == "organizational" })
    #expect(organizational["fired"] as? Bool == true)
    #expect(organizational["fired_at"] as? String == "2024-02-03T00:00:00Z")
  }

  @Test("added user before group fires nothing")
  func addedUserBeforeGroup() throws {
    let landed = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.landed("l1", account: "acme", at: "2024-01-01T00:00:00Z"))
    #expect(landed.status == 0, "\(landed.standardError)")
    let calls = try write(
      """
      {"type":"track","messageId":"t1","event":"Account Added User",\
      "context":{"groupId":"acme"},"timestamp":"2024-02-01T00:00:00Z"}
      {"type":"group","messageId":"g1","groupId":"acme","traits":{"employees":40},\
      "timestamp":"2024-02-02T00:00:00Z"}
      """, to: "calls.ndjson")
    let mapping = try write(#"{"version":1,"events":{}}"#, to: "segment.json")
    let imported = try Tierline.run(
      ["--store", store, "import", "segment", calls, "--mapping", mapping, "--json"])
    #expect(imported.status == 0)
    let report = try #require(try imported.jsonLines().first)
    #expect(report["appended"] as? Int == 1)
    #expect(report["ignored"] as? Int == 1)
    #expect(imported.standardError.contains("warning: ignored 1 call of \"Account Added User\""))

    let replay = try Tierline.run(
      ["--store", store, "replay", "--json", "--account", "acme", "--as-of", "2024-03-01"])
    let projection = try #require(try replay.jsonLines().first)
    let triggers = try #require(projection["triggers"] as? [[String: Any]])
    let organizational = try #require(triggers.first { $0["type"] as? String == "organizational" })
    #expect(organizational["fired"] as? Bool == false)
  }

  @Test("bad usage exits with 64")
  func badUsage() throws {
    let unknown = try Tierline.run(["--store", store, "import", "xml", "file.xml"])
    #expect(unknown.status == 64)
    let noMapping = try Tierline.run(["--store", store, "import", "csv", "file.csv"])
    #expect(noMapping.status == 64)
    let separator = try Tierline.run(
      [
        "--store", store, "import", "csv", "f.csv", "--mapping", mappingPath,
        "--decimal-separator", ";",
      ])
    #expect(separator.status == 64)
    let misplaced = try Tierline.run(
      ["--store", store, "import", "stripe", "f.json", "--mapping", mappingPath])
    #expect(misplaced.status == 64)
    #expect(misplaced.standardError.contains("--mapping does not apply"))
  }

  @Test("unknown time zone option exits with 64")
  func unknownTimeZone() throws {
    // Foundation accepts GMT+3, but events reject it, because its sign is the opposite
    // of IANA's Etc/GMT+3.
    for (format, zone) in [
      ("stripe", "Nowhere"), ("subscriptions", "Nowhere"), ("stripe", "GMT+3"),
      ("subscriptions", "UTC-05:00"),
    ] {
      let path = ImportCommandTests.repositoryPath(
        format == "stripe" ? "examples/stripe-events.json" : "examples/subscriptions.csv")
      let result = try Tierline.run(
        ["--store", store, "import", format, path, "--timezone", zone])
      #expect(result.status == 64, "\(format) \(zone): \(result.standardError)")
      #expect(result.standardError.contains("invalid --timezone (\(zone))"), "\(format)")
    }
    #expect(try eventCount() == 0)
  }

  @Test("currency unlike the playbook's exits with 64")
  func currencyMismatch() throws {
    let path = ImportCommandTests.repositoryPath("examples/subscriptions.csv")
    let result = try Tierline.run(
      ["--store", store, "import", "subscriptions", path, "--currency", "EUR"])
    #expect(result.status == 64, "\(result.standardError)")
    #expect(result.standardError.contains("invalid --currency (EUR)"))
    #expect(result.standardError.contains("priced in USD"))
    #expect(try eventCount() == 0)
  }
}
