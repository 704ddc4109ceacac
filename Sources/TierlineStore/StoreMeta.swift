/// The entries of the `meta` database; every value is 8 bytes, big-endian.
enum MetaKey: String {
  /// The storage format version, u64; this code creates version 4 and reads and writes
  /// versions 1 to 4.
  case formatVersion = "format_version"
  /// When the ledger was created, i64 µs since the epoch.
  case createdAt = "created_at"
  /// The position of the newest record, u64; 0 when the log is empty.
  case lastPosition = "last_position"
  /// The latest transaction time, i64 µs: the newest batch's recorded_at or a later
  /// stamp taken by another write; 0 when there is neither.
  case lastRecordedAt = "last_recorded_at"

  /// The storage format version of new ledgers. From version 2 on, an `originators`
  /// entry carries a copy of its record when both fit in an LMDB duplicate. From
  /// version 3 on, each record carries its originator's number. From version 4 on, both
  /// indexes are kept as sorted runs; see `RunLayout`.
  static let currentFormatVersion: UInt64 = 4

  /// The format versions this code reads and writes.
  static let supportedFormatVersions: ClosedRange<UInt64> = 1...4
}

extension LMDBTransaction {
  /// Returns a meta entry, or nil when it is missing.
  /// - Throws: `.corrupt` when the value is not 8 bytes.
  func metaValue(_ key: MetaKey, in databases: StoreDatabases) throws(StoreError) -> UInt64? {
    let found: UnsafeRawBufferPointer?
    do throws(LMDBError) {
      found = try KeyLayout.withBytes(Array(key.rawValue.utf8)) { name throws(LMDBError) in
        try value(in: databases.meta, forKey: name)
      }
    } catch {
      throw .failure(error, "could not read meta entry \(key.rawValue)")
    }
    guard let found else { return nil }
    guard found.count == 8 else {
      throw StoreError(
        .corrupt, "meta entry \(key.rawValue) is \(found.count) bytes, expected 8")
    }
    return UInt64(bigEndian: found.loadUnaligned(as: UInt64.self))
  }

  /// Stores a meta entry.
  func putMetaValue(_ key: MetaKey, _ newValue: UInt64, in databases: StoreDatabases)
    throws(StoreError)
  {
    do throws(LMDBError) {
      try KeyLayout.withBytes(Array(key.rawValue.utf8)) { name throws(LMDBError) in
        try KeyLayout.withPositionKey(newValue) { bytes throws(LMDBError) in
          try put(in: databases.meta, key: name, value: bytes)
        }
      }
    } catch {
      throw .failure(error, "could not write meta entry \(key.rawValue)")
    }
  }
}
