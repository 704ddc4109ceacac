import CLMDB

/// An LMDB transaction (`MDB_txn`) that aborts when dropped without `commit()`.
///
/// A write transaction must begin, run and end on one thread. Read transactions of an
/// environment opened with `MDB_NOTLS` may move between threads but not be shared.
/// The transaction keeps its environment alive: `mdb_env_close` frees the environment's
/// transactions, so closing it first would make the later abort a double free.
struct LMDBTransaction: ~Copyable {
  /// The `MDB_txn` handle.
  let handle: OpaquePointer

  /// The environment, retained until the transaction ends. It is held unmanaged because
  /// `discard self` needs trivially destroyed stored properties.
  private let environment: Unmanaged<LMDBEnvironment>

  /// Whether the transaction was begun with `MDB_RDONLY`.
  let isReadOnly: Bool

  /// Begins a transaction.
  ///
  /// Calls `mdb_txn_begin`, which can return `MDB_PANIC`, `MDB_MAP_RESIZED`,
  /// `MDB_READERS_FULL` and `ENOMEM`.
  init(environment: LMDBEnvironment, readOnly: Bool) throws(LMDBError) {
    var begun: OpaquePointer?
    let flags = readOnly ? UInt32(MDB_RDONLY) : 0
    try checkLMDB(mdb_txn_begin(environment.handle, nil, flags, &begun))
    guard let transaction = begun else { throw .invalidParameter }
    handle = transaction
    self.environment = Unmanaged.passRetained(environment)
    isReadOnly = readOnly
  }

  /// Returns the environment's map and file, for checks of bytes read in place.
  func mappedFile() -> MappedFile { MappedFile(environment.takeUnretainedValue()) }

  deinit {
    mdb_txn_abort(handle)
    environment.release()
  }

  /// Commits the transaction; the handle is freed even when this fails.
  ///
  /// Calls `mdb_txn_commit`, which can return `EINVAL`, `ENOSPC`, `EIO`, `ENOMEM` and
  /// `MDB_MAP_FULL` (when saving the free list needs a page).
  consuming func commit() throws(LMDBError) {
    let returnCode = mdb_txn_commit(handle)
    environment.release()
    discard self
    try checkLMDB(returnCode)
  }

  /// Abandons the transaction with `mdb_txn_abort`.
  consuming func abort() {
    mdb_txn_abort(handle)
    environment.release()
    discard self
  }

  /// Opens a named database, or the main database when `name` is nil, and returns its
  /// handle.
  ///
  /// Calls `mdb_dbi_open`, which returns `MDB_NOTFOUND` when the database is missing and
  /// `MDB_CREATE` is not set, `MDB_DBS_FULL` and `MDB_INCOMPATIBLE`.
  func openDatabase(_ name: String?, flags: UInt32) throws(LMDBError) -> MDB_dbi {
    var database: MDB_dbi = 0
    try checkLMDB(mdb_dbi_open(handle, name, flags, &database))
    return database
  }

  /// Returns a view of the value stored under `key`, or nil when the key is missing.
  ///
  /// The view points into the map and is valid until the transaction ends or, in a
  /// write transaction, until the next write. Calls `mdb_get`, which can return
  /// `MDB_NOTFOUND` (mapped to nil) and `EINVAL`.
  func value(in database: MDB_dbi, forKey key: UnsafeRawBufferPointer) throws(LMDBError)
    -> UnsafeRawBufferPointer?
  {
    var keyValue = MDB_val(bytes: key)
    var found = MDB_val()
    let returnCode = mdb_get(handle, database, &keyValue, &found)
    if returnCode == MDB_NOTFOUND { return nil }
    try checkLMDB(returnCode)
    return found.bytes
  }

  /// Returns the number of entries in a database, counting this transaction's writes.
  ///
  /// Calls `mdb_stat`, which can return `EINVAL`.
  func entryCount(in database: MDB_dbi) throws(LMDBError) -> Int {
    var statistics = MDB_stat()
    try checkLMDB(mdb_stat(handle, database, &statistics))
    return Int(statistics.ms_entries)
  }

  /// Stores a key/value pair.
  ///
  /// Calls `mdb_put`, which can return `MDB_KEYEXIST` (with `MDB_NOOVERWRITE`),
  /// `MDB_MAP_FULL`, `MDB_TXN_FULL`, `EACCES` and `EINVAL`.
  func put(
    in database: MDB_dbi, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
    flags: UInt32 = 0
  ) throws(LMDBError) {
    var keyValue = MDB_val(bytes: key)
    var dataValue = MDB_val(bytes: value)
    try checkLMDB(mdb_put(handle, database, &keyValue, &dataValue, flags))
  }

  /// Deletes every entry of a database and keeps its handle open.
  ///
  /// Calls `mdb_drop` with `del` 0, which frees the database's pages. Without overflow
  /// pages it reads only the branch pages. It can return `EACCES`, `EINVAL`,
  /// `MDB_CORRUPTED`, `MDB_PAGE_NOTFOUND` and `ENOMEM`.
  func empty(_ database: MDB_dbi) throws(LMDBError) {
    try checkLMDB(mdb_drop(handle, database, 0))
  }

  /// Deletes a key and its value.
  ///
  /// Calls `mdb_del`, which can return `MDB_NOTFOUND`, `EACCES` and `EINVAL`.
  func delete(in database: MDB_dbi, key: UnsafeRawBufferPointer) throws(LMDBError) {
    var keyValue = MDB_val(bytes: key)
    try checkLMDB(mdb_del(handle, database, &keyValue, nil))
  }

  /// Reserves `count` bytes for `key` and returns the space for the caller to fill.
  ///
  /// Calls `mdb_put` with `MDB_RESERVE` added to `flags`; the codes are those of `put`.
  /// The space must be filled before the next write in this transaction.
  func reserve(
    in database: MDB_dbi, key: UnsafeRawBufferPointer, count: Int, flags: UInt32 = 0
  ) throws(LMDBError) -> UnsafeMutableRawBufferPointer {
    var keyValue = MDB_val(bytes: key)
    var dataValue = MDB_val(mv_size: count, mv_data: nil)
    try checkLMDB(mdb_put(handle, database, &keyValue, &dataValue, flags | UInt32(MDB_RESERVE)))
    return UnsafeMutableRawBufferPointer(start: dataValue.mv_data, count: dataValue.mv_size)
  }
}

extension MDB_val {
  /// Describes the bytes of a buffer without copying them; LMDB does not write through it.
  init(bytes: UnsafeRawBufferPointer) {
    self.init(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
  }

  /// A view of the bytes this value points to.
  var bytes: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: mv_data, count: mv_size)
  }
}
