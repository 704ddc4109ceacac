import CLMDB

/// A read-only snapshot of the ledger, valid inside an `EventStore.read` closure.
///
/// Views handed out by its methods point into the map and stay valid until the closure
/// returns. Scans allocate nothing per record.
public struct ReadTransaction: ~Copyable {
  let transaction: LMDBTransaction
  let databases: StoreDatabases

  /// The position of the newest record; 0 when the log is empty.
  public let lastPosition: UInt64
  /// The latest transaction time, in µs: the recorded_at of the newest batch or a later
  /// `WriteTransaction.stampTransactionTime` stamp; 0 when there is neither.
  public let lastRecordedAt: Int64
  /// The live index runs of a format 4 ledger, read once per snapshot.
  let runCache = RunCache()

  init(
    transaction: consuming LMDBTransaction, databases: StoreDatabases,
    head: (lastPosition: UInt64, lastRecordedAt: Int64)
  ) {
    self.transaction = transaction
    self.databases = databases
    lastPosition = head.lastPosition
    lastRecordedAt = head.lastRecordedAt
  }

  /// Returns the position of the log's last record, 0 for an empty log, read from the log
  /// itself rather than from meta.
  /// - Throws: `.corrupt` when the last key is not 8 bytes or the record is shorter than
  ///   its header.
  public func lastLoggedPosition() throws(StoreError) -> UInt64 {
    try transaction.logEnd(in: databases)?.position ?? 0
  }

  /// Returns whether the account index keeps a copy of `record`.
  public func indexCopies(_ record: RecordView) -> Bool {
    databases.copiesRecords && KeyLayout.copyFits(recordSize: record.storedSize)
  }

  /// Checks a record copy from the account index like a log record and returns a view
  /// of it.
  /// - Throws: `.corrupt` when the copy fails the checks of a log record.
  public func decodeCopy(_ copy: UnsafeRawBufferPointer, position: UInt64) throws(StoreError)
    -> RecordView
  {
    try RecordLayout.decode(copy, position: position)
  }

  /// Ends the snapshot.
  consuming func end() {
    transaction.abort()
  }

  /// Returns the record at `position`, or nil when no record has that position.
  /// - Throws: `.corrupt` naming the position when the record fails its checks.
  public func record(at position: UInt64) throws(StoreError) -> RecordView? {
    try transaction.record(at: position, in: databases)
  }

  /// Calls `body` with every record in log order from `position` on, until it returns
  /// false.
  /// - Throws: `.corrupt` for a damaged record, or what `body` throws.
  public func scan(from position: UInt64, _ body: (RecordView) throws -> Bool) throws {
    try scanHeaders(from: position, through: .max) { record in
      try body(try record.checked())
    }
  }

  /// Calls `body` with every record from `first` through `last` in log order, until it
  /// returns false, checking each header but not the checksums.
  ///
  /// The caller checks the checksum of every record it uses with
  /// `StoredRecord.checked()` or `checkChecksum()`. Several threads scanning the same
  /// log, each using a share of the records, check each record once between them this
  /// way.
  ///
  /// With `releasingPagesAfter`, whenever the records read since the last release may
  /// have mapped that many bytes of the map, the scan lets the kernel take back the pages
  /// they span, with `madvise(MADV_DONTNEED)`. Each fault-around window that the reads
  /// enter counts as mapped whole (`MappedSpan.mappedBound`). A pass over a log larger
  /// than memory then keeps little of it resident. The map is a read-only shared mapping of `data.mdb`, so nothing is
  /// lost: the pages stay in the page cache and the next access maps them again, and
  /// views handed out earlier stay valid.
  /// - Throws: `.corrupt` for a malformed key or header, or what `body` throws.
  public func scanHeaders(
    from first: UInt64, through last: UInt64, releasingPagesAfter: Int? = nil,
    _ body: (StoredRecord) throws -> Bool
  ) throws {
    try transaction.scanLog(
      from: first, through: last, in: databases, releasingPagesAfter: releasingPagesAfter,
      body)
  }

  /// Calls `body` with every record of each range of positions that `next` returns, in
  /// log order within a range, until `next` returns nil or `body` returns false,
  /// checking each header but not the checksums, as `scanHeaders(from:through:)` does.
  ///
  /// `next` is called once before the first range and once after each range that
  /// `body` read to its end, so a caller can claim the ranges one at a time while
  /// other threads claim others. `releasingPagesAfter` counts the bytes read across
  /// ranges, as in one scan.
  /// - Throws: `.corrupt` for a malformed key or header, or what `next` or `body` throws.
  public func scanHeaders(
    ranges next: () throws -> ClosedRange<UInt64>?, releasingPagesAfter: Int? = nil,
    _ body: (StoredRecord) throws -> Bool
  ) throws {
    try transaction.scanLog(
      ranges: next, in: databases, releasingPagesAfter: releasingPagesAfter, body)
  }

