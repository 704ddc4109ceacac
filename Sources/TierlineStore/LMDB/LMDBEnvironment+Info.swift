import CLMDB

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

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

/// The map of an environment and the size of its file, for checking that bytes read in
/// place lie in the file.
struct MappedFile {
  private let base: UInt
  private let mapSize: UInt
  private let pageSize: UInt
  private let descriptor: Int32
  private var fileSize: UInt

  init(_ environment: LMDBEnvironment) {
    var info = MDB_envinfo()
    mdb_env_info(environment.handle, &info)
    var stat = MDB_stat()
    mdb_env_stat(environment.handle, &stat)
    base = UInt(bitPattern: info.me_mapaddr)
    mapSize = UInt(info.me_mapsize)
    pageSize = UInt(stat.ms_psize)
    var descriptor: Int32 = -1
    mdb_env_get_fd(environment.handle, &descriptor)
    self.descriptor = descriptor
    fileSize = 0
    fileSize = currentFileSize()
  }

  private func currentFileSize() -> UInt {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return .max }
    return UInt(status.st_size)
  }

  /// Returns whether `bytes`, read in place from a leaf page, lie within that page and
  /// within the file. Bytes outside the map lie in a page that the current write
  /// transaction keeps in memory, so they pass. A damaged size could otherwise make a
  /// read run past its page, and past the end of the file on its last page.
  mutating func contains(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let address = bytes.baseAddress else { return true }
    let start = UInt(bitPattern: address)
    guard start >= base, start - base < mapSize else { return true }
    let offset = start - base
    guard UInt(bytes.count) <= pageSize - offset % pageSize else { return false }
    if offset + UInt(bytes.count) <= fileSize { return true }
    // A write transaction that spills pages makes the file grow while it runs.
    fileSize = currentFileSize()
    return offset + UInt(bytes.count) <= fileSize
  }
}
