/// Transaction access and map growth.
extension EventStore {
  /// Begins a transaction and returns it with `mapLock` held in shared mode; the caller
  /// ends the transaction, then calls `mapLock.unlock()`.
  ///
  /// When another process has grown the map (`MDB_MAP_RESIZED`), adopts its size and
  /// tries again.
  func beginTransaction(readOnly: Bool) throws(StoreError) -> LMDBTransaction {
    guard readOnly || !isReadOnly else {
      throw StoreError(
        .lmdb,
        "the ledger in \(directory) lies on a read-only file system, so it can only be "
          + "read; copy it to a writable place to change it",
        lmdbCode: .readOnlyFileSystem)
    }
    while true {
      mapLock.lockShared()
      do throws(LMDBError) {
        return try LMDBTransaction(environment: environment, readOnly: readOnly)
      } catch {
        mapLock.unlock()
        guard error == .mapResized else {
          throw .failure(error, "could not begin a transaction in \(directory)")
        }
        try adoptResizedMap()
      }
    }
  }

  /// Adopts the map size another process stored in the file.
  func adoptResizedMap() throws(StoreError) {
    mapLock.lockExclusive()
    defer { mapLock.unlock() }
    do throws(LMDBError) {
      try environment.setMapSize(0)
    } catch {
      throw .failure(error, "could not adopt the grown map size of \(directory)")
    }
  }

  /// Calls `body` with a new write transaction, which `body` commits or aborts, and
  /// calls it again with a new one after growing the map while it fails with a full map.
  /// `mapLock` is held shared while `body` runs, so `body` must not begin another
  /// transaction, and a retry must find nothing that an earlier call changed.
  func writeGrowingMap<T>(_ body: (consuming LMDBTransaction) -> Result<T, StoreError>)
    throws(StoreError) -> T
  {
    while true {
      let transaction = try beginTransaction(readOnly: false)
      let observedSize = environment.mapSize
      let outcome = body(transaction)
      mapLock.unlock()

      switch outcome {
      case .success(let value):
        return value
      case .failure(let failure):
        guard failure.isGrowableMapFull else { throw failure }
        try growMap(from: observedSize)
      }
    }
  }

  /// Doubles the map size, capped at `options.maximumMapSize`, unless another thread
  /// already grew it past `observedSize`.
  /// - Throws: `.mapFull` when the map is already at the maximum.
  func growMap(from observedSize: Int) throws(StoreError) {
    mapLock.lockExclusive()
    defer { mapLock.unlock() }

    let current = environment.mapSize
    guard current <= observedSize else { return }
    guard current < options.maximumMapSize else {
      throw StoreError(
        .mapFull,
        "the map of \(directory) is full at \(current) bytes, the maximum map size",
        lmdbCode: .mapFull)
    }

    let grown = current > options.maximumMapSize / 2 ? options.maximumMapSize : current * 2
    do throws(LMDBError) {
      try environment.setMapSize(grown)
    } catch {
      throw .failure(error, "could not grow the map of \(directory) to \(grown) bytes")
    }
  }

  /// Throws `.invalidArgument` unless `key` has 1 to `maximumKeyLength` bytes.
  static func checkKey(_ key: [UInt8], named name: String, batchIndex: Int? = nil)
    throws(StoreError)
  {
    guard !key.isEmpty, key.count <= maximumKeyLength else {
      throw StoreError(
        .invalidArgument,
        "\(name) \(describeKey(key.prefix(64))) is \(key.count) bytes; it must have 1 to "
          + "\(maximumKeyLength) bytes",
        batchIndex: batchIndex)
    }
  }
}
