import Testing
import TierlineEvents
import TierlineImport

@Suite("CSV importer")
struct CSVImporterTests {
  static let mappingText = """
    {
      "version": 1,
      "type": {"column": "kind", "values": {"signup": "account.landed", "calls": "usage.recorded",
        "hired": "org.changed"}},
      "id": {"columns": ["customer", "row"], "prefix": "sheet:"},
      "account": {"column": "customer"},
      "occurred_at": {"column": "date"},
      "date_timezone": "America/New_York",
      "data": {
        "account.landed": {"tier": {"column": "plan"}, "acv": {"column": "amount"},
          "currency": {"value": "EUR"}, "timezone": {"value": "Europe/Berlin"}},
        "usage.recorded": {"metric": {"value": "api_calls"}, "quantity": {"column": "amount"}},
        "org.changed": {"headcount": {"column": "amount"}}
      }
    }
    """

  func plan(_ csv: String, separator: DecimalSeparator = .point) throws -> ImportPlan {
    let mapping = try CSVMapping(json: Array(CSVImporterTests.mappingText.utf8))
    return try CSVImporter.plan(Array(csv.utf8), mapping: mapping, decimalSeparator: separator)
  }

  @Test("rows become events through the mapping")
  func rowsBecomeEvents() throws {
    let plan = try plan(
      "row,kind,customer,date,plan,amount\r\n"
        + "1,signup,\"Müller, GmbH\",2024-03-10,starter,\"6000,00\"\r\n"
        + "2,calls,\"Müller, GmbH\",2024-03-11T08:00:00+01:00,,\"1234,5\"\r\n"
        + "3,hired,\"Müller, GmbH\",2024-03-12,,250\r\n",
      separator: .comma)
    #expect(plan.rejections.isEmpty)
    let events = plan.events.map(\.incoming.event)
    #expect(events.count == 3)
    let landed = try #require(events.first)
    #expect(landed.id == "sheet:Müller, GmbH:1")
    #expect(landed.account.value == "Müller, GmbH")
    // Midnight in New York on 10 March 2024 is 05:00 UTC (EST, before the DST change).
    #expect(landed.occurredAt.rfc3339 == "2024-03-10T05:00:00Z")
    #expect(
      landed.payload
        == .accountLanded(
          AccountLanded(
            tier: "starter",
            acv: Money(minorUnits: 600_000, currency: try #require(.init(code: "EUR"))),
            timeZone: "Europe/Berlin")))
    #expect(
      events[1].payload
        == .usageRecorded(
          UsageRecorded(metric: "api_calls", quantity: Quantity(millionths: 1_234_500_000))))
    #expect(events[1].occurredAt.rfc3339 == "2024-03-11T07:00:00Z")
    #expect(events[2].payload == .orgChanged(OrgChanged(headcount: 250)))
    #expect(plan.events.map(\.line) == [2, 3, 4])
  }

  @Test("ambiguous number names line and column")
  func ambiguousNumber() throws {
    let plan = try plan(
      "row,kind,customer,date,plan,amount\n"
        + "1,calls,acme,2024-03-11,,\"1,234\"\n2,calls,acme,2024-03-12,,9\n")
    #expect(plan.events.count == 1)
    let rejection = try #require(plan.rejections.first)
    #expect(rejection.line == 2)
    #expect(rejection.field == "data.quantity (column amount)")
    #expect(rejection.reason.contains("ambiguous"))
  }

  @Test("unknown type value is rejected")
  func unknownType() throws {
    let plan = try plan("row,kind,customer,date,plan,amount\n1,refund,acme,2024-03-11,,9\n")
    #expect(plan.rejections.first?.field == "type (column kind)")
  }

  @Test("event validation errors name the column")
  func validationNamesColumn() throws {
    let plan = try plan(
      "row,kind,customer,date,plan,amount\n1,signup,acme,2024-03-11,starter,6000.001\n"
        + "2,calls,acme,yesterday,,5\n3,calls,acme,2024-03-11,,\n")
    #expect(plan.events.isEmpty)
    #expect(plan.rejections.map(\.line) == [2, 3, 4])
    #expect(plan.rejections[0].field == "data.acv (column amount)")
    #expect(plan.rejections[1].field == "occurred_at (column date)")
    #expect(plan.rejections[2].field == "data.quantity (column amount)")
  }

  @Test("short row and empty id are rejected")
  func shortRow() throws {
    let plan = try plan(
      "row,kind,customer,date,plan,amount\n1,calls,acme\n,calls,acme,2024-03-11,,1\n")
    #expect(plan.rejections.map(\.line) == [2, 3])
    #expect(plan.rejections[1].field == "id (column row)")
  }

  @Test("repeated row counts once")
  func repeatedRow() throws {
    let row = "1,calls,acme,2024-03-11,,5\n"
    let plan = try plan("row,kind,customer,date,plan,amount\n" + row + row)
    #expect(plan.events.count == 1)
    #expect(plan.repeatedInInput == 1)
  }

  @Test("missing mapped column fails the import")
  func missingColumn() throws {
    #expect(throws: ImportSetupError.self) {
      try plan("row,kind,customer,date,amount\n1,calls,acme,2024-03-11,5\n")
    }
  }

  @Test("mapping without id is invalid")
  func mappingWithoutID() {
    let text =
      #"{"version":1,"type":{"value":"usage.recorded"},"account":{"column":"a"},"#
      + #""occurred_at":{"column":"t"},"data":{"usage.recorded":{}}}"#
    #expect(throws: ImportSetupError.self) { try CSVMapping(json: Array(text.utf8)) }
  }

  @Test(
    "mapping mistakes are rejected",
    arguments: [
      (
        #""id": {"column": "row", "prefx": "sheet:"}, "account": {"column": "a"}"#,
        #"the CSV mapping's "id" has an unknown key "prefx"; expected column or columns, and prefix"#
      ),
      (
        #""id": {"column": "row", "columns": ["a", "b"]}, "account": {"column": "a"}"#,
        #"the CSV mapping's "id" has both "column" and "columns"; give one"#
      ),
      (
        #""id": {"column": "row", "prefix": 7}, "account": {"column": "a"}"#,
        "the CSV mapping's id.prefix must be a string"
      ),
      (
        #""id": {"column": "row"}, "account": {"column": "a"}, "date_timezone": ["Europe/Berlin"]"#,
        #"the CSV mapping's "date_timezone" must be a string, an IANA time zone such as "#
          + #""Europe/Berlin""#
      ),
      (
        #""id": {"column": "row"}, "account": {"column": "a", "value": "acme"}"#,
        #"the CSV mapping's "account" has both "column" and "value"; give one"#
      ),
      (
        #""id": {"column": "row"}, "account": {"column": "a", "values": ["acme"]}"#,
        #"the CSV mapping's "account".values must be an object from cell text to the text "#
          + #"to use, such as {"signup": "account.landed"}"#
      ),
      (
        #""id": {"column": "row"}, "account": {"column": 3}"#,
        #"the CSV mapping's "account".column must be a string"#
      ),
    ])
  func mappingMistakes(members: String, message: String) {
    // Each case gives "id" and "account", and the mistake.
    let text =
      #"{"version":1,"type":{"value":"usage.recorded"},"#
      + #""occurred_at":{"column":"t"},"data":{"usage.recorded":{}}, "# + members + "}"
    #expect(throws: ImportSetupError(message)) { try CSVMapping(json: Array(text.utf8)) }
  }

  @Test("unknown data field or zone fails the mapping")
  func unknownDataFieldOrZone() {
    let base =
      #"{"version":1,"type":{"value":"usage.recorded"},"id":{"column":"row"},"#
      + #""account":{"column":"a"},"occurred_at":{"column":"t"},"#
    let misspelt =
      base
      + #""data":{"usage.recorded":{"metric":{"value":"api_calls"},"quantty":{"column":"q"}}}}"#
    #expect(
      throws: ImportSetupError(
        #"the CSV mapping's data.usage.recorded has an unknown field "quantty"; expected "#
          + "metric, quantity, unit")
    ) { try CSVMapping(json: Array(misspelt.utf8)) }
    let zone =
      base + #""date_timezone":"Mars/Base","data":{"usage.recorded":{}}}"#
    #expect(
      throws: ImportSetupError(
        #"the CSV mapping's date_timezone "Mars/Base" is not a known IANA time zone"#)
    ) { try CSVMapping(json: Array(zone.utf8)) }
    // Foundation reads GMT+5 with the sign opposite to IANA's Etc/GMT+5.
    let offset = base + #""date_timezone":"GMT+5","data":{"usage.recorded":{}}}"#
    #expect(
      throws: ImportSetupError(
        #"the CSV mapping's date_timezone "GMT+5" is not a known IANA time zone"#)
    ) { try CSVMapping(json: Array(offset.utf8)) }
  }
}

