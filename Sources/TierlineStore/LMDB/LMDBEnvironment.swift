import CLMDB

/// An open LMDB environment (`MDB_env`), closed with `mdb_env_close` when released.
///
/// The environment is shared by all threads of the process. Changing the map size
/// requires that no transaction of this environment is active; the caller enforces it.
final class LMDBEnvironment: @unchecked Sendable {
  /// The `MDB_env` handle.
  let handle: OpaquePointer

  /// Creates and opens an environment.
  ///
  /// Calls `mdb_env_create`, `mdb_env_set_maxdbs`, `mdb_env_set_maxreaders`,
  /// `mdb_env_set_mapsize` and `mdb_env_open`, which can return `MDB_VERSION_MISMATCH`, `MDB_INVALID`, `ENOENT`,
  /// `EACCES` and `EAGAIN`.
  /// - Parameters:
  ///   - path: The directory holding `data.mdb` and `lock.mdb`.
  ///   - flags: `mdb_env_open` flags such as `MDB_NOTLS` or `MDB_RDONLY`.
  ///   - maximumDatabases: The number of named databases the environment may open.
  ///   - mapSize: The map size in bytes; LMDB raises it to the size stored in the file.
  init(path: String, flags: UInt32, maximumDatabases: UInt32, mapSize: Int) throws(LMDBError) {
    var created: OpaquePointer?
    try checkLMDB(mdb_env_create(&created))
    guard let environment = created else { throw .invalidParameter }

    do throws(LMDBError) {
      try checkLMDB(mdb_env_set_maxdbs(environment, maximumDatabases))
      try checkLMDB(mdb_env_set_maxreaders(environment, Self.readerSlots))
      try checkLMDB(mdb_env_set_mapsize(environment, mapSize))
      try checkLMDB(mdb_env_open(environment, path, flags, 0o644))
    } catch {
      mdb_env_close(environment)
      throw error
    }
    handle = environment
  }

  deinit {
    mdb_env_close(handle)
  }

  /// The number of read transactions that all processes together can hold at once,
  /// against LMDB's default of 126. The process that creates `lock.mdb` sets it; each
  /// slot takes 64 bytes of the lock file.
  static let readerSlots: UInt32 = 1024

  /// The current map size in bytes, from `mdb_env_info`.
  var mapSize: Int {
    var info = MDB_envinfo()
    mdb_env_info(handle, &info)
    return info.me_mapsize
  }

  /// Sets the map size; 0 adopts the size another process stored in the file.
  ///
  /// Calls `mdb_env_set_mapsize`, which returns `EINVAL` when a transaction is active.
  func setMapSize(_ bytes: Int) throws(LMDBError) {
    try checkLMDB(mdb_env_set_mapsize(handle, bytes))
  }

  /// Clears reader slots left by dead processes and returns how many were cleared.
  ///
  /// Calls `mdb_reader_check`, which returns `EINVAL` or a lock file error.
  @discardableResult
  func clearStaleReaders() throws(LMDBError) -> Int {
    var cleared: Int32 = 0
    try checkLMDB(mdb_reader_check(handle, &cleared))
    return Int(cleared)
  }
}
