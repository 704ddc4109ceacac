import Foundation
import Testing

@Suite("tierline append input messages")
struct AppendInputMessageTests {
  let directory: TemporaryDirectory
  let store: String

  init() throws {
    directory = try TemporaryDirectory()
    store = try Tierline.initializedStore(in: directory)
  }

  func eventCount() throws -> Int {
    try #require(try Tierline.verifyReport(of: store)["records"] as? Int)
  }

  @Test(
    "year without ASCII digits is malformed",
    arguments: [
      "abcd-02-03T12:00:00Z",
      "\u{662}\u{660}\u{662}\u{665}-02-03T12:00:00Z",
      "\u{FF12}\u{FF10}\u{FF12}\u{FF15}-02-03T12:00:00Z",
    ])
  func malformedYear(time: String) throws {
    let result = try Tierline.run(
      ["--store", store, "append", "-"], input: Line.usage("u1", account: "a", at: time))
    #expect(result.status == 65)
    #expect(
      result.standardError.contains(
        #"line 1: occurred_at: "\#(time)" is not an RFC 3339 timestamp with an offset"#),
      "\(result.standardError)")
    #expect(!result.standardError.contains("lies outside"))
    #expect(try eventCount() == 0)
  }

  @Test("misspelt field and tier are guessed")
  func misspeltNamesGuessed() throws {
    let field = try Tierline.run(
      ["--store", store, "append", "-"],
      input:
        #"{"id":"f1","type":"account.churned","account":"a","occured_at":"2024-01-10T09:00:00Z","data":{}}"#
    )
    #expect(field.status == 65)
    #expect(
      field.standardError.contains(
        #"line 1: occured_at: is not a known field of an event (did you mean "occurred_at"?); "#
          + "nothing was stored"),
      "\(field.standardError)")

    let tier = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.landed("t1", account: "a", at: "2024-01-10T09:00:00Z", tier: "startr"))
    #expect(tier.status == 65)
    #expect(
      tier.standardError.contains(
        #"line 1: data.tier: unknown tier "startr" (did you mean "starter"?); the rules in force"#),
      "\(tier.standardError)")
    #expect(try eventCount() == 0)
  }

  @Test("tier guesses ignore case and skip tiers later rules lack")
  func tierGuessesFollowRules() throws {
    // The built-in rules with the first tier spelt "Starter".
    let rulesPath = try Tierline.renamedPlaybook(
      at: directory.url.appendingPathComponent("capital.json").path, [("starter", "Starter")])
    let capital = directory.url.appendingPathComponent("capital.ledger").path
    #expect(try Tierline.run(["--store", capital, "init", "--playbook", rulesPath]).status == 0)
    let lowercase = try Tierline.run(
      ["--store", capital, "append", "-"],
      input: Line.landed("c1", account: "a", at: "2024-01-10T09:00:00Z", tier: "starter"))
    #expect(lowercase.status == 65)
    #expect(
      lowercase.standardError.contains(#"unknown tier "starter" (did you mean "Starter"?)"#),
      "\(lowercase.standardError)")

    // Under the built-in rules with those rules activated later, "starter" is known now but
    // not from 2025 on, so a landing in 2024 must not be steered to it.
    let activated = try Tierline.run(
      ["--store", store, "rules", "activate", rulesPath, "--effective", "2025-01-01T00:00:00Z"])
    #expect(activated.status == 0, "\(activated.standardError)")
    let misspelt = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.landed("c2", account: "a", at: "2024-06-01T09:00:00Z", tier: "startr"))
    #expect(misspelt.status == 65)
    #expect(misspelt.standardError.contains(#"unknown tier "startr""#), "\(misspelt.standardError)")
    #expect(!misspelt.standardError.contains("did you mean"), "\(misspelt.standardError)")
    let growth = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.landed("c3", account: "a", at: "2024-06-01T09:00:00Z", tier: "growht"))
    #expect(
      growth.standardError.contains(#"unknown tier "growht" (did you mean "growth"?)"#),
      "\(growth.standardError)")
    #expect(try eventCount() == 0)
  }

  @Test("quantity with a trailing dot is malformed")
  func trailingDotQuantity() throws {
    let result = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.usage("u1", account: "a", at: "2025-02-03T12:00:00Z", quantity: #""5.""#))
    #expect(result.status == 65)
    #expect(
      result.standardError.contains(
        #"line 1: data.quantity: "5." is not a non-negative decimal such as 1200.5"#),
      "\(result.standardError)")
    #expect(try eventCount() == 0)
  }

  /// Two events with one id and other content, on lines 1 and 2.
  let conflictingLines = [
    Line.usage("n-9", account: "a", at: "2025-02-03T12:00:00Z", quantity: "5"),
    Line.usage("n-9", account: "a", at: "2025-02-03T12:00:00Z", quantity: "6"),
  ].joined(separator: "\n")

  // The input is checked for repeated ids before the first batch, so with batches of one
  // event line 1 is not stored either.
  @Test(
    "id repeated in input names the earlier line",
    arguments: [[], ["--batch-size", "1"]])
  func repeatedIDInInput(batchOptions: [String]) throws {
    let result = try Tierline.run(
      ["--store", store, "append"] + batchOptions + ["-"], input: conflictingLines)
    #expect(result.status == 65)
    #expect(
      result.standardError.contains(
        #"line 2: id: event id "n-9" is already used on line 1 by an event with other content"#),
      "\(result.standardError)")
    #expect(try eventCount() == 0)
  }

  @Test("id stored by an earlier append is already used")
  func idStoredEarlier() throws {
    let first = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.usage("n-9", account: "a", at: "2025-02-03T12:00:00Z", quantity: "5"))
    #expect(first.status == 0, "\(first.standardError)")
    let second = try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.usage("n-9", account: "a", at: "2025-02-03T12:00:00Z", quantity: "6"))
    #expect(second.status == 65)
    #expect(
      second.standardError.contains(
        #"line 1: id: event id "n-9" is already used by an event with other content"#),
      "\(second.standardError)")
    #expect(try eventCount() == 1)
  }
}
