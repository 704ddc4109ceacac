#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A write transaction on the auxiliary databases, valid inside an `EventStore.write`
/// closure.
///
/// It runs on the thread that called `write` and commits when the closure returns.
/// LMDB requires a write transaction to stay on the thread that began it, so every
/// method traps when called from another thread (the closure could hand the borrowed
/// transaction to a thread it waits for).
public struct WriteTransaction: ~Copyable {
  let transaction: LMDBTransaction
  let databases: StoreDatabases
  /// The thread that began the transaction.
  private let ownerThread: pthread_t

  init(transaction: consuming LMDBTransaction, databases: StoreDatabases) {
    self.transaction = transaction
    self.databases = databases
    ownerThread = pthread_self()
  }

  /// Traps unless the calling thread began the transaction.
  // NOTE: No test moves a transaction to another thread to see this trap fire.
  private func checkThread() {
    precondition(
      pthread_equal(ownerThread, pthread_self()) != 0,
      "an LMDB write transaction was used on a thread other than the one that began it")
  }

  /// Commits the writes.
  consuming func commit() throws(LMDBError) {
    checkThread()
    try transaction.commit()
  }

  /// Abandons the writes.
  consuming func abort() {
    transaction.abort()
  }

  /// Stores `value` under `key` in an auxiliary database, replacing any earlier value.
  /// - Throws: `.invalidArgument` for an empty or over-long key or a value larger than
  ///   `AuxLayout.maximumValueSize`; `.mapFull` when the map
  ///   is full (`EventStore.write` then grows it and runs the closure again).
  public func putAux(_ database: AuxDatabase, key: [UInt8], value: [UInt8]) throws(StoreError) {
    checkThread()
    try EventStore.checkKey(key, named: "\(database.rawValue) key")
    guard value.count <= AuxLayout.maximumValueSize else {
      throw StoreError(
        .invalidArgument,
        "a \(database.rawValue) value of \(value.count) bytes is larger than the "
          + "\(AuxLayout.maximumValueSize) bytes allowed")
    }
    do throws(LMDBError) {
      try KeyLayout.withBytes(key) { keyBytes throws(LMDBError) in
        // Format 1 ledgers keep values without a trailer, so that older builds, which
        // read only format 1, can still read them.
        let stored = databases.sealsAuxValues ? AuxLayout.sealed(value) : value
        try KeyLayout.withBytes(stored) { valueBytes throws(LMDBError) in
          try transaction.put(
            in: databases.handle(of: database), key: keyBytes, value: valueBytes)
        }
      }
    } catch {
      throw .failure(error, "could not write \(database.rawValue) key \(describeKey(key))")
    }
  }

  /// Takes the next transaction time, `max(now, lastRecordedAt + 1)`, and records it as
  /// the store's latest, as an append does for its batch.
  ///
  /// Writes stamped this way and appends share one strictly increasing sequence, in
  /// commit order, so a reader that uses the latest stamp of its snapshot as its
  /// transaction time reads exactly the writes stamped up to it.
  /// - Throws: `.invalidArgument` when the latest stamp is `Int64.max`.
  public func stampTransactionTime(now: Int64) throws(StoreError) -> Int64 {
    checkThread()
    let (_, lastRecordedAt) = try transaction.checkedLogHead(in: databases)
    guard lastRecordedAt < Int64.max else {
      throw StoreError(.invalidArgument, "the last recorded_at is Int64.max; no later time exists")
    }
    let stamp = max(now, lastRecordedAt + 1)
    try transaction.putMetaValue(.lastRecordedAt, UInt64(bitPattern: stamp), in: databases)
    return stamp
  }

  /// Calls `body` with every record from `first` through `last` in log order, until it
  /// returns false, checking each header but not the checksums, as
  /// `ReadTransaction.scanHeaders` does.
  public func scanHeaders(
    from first: UInt64, through last: UInt64, _ body: (StoredRecord) throws -> Bool
  ) throws {
    checkThread()
    try transaction.scanLog(from: first, through: last, in: databases, body)
  }

  /// Returns the log's last position, 0 for an empty log.
  public func lastPosition() throws(StoreError) -> UInt64 {
    checkThread()
    return try transaction.checkedLogHead(in: databases).lastPosition
  }

  /// Returns a copy of the value stored under `key` in an auxiliary database, or nil.
  public func auxValue(_ database: AuxDatabase, key: [UInt8]) throws(StoreError) -> [UInt8]? {
    checkThread()
    return try transaction.auxValue(database, key: key, in: databases)
  }

  /// Calls `body` with every key and value of an auxiliary database in key order, until
  /// it returns false.
  public func forEachAux(
    _ database: AuxDatabase,
    _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
  ) throws {
    checkThread()
    try transaction.forEachAux(database, in: databases, body)
  }
}