  /// Calls `body` with one originator's records ordered by occurred time, then
  /// position, skipping records that occurred after `occurredThrough`, until it returns
  /// false.
  ///
  /// A record copied into the account index is read from there, so one account's
  /// records come from a few neighbouring pages. Any other is read from the log. Every
  /// entry is checked against its record, also those after the cut, so damage that moves
  /// an entry's time past the cut fails the scan instead of hiding the entry.
  /// - Throws: `.invalidArgument` for an empty or over-long originator, `.corrupt` for a
  ///   damaged record or index, or what `body` throws.
  public func scan(
    originator: [UInt8], occurredThrough: Int64, _ body: (RecordView) throws -> Bool
  ) throws {
    var pastCut = false
    try forEachIndexValue(of: originator) { value in
      let record = try checkedRecord(value, of: originator)
      if pastCut || value.occurredAt > occurredThrough {
        pastCut = true
        return true
      }
      return try body(record)
    }
  }

  /// Returns the record of an index entry, from its copy or from the log, after checking
  /// that the entry matches it: its checksum when it has one, and its occurred time.
  /// - Throws: `.corrupt` naming the position and originator when they differ, or when
  ///   the record is missing or damaged.
  public func checkedRecord(_ value: IndexValue, of originator: [UInt8]) throws(StoreError)
    -> RecordView
  {
    let record: RecordView
    if let copy = value.copy {
      do throws(StoreError) {
        record = try RecordLayout.decode(copy, position: value.position)
      } catch {
        throw StoreError(
          .corrupt,
          "the account index's copy of a record of account \(describeKey(originator)) "
            + "is damaged, though the log may hold it intact: \(error.message)")
      }
    } else {
      guard let stored = try transaction.record(at: value.position, in: databases) else {
        throw StoreError(
          .corrupt,
          "the index of account \(describeKey(originator)) lists position \(value.position), "
            + "which the log does not hold")
      }
      record = stored
    }
    guard value.matches(recordChecksum: record.checksum) else {
      throw StoreError(
        .corrupt,
        "the index entry of account \(describeKey(originator)) for position "
          + "\(value.position) fails its CRC-32C check, so its time or position is damaged")
    }
    guard record.occurredAt == value.occurredAt else {
      throw StoreError(
        .corrupt,
        "the index of account \(describeKey(originator)) has occurred time "
          + "\(value.occurredAt) µs since the epoch for position \(value.position), but "
          + "the record has \(record.occurredAt) µs")
    }
    return record
  }

  /// Calls `body` with the occurred time and position of each of one originator's index
  /// entries, in that order, until it returns false. It reads the index only.
  /// - Throws: `.invalidArgument` for an empty or over-long originator, `.corrupt` for a
  ///   damaged index, such as entries out of order or repeated, or what `body` throws.
  public func forEachIndexEntry(
    of originator: [UInt8], _ body: (Int64, UInt64) throws -> Bool
  ) throws {
    try forEachIndexValue(of: originator) { value in
      try body(value.occurredAt, value.position)
    }
  }

  /// Calls `body` with each of one originator's index values, in occurred-time and
  /// position order, until it returns false.
  ///
  /// Neither the entry checksum nor the copy is checked here; `checkedRecord(_:of:)`
  /// checks both.
  /// - Throws: `.invalidArgument` for an empty or over-long originator, `.corrupt` for a
  ///   damaged index, such as entries out of order or repeated, or what `body` throws.
  public func forEachIndexValue(
    of originator: [UInt8], _ body: (IndexValue) throws -> Bool
  ) throws {
    try EventStore.checkKey(originator, named: "originator")
    if databases.usesRuns {
      try forEachRunIndexValue(of: originator, body)
      return
    }
    let cursor = try transaction.openCursor(
      databases.originators, on: StoreDatabases.Name.originators)
    func failure(_ error: LMDBError) -> StoreError {
      StoreError.failure(
        error, "could not read the index of account \(describeKey(originator))")
    }

    var stored: UnsafeRawBufferPointer?
    do throws(LMDBError) {
      stored = try KeyLayout.withBytes(originator) { key throws(LMDBError) in
        try cursor.get(MDB_SET, key: key)?.value
      }
    } catch {
      throw failure(error)
    }

    var previous: (Int64, UInt64)?
    while let current = stored {
      guard let value = IndexValue(current, copiesRecords: databases.copiesRecords) else {
        throw StoreError(
          .corrupt,
          "the index of account \(describeKey(originator)) holds a \(current.count)-byte "
            + "entry, which no record would produce")
      }
      // LMDB keeps duplicates sorted and unique, so only damage breaks the order.
      if let previous, (value.occurredAt, value.position) <= previous {
        throw StoreError(
          .corrupt,
          "the index of account \(describeKey(originator)) has an entry for position "
            + "\(value.position) that repeats or comes before the entry for position "
            + "\(previous.1)")
      }
      previous = (value.occurredAt, value.position)
      guard try body(value) else { return }
      do throws(LMDBError) {
        stored = try cursor.get(MDB_NEXT_DUP)?.value
      } catch {
        throw failure(error)
      }
    }
  }

