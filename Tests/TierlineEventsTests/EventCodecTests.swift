import Testing
import TierlineEvents

@Suite("Binary event codec")
struct EventCodecTests {
  private func decode(_ bytes: [UInt8]) throws(EventCodecError) -> Event {
    try EventCodec.decode(bytes)
  }

  private func codecError(_ bytes: [UInt8]) -> EventCodecError? {
    do {
      _ = try decode(bytes)
      return nil
    } catch {
      return error
    }
  }

  private func fixtureEvents() throws -> [Event] {
    try FixtureFiles.lines("valid-v1.ndjson").map { line in
      try EventJSON.decode(line.bytes, lineNumber: line.number).event
    }
  }

  private static let sample = Event(
    id: "e1", account: AccountID(normalized: "acme"),
    occurredAt: Timestamp(microseconds: 1_700_000_000_000_000),
    payload: .tierChanged(
      TierChanged(to: "growth", acv: Money(minorUnits: 1_800_000, currency: .usd))))

  @Test("documented example encodes to the documented bytes")
  func documentedExample() throws {
    let bytes = EventCodec.encode(EventCodecTests.sample)
    let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
    #expect(
      hex
        == "01 05 01 00 40 1e 18 24 0a 06 00 02 65 31 04 61 63 6d 65 06 67 72 6f 77 74 68 "
        + "55 53 44 80 dd db 01 00")
    #expect(try decode(bytes) == EventCodecTests.sample)
    let json =
      #"{"id":"e1","type":"tier.changed","account":"acme","occurred_at":"2023-11-14T22:13:20Z","#
      + #""data":{"to":"growth","acv":"18000.00","currency":"USD"}}"#
    #expect(EventJSON.encode(EventCodecTests.sample) == json)
  }

  @Test("every fixture event round-trips")
  func roundTrip() throws {
    for event in try fixtureEvents() {
      let bytes = EventCodec.encode(event)
      #expect(try decode(bytes) == event)
      var appended: [UInt8] = [9, 9]
      EventCodec.encode(event, into: &appended)
      #expect(Array(appended.dropFirst(2)) == bytes)
    }
  }

  @Test("extreme values round-trip")
  func extremes() throws {
    let events = [
      Event(
        id: String(repeating: "i", count: 200),
        account: AccountID(normalized: String(repeating: "a", count: 200)),
        occurredAt: .minimum,
        payload: .usageRecorded(UsageRecorded(metric: "m", quantity: .maximum))),
      Event(
        id: "x", account: AccountID(normalized: "b"), occurredAt: .maximum,
        payload: .tierChanged(
          TierChanged(to: "t", acv: Money(minorUnits: .min, currency: .usd), reason: "r"))),
      Event(
        id: "y", account: AccountID(normalized: "c"), occurredAt: Timestamp(microseconds: 0),
        payload: .orgChanged(OrgChanged(headcount: .max))),
    ]
    for event in events {
      #expect(try decode(EventCodec.encode(event)) == event)
    }
  }

  @Test("every truncated prefix is rejected")
  func truncation() throws {
    for event in try fixtureEvents() {
      let bytes = EventCodec.encode(event)
      for length in 0..<bytes.count {
        #expect(codecError(Array(bytes[0..<length])) != nil, "prefix \(length) of \(event.id)")
      }
    }
  }

  @Test("unknown versions and types are named")
  func unknownHeader() throws {
    var bytes = EventCodec.encode(EventCodecTests.sample)
    bytes[0] = 2
    #expect(codecError(bytes)?.reason == "unknown format version 2")
    bytes[0] = 1
    bytes[1] = 9
    #expect(codecError(bytes)?.reason == "unknown event type 9")
    bytes[1] = 5
    bytes[2] = 3
    #expect(codecError(bytes)?.reason == "unknown schema version 3 for tier.changed")
  }

  @Test("trailing bytes and non-canonical varints are rejected")
  func strictness() throws {
    let bytes = EventCodec.encode(EventCodecTests.sample)
    let trailing = try #require(codecError(bytes + [0]))
    #expect(trailing.offset == bytes.count)
    var padded = bytes
    // The id length 2 written as the two-byte varint 0x82 0x00.
    padded.replaceSubrange(11...11, with: [0x82, 0x00])
    #expect(codecError(padded)?.reason == "varint is not in its shortest form")
    var flags = EventCodec.encode(
      Event(
        id: "c", account: AccountID(normalized: "a"), occurredAt: Timestamp(microseconds: 0),
        payload: .checkinCompleted(
          CheckinCompleted(kind: "k", valueDelivered: true, approachingCapacity: false))))
    flags[flags.count - 2] = 4
    #expect(codecError(flags)?.reason == "unknown check-in flags 4")
  }

  @Test("random and mutated bytes never crash the decoder")
  func fuzz() throws {
    var generator = SplitMix64(seed: 42)
    var decoded = 0
    for _ in 0..<20_000 {
      let length = Int(generator.next() % 64)
      var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
      if bytes.count > 2 {
        bytes[0] = 1
        bytes[1] = UInt8(1 + generator.next() % 8)
        bytes[2] = 1
      }
      if codecError(bytes) == nil { decoded += 1 }
    }
    let seeds = try fixtureEvents().map { EventCodec.encode($0) }
    for _ in 0..<20_000 {
      var bytes = seeds[Int(generator.next() % UInt64(seeds.count))]
      let position = Int(generator.next() % UInt64(bytes.count))
      bytes[position] = UInt8(truncatingIfNeeded: generator.next())
      if let event = try? decode(bytes) {
        #expect(EventCodec.encode(event) == bytes)
        decoded += 1
      }
    }
    #expect(decoded > 0)
  }

  /// Decodes `bytes` with `decodeBody`, returning the error instead of throwing it.
  private func bodyResult(_ bytes: [UInt8]) -> Result<
    (occurredAt: Timestamp, payload: Payload), EventCodecError
  > {
    bytes.withUnsafeBytes { buffer in
      do throws(EventCodecError) {
        return .success(try EventCodec.decodeBody(buffer))
      } catch {
        return .failure(error)
      }
    }
  }

  @Test("body decoding matches full decoding")
  func bodyMatchesDecode() throws {
    for event in try fixtureEvents() {
      let body = try bodyResult(EventCodec.encode(event)).get()
      #expect(body.occurredAt == event.occurredAt, "\(event.id)")
      #expect(body.payload == event.payload, "\(event.id)")
    }

    // Damaged records, including damaged ids and accounts: the body decoder rejects
    // exactly those the full decoder rejects, with the same error.
    var generator = SplitMix64(seed: 7)
    let seeds = try fixtureEvents().map { EventCodec.encode($0) }
    var rejected = 0
    for _ in 0..<20_000 {
      var bytes = seeds[Int(generator.next() % UInt64(seeds.count))]
      let position = Int(generator.next() % UInt64(bytes.count))
      bytes[position] = UInt8(truncatingIfNeeded: generator.next())
      switch (bodyResult(bytes), Result { () throws(EventCodecError) in try decode(bytes) }) {
      case (.success(let body), .success(let event)):
        #expect(body.occurredAt == event.occurredAt)
        #expect(body.payload == event.payload)
      case (.failure(let bodyError), .failure(let error)):
        #expect(bodyError.offset == error.offset)
        #expect(bodyError.reason == error.reason)
        rejected += 1
      default:
        Issue.record("decodeBody and decode disagree on \(bytes)")
      }
    }
    #expect(rejected > 0)
  }
}
