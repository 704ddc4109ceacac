import Testing
import TierlineEvents
import TierlinePlaybook

@Suite("Playbook")
struct PlaybookTests {
  @Test("default file parses to the built-in default")
  func defaultFile() throws {
    let parsed = try Playbook(json: try defaultPlaybookBytes())
    #expect(parsed == Playbook.builtInDefault)
    #expect(parsed.version == Playbook.builtInDefault.version)
  }

  @Test("built-in default prices and path")
  func defaultContent() throws {
    let playbook = Playbook.builtInDefault
    #expect(playbook.tiers.map(\.id) == ["starter", "growth", "scale"])
    #expect(playbook.tier("starter")?.acv.decimalString == "6000.00")
    #expect(playbook.tier("growth")?.acv.decimalString == "18000.00")
    #expect(playbook.tier("scale")?.acv.decimalString == "36000.00")
    #expect(playbook.tierIndex("scale") == 2)
    #expect(playbook.transition(from: "starter")?.to == "growth")
    #expect(playbook.transition(from: "growth")?.owner == .sales)
    #expect(playbook.transition(from: "scale") == nil)
  }

  @Test("canonical JSON round-trips and is stable")
  func canonicalRoundTrip() throws {
    let canonical = Playbook.builtInDefault.canonicalJSON()
    let reparsed = try Playbook(json: canonical)
    #expect(reparsed == Playbook.builtInDefault)
    #expect(reparsed.canonicalJSON() == canonical)
    let text = String(decoding: canonical, as: UTF8.self)
    let prefix = "{\"attribution_window_days\":90,\"checkin\":{\"days_after_landing\":60,"
    #expect(text.hasPrefix(prefix))
    #expect(!text.contains("\n"))
    #expect(text.contains("\"threshold\":\"0.8\""))
  }

  @Test("version is sha256 of the canonical form")
  func version() {
    let playbook = Playbook.builtInDefault
    let digest = SHA256.hexDigest(playbook.canonicalJSON())
    #expect(playbook.version == "sha256:" + digest.prefix(16))
    #expect(playbook.version.count == 23)
  }

  @Test("version changes with content")
  func versionChanges() throws {
    var text = String(decoding: try defaultPlaybookBytes(), as: UTF8.self)
    text = text.replacingOccurrences(of: "\"wait_days\": 14", with: "\"wait_days\": 15")
    let changed = try Playbook(json: Array(text.utf8))
    #expect(changed.version != Playbook.builtInDefault.version)
  }

  @Test(
    "parse errors name the field",
    arguments: [
      ("\"format\": 1,", "\"format\": 1, \"colour\": \"blue\",", "colour"),
      ("\"format\": 1,", "\"format\": 2,", "format"),
      ("\"acv\": \"18000.00\"", "\"acv\": \"18000.001\"", "tiers[1].acv"),
      ("\"acv\": \"6000.00\"", "\"acv\": 6000", "tiers[0].acv"),
      ("\"threshold\": \"0.80\"", "\"threshold\": \"1.5\"", "triggers.usage.threshold"),
      (
        "\"headcount_growth\": \"0.20\"", "\"headcount_growth\": \"-0.2\"",
        "triggers.organizational.headcount_growth"
      ),
      ("\"id\": \"growth\"", "\"id\": \"starter\"", "tiers[1].id"),
      ("\"to\": \"growth\"", "\"to\": \"platinum\"", "transitions[0].to"),
      ("\"from\": \"growth\"", "\"from\": \"gold\"", "transitions[1].from"),
      ("\"wait_days\": 14", "\"wait_days\": \"14\"", "transitions[0].wait_days"),
      ("\"owner\": \"cs\"", "\"owner\": \"ceo\"", "transitions[0].owner"),
      ("\"limit\": \"100000\"", "\"limit\": \"-5\"", "tiers[0].limits[0].limit"),
      ("\"aggregation\": \"sum\"", "\"aggregation\": \"avg\"", "tiers[0].limits[0].aggregation"),
      ("\"due_window_days\": 7}", "\"due_window_days\": 7, \"snooze\": 1}", "checkin.snooze"),
      ("\"currency\": \"USD\"", "\"currency\": \"usd\"", "currency"),
      (
        "\"offsets_days\": [60, 90, 180]", "\"offsets_days\": [90, 60]",
        "triggers.time.offsets_days[1]"
      ),
      ("\"offer_valid_days\": 90", "\"offer_valid_days\": 9.5", "offer_valid_days"),
    ])
  func parseErrors(original: String, replacement: String, field: String) throws {
    let text = String(decoding: try defaultPlaybookBytes(), as: UTF8.self)
    #expect(text.contains(original))
    let broken = text.replacingOccurrences(of: original, with: replacement)
    do {
      _ = try Playbook(json: Array(broken.utf8))
      Issue.record("accepted a playbook with a bad \(field)")
    } catch {
      #expect(error.field == field)
      #expect(!error.reason.isEmpty)
    }
  }

  @Test("missing field is named")
  func missingField() throws {
    let text = String(decoding: try defaultPlaybookBytes(), as: UTF8.self)
    let broken = text.replacingOccurrences(
      of: "\"first_value_milestone\": \"first_value\",", with: "")
    #expect(throws: PlaybookError(field: "first_value_milestone", reason: "missing")) {
      try Playbook(json: Array(broken.utf8))
    }
  }

  @Test("misspelt key is named with the missing one")
  func misspeltKey() throws {
    let text = String(decoding: try defaultPlaybookBytes(), as: UTF8.self)
    let broken = text.replacingOccurrences(of: "\"threshold\":", with: "\"treshold\":")
    #expect(broken != text)
    #expect(
      throws: PlaybookError(
        field: "triggers.usage.threshold",
        reason: "missing; the key \"treshold\" here may be a misspelling of it")
    ) {
      try Playbook(json: Array(broken.utf8))
    }
    // A key that is no misspelling of the missing one is not named.
    let renamed = text.replacingOccurrences(of: "\"threshold\":", with: "\"limit_share\":")
    #expect(throws: PlaybookError(field: "triggers.usage.threshold", reason: "missing")) {
      try Playbook(json: Array(renamed.utf8))
    }
  }

  @Test("missing format gives the version")
  func missingFormat() throws {
    let text = String(decoding: try defaultPlaybookBytes(), as: UTF8.self)
    let broken = text.replacingOccurrences(of: "\"format\": 1,", with: "")
    #expect(broken != text)
    #expect(
      throws: PlaybookError(
        field: "format", reason: "missing; give \"format\": 1 (the supported version)")
    ) {
      try Playbook(json: Array(broken.utf8))
    }
  }

  @Test("malformed JSON is rejected")
  func malformed() {
    #expect(throws: PlaybookError.self) { try Playbook(json: Array("{\"format\": 1,".utf8)) }
    #expect(throws: PlaybookError.self) {
      try Playbook(json: Array("{\"format\": 1, \"format\": 1}".utf8))
    }
  }

  @Test("ratio parsing is exact")
  func ratios() {
    #expect(Ratio(decimal: "0.80")?.millionths == 800_000)
    #expect(Ratio(decimal: "1")?.millionths == 1_000_000)
    #expect(Ratio(decimal: "0.000001")?.millionths == 1)
    #expect(Ratio(decimal: "1.01") == nil)
    #expect(Ratio(decimal: "0.0000001") == nil)
    #expect(Ratio(decimal: ".5") == nil)
    #expect(Ratio(decimal: "0.5e1") == nil)
  }
}
