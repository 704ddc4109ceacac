import CLMDB

/// The handles of the ledger's named databases, valid for every later transaction.
struct StoreDatabases: Sendable {
  /// Database names as stored in LMDB's main database.
  enum Name {
    static let log = "log"
    static let originators = "originators"
    static let eventIDs = "event_ids"
    static let meta = "meta"
    static let originatorNumbers = "originator_numbers"
    static let originatorIDs = "originator_ids"
    static let runs = "runs"
  }

  /// position (u64 big-endian) → record.
  let log: MDB_dbi
  /// The account index. Up to format version 3: originator bytes → sortable occurred
  /// time + position, sorted duplicates; from version 2 on, followed by a checksum and a
  /// copy of the record when it fits. From version 4 on, runs of entries; see
  /// `RunLayout`.
  let originators: MDB_dbi
  /// The event-id index. Up to format version 3: event id bytes → position. From
  /// version 4 on, runs of such entries; see `RunLayout`.
  let eventIDs: MDB_dbi
  /// ASCII name → value; see `MetaKey`.
  let meta: MDB_dbi
  /// Rules data owned by the ledger.
  let rules: MDB_dbi
  /// Projection checkpoints owned by the ledger.
  let checkpoints: MDB_dbi
  /// From format version 3 on: originator bytes → the originator's number (u32
  /// big-endian) and a CRC-32C of the key and the number; see `OriginatorNumber`.
  let originatorNumbers: MDB_dbi?
  /// From format version 3 on: the number (u32 big-endian) → a CRC-32C and the
  /// originator bytes; see `OriginatorIDLayout`.
  let originatorIDs: MDB_dbi?
  /// From format version 4 on: the directory of the live index runs; see `RunLayout`.
  let runs: MDB_dbi?
  /// The run filters this process has checked; see `RunFilterChecks`.
  let checkedFilters = RunFilterChecks()

  /// Whether the ledger uses the layouts of format version 2 and later: `originators`
  /// entries with a checksum and record copies, and auxiliary values with a checksum.
  /// Version 1 stores fixed 16-byte entries, which LMDB packs with `MDB_DUPFIXED`, and
  /// auxiliary values as they are.
  let usesChecksummedLayout: Bool

  /// Whether `originators` entries carry record copies when they fit.
  var copiesRecords: Bool { usesChecksummedLayout }

  /// Whether auxiliary values end with an `AuxLayout` trailer.
  var sealsAuxValues: Bool { usesChecksummedLayout }

  /// Whether records carry their originator's number (format version 3 and later).
  var numbersOriginators: Bool { originatorNumbers != nil }

  /// Whether both indexes are kept as runs (format version 4 and later).
  var usesRuns: Bool { runs != nil }

  /// The number of named databases the environment must allow.
  static let count: UInt32 = 9

  /// Opens every database in `transaction`, creating missing ones when `create` is set.
  ///
  /// The format version in `meta` decides how `originators` is opened; a ledger without
  /// one gets the layout of `newFormatVersion`.
  /// - Throws: `LMDBError.notFound` when a database is missing and `create` is false.
  init(
    opening transaction: borrowing LMDBTransaction, create: Bool,
    newFormatVersion: UInt64 = MetaKey.currentFormatVersion
  ) throws(LMDBError) {
    let createFlag = create ? UInt32(MDB_CREATE) : 0
    let metaHandle = try transaction.openDatabase(Name.meta, flags: createFlag)
    meta = metaHandle
    let version = try KeyLayout.withBytes(Array(MetaKey.formatVersion.rawValue.utf8)) {
      name throws(LMDBError) in
      try transaction.value(in: metaHandle, forKey: name)
    }
    // A missing or unreadable version is reported by the format check after opening.
    let storedVersion = version.map {
      $0.count == 8 ? UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) : UInt64.max
    }
    let formatVersion = storedVersion ?? newFormatVersion
    usesChecksummedLayout = formatVersion >= 2
    let supported = MetaKey.supportedFormatVersions.contains(formatVersion)
    let keepsRuns = formatVersion >= 4 && supported
    let sortedDuplicates =
      keepsRuns
      ? 0 : UInt32(MDB_DUPSORT) | (usesChecksummedLayout ? 0 : UInt32(MDB_DUPFIXED))
    log = try transaction.openDatabase(Name.log, flags: createFlag)
    originators = try transaction.openDatabase(
      Name.originators, flags: createFlag | sortedDuplicates)
    eventIDs = try transaction.openDatabase(Name.eventIDs, flags: createFlag)
    rules = try transaction.openDatabase(AuxDatabase.rules.rawValue, flags: createFlag)
    checkpoints = try transaction.openDatabase(
      AuxDatabase.checkpoints.rawValue, flags: createFlag)
    // An unsupported version is left to the format check, which names it.
    let numbered = formatVersion >= 3 && supported
    originatorNumbers =
      numbered ? try transaction.openDatabase(Name.originatorNumbers, flags: createFlag) : nil
    originatorIDs =
      numbered ? try transaction.openDatabase(Name.originatorIDs, flags: createFlag) : nil
    runs = keepsRuns ? try transaction.openDatabase(Name.runs, flags: createFlag) : nil
  }

  /// Returns the handle of an auxiliary database.
  func handle(of database: AuxDatabase) -> MDB_dbi {
    switch database {
    case .rules: return rules
    case .checkpoints: return checkpoints
    }
  }
}

/// The run numbers whose filter this process has found intact, with the filter's
/// stored CRC-32C.
///
/// A committed run never changes: a merge writes a new run with a higher number and
/// deletes the old ones. So each filter is checked once per process, not on every
/// batch, which would read every filter's bytes again.
final class RunFilterChecks: @unchecked Sendable {
  private var checked: [UInt64: UInt32] = [:]
  private let lock = ReadWriteLock()

  /// Checks the filter of every run not checked before.
  /// - Throws: `.corrupt` naming the first run whose filter fails its CRC-32C check.
  func check(_ runs: [RunDirectoryEntry]) throws(StoreError) {
    lock.lockShared()
    let unchecked = runs.filter { checked[$0.run] != $0.filterChecksum }
    lock.unlock()
    guard !unchecked.isEmpty else { return }
    for run in unchecked where CRC32C.checksum(run.filter) != run.filterChecksum {
      throw StoreError(
        .corrupt,
        "the event-id filter of index run \(run.run) fails its CRC-32C check, so an append "
          + "could store an event twice")
    }
    lock.lockExclusive()
    for run in unchecked { checked[run.run] = run.filterChecksum }
    lock.unlock()
  }
}
