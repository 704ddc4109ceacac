import CLMDB

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An append-only log of byte records in one LMDB environment, with an originator
/// (stream) index and an event-id index.
///
/// Open one store per ledger directory per process: LMDB's file locks are per process,
/// and closing a second environment on the same files releases them for both. The
/// store may be used from several threads. Every method runs its transaction on the
/// calling thread and ends it before returning.
public final class EventStore: @unchecked Sendable {
  /// The ledger directory holding `data.mdb` and `lock.mdb`.
  public let directory: String
  /// The options the store was opened with.
  public let options: StoreOptions

  let environment: LMDBEnvironment
  let databases: StoreDatabases
  /// Held in shared mode by every transaction and in exclusive mode to change the map
  /// size, because `mdb_env_set_mapsize` requires that no transaction is active.
  let mapLock = ReadWriteLock()
  /// The number of reader slots of dead processes that opening the store cleared.
  public let staleReadersCleared: Int
  /// Whether the store was opened read-only because its file system is read-only; every
  /// write then fails.
  public let isReadOnly: Bool

  /// The maximum length of an event id, originator or aux key, in bytes (LMDB's default
  /// maximum key size).
  public static let maximumKeyLength = 511
  /// The largest value an auxiliary database stores, such as a playbook: 1 MiB.
  public static let maximumAuxValueSize = AuxLayout.maximumValueSize

  /// Opens the ledger in `directory`, creating it when `options.createIfMissing` is set.
  ///
  /// Clears reader slots left by dead processes and checks the format version.
  /// - Throws: `.notALedger` when the directory is missing, contains no ledger or a
  ///   ledger of another format version, and creation is off or impossible;
  ///   `.invalidArgument` for inconsistent map sizes; `.lmdb` for other failures.
  public init(directory: String, options: StoreOptions = .init()) throws(StoreError) {
    guard options.initialMapSize > 0, options.maximumMapSize >= options.initialMapSize else {
      throw StoreError(
        .invalidArgument,
        "map sizes are invalid: initial \(options.initialMapSize) bytes, maximum "
          + "\(options.maximumMapSize) bytes")
    }
    self.directory = directory
    self.options = options

    try Self.prepareDirectory(directory, create: options.createIfMissing)
    var readOnly = false
    do throws(LMDBError) {
      do throws(LMDBError) {
        environment = try LMDBEnvironment(
          path: directory, flags: UInt32(MDB_NOTLS), maximumDatabases: StoreDatabases.count,
          mapSize: options.initialMapSize)
      } catch LMDBError.readOnlyFileSystem where !options.createIfMissing {
        // A ledger on read-only media or a read-only snapshot can still be read. No
        // process can write there, so reading without LMDB's lock file is safe.
        environment = try LMDBEnvironment(
          path: directory, flags: UInt32(MDB_NOTLS | MDB_RDONLY),
          maximumDatabases: StoreDatabases.count, mapSize: options.initialMapSize)
        readOnly = true
      }
    } catch {
      if error == .invalid || error == .versionMismatch {
        throw StoreError(
          .notALedger, "\(directory) does not hold an LMDB environment", lmdbCode: error)
      }
      if error.code == EACCES {
        // Creating data.mdb or lock.mdb needs write access to the directory itself.
        let missing = ["data.mdb", "lock.mdb"].filter { access(directory + "/" + $0, F_OK) != 0 }
        if !missing.isEmpty, access(directory, W_OK) != 0 {
          throw StoreError(
            .lmdb,
            "could not create \(missing.joined(separator: " and ")) in \(directory): this "
              + "user cannot write to the directory; run as its owner, grant write access, "
              + "or name another directory",
            lmdbCode: error)
        }
        // LMDB's readers take a slot in lock.mdb, so reading needs write access to it.
        throw StoreError(
          .lmdb,
          "could not open the LMDB environment in \(directory): every process that opens "
            + "the ledger, a reader too, needs read and write access to its data.mdb and "
            + "lock.mdb; run as their owner or grant that access",
          lmdbCode: error)
      }
      throw .failure(error, "could not open the LMDB environment in \(directory)")
    }
    isReadOnly = readOnly
    try Self.checkDataFileLength(environment, directory: directory)
    if readOnly {
      staleReadersCleared = 0
    } else {
      do throws(LMDBError) {
        staleReadersCleared = try environment.clearStaleReaders()
      } catch {
        throw .failure(error, "could not clear stale reader slots in \(directory)")
      }
    }
    try Self.adoptStoredMapSize(environment, minimum: options.initialMapSize, directory: directory)

    databases = try Self.openDatabases(
      environment, directory: directory, create: options.createIfMissing,
      newFormatVersion: options.newFormatVersion, readOnly: readOnly)
  }

  /// Returns whether `directory` contains a ledger of a format version this code reads.
  ///
  /// A truncated `data.mdb` counts as a ledger without reading it, so that opening it
  /// reports the damage.
  public static func isLedger(directory: String) -> Bool {
    switch probeFormat(directory: directory) {
    case .unreadable: return false
    case .truncated: return true
    case .version(let version): return MetaKey.supportedFormatVersions.contains(version)
    }
  }

