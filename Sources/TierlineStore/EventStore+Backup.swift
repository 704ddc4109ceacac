#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Compacting backups of a running store.
extension EventStore {
  /// Writes a compacted copy of the ledger into `directory` and returns the size of the
  /// copied `data.mdb` in bytes.
  ///
  /// The copy comes from one read snapshot, so it contains whole batches only, even while
  /// other threads or processes append. The directory is created when missing and must
  /// not contain a `data.mdb`; on failure the partial `data.mdb` is removed. The copy
  /// is a complete ledger: open `directory` to restore it.
  /// - Throws: `.invalidArgument` when `directory` already contains `data.mdb`, `.mapFull`
  ///   when the disk fills, `.lmdb` for other failures.
  @discardableResult
  public func backup(to directory: String) throws(StoreError) -> Int {
    let target = directory + "/data.mdb"
    if mkdir(directory, 0o755) != 0 && errno != EEXIST {
      throw StoreError(
        .lmdb, "could not create the backup directory \(directory)",
        lmdbCode: LMDBError(code: errno))
    }
    guard access(target, F_OK) != 0 else {
      throw StoreError(
        .invalidArgument,
        "\(target) already exists: choose an empty directory for the backup")
    }

    while true {
      mapLock.lockShared()
      let result: LMDBError?
      do throws(LMDBError) {
        try environment.copyCompacted(to: directory)
        result = nil
      } catch {
        result = error
      }
      mapLock.unlock()

      guard let failure = result else { break }
      unlink(target)
      guard failure == .mapResized else {
        throw .failure(failure, "could not copy the ledger \(self.directory) to \(directory)")
      }
      try adoptResizedMap()
    }

    var status = stat()
    guard stat(target, &status) == 0 else {
      throw StoreError(
        .lmdb, "could not read the size of \(target)", lmdbCode: LMDBError(code: errno))
    }
    return Int(status.st_size)
  }
}
