import CLMDB

/// The values of `originator_numbers`, in storage format 3 and later.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | the originator's number, u32 big-endian |
/// | 4 | 4 | CRC-32C of the originator's bytes followed by bytes 0 to 3, u32 little-endian |
///
/// Numbers start at 1 and follow the order in which originators first appear. Every
/// record of a numbered originator carries its number, so a full replay reads it instead
/// of looking the originator up. `originator_ids` maps each number back to its originator.
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

/// The values of `originator_ids`, in storage format 3 and later, under the number as
/// a u32 big-endian key.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | CRC-32C of the key followed by bytes 4 to the end, u32 little-endian |
/// | 4 | n | the originator's bytes |
enum OriginatorIDLayout {
  /// Returns the value that stores `originator` under `key`.
  static func value(_ originator: UnsafeRawBufferPointer, under key: UnsafeRawBufferPointer)
    -> [UInt8]
  {
    let check = CRC32C.checksum(key, originator)
    var value = withUnsafeBytes(of: check.littleEndian) { Array($0) }
    value.append(contentsOf: originator)
    return value
  }

  /// Returns the originator bytes that `value` stores under `key`, or nil when the value
  /// fails its checksum.
  static func originator(in value: UnsafeRawBufferPointer, under key: UnsafeRawBufferPointer)
    -> UnsafeRawBufferPointer?
  {
    guard value.count > 4 else { return nil }
    let originator = UnsafeRawBufferPointer(rebasing: value[4...])
    let stored = UInt32(littleEndian: value.loadUnaligned(as: UInt32.self))
    return stored == CRC32C.checksum(key, originator) ? originator : nil
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
    // nil means no entry, and .some(nil) a damaged entry.
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
  /// none yet. Returns 0 once every number up to `largest` is taken.
  ///
  /// The next number is one more than the larger of the entry count of
  /// `originator_numbers` and the last number in `originator_ids`. A damaged count or a
  /// lost entry in one of them thus hands out no number twice, and `originator_ids`
  /// rejects a number it already contains.
  /// - Throws: `.corrupt` when the originator already has records but no number, which
  ///   only a damaged `originator_numbers` leaves, or when the next number is taken. From
  ///   format 4 on, also when the two databases' counts differ from the last number.
  func numberOriginator(_ originator: [UInt8], upTo largest: UInt32, in databases: StoreDatabases)
    throws(StoreError) -> UInt32
  {
    guard let numbers = databases.originatorNumbers, let ids = databases.originatorIDs else {
      return 0
    }
    if let known = try originatorNumber(of: originator, in: databases) { return known }
    let lastKey: [UInt8]?
    let count: Int
    let idCount: Int
    do throws(LMDBError) {
      let cursor = try LMDBCursor(transaction: self, database: ids)
      lastKey = try cursor.get(MDB_LAST).map { Array($0.key) }
      count = try entryCount(in: numbers)
      idCount = try entryCount(in: ids)
    } catch {
      throw .failure(error, "could not read the last account number")
    }
    var lastNumber = 0
    if let lastKey {
      guard lastKey.count == 4 else {
        throw StoreError(
          .corrupt, "the last key of originator_ids is \(lastKey.count) bytes, not 4")
      }
      lastNumber = Int(
        lastKey.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) })
    }
    let last = max(lastNumber, count)
    guard last < Int(largest) else { return 0 }
    // From format 4 on the account index finds entries by number, so its records do not
    // show that an account lost its entry in originator_numbers. Both databases then
    // disagree with the last number, unless damage also changed the other one.
    if databases.usesRuns, count != lastNumber || idCount != lastNumber {
      throw StoreError(
        .corrupt,
        "originator_numbers has \(count) entries and originator_ids \(idCount), but the "
          + "last number is \(lastNumber). An account may have lost its number, and a new one "
          + "would split its events, so no new account is numbered")
    }
    // From format 3 on every originator is numbered with its first record, up to
    // `largest`, so one with records and no number has lost its entry. From format 4 on
    // the account index finds entries by number, so the check above replaces that lookup.
    let hasRecords = databases.usesRuns ? false : try version(of: originator, in: databases) > 0
    guard !hasRecords else {
      throw StoreError(
        .corrupt,
        "account \(describeKey(originator)) has records but no number in originator_numbers; "
          + "giving it a new one would split its records")
    }
    let number = UInt32(last + 1)
    do throws(LMDBError) {
      try KeyLayout.withBytes(originator) { key throws(LMDBError) in
        var value = OriginatorNumberLayout.value(number, for: key)
        try withUnsafeBytes(of: &value) { bytes throws(LMDBError) in
          try put(in: numbers, key: key, value: bytes, flags: UInt32(MDB_NOOVERWRITE))
        }
        var numberKey = number.bigEndian
        try withUnsafeBytes(of: &numberKey) { numberBytes throws(LMDBError) in
          let value = OriginatorIDLayout.value(key, under: numberBytes)
          try KeyLayout.withBytes(value) { valueBytes throws(LMDBError) in
            try put(in: ids, key: numberBytes, value: valueBytes, flags: UInt32(MDB_NOOVERWRITE))
          }
        }
      }
      return number
    } catch {
      guard error == .keyExists else {
        throw .failure(error, "could not number account \(describeKey(originator))")
      }
      throw StoreError(
        .corrupt,
        "account number \(number), the next free one by originator_numbers and originator_ids, "
          + "is already taken")
    }
  }

  /// Returns the originator that `originator_ids` stores under `number`, or nil when it
  /// stores none or the ledger does not number originators.
  /// - Throws: `.corrupt` when the stored value fails its checksum.
  func originator(numbered number: UInt32, in databases: StoreDatabases) throws(StoreError)
    -> [UInt8]?
  {
    guard let ids = databases.originatorIDs else { return nil }
    // nil means no entry, and .some(nil) a damaged entry.
    let found: [UInt8]??
    do throws(LMDBError) {
      var key = number.bigEndian
      found = try withUnsafeBytes(of: &key) { keyBytes throws(LMDBError) -> [UInt8]?? in
        guard let value = try value(in: ids, forKey: keyBytes) else { return nil }
        return .some(OriginatorIDLayout.originator(in: value, under: keyBytes).map { Array($0) })
      }
    } catch {
      throw .failure(error, "could not read the account of number \(number)")
    }
    guard let found else { return nil }
    guard let originator = found else {
      throw StoreError(
        .corrupt, "the account of number \(number) in originator_ids fails its CRC-32C check")
    }
    return originator
  }
}
