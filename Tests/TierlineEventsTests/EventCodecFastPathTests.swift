import Testing
import TierlineEvents

@Suite("Codec fast paths")
struct EventCodecFastPathTests {
  private static let occurred = Timestamp(microseconds: 1_700_000_000_000_000)

  private func usage(id: String, account: String, metric: String, unit: String? = nil)
    -> Event
  {
    Event(
      id: id, account: AccountID(normalized: account), occurredAt: Self.occurred,
      payload: .usageRecorded(
        UsageRecorded(metric: metric, quantity: Quantity(millionths: 2_500_000), unit: unit)))
  }

  @Test("account bytes for short and long ids")
  func accountBytes() throws {
    let cases = [
      ("e1", "acme"),
      (String(repeating: "i", count: 127), String(repeating: "a", count: 127)),
      (String(repeating: "i", count: 128), "acme"),
      ("e2", String(repeating: "b", count: 200)),
      ("é-1", "Zürich-Ω"),
    ]
    for (id, account) in cases {
      let bytes = EventCodec.encode(usage(id: id, account: account, metric: "calls"))
      let found = try bytes.withUnsafeBytes { buffer in
        Array(try EventCodec.accountBytes(in: buffer))
      }
      #expect(found == Array(account.utf8), "\(id.utf8.count)-byte id")
    }
  }

  @Test("account bytes reject every truncated prefix")
  func accountBytesTruncated() {
    let bytes = EventCodec.encode(usage(id: "e1", account: "acme", metric: "calls"))
    // The account id ends 4 bytes into it, at offset 11 + 3 + 5.
    for length in 0..<19 {
      let prefix = Array(bytes.prefix(length))
      #expect(throws: EventCodecError.self, "\(length) bytes") {
        try prefix.withUnsafeBytes { _ = try EventCodec.accountBytes(in: $0) }
      }
    }
  }

  @Test("usage fields agree with decode")
  func usageFieldsAgree() throws {
    let events = [
      usage(id: "e1", account: "acme", metric: "calls"),
      usage(id: "e2", account: "acme", metric: "storage_gb", unit: "GB"),
      usage(id: String(repeating: "i", count: 127), account: "acme", metric: "calls"),
    ]
    for event in events {
      let bytes = EventCodec.encode(event)
      let fields = try #require(
        bytes.withUnsafeBytes { buffer in
          EventCodec.usageFields(in: buffer).map {
            ($0.occurredAt, Array($0.metric), $0.millionths)
          }
        })
      guard case .usageRecorded(let decoded) = try EventCodec.decode(bytes).payload else {
        Issue.record("not a usage event")
        continue
      }
      #expect(fields.0 == event.occurredAt.microseconds)
      #expect(fields.1 == Array(decoded.metric.utf8))
      #expect(fields.2 == decoded.quantity.millionths)
    }
  }

  @Test("usage fields leave other forms to decode")
  func usageFieldsDecline() {
    let declined = [
      usage(id: "e1", account: "acme", metric: "appels_reçus"),
      usage(id: String(repeating: "i", count: 128), account: "acme", metric: "calls"),
      Event(
        id: "e3", account: AccountID(normalized: "acme"), occurredAt: Self.occurred,
        payload: .milestoneReached(MilestoneReached(milestone: "first_value"))),
    ]
    for event in declined {
      let bytes = EventCodec.encode(event)
      #expect(bytes.withUnsafeBytes { EventCodec.usageFields(in: $0) } == nil, "\(event.id)")
    }
    var trailing = EventCodec.encode(usage(id: "e4", account: "acme", metric: "calls"))
    trailing.append(0)
    #expect(trailing.withUnsafeBytes { EventCodec.usageFields(in: $0) } == nil)
  }

  @Test("usage fields check every byte of a name")
  func usageFieldsEveryByte() throws {
    // Names of every length up to 20 bytes, ASCII, and with one two-byte character at
    // each place: the fast path takes the first and declines the others.
    for length in 0...20 {
      let ascii = String(repeating: "m", count: length)
      let bytes = EventCodec.encode(usage(id: "e1", account: "acme", metric: ascii))
      let metric = bytes.withUnsafeBytes { EventCodec.usageFields(in: $0).map { Array($0.metric) } }
      #expect(metric == Array(ascii.utf8), "\(length) ASCII bytes")
      guard length >= 2 else { continue }
      for place in 0...(length - 2) {
        let name =
          String(repeating: "m", count: place) + "é"
          + String(repeating: "m", count: length - 2 - place)
        let encoded = EventCodec.encode(usage(id: "e1", account: "acme", metric: name))
        #expect(
          encoded.withUnsafeBytes { EventCodec.usageFields(in: $0) } == nil,
          "\(length) bytes, é at \(place)")
        // The id and the account go through the same check.
        let id = EventCodec.encode(usage(id: name, account: "acme", metric: "calls"))
        #expect(
          id.withUnsafeBytes { EventCodec.usageFields(in: $0) } == nil,
          "id of \(length) bytes, é at \(place)")
        let account = EventCodec.encode(usage(id: "e1", account: name, metric: "calls"))
        #expect(
          account.withUnsafeBytes { EventCodec.usageFields(in: $0) } == nil,
          "account of \(length) bytes, é at \(place)")
      }
    }
  }
}
