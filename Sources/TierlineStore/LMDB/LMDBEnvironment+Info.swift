import CLMDB

/// Sizes read from an open environment.
extension LMDBEnvironment {
  /// The number of bytes of `data.mdb` that the newest meta page refers to: the last
  /// used page number plus one, times the page size.
  ///
  /// Calls `mdb_env_info` and `mdb_env_stat`, which read only the meta pages.
  var usedFileBytes: Int {
    var info = MDB_envinfo()
    mdb_env_info(handle, &info)
    var stat = MDB_stat()
    mdb_env_stat(handle, &stat)
    return (info.me_last_pgno + 1) * Int(stat.ms_psize)
  }
}
