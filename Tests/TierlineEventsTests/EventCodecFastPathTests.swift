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

  @Test("usage fields read every quantity size")
  func usageFieldsQuantities() throws {
    // Quantities whose zig-zag varints take 1 to 10 bytes, at both ends of each length,
    // with the varint last in the record and, with a unit, followed by more bytes.
    var quantities: [Int64] = [0, 1, Int64.max / 2, Int64.max]
    for bits in stride(from: 6, through: 62, by: 7) {
      quantities += [(1 << Int64(bits)) - 1, 1 << Int64(bits)]
    }
    for millionths in quantities {
      for unit in [nil, "requests-per-second"] as [String?] {
        let event = Event(
          id: "e1", account: AccountID(normalized: "acme"), occurredAt: Self.occurred,
          payload: .usageRecorded(
            UsageRecorded(metric: "calls", quantity: Quantity(millionths: millionths), unit: unit)))
        let bytes = EventCodec.encode(event)
        let found = bytes.withUnsafeBytes { EventCodec.usageFields(in: $0)?.millionths }
        #expect(found == millionths, "\(millionths), unit \(unit ?? "none")")
      }
    }
  }

  @Test("usage fields decline long or truncated quantities")
  func usageFieldsVarintForms() throws {
    let bytes = EventCodec.encode(usage(id: "e1", account: "acme", metric: "calls"))
    // The record ends with the varint of 5,000,000 (2.5 units, zig-zag): 4 bytes.
    let varint: [UInt8] = [0xC0, 0x96, 0xB1, 0x02]
    #expect(Array(bytes.suffix(4)) == varint)
    let head = Array(bytes.dropLast(4))
    let forms: [([UInt8], Int64?)] = [
      (varint, 2_500_000),
      // The same value with a redundant zero byte, not the shortest form.
      ([0xC0, 0x96, 0xB1, 0x82, 0x00], nil),
      // Truncated: the last byte still has its continuation bit.
      ([0xC0, 0x96, 0xB1, 0x82], nil),
      // Zero in one byte, and in two.
      ([0x00], 0), ([0x80, 0x00], nil),
      // A negative quantity (odd zig-zag value), which decode rejects too.
      ([0x01], nil),
    ]
    for (form, expected) in forms {
      let record = head + form
      let found = record.withUnsafeBytes { EventCodec.usageFields(in: $0)?.millionths }
      #expect(found == expected, "\(form)")
      if expected == nil {
        // Every form the fast path declines is left to decode, which must not accept it
        // with another value.
        let decoded = try? EventCodec.decode(record)
        if case .usageRecorded(let usage) = decoded?.payload {
          #expect(form == [0x80, 0x00], "\(form)")
          #expect(usage.quantity.millionths == 0, "\(form)")
        }
      }
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
