/// A write transaction on the auxiliary databases, valid inside an `EventStore.write`
/// closure.
///
/// It runs on the thread that called `write` and commits when the closure returns.
public struct WriteTransaction: ~Copyable {
  let transaction: LMDBTransaction
  let databases: StoreDatabases

  init(transaction: consuming LMDBTransaction, databases: StoreDatabases) {
    self.transaction = transaction
    self.databases = databases
  }

  /// Commits the writes.
  consuming func commit() throws(LMDBError) {
    try transaction.commit()
  }

  /// Abandons the writes.
  consuming func abort() {
    transaction.abort()
  }

  /// Stores `value` under `key` in an auxiliary database, replacing any earlier value.
  /// - Throws: `.invalidArgument` for an empty or over-long key; `.mapFull` when the map
  ///   is full (`EventStore.write` then grows it and runs the closure again).
  public func putAux(_ database: AuxDatabase, key: [UInt8], value: [UInt8]) throws(StoreError) {
    try EventStore.checkKey(key, named: "\(database.rawValue) key")
    do throws(LMDBError) {
      try KeyLayout.withBytes(key) { keyBytes throws(LMDBError) in
        try KeyLayout.withBytes(value) { valueBytes throws(LMDBError) in
          try transaction.put(
            in: databases.handle(of: database), key: keyBytes, value: valueBytes)
        }
      }
    } catch {
      throw .failure(error, "could not write \(database.rawValue) key \(describeKey(key))")
    }
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
