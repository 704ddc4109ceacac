import CLMDB

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Appending batches of records.
extension EventStore {
  /// Appends a batch atomically in one write transaction on the calling thread.
  ///
  /// Records are checked in batch order. A record whose event id is already stored, or
  /// appears earlier in the batch, with identical content, occurred time and originator
  /// is skipped and its index reported, without checking its expected version, so a
  /// retried batch reports duplicates instead of conflicts. Every stored record of the
  /// batch gets `recordedAt = max(now, lastRecordedAt + 1)`, so recorded times strictly
  /// increase from batch to batch. When the map is full, the map grows and the batch is
  /// tried again from the start.
  /// - Parameters:
  ///   - batch: The records to append.
  ///   - now: The wall clock, in µs since the epoch.
  ///   - expectingAuxCount: When given, the batch is stored only if that auxiliary
  ///     database still has that many entries, and `.auxChanged` is thrown otherwise. A
  ///     caller that checked the batch against stored rules passes the number it read.
  ///   - newestOtherWrite: The newest recorded time that a write other than an append
  ///     took, such as a rules activation, when the caller knows it. The batch is then
  ///     refused as damage when the last recorded time in meta is later than every
  ///     write, instead of stamping its records with that time.
  /// - Returns: The new positions, the skipped indexes and the recorded time.
  /// - Throws: `.idConflict`, `.versionConflict` or `.invalidArgument` (a key too long or
  ///   a record larger than `RecordLayout.maximumSize`) with the batch index. `.mapFull` at `maximumMapSize` or on a full disk. `.corrupt` when a stored
  ///   record that a duplicate is compared with fails its checks. A batch that throws
  ///   stores nothing.
  public func append(
    _ batch: [NewRecord], now: Int64, expectingAuxCount: (AuxDatabase, Int)? = nil,
    newestOtherWrite: Int64? = nil
  ) throws(StoreError) -> AppendReport {
    for (index, record) in batch.enumerated() {
      try Self.checkKey(record.eventID, named: "event id", batchIndex: index)
      try Self.checkKey(record.originator, named: "originator", batchIndex: index)
      let size = RecordLayout.size(contentCount: record.content.count)
      guard size <= RecordLayout.maximumSize else {
        throw StoreError(
          .invalidArgument,
          "record \(index) of the batch would take \(size) bytes, more than the "
            + "\(RecordLayout.maximumSize) a record may take",
          batchIndex: index, eventID: record.eventID, originator: record.originator)
      }
    }

    return try writeGrowingMap { transaction in
      appendAndCommit(
        batch, now: now, expectingAuxCount: expectingAuxCount,
        newestOtherWrite: newestOtherWrite, in: transaction)
    }
  }

  /// Writes the batch and commits it, or abandons the transaction when nothing is new or
  /// a step fails.
  private func appendAndCommit(
    _ batch: [NewRecord], now: Int64, expectingAuxCount: (AuxDatabase, Int)?,
    newestOtherWrite: Int64?,
    in transaction: consuming LMDBTransaction
  ) -> Result<AppendReport, StoreError> {
    let report: AppendReport
    switch Result(catching: { () throws(StoreError) in
      if let (database, expected) = expectingAuxCount {
        try checkAuxCount(database, expected: expected, in: transaction)
      }
      return try appendRecords(
        batch, now: now, newestOtherWrite: newestOtherWrite, in: transaction)
    }) {
    case .success(let written):
      report = written
    case .failure(let error):
      transaction.abort()
      return .failure(error)
    }

    guard !report.appendedPositions.isEmpty else {
      transaction.abort()
      return .success(report)
    }
    do throws(LMDBError) {
      try transaction.commit()
      return .success(report)
    } catch {
      let message = "could not commit a batch of \(batch.count) records to \(directory)"
      return .failure(
        fileSizeLimitError(error) ?? diskFullError(error, batch: batch)
          ?? .failure(error, message))
    }
  }

  /// Throws `.auxChanged` unless `database` has `expected` entries.
  private func checkAuxCount(
    _ database: AuxDatabase, expected: Int, in transaction: borrowing LMDBTransaction
  ) throws(StoreError) {
    var count = 0
    do {
      try transaction.forEachAux(database, in: databases) { _, _ in
        count += 1
        return true
      }
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(.lmdb, "could not read \(database.rawValue): \(error)")
    }
    guard count == expected else {
      throw StoreError(
        .auxChanged,
        "\(database.rawValue) has \(count) entries, not the \(expected) the batch was checked "
          + "against")
    }
  }

