/// The byte layout of a stored record, format version 1.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 1 | format version, 1 |
/// | 1 | 1 | flags, 0 |
/// | 2 | 2 | reserved, 0 |
/// | 4 | 4 | CRC-32C of every byte from offset 8 on, little-endian |
/// | 8 | 8 | recorded_at, µs since the epoch, little-endian |
/// | 16 | 8 | occurred_at, µs since the epoch, little-endian |
/// | 24 | n | content |
enum RecordLayout {
  /// The format version written in byte 0.
  static let formatVersion: UInt8 = 1
  /// The size of the fixed fields before the content.
  static let headerSize = 24
  /// The offset of the first byte covered by the checksum.
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
  /// `size(contentCount:)` bytes.
  static func write(
    into buffer: UnsafeMutableRawBufferPointer, recordedAt: Int64, occurredAt: Int64,
    content: [UInt8]
  ) {
    buffer.storeBytes(of: formatVersion, toByteOffset: 0, as: UInt8.self)
    buffer.storeBytes(of: 0, toByteOffset: 1, as: UInt8.self)
    buffer.storeBytes(of: 0, toByteOffset: 2, as: UInt16.self)
    buffer.storeBytes(of: recordedAt.littleEndian, toByteOffset: 8, as: Int64.self)
    buffer.storeBytes(of: occurredAt.littleEndian, toByteOffset: 16, as: Int64.self)
    content.withUnsafeBytes { source in
      guard let base = buffer.baseAddress, let sourceBase = source.baseAddress else { return }
      (base + headerSize).copyMemory(from: sourceBase, byteCount: source.count)
    }

    let checksum = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[checksummedOffset...]))
    buffer.storeBytes(of: checksum.littleEndian, toByteOffset: 4, as: UInt32.self)
  }

  /// Checks a stored record and returns a view of it.
  /// - Throws: `.corrupt` naming the position when the record is too short, has another
  ///   format version, non-zero flags or reserved bytes, or a checksum mismatch.
  static func decode(_ bytes: UnsafeRawBufferPointer, position: UInt64) throws(StoreError)
    -> RecordView
  {
    try checkHeader(bytes, position: position)
    let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
    let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[checksummedOffset...]))
    guard stored == computed else {
      throw StoreError(
        .corrupt,
        "record at position \(position) fails its CRC-32C check (stored \(hex(stored)), "
          + "computed \(hex(computed)))")
    }

    return RecordView(
      position: position,
      recordedAt: Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self)),
      occurredAt: Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: Int64.self)),
      content: UnsafeRawBufferPointer(rebasing: bytes[headerSize...]), checksum: stored)
  }

  /// Checks a stored record's length, format version, flags and reserved bytes.
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
    guard version == formatVersion else {
      throw StoreError(
        .corrupt,
        "record at position \(position) has format version \(version), expected "
          + "\(formatVersion)")
    }
    guard bytes[1] == 0, bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self) == 0 else {
      throw StoreError(
        .corrupt, "record at position \(position) has non-zero flags or reserved bytes")
    }
  }

  private static func hex(_ value: UInt32) -> String {
    "0x" + String(value, radix: 16)
  }
}
