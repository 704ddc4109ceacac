import CLMDB

/// Reads of the ledger's databases shared by read and write transactions.
extension LMDBTransaction {
  /// Opens a cursor, reporting a failure as a `StoreError` naming `name`.
  func openCursor(_ database: MDB_dbi, on name: String) throws(StoreError) -> LMDBCursor {
    do throws(LMDBError) {
      return try LMDBCursor(transaction: self, database: database)
    } catch {
      throw .failure(error, "could not open a cursor on \(name)")
    }
  }

  /// Returns the last position and last recorded time from the meta database.
  func logHead(in databases: StoreDatabases) throws(StoreError)
    -> (lastPosition: UInt64, lastRecordedAt: Int64)
  {
    let lastPosition = try metaValue(.lastPosition, in: databases) ?? 0
    let lastRecordedAt = try metaValue(.lastRecordedAt, in: databases) ?? 0
    return (lastPosition, Int64(bitPattern: lastRecordedAt))
  }

  /// Returns the position of the log's last record and the record's stored bytes, or
  /// nil when the log is empty. The bytes are not checked.
  /// - Throws: `.corrupt` when the last key is not 8 bytes.
  func logEnd(in databases: StoreDatabases) throws(StoreError)
    -> (position: UInt64, stored: UnsafeRawBufferPointer)?
  {
    let cursor = try openCursor(databases.log, on: StoreDatabases.Name.log)
    let last: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
    do throws(LMDBError) {
      last = try cursor.get(MDB_LAST)
    } catch {
      throw .failure(error, "could not read the last record of the log")
    }
    guard let last else { return nil }
    let position = try KeyLayout.position(from: last.key, in: StoreDatabases.Name.log)
    return (position, last.value)
  }

  /// Returns the last position and last recorded time from the meta database after
  /// checking them against the log's last record.
  ///
  /// Every query and append starts from these two values, and the meta database stores
  /// them without a checksum. A damaged last position would hide records or reuse
  /// positions, and a damaged last time would hide every record recorded after it.
  /// - Parameter strict: Whether damage to the last record itself, or a damaged page on
  ///   the way to it, throws. When false, the check covers what it can read and leaves
  ///   that damage to the reads that meet it, so that the rest of the ledger stays
  ///   readable.
  ///   - newestOtherWrite: The newest recorded time that a write other than an append
  ///     took, such as a rules activation, when the caller knows it. The last recorded
  ///     time may then be no later than the newer of it and the last record's.
  /// - Throws: `.corrupt` when the last position is not that of the log's last record,
  ///   or that record was recorded after the last recorded time. With `strict`, also when
  ///   the last record fails its checks or LMDB cannot reach it. With `newestOtherWrite`,
  ///   also when the last recorded time is later than every write.
  func checkedLogHead(
    in databases: StoreDatabases, strict: Bool = true, newestOtherWrite: Int64? = nil
  ) throws(StoreError) -> (lastPosition: UInt64, lastRecordedAt: Int64) {
    let head = try logHead(in: databases)
    let end: (position: UInt64, stored: UnsafeRawBufferPointer)?
    do {
      end = try logEnd(in: databases)
    } catch  where !strict {
      return head
    }

    guard let end else {
      guard head.lastPosition == 0 else {
        throw StoreError(
          .corrupt, "last_position in meta is \(head.lastPosition), but the log is empty")
      }
      try Self.checkNotLater(head.lastRecordedAt, than: newestOtherWrite, record: nil)
      return head
    }

    guard end.position == head.lastPosition else {
      throw StoreError(
        .corrupt,
        "last_position in meta is \(head.lastPosition), but the log's last record is at "
          + "position \(end.position)")
    }

    // The record's own time counts only once its checksum holds; a damaged record is
    // named as such, not as damage to meta.
    let record: RecordView
    do {
      record = try RecordLayout.decode(end.stored, position: end.position)
    } catch  where !strict {
      return head
    }
    guard record.recordedAt <= head.lastRecordedAt else {
      throw StoreError(
        .corrupt,
        "last_recorded_at in meta is \(head.lastRecordedAt) µs since the epoch, before the "
          + "record at position \(end.position), recorded at \(record.recordedAt) µs")
    }
    try Self.checkNotLater(
      head.lastRecordedAt, than: newestOtherWrite, record: (end.position, record.recordedAt))
    return head
  }

  /// Throws `.corrupt` when `lastRecordedAt` is later than both `newestOtherWrite` and
  /// the last record's time. An append would stamp its records with such a time, after
  /// which the damage would no longer show.
  private static func checkNotLater(
    _ lastRecordedAt: Int64, than newestOtherWrite: Int64?,
    record: (position: UInt64, recordedAt: Int64)?
  ) throws(StoreError) {
    guard let newestOtherWrite else { return }
    let newestWrite = max(newestOtherWrite, record?.recordedAt ?? 0)
    guard lastRecordedAt > newestWrite else { return }
    let recordText =
      record.map { "the record at position \($0.position) was recorded at \($0.recordedAt) µs" }
      ?? "the log is empty"
    throw StoreError(
      .corrupt,
      "last_recorded_at in meta is \(lastRecordedAt) µs since the epoch, later than the newest "
        + "write: \(recordText), and the newest other write at \(newestOtherWrite) µs")
  }

