import CLMDB

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A return code from an LMDB function: one of LMDB's own codes or a POSIX `errno` value.
///
/// The description is the text of `mdb_strerror` followed by the number.
public struct LMDBError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The raw return code.
  public let code: Int32

  /// Wraps a raw return code.
  public init(code: Int32) {
    self.code = code
  }

  /// `MDB_KEYEXIST`: the key/data pair already exists.
  public static let keyExists = LMDBError(code: MDB_KEYEXIST)
  /// `MDB_NOTFOUND`: no matching key/data pair.
  public static let notFound = LMDBError(code: MDB_NOTFOUND)
  /// `MDB_PAGE_NOTFOUND`: a requested page was not found, usually damage.
  public static let pageNotFound = LMDBError(code: MDB_PAGE_NOTFOUND)
  /// `MDB_CORRUPTED`: a located page was of the wrong type.
  public static let corrupted = LMDBError(code: MDB_CORRUPTED)
  /// `MDB_PANIC`: an earlier fatal error left the environment unusable.
  public static let panic = LMDBError(code: MDB_PANIC)
  /// `MDB_VERSION_MISMATCH`: the environment was written by another LMDB major version.
  public static let versionMismatch = LMDBError(code: MDB_VERSION_MISMATCH)
  /// `MDB_INVALID`: the file is not an LMDB data file.
  public static let invalid = LMDBError(code: MDB_INVALID)
  /// `MDB_MAP_FULL`: the environment's map size is reached.
  public static let mapFull = LMDBError(code: MDB_MAP_FULL)
  /// `MDB_DBS_FULL`: the maximum number of named databases is reached.
  public static let databasesFull = LMDBError(code: MDB_DBS_FULL)
  /// `MDB_READERS_FULL`: every reader slot is taken.
  public static let readersFull = LMDBError(code: MDB_READERS_FULL)
  /// `MDB_TXN_FULL`: the transaction has too many dirty pages.
  public static let transactionFull = LMDBError(code: MDB_TXN_FULL)
  /// `MDB_MAP_RESIZED`: another process grew the map beyond this process's map size.
  public static let mapResized = LMDBError(code: MDB_MAP_RESIZED)
  /// `MDB_INCOMPATIBLE`: the operation or database flags do not match the database.
  public static let incompatible = LMDBError(code: MDB_INCOMPATIBLE)
  /// `MDB_BAD_TXN`: the transaction must abort, has a child, or is invalid.
  public static let badTransaction = LMDBError(code: MDB_BAD_TXN)
  /// `MDB_BAD_VALSIZE`: a key or value has an unsupported size.
  public static let badValueSize = LMDBError(code: MDB_BAD_VALSIZE)
  /// `EINVAL`: an invalid parameter.
  public static let invalidParameter = LMDBError(code: EINVAL)
  /// `EIO`: an I/O error, also LMDB's report of a short write on a full disk.
  public static let ioError = LMDBError(code: EIO)
  /// `ENOSPC`: the disk is full.
  public static let noSpace = LMDBError(code: ENOSPC)
  /// `EROFS`: the file system is mounted read-only.
  public static let readOnlyFileSystem = LMDBError(code: EROFS)

  public var description: String {
    guard let text = mdb_strerror(code) else { return "LMDB error \(code)" }
    return "\(String(cString: text)) (\(code))"
  }
}

/// Throws the return code of an LMDB call unless it is `MDB_SUCCESS`.
@inline(__always)
func checkLMDB(_ returnCode: Int32) throws(LMDBError) {
  if returnCode != MDB_SUCCESS {
    throw LMDBError(code: returnCode)
  }
}
