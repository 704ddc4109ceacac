#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The check that `data.mdb` is as long as its meta page records.
extension EventStore {
  /// Throws `.corrupt` when `data.mdb` is shorter than the pages its newest meta page
  /// refers to.
  ///
  /// LMDB maps the file and reads pages through the map, so a page past the end of a
  /// truncated file would raise SIGBUS instead of an error. Every open runs this check
  /// before its first transaction. The file only grows while the environment is in use,
  /// so reading the meta page before the file size never reports a healthy file.
  static func checkDataFileLength(_ environment: LMDBEnvironment, directory: String)
    throws(StoreError)
  {
    let used = environment.usedFileBytes
    var status = stat()
    let path = directory + "/data.mdb"
    guard stat(path, &status) == 0 else {
      throw StoreError(
        .lmdb, "could not read the size of \(path)", lmdbCode: LMDBError(code: errno))
    }
    guard Int(status.st_size) >= used else {
      throw StoreError(
        .corrupt,
        "\(path) is truncated: it has \(status.st_size) bytes but its meta page refers to "
          + "\(used) bytes")
    }
  }
}
