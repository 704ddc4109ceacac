import Testing

@testable import TierlineEvents

@Suite("usage.recorded schema versions")
struct UsageSchemaVersionTests {
  /// A `usage.recorded` record in schema version 1, written byte by byte as documented:
  /// id "u1", account "acme", metric "api_calls", quantity 3 (3,000,000 millionths).
  static let versionOneRecord: [UInt8] =
    [0x01, 0x02, 0x01]
    + [0x00, 0x40, 0x1e, 0x18, 0x24, 0x0a, 0x06, 0x00]
    + [0x02] + Array("u1".utf8)
    + [0x04] + Array("acme".utf8)
    + [0x09] + Array("api_calls".utf8)
    + [0x80, 0x9b, 0xee, 0x02]

  func event(unit: String?) -> Event {
    Event(
      id: "u1", account: AccountID(normalized: "acme"),
      occurredAt: Timestamp(microseconds: 1_700_000_000_000_000),
      payload: .usageRecorded(
        UsageRecorded(metric: "api_calls", quantity: Quantity(units: 3), unit: unit)))
  }

  @Test("version 1 record decodes without a unit")
  func versionOneDecodes() throws {
    let decoded = try EventCodec.decode(Self.versionOneRecord)
    #expect(decoded == event(unit: nil))
  }

  @Test("event without a unit keeps version 1 bytes")
  func noUnitEncodesVersionOne() {
    #expect(EventCodec.encode(event(unit: nil)) == Self.versionOneRecord)
  }

  @Test("event with a unit encodes version 2")
  func unitEncodesVersionTwo() throws {
    let encoded = EventCodec.encode(event(unit: "calls"))
    #expect(encoded[2] == 2)
    #expect(encoded == Self.versionOneRecord.replacingSchemaVersion(2) + [0x05]
      + Array("calls".utf8))
    #expect(try EventCodec.decode(encoded) == event(unit: "calls"))
  }

  @Test("unknown schema version names the event")
  func unknownVersionRejected() {
    let record = Self.versionOneRecord.replacingSchemaVersion(3)
    #expect {
      try EventCodec.decode(record)
    } throws: { error in
      guard let error = error as? EventCodecError else { return false }
      return error.eventID == "u1" && error.offset == 2
        && error.description.contains("unknown schema version 3 for usage.recorded")
        && error.description.contains("\"u1\"")
    }
  }

  @Test("version 2 layout is rejected for other types")
  func versionTwoOfOtherTypeRejected() {
    let churned = Event(
      id: "c1", account: AccountID(normalized: "acme"),
      occurredAt: Timestamp(microseconds: 0), payload: .accountChurned(AccountChurned()))
    let record = EventCodec.encode(churned).replacingSchemaVersion(2)
    #expect(throws: EventCodecError.self) { try EventCodec.decode(record) }
  }

  @Test("unit round trips through JSON")
  func unitInJSON() throws {
    let line = """
      {"id":"u1","type":"usage.recorded","account":"acme","occurred_at":"2023-11-14T22:13:20Z",\
      "data":{"metric":"api_calls","quantity":3,"unit":"calls"}}
      """
    let incoming = try EventJSON.decode(Array(line.utf8), lineNumber: 1)
    #expect(incoming.event == event(unit: "calls"))
    #expect(EventJSON.encode(incoming.event) == line)
  }
}

extension Array where Element == UInt8 {
  /// A copy with the schema version byte (offset 2) replaced.
  fileprivate func replacingSchemaVersion(_ version: UInt8) -> [UInt8] {
    var copy = self
    copy[2] = version
    return copy
  }
}
