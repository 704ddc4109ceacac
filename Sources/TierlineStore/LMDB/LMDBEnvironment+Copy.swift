import CLMDB

/// Copies and file checks of an open environment.
extension LMDBEnvironment {
  /// Writes a compacted copy of the environment into `directory`, which must exist and
  /// hold no `data.mdb`.
  ///
  /// The copy is taken from one read transaction, so it is a consistent snapshot even
  /// while writers run; free pages are left out and pages are renumbered. Calls
  /// `mdb_env_copy2` with `MDB_CP_COMPACT`, which can return `EEXIST` (a `data.mdb` is
  /// already there), `ENOENT`, `EACCES`, `ENOSPC`, `EIO` and the codes of
  /// `mdb_txn_begin`.
  func copyCompacted(to directory: String) throws(LMDBError) {
    try checkLMDB(mdb_env_copy2(handle, directory, UInt32(MDB_CP_COMPACT)))
  }
}