@Suite("CSV importer examples")
struct CSVImporterExampleTests {
  @Test("documented example imports with comma decimals")
  func documentedExample() throws {
    let mapping = try CSVMapping(json: try ImportFixtures.example("csv-mapping.json"))
    let plan = try CSVImporter.plan(
      try ImportFixtures.example("events.csv"), mapping: mapping, decimalSeparator: .comma)
    #expect(plan.rejections.isEmpty)
    let events = plan.events.map(\.incoming.event)
    #expect(events.map(\.type) == [.accountLanded, .usageRecorded, .tierChanged])
    // Midnight in Berlin on 10 March 2024 (CET, UTC+1) is 23:00 UTC the day before.
    #expect(events.first?.occurredAt.rfc3339 == "2024-03-09T23:00:00Z")
    #expect(events.first?.id == "sheet:Müller, GmbH:1")
    let upgrade = try #require(events.last)
    #expect(
      upgrade.payload
        == .tierChanged(
          TierChanged(
            to: "growth", acv: Money(minorUnits: 1_800_000, currency: .usd),
            reason: "asked for \"more seats\"\r\nafter the 60-day check-in")))
  }

  @Test("documented example is rejected with point decimals")
  func exampleNeedsComma() throws {
    let mapping = try CSVMapping(json: try ImportFixtures.example("csv-mapping.json"))
    let plan = try CSVImporter.plan(try ImportFixtures.example("events.csv"), mapping: mapping)
    #expect(plan.rejections.map(\.line) == [2, 4])
    #expect(plan.events.count == 1)
  }
}
