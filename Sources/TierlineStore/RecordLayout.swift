/// The byte layout of a stored record, versions 1 and 2.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 1 | record version, 1 or 2 |
/// | 1 | 3 | version 1: flags and reserved bytes, 0; version 2: the originator's number, little-endian, 0 when it has none |
/// | 4 | 4 | CRC-32C, little-endian: of every byte from offset 8 on (version 1), or of bytes 1 to 3 followed by every byte from offset 8 on (version 2) |
/// | 8 | 8 | recorded_at, µs since the epoch, little-endian |
/// | 16 | 8 | occurred_at, µs since the epoch, little-endian |
/// | 24 | n | content |
///
/// Storage format 3 writes version 2, formats 1 and 2 write version 1.
@usableFromInline
enum RecordLayout {
  /// The record version of storage formats 1 and 2, without an originator number.
  static let plainVersion: UInt8 = 1
  /// The record version of storage format 3, with the originator's number in bytes 1 to 3.
  @usableFromInline
  static let numberedVersion: UInt8 = 2
  /// The largest originator number bytes 1 to 3 hold.
  static let largestOriginatorNumber: UInt32 = 0xFF_FFFF
  /// The size of the fixed fields before the content.
  @usableFromInline
  static let headerSize = 24
  /// The offset of the first byte covered by the checksum.
  @usableFromInline
  static let checksummedOffset = 8
  /// The largest record the store writes or reads: 128 KiB, twice what the largest
  /// event the ledger accepts takes.
  ///
  /// A read checks it before the checksum, so a damaged length in an LMDB node is
  /// reported instead of read past the end of the file, which would end the process
  /// with SIGBUS.
  static let maximumSize = 128 * 1024

  /// Returns the size of a record holding `contentCount` content bytes.
  static func size(contentCount: Int) -> Int {
    headerSize + contentCount
  }

  /// Writes a whole record, checksum included, into `buffer` of exactly
  /// `size(contentCount:)` bytes: version 2 carrying `originatorNumber` when it is
  /// given, version 1 otherwise.
  static func write(
    into buffer: UnsafeMutableRawBufferPointer, recordedAt: Int64, occurredAt: Int64,
    content: [UInt8], originatorNumber: UInt32?
  ) {
    if let originatorNumber {
      precondition(originatorNumber <= largestOriginatorNumber, "originator number too large")
      buffer.storeBytes(
        of: (originatorNumber << 8 | UInt32(numberedVersion)).littleEndian, toByteOffset: 0,
        as: UInt32.self)
    } else {
      buffer.storeBytes(of: UInt32(plainVersion).littleEndian, toByteOffset: 0, as: UInt32.self)
    }
    buffer.storeBytes(of: recordedAt.littleEndian, toByteOffset: 8, as: Int64.self)
    buffer.storeBytes(of: occurredAt.littleEndian, toByteOffset: 16, as: Int64.self)
    content.withUnsafeBytes { source in
      guard let base = buffer.baseAddress, let sourceBase = source.baseAddress else { return }
      (base + headerSize).copyMemory(from: sourceBase, byteCount: source.count)
    }

    let checksum = self.checksum(of: UnsafeRawBufferPointer(buffer))
    buffer.storeBytes(of: checksum.littleEndian, toByteOffset: 4, as: UInt32.self)
  }

  /// Returns the checksum of a record whose header is checked, as its version defines it.
  @inlinable @inline(__always)
  static func checksum(of bytes: UnsafeRawBufferPointer) -> UInt32 {
    let covered = UnsafeRawBufferPointer(rebasing: bytes[checksummedOffset...])
    guard bytes[0] == numberedVersion else { return CRC32C.checksum(covered) }
    return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[1..<4]), covered)
  }

  /// Returns the originator number of a record whose header is checked, or 0 in version 1.
  @inline(__always)
  static func originatorNumber(of bytes: UnsafeRawBufferPointer) -> UInt32 {
    let word = UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self))
    return word & 0xFF == UInt32(numberedVersion) ? word >> 8 : 0
  }

  /// Checks a stored record and returns a view of it.
  /// - Throws: `.corrupt` naming the position when the record is too short, has another
  ///   format version, non-zero flags or reserved bytes, or a checksum mismatch.
  static func decode(_ bytes: UnsafeRawBufferPointer, position: UInt64) throws(StoreError)
    -> RecordView
  {
    try checkHeader(bytes, position: position)
    let stored = try checkChecksum(bytes, position: position)
    return RecordView(
      position: position,
      recordedAt: Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self)),
      occurredAt: Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: Int64.self)),
      content: UnsafeRawBufferPointer(rebasing: bytes[headerSize...]), checksum: stored,
      originatorNumber: originatorNumber(of: bytes))
  }

  /// Checks the checksum of a record whose header is checked, and returns the stored
  /// checksum.
  /// - Throws: `.corrupt` naming the position on a mismatch.
  @inlinable @inline(__always)
  static func checkChecksum(_ bytes: UnsafeRawBufferPointer, position: UInt64)
    throws(StoreError) -> UInt32
  {
    let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
    let computed = checksum(of: bytes)
    guard stored == computed else {
      throw checksumMismatch(position: position, stored: stored, computed: computed)
    }
    return stored
  }

  @usableFromInline
  static func checksumMismatch(position: UInt64, stored: UInt32, computed: UInt32)
    -> StoreError
  {
    StoreError(
      .corrupt,
      "record at position \(position) fails its CRC-32C check (stored \(hex(stored)), "
        + "computed \(hex(computed)))")
  }

  /// Checks a stored record's length, record version, and in version 1 its flags and
  /// reserved bytes.
  /// - Throws: `.corrupt` naming the position when one of them is wrong.
  @inline(__always)
  static func checkHeader(_ bytes: UnsafeRawBufferPointer, position: UInt64)
    throws(StoreError)
  {
    guard bytes.count <= maximumSize else {
      throw StoreError(
        .corrupt,
        "record at position \(position) is \(bytes.count) bytes, more than the "
          + "\(maximumSize) a record may take")
    }
    guard bytes.count >= headerSize else {
      throw StoreError(
        .corrupt,
        "record at position \(position) is \(bytes.count) bytes, shorter than the "
          + "\(headerSize)-byte header")
    }

    let version = bytes[0]
    if version == numberedVersion { return }
    guard version == plainVersion else {
      throw StoreError(
        .corrupt,
        "record at position \(position) has record version \(version), expected "
          + "\(plainVersion) or \(numberedVersion)")
    }
    guard bytes[1] == 0, bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self) == 0 else {
      throw StoreError(
        .corrupt, "record at position \(position) has non-zero flags or reserved bytes")
    }
  }

  private static func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
  }
}