  /// The storage format versions this build reads and writes.
  public static let supportedFormatVersions = MetaKey.supportedFormatVersions

  /// Returns the storage format version recorded in the ledger in `directory`, or nil
  /// when none can be read.
  public static func storedFormatVersion(directory: String) -> UInt64? {
    guard case .version(let version) = probeFormat(directory: directory) else { return nil }
    return version
  }

  /// The result of reading a ledger's format version without opening the store.
  private enum FormatProbe {
    case unreadable
    case truncated
    case version(UInt64)
  }

  /// Reads the format version of the ledger in `directory`.
  ///
  /// Opens the environment read-only without LMDB's lock file, so the look neither
  /// creates files nor disturbs a store this process has open.
  // NOTE: Without the lock file a concurrent writer could reuse pages this look reads;
  // it then finds the ledger unreadable.
  private static func probeFormat(directory: String) -> FormatProbe {
    guard access(directory + "/data.mdb", R_OK) == 0,
      let environment = try? LMDBEnvironment(
        path: directory, flags: UInt32(MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS),
        maximumDatabases: StoreDatabases.count, mapSize: 0)
    else { return .unreadable }
    guard (try? checkDataFileLength(environment, directory: directory)) != nil else {
      return .truncated
    }
    guard let transaction = try? LMDBTransaction(environment: environment, readOnly: true),
      let databases = try? StoreDatabases(opening: transaction, create: false),
      let version = try? transaction.metaValue(.formatVersion, in: databases)
    else { return .unreadable }
    return .version(version)
  }

  /// Returns whether `directory` contains a file named `data.mdb`, whatever it holds.
  public static func hasDataFile(directory: String) -> Bool {
    access(directory + "/data.mdb", F_OK) == 0
  }

  /// The current map size in bytes; it grows as the log grows.
  public var mapSize: Int {
    mapLock.lockShared()
    defer { mapLock.unlock() }
    return environment.mapSize
  }

  /// Sets the map size to the larger of the size stored in the file and `minimum`.
  ///
  /// `mdb_env_open` uses the configured size, raised only to the data size, so without
  /// this step a reopened ledger would lose the map growth of earlier runs.
  private static func adoptStoredMapSize(
    _ environment: LMDBEnvironment, minimum: Int, directory: String
  ) throws(StoreError) {
    do throws(LMDBError) {
      try environment.setMapSize(0)
      if environment.mapSize < minimum {
        try environment.setMapSize(minimum)
      }
    } catch {
      throw .failure(error, "could not set the map size of \(directory)")
    }
  }

  /// Checks that `directory` exists, creating it and any missing parent when `create` is
  /// set, and that it contains `data.mdb` unless a ledger will be created.
  private static func prepareDirectory(_ directory: String, create: Bool) throws(StoreError) {
    var status = stat()
    if stat(directory, &status) != 0 {
      guard create else {
        throw StoreError(
          .notALedger,
          "ledger directory \(directory) does not exist; open it with createIfMissing to create it")
      }
      // Each missing folder of the path is made in turn, as `mkdir -p` does.
      var path = directory.hasPrefix("/") ? "/" : ""
      for component in directory.split(separator: "/") {
        path += path.isEmpty || path.hasSuffix("/") ? component : "/" + component
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
          throw StoreError(
            .lmdb, "could not create ledger directory \(path)",
            lmdbCode: LMDBError(code: errno))
        }
      }
    } else if status.st_mode & S_IFMT != S_IFDIR {
      throw StoreError(
        .notALedger, "\(directory) is not a directory: name a ledger directory, or a new one")
    }

