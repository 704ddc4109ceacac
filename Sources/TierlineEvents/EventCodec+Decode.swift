extension EventCodec {
  /// Decodes one record produced by `encode(_:)`.
  ///
  /// Every read is bounds-checked, so arbitrary bytes produce an error, never a crash.
  /// - Throws: `EventCodecError` for an unknown format version, event type or type
  ///   schema version, a truncated record, invalid UTF-8, a non-canonical varint, an
  ///   out-of-range value, or bytes left over after the last field.
  public static func decode(_ bytes: UnsafeRawBufferPointer) throws(EventCodecError) -> Event {
    let (header, payload) = try decodeParts(bytes)
    return Event(
      id: String(decoding: header.id, as: UTF8.self),
      account: AccountID(normalized: String(decoding: header.account, as: UTF8.self)),
      occurredAt: header.occurredAt, payload: payload)
  }

  /// Decodes one record as `decode(_:)` does, with the same checks and errors, but
  /// returns only when the event occurred and its content.
  ///
  /// A fold of one account's events needs neither the id nor the account. Making the two
  /// into strings took about two fifths of the instructions of `decode(_:)` in a full
  /// replay of a generated 1,000-account ledger (`tierline generate --accounts 1000
  /// --seed 3`), counted with callgrind under `tierline-bench rebuild`.
  public static func decodeBody(_ bytes: UnsafeRawBufferPointer) throws(EventCodecError)
    -> (occurredAt: Timestamp, payload: Payload)
  {
    let (header, payload) = try decodeParts(bytes)
    return (header.occurredAt, payload)
  }

  /// Reads and checks every field of a record.
  private static func decodeParts(_ bytes: UnsafeRawBufferPointer) throws(EventCodecError)
    -> (header: RecordHeader, payload: Payload)
  {
    var reader = RecordReader(bytes: bytes)

    let version = try reader.byte()
    guard version == formatVersion else {
      throw EventCodecError(offset: 0, reason: "unknown format version \(version)")
    }
    let typeCode = try reader.byte()
    guard let type = EventType(rawValue: typeCode) else {
      throw EventCodecError(offset: 1, reason: "unknown event type \(typeCode)")
    }
    let schemaVersion = try reader.byte()
    let isKnownVersion =
      schemaVersion == typeSchemaVersion
      || (type == .usageRecorded && schemaVersion == usageWithUnitSchemaVersion)
    guard isKnownVersion else {
      // The header layout is the same in every schema version, so the id can still be
      // read to name the event.
      var idReader = RecordReader(bytes: bytes)
      idReader.index = 11
      let id = try? idReader.string(maximumBytes: Event.maximumIDLength)
      throw EventCodecError(
        offset: 2, reason: "unknown schema version \(schemaVersion) for \(type.name)",
        eventID: id)
    }

    let occurredAt = Timestamp(microseconds: try reader.int64LittleEndian())
    guard occurredAt >= Timestamp.minimum, occurredAt <= Timestamp.maximum else {
      throw EventCodecError(offset: 3, reason: "occurred_at is outside years 1 to 9999")
    }
    let id = try reader.stringBytes(maximumBytes: Event.maximumIDLength)
    let accountOffset = reader.index
    let account = try reader.stringBytes(maximumBytes: AccountID.maximumUTF8Length)
    guard !id.isEmpty, !account.isEmpty else {
      throw EventCodecError(offset: accountOffset, reason: "empty id or account")
    }

    let payload = try decodePayload(type, schemaVersion: schemaVersion, &reader)
    guard reader.index == bytes.count else {
      throw EventCodecError(
        offset: reader.index, reason: "\(bytes.count - reader.index) bytes after the record")
    }
    return (RecordHeader(occurredAt: occurredAt, id: id, account: account), payload)
  }

  /// The fields every record starts with. The id and account are slices of the record,
  /// checked to be non-empty UTF-8.
  private struct RecordHeader {
    var occurredAt: Timestamp
    var id: UnsafeRawBufferPointer
    var account: UnsafeRawBufferPointer
  }

  /// Decodes one record from a byte array; see `decode(_:)`.
  public static func decode(_ bytes: [UInt8]) throws(EventCodecError) -> Event {
    let result: Result<Event, EventCodecError> = bytes.withUnsafeBytes { buffer in
      do throws(EventCodecError) {
        return .success(try decode(buffer))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  private static func decodePayload(
    _ type: EventType, schemaVersion: UInt8, _ reader: inout RecordReader
  ) throws(EventCodecError) -> Payload {
    switch type {
    case .accountLanded:
      let tier = try reader.string()
      let acv = try reader.money()
      let timeZone = try reader.string()
      let owner = try reader.optionalString()
      let segment = try reader.optionalString()
      return .accountLanded(
        AccountLanded(tier: tier, acv: acv, timeZone: timeZone, owner: owner, segment: segment))
    case .usageRecorded:
      let metric = try reader.string()
      let offset = reader.index
      let millionths = try reader.zigZag()
      guard millionths >= 0 else {
        throw EventCodecError(offset: offset, reason: "negative quantity")
      }
      // Upcasting: a version 1 record has no unit, which the current model stores as nil.
      var unit: String?
      if schemaVersion == usageWithUnitSchemaVersion {
        unit = try reader.string()
      }
      return .usageRecorded(
        UsageRecorded(metric: metric, quantity: Quantity(millionths: millionths), unit: unit))
    case .milestoneReached:
      return .milestoneReached(MilestoneReached(milestone: try reader.string()))
    case .checkinCompleted:
      let kind = try reader.string()
      let offset = reader.index
      let flags = try reader.byte()
      guard flags & ~3 == 0 else {
        throw EventCodecError(offset: offset, reason: "unknown check-in flags \(flags)")
      }
      let notes = try reader.optionalString()
      return .checkinCompleted(
        CheckinCompleted(
          kind: kind, valueDelivered: flags & 1 != 0, approachingCapacity: flags & 2 != 0,
          notes: notes))
    case .tierChanged:
      let to = try reader.string()
      let acv = try reader.money()
      let reason = try reader.optionalString()
      return .tierChanged(TierChanged(to: to, acv: acv, reason: reason))
    case .orgChanged:
      var headcount: Int64?
      if try reader.presence() {
        let offset = reader.index
        let value = try reader.zigZag()
        guard value >= 0 else {
          throw EventCodecError(offset: offset, reason: "negative headcount")
        }
        headcount = value
      }
      let department = try reader.optionalString()
      let useCase = try reader.optionalString()
      return .orgChanged(
        OrgChanged(headcount: headcount, departmentAdded: department, useCaseAdded: useCase))
    case .expansionOffered:
      let to = try reader.string()
      let by = try reader.string()
      let trigger = try reader.optionalString()
      return .expansionOffered(ExpansionOffered(to: to, by: by, trigger: trigger))
    case .accountChurned:
      return .accountChurned(AccountChurned(reason: try reader.optionalString()))
    }
  }
}

/// A bounds-checked cursor over one stored record.
struct RecordReader {
  let bytes: UnsafeRawBufferPointer
  var index = 0

  init(bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
  }

  private func truncated() -> EventCodecError {
    EventCodecError(offset: bytes.count, reason: "record ends in the middle of a field")
  }

  mutating func byte() throws(EventCodecError) -> UInt8 {
    guard index < bytes.count else { throw truncated() }
    defer { index += 1 }
    return bytes[index]
  }

  mutating func int64LittleEndian() throws(EventCodecError) -> Int64 {
    guard bytes.count - index >= 8 else { throw truncated() }
    let value = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
    index += 8
    return Int64(bitPattern: UInt64(littleEndian: value))
  }

  /// Reads an unsigned LEB128 varint, rejecting overflow and non-minimal encodings.
  mutating func varint() throws(EventCodecError) -> UInt64 {
    let start = index
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      let byte = try self.byte()
      let payload = UInt64(byte & 0x7F)
      if shift == 63, payload > 1 {
        throw EventCodecError(offset: start, reason: "varint overflows 64 bits")
      }
      value |= payload << shift
      if byte & 0x80 == 0 {
        if byte == 0, index - start > 1 {
          throw EventCodecError(offset: start, reason: "varint is not in its shortest form")
        }
        return value
      }
      shift += 7
      if shift > 63 {
        throw EventCodecError(offset: start, reason: "varint overflows 64 bits")
      }
    }
  }

  mutating func zigZag() throws(EventCodecError) -> Int64 {
    let raw = try varint()
    return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
  }

  mutating func presence() throws(EventCodecError) -> Bool {
    let offset = index
    switch try byte() {
    case 0: return false
    case 1: return true
    case let other:
      throw EventCodecError(offset: offset, reason: "presence byte is \(other), not 0 or 1")
    }
  }

  /// Reads a length-prefixed UTF-8 string of at most `maximumBytes` bytes.
  mutating func string(maximumBytes: Int = Int(UInt32.max)) throws(EventCodecError) -> String {
    String(decoding: try stringBytes(maximumBytes: maximumBytes), as: UTF8.self)
  }

  /// Reads a length-prefixed string of at most `maximumBytes` bytes, checks that it is
  /// UTF-8 and returns its bytes, a slice of the record.
  mutating func stringBytes(maximumBytes: Int) throws(EventCodecError)
    -> UnsafeRawBufferPointer
  {
    let offset = index
    let length = try varint()
    guard length <= UInt64(maximumBytes) else {
      throw EventCodecError(offset: offset, reason: "string of \(length) bytes is too long")
    }
    guard UInt64(bytes.count - index) >= length else { throw truncated() }
    let text = UnsafeRawBufferPointer(rebasing: bytes[index..<(index + Int(length))])
    if let invalid = firstInvalidUTF8Offset(in: text) {
      throw EventCodecError(offset: index + invalid, reason: "invalid UTF-8 in a string")
    }
    index += Int(length)
    return text
  }

  mutating func optionalString() throws(EventCodecError) -> String? {
    try presence() ? try string() : nil
  }

  mutating func money() throws(EventCodecError) -> Money {
    let offset = index
    guard bytes.count - index >= 3 else { throw truncated() }
    let codeBytes = UnsafeRawBufferPointer(rebasing: bytes[index..<(index + 3)])
    guard codeBytes.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }),
      let currency = Currency(code: String(decoding: codeBytes, as: UTF8.self))
    else {
      throw EventCodecError(offset: offset, reason: "currency code is not three letters A-Z")
    }
    index += 3
    return Money(minorUnits: try zigZag(), currency: currency)
  }
}