  /// Returns an error naming the file size limit of the process (`ulimit -f`) when a
  /// commit failed because `data.mdb` reached it.
  ///
  /// The kernel then cuts LMDB's write short, which LMDB 0.9 reports as `EIO`, so the
  /// file's size is compared with the limit.
  func fileSizeLimitError(
    _ cause: LMDBError, outcome: String = "nothing of the batch was stored"
  ) -> StoreError? {
    guard cause == .ioError || cause == LMDBError(code: EFBIG) else { return nil }
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max
    else { return nil }
    var status = stat()
    guard stat(directory + "/data.mdb", &status) == 0 else { return nil }
    // A write that stopped at the limit leaves the file within one page of it.
    let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))
    guard UInt64(status.st_size) + pageSize >= UInt64(limit.rlim_cur) else { return nil }
    return StoreError(
      .lmdb,
      "\(directory)/data.mdb reached the file size limit of this process, "
        + "\(limit.rlim_cur) bytes: raise it (ulimit -f) and retry; \(outcome)",
      lmdbCode: cause)
  }

  /// Returns a `.mapFull` error when a commit failed because the disk is full.
  ///
  /// LMDB 0.9 reports a short write as `EIO`, so for `EIO` the free space of the file
  /// system is compared with the size of the batch's records.
  // NOTE: The free-space comparison is an estimate: B-tree pages can need more than the
  // record bytes, so a nearly full disk may still be reported as `.lmdb` with `EIO`.
  private func diskFullError(_ cause: LMDBError, batch: [NewRecord]) -> StoreError? {
    guard cause == .noSpace || cause == .ioError else { return nil }

    var fileSystem = statvfs()
    guard statvfs(directory, &fileSystem) == 0 else { return nil }
    let freeBytes = Int(fileSystem.f_bavail) * Int(fileSystem.f_frsize)
    // From format 2 on, the account index stores a second copy of each record.
    let copies = databases.copiesRecords ? 2 : 1
    let batchBytes = batch.reduce(0) { total, record in
      total + copies * RecordLayout.size(contentCount: record.content.count)
        + record.eventID.count + record.originator.count + 2 * KeyLayout.originatorEntrySize
    }
    guard cause == .noSpace || freeBytes < batchBytes else { return nil }

    return StoreError(
      .mapFull,
      "the file system of \(directory) is full: \(freeBytes) bytes free, a batch of "
        + "\(batch.count) records needs about \(batchBytes); free disk space and retry",
      lmdbCode: cause)
  }

  /// Writes the batch into `transaction` without committing it.
  private func appendRecords(
    _ batch: [NewRecord], now: Int64, newestOtherWrite: Int64?,
    in transaction: borrowing LMDBTransaction
  ) throws(StoreError) -> AppendReport {
    let (lastPosition, lastRecordedAt) = try transaction.checkedLogHead(
      in: databases, newestOtherWrite: newestOtherWrite)
    guard lastRecordedAt < Int64.max else {
      throw StoreError(.invalidArgument, "the last recorded_at is Int64.max; no later time exists")
    }
    let recordedAt = max(now, lastRecordedAt + 1)
    if databases.usesRuns {
      return try appendRecordsToRuns(
        batch, lastPosition: lastPosition, recordedAt: recordedAt, in: transaction)
    }

    var report = AppendReport(appendedPositions: [], duplicateIndexes: [], recordedAt: recordedAt)
    var position = lastPosition
    // The batch indexes of the appended records, in position order.
    var appendedIndexes: [Int] = []
    // Their originators' numbers in format 3, nil in earlier formats.
    var appendedNumbers: [UInt32?] = []
    var scratch: [UInt8] = []
    for (index, record) in batch.enumerated() {
      if let storedPosition = try transaction.position(ofEventID: record.eventID, in: databases) {
        try checkDuplicate(
          record, index: index, storedPosition: storedPosition, lastPosition: lastPosition,
          batch: batch, appendedIndexes: appendedIndexes, in: transaction)
        report.duplicateIndexes.append(index)
        continue
      }

      if let expected = record.expectedVersion {
        let actual = try transaction.version(of: record.originator, in: databases)
        guard actual == expected else {
          throw Self.versionConflict(
            index, in: batch, actual: actual, expected: expected,
            appendedIndexes: appendedIndexes)
        }
      }

      position += 1
      let number =
        databases.numbersOriginators
        ? try transaction.numberOriginator(
          record.originator, upTo: options.largestOriginatorNumber, in: databases) : nil
      try writeIndexEntries(
        record, at: position, recordedAt: recordedAt, originatorNumber: number,
        scratch: &scratch, in: transaction)
      report.appendedPositions.append(position)
      appendedIndexes.append(index)
      appendedNumbers.append(number)
    }
    try writeLogRecords(
      batch, report: report, appendedIndexes: appendedIndexes, numbers: appendedNumbers,
      in: transaction)
    return report
  }

  /// Stores the appended records in the log and moves the head in meta.
  ///
  /// The log records go in after the batch's index entries, so their pages lie together
  /// in the file, and a full replay maps fewer pages (docs/design.md has the figures).
  func writeLogRecords(
    _ batch: [NewRecord], report: AppendReport, appendedIndexes: [Int], numbers: [UInt32?],
    in transaction: borrowing LMDBTransaction
  ) throws(StoreError) {
    for (offset, appendedPosition) in report.appendedPositions.enumerated() {
      try writeLogRecord(
        batch[appendedIndexes[offset]], at: appendedPosition, recordedAt: report.recordedAt,
        originatorNumber: numbers[offset], in: transaction)
    }
    if let position = report.appendedPositions.last {
      try transaction.putMetaValue(.lastPosition, position, in: databases)
      try transaction.putMetaValue(
        .lastRecordedAt, UInt64(bitPattern: report.recordedAt), in: databases)
    }
  }

  /// Returns the damage error for an event id whose index entry points to a position
  /// that the log does not contain.
  static func missingPosition(_ record: NewRecord, _ storedPosition: UInt64) -> StoreError {
    StoreError(
      .corrupt,
      "event id \(describeKey(record.eventID)) points to position \(storedPosition), "
        + "which the log does not contain",
      eventID: record.eventID)
  }

  /// Returns the error for record `index` of a batch, which expects version `expected`
  /// of its originator at `actual`. It names the last appended record of the batch that
  /// set a version for the same originator, when there is one.
  static func versionConflict(
    _ index: Int, in batch: [NewRecord], actual: UInt64, expected: UInt64,
    appendedIndexes: [Int]
  ) -> StoreError {
    let record = batch[index]
    var error = StoreError(
      .versionConflict,
      "originator \(describeKey(record.originator)) is at version \(actual), but "
        + "record \(index) of the batch expects version \(expected)",
      batchIndex: index, eventID: record.eventID, originator: record.originator,
      expectedVersion: expected, actualVersion: actual)
    error.settledByBatchIndex = appendedIndexes.last {
      batch[$0].originator == record.originator && batch[$0].expectedVersion != nil
    }
    return error
  }

  /// Throws `.idConflict` unless the record stored at `storedPosition` is identical to
  /// `record`: same content, occurred time and originator.
  ///
  /// A position after `lastPosition` belongs to this batch, whose log records are
  /// written last, so it is compared with the batch's record in memory.
  ///
  /// `runs` are the live index runs of a format 4 ledger, read once for the batch.
  func checkDuplicate(
    _ record: NewRecord, index: Int, storedPosition: UInt64, lastPosition: UInt64,
    batch: [NewRecord], appendedIndexes: [Int], runs: [RunDirectoryEntry]? = nil,
    in transaction: borrowing LMDBTransaction
  ) throws(StoreError) {
    if storedPosition > lastPosition {
      // A position past the log's last one must belong to this batch; any other comes
      // from a damaged index.
      let offset = storedPosition - lastPosition - 1
      guard offset < UInt64(appendedIndexes.count),
        batch[appendedIndexes[Int(offset)]].eventID == record.eventID
      else {
        throw Self.missingPosition(record, storedPosition)
      }
      let earlierIndex = appendedIndexes[Int(offset)]
      let earlier = batch[earlierIndex]
      if earlier.content == record.content, earlier.occurredAt == record.occurredAt,
        earlier.originator == record.originator
      {
        return
      }
      throw StoreError(
        .idConflict,
        "event id \(describeKey(record.eventID)) of record \(index) appears earlier in the "
          + "batch (index \(earlierIndex)) with other content, occurred time or originator",
        batchIndex: index, eventID: record.eventID, originator: record.originator)
    }
    guard storedPosition > 0,
      let stored = try transaction.record(at: storedPosition, in: databases)
    else {
      throw Self.missingPosition(record, storedPosition)
    }

    let sameContent = record.content.withUnsafeBytes { content in
      content.elementsEqual(stored.content)
    }
    if sameContent && stored.occurredAt == record.occurredAt {
      let sameOriginator = try transaction.hasOriginatorEntry(
        record.originator, occurredAt: stored.occurredAt, position: storedPosition,
        runs: runs, in: databases)
      if sameOriginator { return }
      // The stored record carries the number of its originator. When that is the
      // record's own originator, the account index has lost the entry.
      if stored.originatorNumber != 0,
        try transaction.originatorNumber(of: record.originator, in: databases)
          == stored.originatorNumber
      {
        throw StoreError(
          .corrupt,
          "event id \(describeKey(record.eventID)) of record \(index) is stored at position "
            + "\(storedPosition) with the same content, but the index of account "
            + "\(describeKey(record.originator)) has no entry for it",
          eventID: record.eventID)
      }
    }

    throw StoreError(
      .idConflict,
      "event id \(describeKey(record.eventID)) of record \(index) is already stored at "
        + "position \(storedPosition) with other content, occurred time or originator",
      batchIndex: index, eventID: record.eventID, originator: record.originator)
  }

  /// Stores the account index entry and the event-id entry of one record.
  ///
  /// From format 2 on the entry checks the record's CRC, and carries a copy of the record
  /// when it fits, so `scratch` receives the record as the log will store it.
  private func writeIndexEntries(
    _ record: NewRecord, at position: UInt64, recordedAt: Int64, originatorNumber: UInt32?,
    scratch: inout [UInt8], in transaction: borrowing LMDBTransaction
  ) throws(StoreError) {
    do throws(LMDBError) {
      let copy =
        databases.copiesRecords
        ? Self.indexValue(
          record, at: position, recordedAt: recordedAt, originatorNumber: originatorNumber,
          scratch: &scratch) : nil
      try KeyLayout.withBytes(record.originator) { key throws(LMDBError) in
        if let copy {
          try KeyLayout.withBytes(copy) { value throws(LMDBError) in
            try transaction.put(in: databases.originators, key: key, value: value)
          }
          return
        }
        try KeyLayout.withOriginatorEntry(occurredAt: record.occurredAt, position: position) {
          entry throws(LMDBError) in
          try transaction.put(in: databases.originators, key: key, value: entry)
        }
      }
      try KeyLayout.withBytes(record.eventID) { key throws(LMDBError) in
        try KeyLayout.withPositionKey(position) { value throws(LMDBError) in
          try transaction.put(
            in: databases.eventIDs, key: key, value: value, flags: UInt32(MDB_NOOVERWRITE))
        }
      }
    } catch {
      throw .failure(
        error, "could not store event id \(describeKey(record.eventID)) at position \(position)")
    }
  }

  /// Returns the format 2 account index value of a record: its entry, the entry's
  /// checksum and, when it fits, a copy of the record. `scratch` receives the record as
  /// the log will store it.
  static func indexValue(
    _ record: NewRecord, at position: UInt64, recordedAt: Int64, originatorNumber: UInt32?,
    scratch: inout [UInt8]
  ) -> [UInt8] {
    let size = RecordLayout.size(contentCount: record.content.count)
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: repeatElement(0, count: size))
    return scratch.withUnsafeMutableBytes { space in
      RecordLayout.write(
        into: space, recordedAt: recordedAt, occurredAt: record.occurredAt,
        content: record.content, originatorNumber: originatorNumber)
      return KeyLayout.originatorValue(
        occurredAt: record.occurredAt, position: position,
        record: UnsafeRawBufferPointer(space), copy: KeyLayout.copyFits(recordSize: size))
    }
  }

  /// Stores one record in the log, after the last position.
  private func writeLogRecord(
    _ record: NewRecord, at position: UInt64, recordedAt: Int64, originatorNumber: UInt32?,
    in transaction: borrowing LMDBTransaction
  ) throws(StoreError) {
    do throws(LMDBError) {
      let size = RecordLayout.size(contentCount: record.content.count)
      try KeyLayout.withPositionKey(position) { key throws(LMDBError) in
        let space = try transaction.reserve(
          in: databases.log, key: key, count: size, flags: UInt32(MDB_APPEND))
        RecordLayout.write(
          into: space, recordedAt: recordedAt, occurredAt: record.occurredAt,
          content: record.content, originatorNumber: originatorNumber)
      }
    } catch {
      throw .failure(
        error, "could not store event id \(describeKey(record.eventID)) at position \(position)")
    }
  }
}