  /// Returns the checked record at `position`, or nil when there is none.
  func record(at position: UInt64, in databases: StoreDatabases) throws(StoreError)
    -> RecordView?
  {
    let found: UnsafeRawBufferPointer?
    do throws(LMDBError) {
      found = try KeyLayout.withPositionKey(position) { key throws(LMDBError) in
        try value(in: databases.log, forKey: key)
      }
    } catch {
      throw .failure(error, "could not read the record at position \(position)")
    }
    guard let found else { return nil }
    return try RecordLayout.decode(found, position: position)
  }

  /// Returns the number of records stored for `originator`, counting this transaction's
  /// own writes.
  func version(of originator: [UInt8], in databases: StoreDatabases) throws(StoreError)
    -> UInt64
  {
    if databases.usesRuns {
      guard let number = try originatorNumber(of: originator, in: databases) else { return 0 }
      return try runEntryCount(
        account: number, runs: try indexRuns(in: databases), in: databases)
    }
    do throws(LMDBError) {
      let cursor = try LMDBCursor(transaction: self, database: databases.originators)
      let found = try KeyLayout.withBytes(originator) { key throws(LMDBError) in
        try cursor.get(MDB_SET, key: key)
      }
      guard found != nil else { return 0 }
      return UInt64(try cursor.duplicateCount())
    } catch {
      throw .failure(error, "could not count the records of account \(describeKey(originator))")
    }
  }

  /// Returns whether the originator index contains `originator` with the given entry,
  /// with or without a record copy after it. From format 4 on it reads the live `runs`
  /// unless the caller passes them.
  func hasOriginatorEntry(
    _ originator: [UInt8], occurredAt: Int64, position: UInt64,
    runs knownRuns: [RunDirectoryEntry]? = nil, in databases: StoreDatabases
  ) throws(StoreError) -> Bool {
    if databases.usesRuns {
      guard let number = try originatorNumber(of: originator, in: databases) else {
        return false
      }
      var runs = knownRuns ?? []
      if knownRuns == nil { runs = try indexRuns(in: databases) }
      return try KeyLayout.withOriginatorEntry(occurredAt: occurredAt, position: position) {
        entry throws(StoreError) in
        try runHasEntry(account: number, entry: entry, runs: runs, in: databases)
      }
    }
    do throws(LMDBError) {
      let cursor = try LMDBCursor(transaction: self, database: databases.originators)
      return try KeyLayout.withBytes(originator) { key throws(LMDBError) in
        try KeyLayout.withOriginatorEntry(occurredAt: occurredAt, position: position) {
          entry throws(LMDBError) in
          // The first value at or after the entry starts with the entry when it is stored.
          guard let found = try cursor.get(MDB_GET_BOTH_RANGE, key: key, value: entry) else {
            return false
          }
          return found.value.count >= entry.count
            && found.value.prefix(entry.count).elementsEqual(entry)
        }
      }
    } catch {
      throw .failure(error, "could not look up account \(describeKey(originator))")
    }
  }

  /// Returns the position stored for an event id, or nil when the id is not stored.
  func position(ofEventID id: [UInt8], in databases: StoreDatabases) throws(StoreError)
    -> UInt64?
  {
    if databases.usesRuns {
      let runs = try indexRuns(in: databases)
      try databases.checkedFilters.check(runs)
      return try KeyLayout.withBytes(id) { bytes throws(StoreError) in
        try runPosition(ofEventID: bytes, hash: RunFilter.hash(bytes), runs: runs, in: databases)
      }
    }
    let found: UnsafeRawBufferPointer?
    do throws(LMDBError) {
      found = try KeyLayout.withBytes(id) { key throws(LMDBError) in
        try value(in: databases.eventIDs, forKey: key)
      }
    } catch {
      throw .failure(error, "could not look up event id \(describeKey(id))")
    }
    guard let found else { return nil }
    return try KeyLayout.position(from: found, in: StoreDatabases.Name.eventIDs)
  }

