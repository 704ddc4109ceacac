/// The byte layouts of keys and index values; big-endian so byte order is numeric order.
enum KeyLayout {
  /// The size of an `originators` entry: sortable occurred time, then position.
  static let originatorEntrySize = 16

  /// The size of the checksum after a format 2 entry: CRC-32C of the entry's 16 bytes
  /// followed by its record's stored CRC-32C, little-endian.
  static let entryCheckSize = 4

  /// The largest `originators` value, entry, checksum and record copy together. LMDB
  /// stores sorted duplicates as keys of a nested tree, so they share its 511-byte key
  /// limit.
  static let maximumOriginatorValueSize = 511

  /// Returns whether a format 2 `originators` value can carry a copy of a record of
  /// `recordSize` bytes.
  static func copyFits(recordSize: Int) -> Bool {
    originatorEntrySize + entryCheckSize + recordSize <= maximumOriginatorValueSize
  }

  /// Returns the checksum that binds an entry's 16 bytes to its record's stored CRC-32C.
  static func entryCheck(entry: UnsafeRawBufferPointer, recordChecksum: UInt32) -> UInt32 {
    // Point queries check every entry, so the 20 bytes go through a stack buffer.
    withUnsafeTemporaryAllocation(
      byteCount: originatorEntrySize + entryCheckSize, alignment: 8
    ) { buffer in
      buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: entry[..<originatorEntrySize]))
      buffer.storeBytes(
        of: recordChecksum.littleEndian, toByteOffset: originatorEntrySize, as: UInt32.self)
      return CRC32C.checksum(UnsafeRawBufferPointer(buffer))
    }
  }

  /// Calls `body` with the bytes of `array`, keeping `body`'s error type.
  static func withBytes<T, E: Error>(
    _ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(E) -> T
  ) throws(E) -> T {
    let result: Result<T, E> = array.withUnsafeBytes { bytes in
      do throws(E) {
        return .success(try body(bytes))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// Calls `body` with the 8-byte big-endian form of a position.
  static func withPositionKey<T, E: Error>(
    _ position: UInt64, _ body: (UnsafeRawBufferPointer) throws(E) -> T
  ) throws(E) -> T {
    var bigEndian = position.bigEndian
    return try withUnsafeBytes(of: &bigEndian) { bytes throws(E) in try body(bytes) }
  }

  /// Reads an 8-byte big-endian position.
  /// - Throws: `.corrupt` when `bytes` is not 8 bytes long.
  static func position(from bytes: UnsafeRawBufferPointer, in database: String)
    throws(StoreError) -> UInt64
  {
    guard bytes.count == 8 else { throw positionSizeError(bytes.count, in: database) }
    return UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
  }

  /// Returns the error for a position of `count` bytes. Kept out of line, so that
  /// `position(from:in:)` stays small enough to inline into a scan's loop.
  @inline(never)
  private static func positionSizeError(_ count: Int, in database: String) -> StoreError {
    StoreError(.corrupt, "\(database) contains a \(count)-byte position, expected 8 bytes")
  }

  /// Maps a signed time to an unsigned value with the same order (sign bit flipped).
  static func sortableTime(_ time: Int64) -> UInt64 {
    UInt64(bitPattern: time) ^ (1 << 63)
  }

  /// Calls `body` with the 16-byte `originators` value for a record.
  static func withOriginatorEntry<T, E: Error>(
    occurredAt: Int64, position: UInt64, _ body: (UnsafeRawBufferPointer) throws(E) -> T
  ) throws(E) -> T {
    var entry = (sortableTime(occurredAt).bigEndian, position.bigEndian)
    return try withUnsafeBytes(of: &entry) { bytes throws(E) in try body(bytes) }
  }

  /// Returns a format 2 `originators` value: the entry for a stored record, its
  /// checksum, then a copy of the record when `copy` is set.
  static func originatorValue(
    occurredAt: Int64, position: UInt64, record: UnsafeRawBufferPointer, copy: Bool
  ) -> [UInt8] {
    let prefix = originatorEntrySize + entryCheckSize
    var value = [UInt8](repeating: 0, count: prefix + (copy ? record.count : 0))
    value.withUnsafeMutableBytes { target in
      target.storeBytes(
        of: sortableTime(occurredAt).bigEndian, toByteOffset: 0, as: UInt64.self)
      target.storeBytes(of: position.bigEndian, toByteOffset: 8, as: UInt64.self)
      let recordChecksum = UInt32(
        littleEndian: record.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
      let check = entryCheck(
        entry: UnsafeRawBufferPointer(rebasing: target[..<originatorEntrySize]),
        recordChecksum: recordChecksum)
      target.storeBytes(
        of: check.littleEndian, toByteOffset: originatorEntrySize, as: UInt32.self)
      if copy, let source = record.baseAddress, let base = target.baseAddress {
        (base + prefix).copyMemory(from: source, byteCount: record.count)
      }
    }
    return value
  }

  /// Reads the occurred time and position of the `originators` value at `offset`.
  static func originatorEntry(in bytes: UnsafeRawBufferPointer, at offset: Int)
    -> (occurredAt: Int64, position: UInt64)
  {
    let time = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    let position = UInt64(
      bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
    return (Int64(bitPattern: time ^ (1 << 63)), position)
  }
}
