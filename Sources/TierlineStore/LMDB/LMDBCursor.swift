import CLMDB

/// An LMDB cursor (`MDB_cursor`), closed with `mdb_cursor_close` when dropped.
///
/// A cursor must be dropped before its transaction ends.
struct LMDBCursor: ~Copyable {
  /// The `MDB_cursor` handle.
  let handle: OpaquePointer

  /// Opens a cursor on a database.
  ///
  /// Calls `mdb_cursor_open`, which can return `EINVAL`.
  init(transaction: borrowing LMDBTransaction, database: MDB_dbi) throws(LMDBError) {
    var opened: OpaquePointer?
    try checkLMDB(mdb_cursor_open(transaction.handle, database, &opened))
    guard let cursor = opened else { throw .invalidParameter }
    handle = cursor
  }

  deinit {
    mdb_cursor_close(handle)
  }

  /// Moves the cursor and returns the key and value at its new place, or nil at the end.
  ///
  /// Calls `mdb_cursor_get`, which can return `MDB_NOTFOUND` (mapped to nil) and
  /// `EINVAL`. The views point into the map; see `LMDBTransaction.value(in:forKey:)`.
  /// - Parameters:
  ///   - operation: The cursor operation, such as `MDB_SET_RANGE` or `MDB_NEXT`.
  ///   - key: The key to look for, for operations that take one.
  ///   - value: The value to look for, for `MDB_GET_BOTH` and `MDB_GET_BOTH_RANGE`.
  func get(
    _ operation: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil,
    value: UnsafeRawBufferPointer? = nil
  ) throws(LMDBError) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
    var keyValue = key.map { MDB_val(bytes: $0) } ?? MDB_val()
    var dataValue = value.map { MDB_val(bytes: $0) } ?? MDB_val()
    let returnCode = mdb_cursor_get(handle, &keyValue, &dataValue, operation)
    if returnCode == MDB_NOTFOUND { return nil }
    try checkLMDB(returnCode)
    return (keyValue.bytes, dataValue.bytes)
  }

  /// Returns the number of values stored under the current key of a `MDB_DUPSORT` database.
  ///
  /// Calls `mdb_cursor_count`, which returns `EINVAL` when the cursor is not positioned.
  func duplicateCount() throws(LMDBError) -> Int {
    var count = 0
    try checkLMDB(mdb_cursor_count(handle, &count))
    return count
  }

  /// Stores a key/value pair at the cursor's database, leaving the cursor on it. With
  /// `MDB_APPEND`, a cursor at the end appends without searching the tree.
  ///
  /// Calls `mdb_cursor_put`, which can return `MDB_KEYEXIST`, `MDB_MAP_FULL`,
  /// `MDB_TXN_FULL`, `EACCES` and `EINVAL`.
  func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: UInt32)
    throws(LMDBError)
  {
    var keyValue = MDB_val(bytes: key)
    var dataValue = MDB_val(bytes: value)
    try checkLMDB(mdb_cursor_put(handle, &keyValue, &dataValue, flags))
  }
}
