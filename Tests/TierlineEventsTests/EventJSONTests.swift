import Testing
import TierlineEvents

@Suite("Event interchange JSON")
struct EventJSONTests {
  private func decode(_ text: String, line: Int = 1) throws(EventInputError) -> IncomingEvent {
    try EventJSON.decode(Array(text.utf8), lineNumber: line)
  }

  private func rejection(_ text: String, line: Int = 1) -> EventInputError? {
    do {
      _ = try decode(text, line: line)
      return nil
    } catch {
      return error
    }
  }

  @Test("every valid fixture decodes")
  func validFixture() throws {
    let lines = try FixtureFiles.lines("valid-v1.ndjson")
    #expect(lines.count == 17)
    var types = Set<EventType>()
    for (number, bytes) in lines {
      let incoming = try EventJSON.decode(bytes, lineNumber: number)
      types.insert(incoming.event.type)
    }
    #expect(types == Set(EventType.allCases))
  }

  @Test("every invalid fixture is rejected with its field")
  func invalidFixture() throws {
    let expectedFields: [String?] = [
      "type", "occurred_at", "data.tier", "data.color", "data.acv", "data.acv", "data.acv",
      "data.quantity", "data.quantity", "data.value_delivered", "data", "data.by", "source",
      "id", "account", "data.milestone", "data.currency", "data.headcount", "data.trigger",
      "data.reason", "data.acv", "data",
    ]
    let lines = try FixtureFiles.lines("invalid-v1.ndjson")
    #expect(lines.count == expectedFields.count)
    for ((number, bytes), field) in zip(lines, expectedFields) {
      do {
        let incoming = try EventJSON.decode(bytes, lineNumber: number)
        Issue.record("line \(number) was accepted: \(incoming.event.id)")
      } catch {
        #expect(error.line == number)
        #expect(error.field == field, "line \(number): \(error)")
      }
    }
  }

  @Test("account errors name the field once")
  func accountErrorWording() throws {
    let error = try #require(
      rejection(
        #"{"id":"x","type":"account.churned","account":"a\u0085","#
          + #""occurred_at":"2024-01-01T00:00:00Z","data":{}}"#))
    #expect(error.field == "account")
    #expect(error.reason == "contains a control character")
  }

  @Test(
    "control characters by field",
    arguments: [
      ("\\t", true), ("\\n", true), ("\\r", true), ("\\u0007", false), ("\\u001f", false),
      ("\\u007f", false),
    ])
  func controlCharacters(escape: String, allowedInFreeText: Bool) throws {
    let churned =
      #"{"id":"x","type":"account.churned","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
      + #""data":{"reason":"too "# + escape + #" costly"}}"#
    let churnRejection = rejection(churned)
    #expect(
      (churnRejection == nil) == allowedInFreeText,
      "\(escape): \(String(describing: churnRejection))")
    let landed =
      #"{"id":"x","type":"account.landed","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
      + #""data":{"tier":"starter","acv":"100.00","currency":"USD","timezone":"UTC","#
      + #""owner":"Ann "# + escape + #" Lee"}}"#
    let error = try #require(rejection(landed))
    #expect(error.field == "data.owner")
    #expect(error.reason == "contains a control character")
  }

