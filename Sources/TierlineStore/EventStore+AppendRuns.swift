import CLMDB

/// Appending a batch to a ledger that keeps its indexes as runs (format 4).
extension EventStore {
  /// Writes the batch into `transaction` without committing it: the log records, one new
  /// index run with the batch's entries, and the merges that run makes due.
  ///
  /// Records are checked as in earlier formats. An event id is looked up in the batch
  /// first, then in every run whose filter may contain it. An expected version is
  /// compared with the account's entries in every run and in the batch.
  func appendRecordsToRuns(
    _ batch: [NewRecord], lastPosition: UInt64, recordedAt: Int64,
    in transaction: borrowing LMDBTransaction
  ) throws(StoreError) -> AppendReport {
    let runs = try transaction.indexRuns(in: databases, lastPosition: lastPosition)
    try databases.checkedFilters.check(runs)

    var report = AppendReport(appendedPositions: [], duplicateIndexes: [], recordedAt: recordedAt)
    var position = lastPosition
    // The batch indexes of the appended records, in position order, and the account
    // numbers their records carry.
    var appendedIndexes: [Int] = []
    var carriedNumbers: [UInt32?] = []
    // The positions of this batch's event ids, and its entries per account number.
    var batchPositions: [ByteKey: UInt64] = [:]
    var batchCounts: [UInt32: UInt64] = [:]
    var ids: [(id: [UInt8], position: UInt64)] = []
    var accounts: [(account: UInt32, value: [UInt8])] = []
    var scratch: [UInt8] = []
    // Every id is looked up in the runs before the batch writes anything: the filters
    // lie in the directory's pages, and LMDB promises a value's bytes only until the
    // transaction's next write.
    var runPositions: [UInt64?] = []
    runPositions.reserveCapacity(batch.count)
    for record in batch {
      runPositions.append(
        try KeyLayout.withBytes(record.eventID) { id throws(StoreError) in
          try transaction.runPosition(
            ofEventID: id, hash: RunFilter.hash(id), runs: runs, in: databases)
        })
    }
    for (index, record) in batch.enumerated() {
      if let storedPosition = batchPositions[ByteKey(record.eventID)] ?? runPositions[index] {
        try checkDuplicate(
          record, index: index, storedPosition: storedPosition, lastPosition: lastPosition,
          batch: batch, appendedIndexes: appendedIndexes, runs: runs, in: transaction)
        report.duplicateIndexes.append(index)
        continue
      }

      let number = try transaction.numberOriginator(
        record.originator, upTo: .max, in: databases)
      guard number != 0 else {
        throw StoreError(
          .invalidArgument,
          "the ledger has given every account number up to \(UInt32.max); record \(index) "
            + "of the batch would start another account",
          batchIndex: index, eventID: record.eventID, originator: record.originator)
      }
      if let expected = record.expectedVersion {
        let actual =
          try transaction.runEntryCount(account: number, runs: runs, in: databases)
          + batchCounts[number, default: 0]
        guard actual == expected else {
          throw Self.versionConflict(
            index, in: batch, actual: actual, expected: expected,
            appendedIndexes: appendedIndexes)
        }
      }

      position += 1
      // Records keep three bytes for the number; later accounts' records carry 0.
      let carried = number <= options.largestOriginatorNumber ? number : 0
      batchPositions[ByteKey(record.eventID)] = position
      batchCounts[number, default: 0] += 1
      ids.append((record.eventID, position))
      accounts.append(
        (
          number,
          Self.indexValue(
            record, at: position, recordedAt: recordedAt, originatorNumber: carried,
            scratch: &scratch)
        ))
      report.appendedPositions.append(position)
      appendedIndexes.append(index)
      carriedNumbers.append(carried)
    }

    // The log records go first, because a merge checks the entries without a record
    // copy against the log, this batch's entries among them.
    try writeLogRecords(
      batch, report: report, appendedIndexes: appendedIndexes, numbers: carriedNumbers,
      in: transaction)
    if !ids.isEmpty {
      var live: [RunSlot: UInt64] = [:]
      for run in runs { live[run.slot] = run.entries }
      guard
        let slot = (0..<RunLayout.fanout).map({ RunSlot(level: 0, place: $0) })
          .first(where: { live[$0] == nil })
      else {
        throw StoreError(.corrupt, "level 0 of the index runs has no free slot")
      }
      let run = (runs.map(\.run).max() ?? 0) + 1
      try transaction.writeRun(run, into: slot, ids: ids, accounts: accounts, in: databases)
      live[slot] = UInt64(ids.count)
      try transaction.compactRuns(
        live, nextRun: run + 1, lastPosition: position, in: databases)
    }
    return report
  }
}

/// Bytes as a dictionary key, hashed in one pass instead of byte by byte.
public struct ByteKey: Hashable, Sendable {
  public let bytes: [UInt8]

  public init(_ bytes: [UInt8]) { self.bytes = bytes }

  public func hash(into hasher: inout Hasher) {
    bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
  }
}
