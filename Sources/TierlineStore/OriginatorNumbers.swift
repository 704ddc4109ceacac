import CLMDB

/// The values of `originator_numbers`, in storage format 3 and later.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | the originator's number, u32 big-endian |
/// | 4 | 4 | CRC-32C of the originator's bytes followed by bytes 0 to 3, u32 little-endian |
///
/// Numbers start at 1 and follow the order in which originators first appear, so the
/// next number is one more than the entry count. Every record of a numbered originator
/// carries its number; a full replay reads it instead of looking the originator up.
enum OriginatorNumberLayout {
  /// The size of a value.
  static let size = 8

  /// Returns the value that stores `number` for `originator`.
  static func value(_ number: UInt32, for originator: UnsafeRawBufferPointer) -> UInt64 {
    var bigEndian = number.bigEndian
    let check = withUnsafeBytes(of: &bigEndian) { CRC32C.checksum(originator, $0) }
    var value: UInt64 = 0
    withUnsafeMutableBytes(of: &value) { bytes in
      bytes.storeBytes(of: number.bigEndian, toByteOffset: 0, as: UInt32.self)
      bytes.storeBytes(of: check.littleEndian, toByteOffset: 4, as: UInt32.self)
    }
    return value
  }

  /// Returns the number that `value` stores for `originator`, or nil when the value is
  /// not 8 bytes or fails its checksum.
  static func number(in value: UnsafeRawBufferPointer, for originator: UnsafeRawBufferPointer)
    -> UInt32?
  {
    guard value.count == size else { return nil }
    let stored = UInt32(littleEndian: value.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
    let computed = CRC32C.checksum(originator, UnsafeRawBufferPointer(rebasing: value[..<4]))
    guard stored == computed else { return nil }
    return UInt32(bigEndian: value.loadUnaligned(as: UInt32.self))
  }
}

extension LMDBTransaction {
  /// Returns the number stored for `originator`, or nil when it has none or the ledger
  /// does not number originators.
  /// - Throws: `.corrupt` when the stored value is damaged.
  func originatorNumber(of originator: [UInt8], in databases: StoreDatabases)
    throws(StoreError) -> UInt32?
  {
    guard let numbers = databases.originatorNumbers else { return nil }
    // nil: no entry; .some(nil): a damaged entry.
    let found: UInt32??
    do throws(LMDBError) {
      found = try KeyLayout.withBytes(originator) { key throws(LMDBError) -> UInt32?? in
        guard let value = try value(in: numbers, forKey: key) else { return nil }
        return .some(OriginatorNumberLayout.number(in: value, for: key))
      }
    } catch {
      throw .failure(error, "could not read the number of account \(describeKey(originator))")
    }
    guard let found else { return nil }
    guard let number = found else {
      throw StoreError(
        .corrupt,
        "the number of account \(describeKey(originator)) in originator_numbers fails its "
          + "CRC-32C check or is not \(OriginatorNumberLayout.size) bytes")
    }
    return number
  }

  /// Returns the number of `originator`, storing the next free number for it when it has
  /// none yet; 0 once every number up to `largest` is taken.
  func numberOriginator(_ originator: [UInt8], upTo largest: UInt32, in databases: StoreDatabases)
    throws(StoreError) -> UInt32
  {
    guard let numbers = databases.originatorNumbers else { return 0 }
    if let known = try originatorNumber(of: originator, in: databases) { return known }
    do throws(LMDBError) {
      let count = try entryCount(in: numbers)
      guard count < Int(largest) else { return 0 }
      let number = UInt32(count + 1)
      try KeyLayout.withBytes(originator) { key throws(LMDBError) in
        var value = OriginatorNumberLayout.value(number, for: key)
        try withUnsafeBytes(of: &value) { bytes throws(LMDBError) in
          try put(in: numbers, key: key, value: bytes, flags: UInt32(MDB_NOOVERWRITE))
        }
      }
      return number
    } catch {
      throw .failure(error, "could not number account \(describeKey(originator))")
    }
  }
}
