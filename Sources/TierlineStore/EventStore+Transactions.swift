/// Scoped read and write transactions.
extension EventStore {
  /// Runs `body` on a read-only snapshot and ends the snapshot when `body` returns.
  ///
  /// Records and keys handed to `body` are views into the map: do not keep them past
  /// the closure. Reads do not block appends, except that growing the map waits until
  /// every transaction of this store has ended.
  /// - Parameter checkingHead: Whether the snapshot first checks the log's last position
  ///   and recorded time in meta against the log's last record. `verify` turns it off to
  ///   list a mismatch among other damage instead of stopping at it.
  /// - Throws: `StoreError` when the snapshot cannot begin (`.corrupt` for a mismatch of
  ///   the head), or what `body` throws.
  // NOTE: Calling `append` or `write` inside `body` deadlocks when that call must grow
  // the map, because growing waits for every transaction of this store to end.
  public func read<T>(
    checkingHead: Bool = true, _ body: (borrowing ReadTransaction) throws -> T
  ) throws -> T {
    if checkingHead { try checkLogHead() }
    let transaction = try beginTransaction(readOnly: true)
    let head: (lastPosition: UInt64, lastRecordedAt: Int64)
    switch Result(catching: { () throws(StoreError) in try transaction.logHead(in: databases) }) {
    case .success(let found):
      head = found
    case .failure(let error):
      transaction.abort()
      mapLock.unlock()
      throw error
    }
    let snapshot = ReadTransaction(transaction: transaction, databases: databases, head: head)

    let result: Result<T, any Error>
    do {
      result = .success(try body(snapshot))
    } catch {
      result = .failure(error)
    }
    snapshot.end()
    mapLock.unlock()
    return try result.get()
  }

  /// Checks the last position and last recorded time in meta against the log's last
  /// record, in a read transaction of its own.
  ///
  /// LMDB ends a transaction in which it meets a damaged page, so the check runs apart
  /// from the caller's reads. Damage to the last record itself, or to a page on the way
  /// to it, is left to the reads that meet it: a point query of another account still
  /// works then, as it did before the check.
  /// - Throws: `.corrupt` naming the mismatch.
  public func checkLogHead() throws(StoreError) {
    let transaction = try beginTransaction(readOnly: true)
    let outcome = Result { () throws(StoreError) in
      try transaction.checkedLogHead(in: databases, strict: false)
    }
    transaction.abort()
    mapLock.unlock()
    _ = try outcome.get()
  }

  /// Runs `body` in a write transaction on the auxiliary databases and commits it when
  /// `body` returns; when `body` throws, nothing is written.
  ///
  /// When the map is full, the transaction is abandoned, the map grows and `body` runs
  /// again, so `body` must have no other effects.
  /// - Throws: `StoreError` (`.mapFull` at `maximumMapSize`) or what `body` throws.
  public func write<T>(_ body: (borrowing WriteTransaction) throws -> T) throws -> T {
    while true {
      let transaction = try beginTransaction(readOnly: false)
      let observedSize = environment.mapSize
      let writer = WriteTransaction(transaction: transaction, databases: databases)

      let result: Result<T, any Error>
      do {
        result = .success(try body(writer))
      } catch {
        result = .failure(error)
      }

      let failure = finish(writer, succeeded: result.failureValue == nil) ?? result.failureValue
      mapLock.unlock()

      if let storeError = failure as? StoreError, storeError.isGrowableMapFull {
        try growMap(from: observedSize)
        continue
      }
      if let failure { throw failure }
      return try result.get()
    }
  }
}

extension EventStore {
  /// Commits `writer` when `succeeded` is set, else abandons it; returns a commit failure.
  private func finish(_ writer: consuming WriteTransaction, succeeded: Bool) -> StoreError? {
    guard succeeded else {
      writer.abort()
      return nil
    }
    do throws(LMDBError) {
      try writer.commit()
      return nil
    } catch {
      return .failure(error, "could not commit a write to \(directory)")
    }
  }
}

extension Result {
  /// The error of a failed result, or nil.
  fileprivate var failureValue: Failure? {
    guard case .failure(let error) = self else { return nil }
    return error
  }
}
