/// The layout of a stored auxiliary value: the caller's bytes, then a trailer that lets
/// every read check them.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | n | the caller's bytes |
/// | n | 4 | CRC-32C of the caller's bytes, little-endian |
/// | n + 4 | 4 | the marker `00 54 4C 43` |
///
/// Values written before the trailer existed end without the marker and are read as
/// they are. A damaged marker makes a value read with the trailer left on, which the
/// ledger's parsers reject.
enum AuxLayout {
  /// The last four bytes of a value with a trailer. JSON text never contains the NUL
  /// byte, so no playbook stored without a trailer ends with them.
  static let marker: [UInt8] = [0x00, 0x54, 0x4C, 0x43]
  /// The size of the checksum and the marker.
  static let trailerSize = 8
  /// The largest value a caller may store, 1 MiB: a playbook takes a few KiB.
  ///
  /// A read checks the size LMDB reports against it before touching the bytes, because
  /// a damaged page can report any size, and reading past the file would crash.
  static let maximumValueSize = 1 << 20

  /// Returns `value` followed by its trailer.
  static func sealed(_ value: [UInt8]) -> [UInt8] {
    let checksum = value.withUnsafeBytes { CRC32C.checksum($0) }
    var stored = value
    stored.reserveCapacity(value.count + trailerSize)
    withUnsafeBytes(of: checksum.littleEndian) { stored.append(contentsOf: $0) }
    stored.append(contentsOf: marker)
    return stored
  }

  /// Returns the caller's bytes of a stored value, after checking the checksum when the
  /// value has a trailer.
  /// - Throws: `.corrupt` naming the database and key when the checksum does not match.
  static func unsealed(
    _ stored: UnsafeRawBufferPointer, database: AuxDatabase, key: UnsafeRawBufferPointer
  ) throws(StoreError) -> UnsafeRawBufferPointer {
    guard stored.count <= maximumValueSize + trailerSize else {
      throw StoreError(
        .corrupt,
        "the \(database.rawValue) value under key \(describeKey(Array(key))) reports "
          + "\(stored.count) bytes, more than any value stored there, so its page is damaged")
    }
    guard stored.count >= trailerSize,
      stored[(stored.count - marker.count)...].elementsEqual(marker)
    else { return stored }
    let end = stored.count - trailerSize
    let value = UnsafeRawBufferPointer(rebasing: stored[..<end])
    let expected = UInt32(
      littleEndian: stored.loadUnaligned(fromByteOffset: end, as: UInt32.self))
    let computed = CRC32C.checksum(value)
    guard expected == computed else {
      throw StoreError(
        .corrupt,
        "the \(database.rawValue) value under key \(describeKey(Array(key))) fails its "
          + "CRC-32C check")
    }
    return value
  }
}
