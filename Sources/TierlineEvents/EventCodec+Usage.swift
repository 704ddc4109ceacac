/// The fields of a `usage.recorded` record that a fold reads.
public struct UsageFields {
  /// When the usage happened, in µs since the epoch.
  public var occurredAt: Int64
  /// The account id's UTF-8 bytes, a slice of the record.
  public var account: UnsafeRawBufferPointer
  /// The metric name's UTF-8 bytes, a slice of the record.
  public var metric: UnsafeRawBufferPointer
  /// The quantity in millionths of a unit; never negative.
  public var millionths: Int64

  @usableFromInline
  init(
    occurredAt: Int64, account: UnsafeRawBufferPointer, metric: UnsafeRawBufferPointer,
    millionths: Int64
  ) {
    self.occurredAt = occurredAt
    self.account = account
    self.metric = metric
    self.millionths = millionths
  }
}

extension EventCodec {
  /// Reads a `usage.recorded` record in its common form, with every string ASCII and
  /// shorter than 128 bytes, without allocating.
  ///
  /// It accepts only records that `decode(_:)` accepts too. It returns nil for every
  /// other record, including malformed ones; the caller then calls `decode(_:)`, which
  /// decodes the event or throws the precise error. Usage records are most of a ledger,
  /// so a full replay reads them here and skips building an `Event`. It is inlinable, so
  /// the replay's scan of the log reads the fields without a call.
  @inlinable @inline(__always)
  public static func usageFields(in bytes: UnsafeRawBufferPointer) -> UsageFields? {
    guard bytes.count > 11, bytes[0] == formatVersion,
      bytes[1] == EventType.usageRecorded.rawValue
    else { return nil }
    let schemaVersion = bytes[2]
    guard schemaVersion == typeSchemaVersion || schemaVersion == usageWithUnitSchemaVersion
    else { return nil }
    let occurredAt = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 3, as: Int64.self))
    guard occurredAt >= Timestamp.minimumMicroseconds,
      occurredAt <= Timestamp.maximumMicroseconds
    else { return nil }

    // The id, the account and the metric follow each other, each after a one-byte
    // length. Every byte from the first length to the metric's end is checked for ASCII
    // at once, and a clear top bit makes each length a one-byte varint under 128 too.
    let idLength = Int(bytes[11])
    let accountAt = 12 + idLength
    guard idLength > 0, accountAt < bytes.count else { return nil }
    let accountLength = Int(bytes[accountAt])
    let metricAt = accountAt + 1 + accountLength
    guard accountLength > 0, metricAt < bytes.count else { return nil }
    let metricEnd = metricAt + 1 + Int(bytes[metricAt])
    guard metricEnd <= bytes.count, isASCII(bytes, from: 11, to: metricEnd) else { return nil }
    var index = metricEnd
    guard let raw = canonicalVarint(bytes, &index) else { return nil }
    let account = UnsafeRawBufferPointer(
      rebasing: bytes[(accountAt + 1)..<(accountAt + 1 + accountLength)])
    let metric = UnsafeRawBufferPointer(rebasing: bytes[(metricAt + 1)..<metricEnd])
    // Zig-zag decoding; an odd raw value is a negative quantity, which decode rejects.
    guard raw & 1 == 0 else { return nil }
    if schemaVersion == usageWithUnitSchemaVersion {
      guard shortASCII(bytes, &index) != nil else { return nil }
    }
    guard index == bytes.count else { return nil }
    return UsageFields(
      occurredAt: occurredAt, account: account, metric: metric,
      millionths: Int64(bitPattern: raw >> 1))
  }

  /// Tells whether every byte in `start..<end` has a clear top bit. The range lies at
  /// least 8 bytes into `bytes` and is not empty.
  @inlinable @inline(__always)
  static func isASCII(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int)
    -> Bool
  {
    let count = end - start
    // The word ending at `end` takes bytes before `start` when the range is short. They
    // are the low bytes of the little-endian word, so the shift drops them.
    var highBits = UInt64(
      littleEndian: bytes.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self))
    if count < 8 {
      highBits &>>= UInt64(8 * (8 - count))
    } else {
      var offset = start
      while end - offset > 8 {
        highBits |= bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        offset += 8
      }
    }
    return highBits & 0x8080_8080_8080_8080 == 0
  }

  /// Reads a string whose one-byte length prefix is under 128 and whose bytes are all
  /// ASCII, advancing `index`; nil for any other string. The string starts at least 8
  /// bytes into `bytes`, as `isASCII` needs.
  @inlinable @inline(__always)
  static func shortASCII(_ bytes: UnsafeRawBufferPointer, _ index: inout Int)
    -> UnsafeRawBufferPointer?
  {
    guard index < bytes.count else { return nil }
    let length = Int(bytes[index])
    let start = index + 1
    guard length < 0x80, bytes.count - start >= length else { return nil }
    let end = start + length
    guard length == 0 || isASCII(bytes, from: start, to: end) else { return nil }
    index = end
    return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
  }

  /// Reads a LEB128 varint in its shortest form that fits in 64 bits, advancing
  /// `index`; nil otherwise. `bytes` has at least 8 bytes.
  ///
  /// A varint of up to 8 bytes, enough for any quantity below 2^55 millionths, is read
  /// as one word: the first byte with a clear top bit ends it, and three mask steps
  /// join its 7-bit groups. Longer ones go byte by byte.
  @inlinable @inline(__always)
  static func canonicalVarint(_ bytes: UnsafeRawBufferPointer, _ index: inout Int)
    -> UInt64?
  {
    let remaining = bytes.count - index
    guard remaining > 0 else { return nil }
    let available = min(remaining, 8)
    // Near the end, the word ending at the last byte is read and shifted down, so no
    // load passes the end of the record.
    let word =
      remaining >= 8
      ? UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
      : UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self))
        &>> UInt64(8 * (8 - remaining))
    // The shifts below stay under 64 bits, so the masking forms need no range check.
    let availableMask: UInt64 = available == 8 ? ~0 : (1 &<< UInt64(8 * available)) - 1
    let ends = ~word & 0x8080_8080_8080_8080 & availableMask
    guard ends != 0 else { return bytewiseVarint(bytes, &index) }
    let length = (ends.trailingZeroBitCount + 1) / 8
    // The shortest form ends with a non-zero byte, unless the value is 0.
    guard length == 1 || (word &>> UInt64(8 * (length - 1))) & 0xFF != 0 else { return nil }
    var value = (length == 8 ? word : word & ((1 &<< UInt64(8 * length)) - 1))
    value &= 0x7F7F_7F7F_7F7F_7F7F
    value = (value & 0x7F00_7F00_7F00_7F00) &>> 1 | (value & 0x007F_007F_007F_007F)
    value = (value & 0x3FFF_0000_3FFF_0000) &>> 2 | (value & 0x0000_3FFF_0000_3FFF)
    value = (value & 0x0FFF_FFFF_0000_0000) &>> 4 | (value & 0x0000_0000_0FFF_FFFF)
    index += length
    return value
  }

  /// Reads a canonical LEB128 varint of any length byte by byte, as `canonicalVarint`
  /// does. Kept out of line, so that the common case inlines.
  @usableFromInline
  @inline(never)
  static func bytewiseVarint(_ bytes: UnsafeRawBufferPointer, _ index: inout Int)
    -> UInt64?
  {
    let start = index
    var value: UInt64 = 0
    var shift: UInt64 = 0
    var offset = index
    while offset < bytes.count {
      let byte = bytes[offset]
      offset += 1
      let payload = UInt64(byte & 0x7F)
      if shift == 63, payload > 1 { return nil }
      value |= payload << shift
      if byte & 0x80 == 0 {
        if byte == 0, offset - start > 1 { return nil }
        index = offset
        return value
      }
      shift += 7
      if shift > 63 { return nil }
    }
    return nil
  }
}