    if !create && access(directory + "/data.mdb", F_OK) != 0 {
      throw StoreError(
        .notALedger,
        "\(directory) is not a ledger because data.mdb is missing; open it with "
          + "createIfMissing to create one")
    }
  }

  /// Opens the named databases, creating the ledger first in an empty environment when
  /// `create` is set, and checks the format version.
  private static func openDatabases(
    _ environment: LMDBEnvironment, directory: String, create: Bool, newFormatVersion: UInt64,
    readOnly: Bool
  ) throws(StoreError) -> StoreDatabases {
    // An existing ledger's databases open in a read-only transaction, so opening a ledger
    // does not wait for a writer in another process, such as a long merge. Only a new
    // ledger needs the write transaction that creates them.
    if !readOnly,
      let databases = try openExistingDatabases(
        environment, directory: directory, create: create, newFormatVersion: newFormatVersion)
    {
      return databases
    }
    let transaction = try beginSetup(environment, directory: directory, readOnly: readOnly)
    let databases = try setUpDatabases(
      transaction, directory: directory, create: create, newFormatVersion: newFormatVersion)
    do throws(LMDBError) {
      try transaction.commit()
    } catch {
      throw .failure(error, "could not commit the databases of \(directory)")
    }
    return databases
  }

  /// Opens the databases of an existing ledger in a read-only transaction and commits it,
  /// which keeps the handles for the environment. Returns nil when `create` is set and
  /// the environment is no readable ledger, so that a write transaction creates one or
  /// names the problem.
  private static func openExistingDatabases(
    _ environment: LMDBEnvironment, directory: String, create: Bool, newFormatVersion: UInt64
  ) throws(StoreError) -> StoreDatabases? {
    let transaction = try beginSetup(environment, directory: directory, readOnly: true)
    let databases: StoreDatabases
    do throws(StoreError) {
      databases = try setUpDatabases(
        transaction, directory: directory, create: false, newFormatVersion: newFormatVersion)
    } catch {
      transaction.abort()
      guard create, error.code == .notALedger || error.code == .emptyEnvironment else {
        throw error
      }
      return nil
    }
    do throws(LMDBError) {
      // LMDB keeps a handle opened in a transaction only when it commits, read-only
      // ones included (the `mdb_dbi_open` documentation in lmdb.h of LMDB 0.9).
      try transaction.commit()
    } catch {
      throw .failure(error, "could not commit the databases of \(directory)")
    }
    return databases
  }

  /// Begins the transaction that opens the databases, read-only or not. When another
  /// process grew the map since this one opened the environment (`MDB_MAP_RESIZED`),
  /// adopts the size stored in the file and tries again.
  private static func beginSetup(
    _ environment: LMDBEnvironment, directory: String, readOnly: Bool
  ) throws(StoreError) -> LMDBTransaction {
    while true {
      do throws(LMDBError) {
        return try LMDBTransaction(environment: environment, readOnly: readOnly)
      } catch {
        guard error == .mapResized else {
          throw .failure(error, "could not begin a transaction in \(directory)")
        }
      }
      do throws(LMDBError) {
        try environment.setMapSize(0)
      } catch {
        throw .failure(error, "could not adopt the grown map size of \(directory)")
      }
    }
  }

  private static func setUpDatabases(
    _ transaction: borrowing LMDBTransaction, directory: String, create: Bool,
    newFormatVersion: UInt64
  ) throws(StoreError) -> StoreDatabases {
    var databases: StoreDatabases?
    do throws(LMDBError) {
      databases = try StoreDatabases(
        opening: transaction, create: false, newFormatVersion: newFormatVersion)
    } catch {
      guard error == .notFound || error == .incompatible else {
        throw .failure(error, "could not open the databases of \(directory)")
      }
    }

    if databases == nil {
      let notALedger = StoreError(
        .notALedger, "\(directory) contains an LMDB environment that is not a ledger")
      guard create else {
        // An empty environment is a ledger that another process is creating, or whose
        // creation stopped before it committed.
        if (try? isEmpty(transaction)) == true {
          throw StoreError(
            .emptyEnvironment,
            "\(directory) contains an empty LMDB environment: another process may be "
              + "creating the ledger, so retry; if none is, run `tierline init`")
        }
        throw notALedger
      }
      do throws(LMDBError) {
        guard try isEmpty(transaction) else { throw .incompatible }
        databases = try StoreDatabases(
          opening: transaction, create: true, newFormatVersion: newFormatVersion)
      } catch {
        throw error == .incompatible
          ? notALedger : .failure(error, "could not create the databases of \(directory)")
      }
    }
    guard let databases else {
      throw StoreError(.lmdb, "could not open the databases of \(directory)")
    }

    if try transaction.metaValue(.formatVersion, in: databases) == nil, create {
      try initializeMeta(transaction, databases, formatVersion: newFormatVersion)
    }
    try checkFormatVersion(transaction, databases, directory: directory)
    return databases
  }

  /// Returns whether the environment's main database is empty.
  private static func isEmpty(_ transaction: borrowing LMDBTransaction) throws(LMDBError)
    -> Bool
  {
    let main = try transaction.openDatabase(nil, flags: 0)
    let cursor = try LMDBCursor(transaction: transaction, database: main)
    return try cursor.get(MDB_FIRST) == nil
  }

  /// Writes the meta entries of a new, empty ledger.
  private static func initializeMeta(
    _ transaction: borrowing LMDBTransaction, _ databases: StoreDatabases,
    formatVersion: UInt64
  ) throws(StoreError) {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    let createdAt = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1_000

    try transaction.putMetaValue(.formatVersion, formatVersion, in: databases)
    try transaction.putMetaValue(.createdAt, UInt64(bitPattern: createdAt), in: databases)
    try transaction.putMetaValue(.lastPosition, 0, in: databases)
    try transaction.putMetaValue(.lastRecordedAt, 0, in: databases)
  }

  private static func checkFormatVersion(
    _ transaction: borrowing LMDBTransaction, _ databases: StoreDatabases, directory: String
  ) throws(StoreError) {
    guard let version = try transaction.metaValue(.formatVersion, in: databases) else {
      throw StoreError(.notALedger, "\(directory) has no format version in its meta database")
    }
    guard MetaKey.supportedFormatVersions.contains(version) else {
      throw StoreError(
        .notALedger,
        "\(directory) has storage format version \(version); this build reads versions "
          + "\(MetaKey.supportedFormatVersions.lowerBound) to "
          + "\(MetaKey.supportedFormatVersions.upperBound)")
    }
  }
}
