import Foundation
import Testing

@Suite("tierline hardening")
struct HardeningTests {
  let directory: TemporaryDirectory
  let store: String

  init() throws {
    directory = try TemporaryDirectory()
    store = directory.path("ledger")
  }

  func initialize() throws {
    let created = try Tierline.run(["--store", store, "init"])
    #expect(created.status == 0, "\(created.standardError)")
  }

  @Test("concurrent init, one ledger wins")
  func concurrentInit() throws {
    let statuses = ResultBox()
    let group = DispatchGroup()
    let store = self.store
    for _ in 0..<3 {
      group.enter()
      Thread {
        let result = try? Tierline.run(["--store", store, "init"])
        statuses.add(result?.status ?? -1)
        group.leave()
      }.start()
    }
    group.wait()
    #expect(statuses.sorted == [0, 1, 1])
    let again = try Tierline.run(["--store", store, "init"])
    #expect(again.status == 1)
    #expect(again.standardError.contains("already exists"))
  }

  @Test("other currency than the rules is rejected")
  func currencyMismatch() throws {
    try initialize()
    let input = Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z", acv: "600000",
      currency: "JPY")
    let result = try Tierline.run(["--store", store, "append", "-"], input: input)
    #expect(result.status == 65)
    #expect(result.standardError.contains("data.currency"))
  }

  @Test("control characters in names are rejected")
  func controlCharacters() throws {
    try initialize()
    let input = Line.milestone(
      "e1", account: "a", at: "2024-01-10T09:00:00Z", name: "x\\u001b]0;title\\u0007")
    let result = try Tierline.run(["--store", store, "append", "-"], input: input)
    #expect(result.status == 65)
    #expect(result.standardError.contains("data.milestone"))
  }

  @Test("offset zone names are rejected")
  func offsetZoneNames() throws {
    try initialize()
    for zone in ["GMT+5", "UTC-03", "Mars/Olympus"] {
      let input = Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z", zone: zone)
      let result = try Tierline.run(["--store", store, "append", "-"], input: input)
      #expect(result.status == 65, "\(zone)")
      #expect(result.standardError.contains("data.timezone"), "\(zone)")
    }
    let accepted = Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z", zone: "Etc/GMT+5")
    let result = try Tierline.run(["--store", store, "append", "-"], input: accepted)
    #expect(result.status == 0, "\(result.standardError)")
  }

  @Test("log JSON appends to another ledger")
  func logRoundTrip() throws {
    try initialize()
    let input = [
      Line.landed("e1", account: "a", at: "2024-01-10T09:00:00-05:00", acv: "144.20"),
      Line.usage("e2", account: "a", at: "2024-01-11T09:00:00Z", quantity: "12.5"),
    ].joined(separator: "\n")
    #expect(try Tierline.run(["--store", store, "append", "-"], input: input).status == 0)
    let exported = try Tierline.run(["--store", store, "log", "a", "--json"])

    let copy = directory.path("copy")
    #expect(try Tierline.run(["--store", copy, "init"]).status == 0)
    let imported = try Tierline.run(
      ["--store", copy, "append", "-"], input: exported.standardOutput)
    #expect(imported.status == 0, "\(imported.standardError)")
    let reexported = try Tierline.run(["--store", copy, "log", "a", "--json"])
    let strip: (String) -> [String] = { text in
      text.split(separator: "\n").map { line in
        line.replacingOccurrences(
          of: #","position":\d+,"recorded_at":"[^"]*""#, with: "", options: .regularExpression)
      }
    }
    #expect(strip(reexported.standardOutput) == strip(exported.standardOutput))
    #expect(exported.standardOutput.contains("\"quantity\":12.5"))
  }

  @Test("known-at before the ledger is empty")
  func knownBeforeCreation() throws {
    try initialize()
    let input = Line.landed("e1", account: "a", at: "2024-01-10T09:00:00Z")
    #expect(try Tierline.run(["--store", store, "append", "-"], input: input).status == 0)
    let replay = try Tierline.run(
      ["--store", store, "replay", "--json", "--known-at", "2020-01-01"])
    #expect(replay.status == 0, "\(replay.standardError)")
    #expect(replay.lines.isEmpty)
    let why = try Tierline.run(["--store", store, "why", "a", "--known-at", "2020-01-01"])
    #expect(why.status == 1)
    #expect(why.standardError.contains("account not found"))
  }

  @Test("rules in another currency are rejected")
  func rulesCurrency() throws {
    try initialize()
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let usd = try String(
      contentsOf: root.appendingPathComponent("playbooks/default.json"), encoding: .utf8)
    let eur = usd.replacingOccurrences(of: "\"currency\": \"USD\"", with: "\"currency\": \"EUR\"")
    #expect(eur != usd)
    let path = directory.path("eur.json")
    try eur.write(toFile: path, atomically: false, encoding: .utf8)
    for arguments in [["replay", "--rules", path], ["rules", "activate", path]] {
      let result = try Tierline.run(["--store", store] + arguments)
      #expect(result.status == 65, "\(arguments)")
      #expect(result.standardError.contains("EUR"), "\(arguments)")
    }
  }

  @Test("directory as events file fails")
  func directoryInput() throws {
    try initialize()
    let result = try Tierline.run(["--store", store, "append", directory.url.path])
    #expect(result.status == 1)
    #expect(result.standardError.contains("directory"))
  }
}