  /// Returns a copy of an auxiliary value, or nil when the key is missing.
  /// - Throws: `.corrupt` when the value fails its checksum (see `AuxLayout`).
  func auxValue(_ database: AuxDatabase, key: [UInt8], in databases: StoreDatabases)
    throws(StoreError) -> [UInt8]?
  {
    try EventStore.checkKey(key, named: "\(database.rawValue) key")
    let found: UnsafeRawBufferPointer?
    do throws(LMDBError) {
      found = try KeyLayout.withBytes(key) { bytes throws(LMDBError) in
        try value(in: databases.handle(of: database), forKey: bytes)
      }
    } catch {
      throw .failure(error, "could not read \(database.rawValue) key \(describeKey(key))")
    }
    guard let found else { return nil }
    return try KeyLayout.withBytes(key) { keyBytes throws(StoreError) in
      Array(try AuxLayout.unsealed(found, database: database, key: keyBytes))
    }
  }

  /// Calls `body` with every auxiliary key and value in key order until it returns false.
  /// - Throws: `.corrupt` when a value fails its checksum (see `AuxLayout`), or what
  ///   `body` throws.
  func forEachAux(
    _ database: AuxDatabase, in databases: StoreDatabases,
    _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
  ) throws {
    let cursor = try openCursor(databases.handle(of: database), on: database.rawValue)

    var operation = MDB_FIRST
    while true {
      let entry: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
      do throws(LMDBError) {
        entry = try cursor.get(operation)
      } catch {
        throw StoreError.failure(error, "could not read \(database.rawValue)")
      }
      guard let entry else { return }
      let value = try AuxLayout.unsealed(entry.value, database: database, key: entry.key)
      guard try body(entry.key, value) else { return }
      operation = MDB_NEXT
    }
  }

  /// Calls `body` with every record from `first` through `last` in log order, until it
  /// returns false, checking each header but not the checksums; see
  /// `ReadTransaction.scanHeaders`.
  func scanLog(
    from first: UInt64, through last: UInt64, in databases: StoreDatabases,
    releasingPagesAfter: Int? = nil, _ body: (StoredRecord) throws -> Bool
  ) throws {
    var returned = false
    try scanLog(
      ranges: {
        defer { returned = true }
        return returned || first > last ? nil : first...last
      }, in: databases, releasingPagesAfter: releasingPagesAfter, body)
  }

  /// Calls `body` with every record of each range that `next` returns, in log order
  /// within a range, until `next` returns nil or `body` returns false. `next` is called
  /// once before the first range and once after each range that `body` read to its end.
  /// The pages read are released across ranges, as by one scan.
  func scanLog(
    ranges next: () throws -> ClosedRange<UInt64>?, in databases: StoreDatabases,
    releasingPagesAfter: Int? = nil, _ body: (StoredRecord) throws -> Bool
  ) throws {
    var span = MappedSpan()
    let releaseWidth = UInt(releasingPagesAfter ?? Int.max)
    defer { span.release() }
    let cursor = try openCursor(databases.log, on: StoreDatabases.Name.log)
    // The record after the last range read, where the next range starts when the ranges
    // follow each other.
    var entry: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
    var entryPosition: UInt64?
    while let range = try next() {
      if entryPosition != range.lowerBound {
        entry = try Self.seekLog(cursor, to: range.lowerBound)
      }
      var prefetcher = PagePrefetcher()
      entryPosition = nil
      while let current = entry {
        let position = try KeyLayout.position(from: current.key, in: StoreDatabases.Name.log)
        guard position <= range.upperBound else {
          entryPosition = position
          break
        }
        try RecordLayout.checkHeader(current.value, position: position)
        span.include(current.value)
        prefetcher.record(at: current.value)
        if span.mappedBound >= releaseWidth { span.release() }
        guard try body(StoredRecord(position: position, bytes: current.value)) else { return }
        do throws(LMDBError) {
          entry = try cursor.get(MDB_NEXT)
        } catch {
          throw StoreError.failure(error, "could not read the log after \(position)")
        }
      }
    }
  }

  /// Moves `cursor` to the log record at `position`, or to the first one after it when
  /// there is none, and returns that record.
  ///
  /// A seek finds its leaf page through the keys of the branch pages above it, which no
  /// scan in position order reads. Where damage changed such a key, the seek can land
  /// past `position` while the record is there, so a landing past it is checked by
  /// stepping from the log's first record, as a scan in position order reaches it.
  private static func seekLog(_ cursor: borrowing LMDBCursor, to position: UInt64) throws
    -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
  {
    let name = StoreDatabases.Name.log
    func move(_ operation: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws(StoreError)
      -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
    {
      do throws(LMDBError) {
        return try cursor.get(operation, key: key)
      } catch {
        throw StoreError.failure(error, "could not read the log from position \(position)")
      }
    }
    let found = try KeyLayout.withPositionKey(position) { key throws(StoreError) in
      try move(MDB_SET_RANGE, key: key)
    }
    if let found, try KeyLayout.position(from: found.key, in: name) == position {
      return found
    }
    var entry = try move(MDB_FIRST)
    while let current = entry, try KeyLayout.position(from: current.key, in: name) < position {
      entry = try move(MDB_NEXT)
    }
    return entry
  }
}