  /// Calls `body` with every originator id in byte order and its version (record
  /// count), until it returns false.
  ///
  /// From format 4 on the accounts come from `originator_numbers`, and their counts from
  /// one pass over every run.
  public func forEachOriginator(_ body: (UnsafeRawBufferPointer, UInt64) throws -> Bool)
    throws
  {
    if databases.usesRuns {
      try forEachNumberedOriginator(body)
      return
    }
    let cursor = try transaction.openCursor(
      databases.originators, on: StoreDatabases.Name.originators)
    do {
      var operation = MDB_FIRST
      while let entry = try cursor.get(operation) {
        let count = UInt64(try cursor.duplicateCount())
        guard try body(entry.key, count) else { return }
        operation = MDB_NEXT_NODUP
      }
    } catch let error as LMDBError {
      throw StoreError.failure(error, "could not list the accounts")
    }
  }

  /// Returns the number of records stored for `originator`; 0 when it has none.
  public func version(of originator: [UInt8]) throws(StoreError) -> UInt64 {
    try EventStore.checkKey(originator, named: "originator")
    if databases.usesRuns {
      guard let number = try transaction.originatorNumber(of: originator, in: databases) else {
        return 0
      }
      return try transaction.runEntryCount(account: number, runs: try runs(), in: databases)
    }
    return try transaction.version(of: originator, in: databases)
  }

  /// The ledger's storage format version: 1 to 4.
  /// - Throws: `.corrupt` when the stored version is not 8 bytes.
  public func storageFormatVersion() throws(StoreError) -> UInt64 {
    try transaction.metaValue(.formatVersion, in: databases) ?? 0
  }

  /// Whether the ledger keeps both indexes as runs (storage format 4 and later).
  public var keepsIndexRuns: Bool { databases.usesRuns }

  /// Whether the ledger gives each originator a number and stores it in its records
  /// (storage format 3 and later).
  public var numbersOriginators: Bool { databases.numbersOriginators }

  /// Returns the number stored for `originator`, or nil when it has none.
  /// - Throws: `.corrupt` when the stored number fails its checksum.
  public func originatorNumber(of originator: [UInt8]) throws(StoreError) -> UInt32? {
    try EventStore.checkKey(originator, named: "originator")
    return try transaction.originatorNumber(of: originator, in: databases)
  }

  /// Returns the originator stored under `number` in `originator_ids`, or nil.
  /// - Throws: `.corrupt` when the stored value fails its checksum.
  public func originator(numbered number: UInt32) throws(StoreError) -> [UInt8]? {
    try transaction.originator(numbered: number, in: databases)
  }

  /// Returns the entry counts of `originator_numbers` and `originator_ids`; 0 and 0 when
  /// the ledger numbers no originator.
  public func numberedOriginatorCounts() throws(StoreError) -> (numbers: Int, ids: Int) {
    guard let numbers = databases.originatorNumbers, let ids = databases.originatorIDs else {
      return (0, 0)
    }
    do throws(LMDBError) {
      return (try transaction.entryCount(in: numbers), try transaction.entryCount(in: ids))
    } catch {
      throw .failure(error, "could not count the account numbers")
    }
  }

  /// Returns the position of the record stored under an event id, or nil.
  public func position(ofEventID id: [UInt8]) throws(StoreError) -> UInt64? {
    try EventStore.checkKey(id, named: "event id")
    if databases.usesRuns {
      try loadIndexRuns()
      let runs = try runs()
      return try KeyLayout.withBytes(id) { bytes throws(StoreError) in
        try transaction.runPosition(
          ofEventID: bytes, hash: RunFilter.hash(bytes), runs: runs, in: databases)
      }
    }
    return try transaction.position(ofEventID: id, in: databases)
  }

  /// Returns a copy of the value stored under `key` in an auxiliary database, or nil.
  public func auxValue(_ database: AuxDatabase, key: [UInt8]) throws(StoreError) -> [UInt8]? {
    try transaction.auxValue(database, key: key, in: databases)
  }

  /// Calls `body` with every key and value of an auxiliary database in key order, until
  /// it returns false.
  public func forEachAux(
    _ database: AuxDatabase,
    _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
  ) throws {
    try transaction.forEachAux(database, in: databases, body)
  }
}