  @Test("unknown fields name the likely meant field")
  func unknownFieldGuesses() throws {
    let misspelt = try #require(
      rejection(
        #"{"id":"x","type":"account.churned","account":"a","occured_at":"2024-01-01T00:00:00Z","#
          + #""data":{}}"#))
    #expect(misspelt.field == "occured_at")
    #expect(misspelt.reason == #"is not a known field of an event (did you mean "occurred_at"?)"#)

    let usage =
      #"{"id":"x","type":"usage.recorded","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
    let quantity = try #require(
      rejection(usage + #""data":{"metric":"seats","quantitty":"3"}}"#))
    #expect(
      quantity.reason == #"is not a known field of usage.recorded (did you mean "quantity"?)"#)

    // A field that is present is not guessed, and a name far from every field gets no guess.
    let present = try #require(
      rejection(usage + #""data":{"metric":"seats","quantity":"3","metirc":"x"}}"#))
    #expect(present.reason == "is not a known field of usage.recorded")
    let distant = try #require(
      rejection(usage + #""data":{"metric":"seats","quantity":"3","mood":"x"}}"#))
    #expect(distant.reason == "is not a known field of usage.recorded")
  }

  @Test("fixture values decode exactly")
  func fixtureValues() throws {
    let lines = try FixtureFiles.lines("valid-v1.ndjson")
    let landed = try EventJSON.decode(lines[2].bytes, lineNumber: 3)
    #expect(landed.expectedVersion == 0)
    guard case .accountLanded(let data) = landed.event.payload else {
      Issue.record("expected account.landed")
      return
    }
    #expect(data.acv.minorUnits == 1_800_125)
    #expect(data.acv.currency.code == "KWD")
    #expect(landed.event.occurredAt.rfc3339 == "2024-03-01T13:30:00Z")

    let usage = try EventJSON.decode(lines[4].bytes, lineNumber: 5)
    guard case .usageRecorded(let recorded) = usage.event.payload else {
      Issue.record("expected usage.recorded")
      return
    }
    #expect(recorded.quantity.millionths == 29_330_001)

    let churn = try EventJSON.decode(lines[16].bytes, lineNumber: 17)
    #expect(churn.event.account.value == "\u{E9}clair \u{1F680}")
  }

  @Test("round trip through JSON and the codec is byte-identical")
  func roundTrip() throws {
    for (number, bytes) in try FixtureFiles.lines("valid-v1.ndjson") {
      let event = try EventJSON.decode(bytes, lineNumber: number).event
      let canonical = EventJSON.encode(event)
      let stored = EventCodec.encode(event)
      let restored = try stored.withUnsafeBytes { buffer in try EventCodec.decode(buffer) }
      #expect(restored == event)
      #expect(EventJSON.encode(restored) == canonical)
      let again = try decode(canonical).event
      #expect(again == event)
      #expect(EventJSON.encode(again) == canonical)
    }
  }

  @Test("canonical encoding orders keys and omits nil")
  func canonicalForm() throws {
    let event = try decode(
      #"{"data":{"currency":"USD","acv":"18000","to":"growth"},"occurred_at":"#
        + #""2024-04-01T02:00:00+02:00","account":"Cafe\u0301","type":"tier.changed","id":"e1"}"#
    ).event
    #expect(
      EventJSON.encode(event)
        == #"{"id":"e1","type":"tier.changed","account":"Café","occurred_at":"#
        + #""2024-04-01T00:00:00Z","data":{"to":"growth","acv":"18000.00","currency":"USD"}}"#)

    let recorded = RecordedEvent(
      event: event, position: 42, recordedAt: Timestamp(microseconds: 1_711_929_600_250_000))
    #expect(
      EventJSON.encode(recorded)
        == #"{"id":"e1","type":"tier.changed","account":"Café","occurred_at":"#
        + #""2024-04-01T00:00:00Z","position":42,"recorded_at":"2024-04-01T00:00:00.25Z","#
        + #""data":{"to":"growth","acv":"18000.00","currency":"USD"}}"#)
  }

  @Test("quantity keeps exact decimals as a JSON number")
  func quantityEncoding() throws {
    let event = try decode(
      #"{"id":"q","type":"usage.recorded","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
        + #""data":{"metric":"gb","quantity":"0.000001"}}"#
    ).event
    #expect(EventJSON.encode(event).hasSuffix(#""data":{"metric":"gb","quantity":0.000001}}"#))
  }

  @Test(
    "quantity rejections name the problem",
    arguments: [
      // Text that is not a number at all gets the accepted form.
      (#""5.""#, #""5." is not a non-negative decimal such as 1200.5"#),
      (#"".5""#, #"".5" is not a non-negative decimal such as 1200.5"#),
      (#""-.5""#, #""-.5" is not a non-negative decimal such as 1200.5"#),
      (#""5.e3""#, #""5.e3" is not a non-negative decimal such as 1200.5"#),
      (#""+5""#, #""+5" is not a non-negative decimal such as 1200.5"#),
      (#""-""#, #""-" is not a non-negative decimal such as 1200.5"#),
      (#""-abc""#, #""-abc" is not a non-negative decimal such as 1200.5"#),
      (#""e""#, #""e" is not a non-negative decimal such as 1200.5"#),
      (#""1e+""#, #""1e+" is not a non-negative decimal such as 1200.5"#),
      (#"".1234567""#, #"".1234567" is not a non-negative decimal such as 1200.5"#),
      (#""x.1234567""#, #""x.1234567" is not a non-negative decimal such as 1200.5"#),
      (#""١٢""#, #""١٢" is not a non-negative decimal such as 1200.5"#),
      // A well-formed number gets its problem named, a string value in quotes.
      (#""-5""#, #""-5" is negative"#),
      ("-5e3", "-5e3 is negative"),
      ("-0", "-0 is negative zero; write 0"),
      (#""-0.00""#, #""-0.00" is negative zero; write 0"#),
      ("1e3", "1e3 has an exponent; write a plain decimal such as 1200.5"),
      (#""1.5E+2""#, #""1.5E+2" has an exponent; write a plain decimal such as 1200.5"#),
      (#""5.1234567""#, "has 7 decimal places; the maximum is 6"),
      (
        "99999999999999999999",
        "99999999999999999999 is larger than the maximum 9223372036854.775807"
      ),
      (
        #""9223372036854.775808""#,
        #""9223372036854.775808" is larger than the maximum 9223372036854.775807"#
      ),
    ])
  func quantityRejections(quantity: String, reason: String) throws {
    let text =
      #"{"id":"q","type":"usage.recorded","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
      + #""data":{"metric":"m","quantity":"# + quantity + "}}"
    let error = try #require(rejection(text))
    #expect(error.field == "data.quantity")
    #expect(error.reason == reason)
  }

  @Test(
    "acv rejections name the problem",
    arguments: [
      (#""-abc""#, #""-abc" is not a decimal amount such as "6000.00""#),
      (#""-""#, #""-" is not a decimal amount such as "6000.00""#),
      (#""-.5""#, #""-.5" is not a decimal amount such as "6000.00""#),
      (#""-5.""#, #""-5." is not a decimal amount such as "6000.00""#),
      (#""-0""#, #""-0" is negative zero; write 0"#),
      (#""-0.00""#, #""-0.00" is negative zero; write 0"#),
      // Three places are more than USD allows, so 0.000 would be rejected in turn.
      (#""-0.000""#, #""-0.000" is negative zero; write 0"#),
      (#""-5.00""#, #""-5.00" is negative"#),
      (#""-5.001""#, #""-5.001" is negative"#),
    ])
  func acvRejections(acv: String, reason: String) throws {
    let text =
      #"{"id":"l","type":"account.landed","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
      + #""data":{"tier":"starter","acv":"# + acv
      + #","currency":"USD","timezone":"UTC"}}"#
    let error = try #require(rejection(text))
    #expect(error.field == "data.acv")
    #expect(error.reason == reason)
  }

  @Test("quantity accepts the documented forms")
  func quantityForms() throws {
    for (quantity, millionths) in [
      ("5", 5_000_000), (#""5""#, 5_000_000), (#""05""#, 5_000_000), ("0.5", 500_000),
      (#""9223372036854.775807""#, Int64.max),
    ] as [(String, Int64)] {
      let text =
        #"{"id":"q","type":"usage.recorded","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
        + #""data":{"metric":"m","quantity":"# + quantity + "}}"
      guard case .usageRecorded(let usage) = try decode(text).event.payload else {
        Issue.record("\(quantity) did not decode as usage")
        continue
      }
      #expect(usage.quantity.millionths == millionths, "\(quantity)")
    }
  }

  @Test(
    "rejections name line, field and reason",
    arguments: [
      (#"{"id":"x","type":"#, nil as String?, "invalid JSON at byte"),
      (
        #"{"id":"x","type":"nope","account":"a","occurred_at":"2024-01-01T00:00:00Z","data":{}}"#,
        "type", "unknown event type"
      ),
      (
        #"{"id":"x","type":"account.churned","account":"a","occurred_at":"2023-02-29T00:00:00Z","#
          + #""data":{}}"#,
        "occurred_at", "names a date that does not exist"
      ),
      (
        #"{"id":"x","type":"account.churned","account":"a","occurred_at":"0000-12-31T23:59:59Z","#
          + #""data":{}}"#,
        "occurred_at", "lies before the year 0001"
      ),
      (
        #"{"id":"x","type":"account.churned","account":"a","occurred_at":"2024-01-01 09:00","#
          + #""data":{}}"#,
        "occurred_at", "is not an RFC 3339 timestamp"
      ),
      (
        #"{"id":"x","type":"account.churned","account":"a","#
          + #""occurred_at":"\#u{FF12}\#u{FF10}\#u{FF12}\#u{FF15}-02-03T12:00:00Z","data":{}}"#,
        "occurred_at", "is not an RFC 3339 timestamp"
      ),
      (
        #"{"id":"x","type":"account.churned","account":"a","occurred_at":"2024-06-30T23:59:60Z","#
          + #""data":{}}"#,
        "occurred_at", "leap second"
      ),
      (
        #"{"id":"x","type":"account.churned","account":"a","occurred_at":"2024-06-30T25:00:00Z","#
          + #""data":{}}"#,
        "occurred_at", "has a time of day out of range"
      ),
      (
        #"{"id":"x","type":"account.churned","account":"a","#
          + #""occurred_at":"2024-06-30T12:00:00+24:00","data":{}}"#,
        "occurred_at", "has an offset out of range"
      ),
      (
        #"{"id":"x","type":"milestone.reached","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
          + #""data":{}}"#,
        "data.milestone", "is missing"
      ),
      (
        #"{"id":"x","type":"account.churned","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
          + #""data":{"mood":"sad"}}"#,
        "data.mood", "is not a known field of account.churned"
      ),
      (
        #"{"id":"x","type":"milestone.reached","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
          + #""data":{"milestone":7}}"#,
        "data.milestone", "must be a string, not number"
      ),
      (
        #"{"id":"x","type":"tier.changed","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
          + #""data":{"to":"growth","acv":"1.005","currency":"USD"}}"#,
        "data.acv", "has 3 decimal places; USD allows 2"
      ),
      (
        #"{"id":"x","type":"account.landed","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
          + #""data":{"tier":"t","acv":"1","currency":"USD","timezone":"Mars/Olympus"}}"#,
        "data.timezone", "is not a known IANA time zone"
      ),
      (
        #"{"id":"x","type":"usage.recorded","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
          + #""data":{"metric":"m","quantity":1e3}}"#,
        "data.quantity", "has an exponent"
      ),
      (
        #"{"id":"x","type":"usage.recorded","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
          + #""data":{"metric":"m","quantity":0.1234567}}"#,
        "data.quantity", "has 7 decimal places; the maximum is 6"
      ),
      (
        #"{"id":"x","type":"org.changed","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
          + #""data":{"headcount":12.5}}"#,
        "data.headcount", "is not a non-negative integer"
      ),
      (
        #"{"id":"x","type":"org.changed","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
          + #""data":{"headcount":9223372036854775808}}"#,
        "data.headcount", "is larger than the maximum 9223372036854775807"
      ),
      (
        #"{"id":"x","type":"usage.recorded","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
          + #""data":{"metric":"m","quantity":"9223372036854.775808"}}"#,
        "data.quantity", "is larger than the maximum 9223372036854.775807"
      ),
      (
        #"{"id":"x","type":"account.churned","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
          + #""data":{},"expected_version":-1}"#,
        "expected_version", "is not a non-negative integer"
      ),
      (#"[1]"#, nil, "must be a JSON object"),
    ])
  func rejections(text: String, field: String?, reason: String) throws {
    let error = try #require(rejection(text, line: 12))
    #expect(error.line == 12)
    #expect(error.field == field)
    #expect(error.reason.contains(reason), "\(error)")
    #expect(error.description.hasPrefix("line 12: "))
  }

  @Test("error description joins line, field and reason")
  func description() throws {
    let text =
      #"{"id":"evt-9","type":"tier.changed","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
      + #""data":{"to":"growth","acv":"1.005","currency":"USD"}}"#
    let error = try #require(rejection(text, line: 12))
    #expect(error.description == "line 12: data.acv: has 3 decimal places; USD allows 2")
    #expect(error.eventID == "evt-9")
  }

  @Test("ids are limited to 200 bytes without control characters")
  func eventIDs() throws {
    func line(id: String) -> String {
      #"{"id":"# + jsonQuoted(id)
        + #","type":"account.churned","account":"a","occurred_at":"2024-01-01T00:00:00Z","#
        + #""data":{}}"#
    }
    #expect(rejection(line(id: String(repeating: "x", count: 200))) == nil)
    let long = try #require(rejection(line(id: String(repeating: "x", count: 201))))
    #expect(long.field == "id")
    let control = try #require(rejection(line(id: "a\u{7}b")))
    #expect(control.field == "id")
    let account = try #require(
      rejection(
        #"{"id":"x","type":"account.churned","account":""# + String(repeating: "é", count: 101)
          + #"","occurred_at":"2024-01-01T00:00:00Z","data":{}}"#))
    #expect(account.field == "account")
  }

  @Test("over-long and invalid UTF-8 lines are rejected")
  func lineLevel() throws {
    let big = [UInt8](repeating: 0x20, count: EventJSON.maximumEventBytes + 1)
    #expect(throws: EventInputError.self) { try EventJSON.decode(big, lineNumber: 3) }
    let invalid = Array(#"{"id":"#.utf8) + [0x22, 0xFF, 0x22] + Array("}".utf8)
    do {
      _ = try EventJSON.decode(invalid, lineNumber: 4)
      Issue.record("invalid UTF-8 was accepted")
    } catch {
      #expect(error.line == 4)
      #expect(error.field == nil)
      #expect(error.reason.contains("invalid UTF-8"))
    }
  }
}
