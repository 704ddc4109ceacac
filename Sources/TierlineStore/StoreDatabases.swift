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
  /// Up to format version 3, the account index and the event-id index; from version 4
  /// on, nil.
  private let indexTrees: (originators: MDB_dbi, eventIDs: MDB_dbi)?
  /// The account index up to format version 3: originator bytes → sortable occurred
  /// time + position, as sorted duplicates. From version 2 on, each is followed by a
  /// checksum and a copy of the record when it fits.
  var originators: MDB_dbi {
    guard let indexTrees else { preconditionFailure("format 4 keeps its indexes in runs") }
    return indexTrees.originators
  }
  /// The event-id index up to format version 3: event id bytes → position.
  var eventIDs: MDB_dbi {
    guard let indexTrees else { preconditionFailure("format 4 keeps its indexes in runs") }
    return indexTrees.eventIDs
  }
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
  /// From format version 4 on: each run slot's event-id and account databases, by
  /// `RunSlot.index`.
  let slotEventIDs: [MDB_dbi]
  let slotOriginators: [MDB_dbi]
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
  /// The eight names of format 3, `runs`, and two databases for each run slot.
  static let count = UInt32(9 + 2 * RunLayout.slotCount)

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
      UInt32(MDB_DUPSORT) | (usesChecksummedLayout ? 0 : UInt32(MDB_DUPFIXED))
    log = try transaction.openDatabase(Name.log, flags: createFlag)
    if keepsRuns || !supported {
      // A version this code does not know is refused by the format check after opening,
      // whatever indexes it keeps.
      indexTrees = nil
      var eventIDs: [MDB_dbi] = []
      var originators: [MDB_dbi] = []
      for level in 0..<(keepsRuns ? RunLayout.levels : 0) {
        for place in 0..<RunLayout.fanout {
          let names = RunLayout.databaseNames(level: level, place: place)
          eventIDs.append(try transaction.openDatabase(names.eventIDs, flags: createFlag))
          originators.append(try transaction.openDatabase(names.originators, flags: createFlag))
        }
      }
      slotEventIDs = eventIDs
      slotOriginators = originators
    } else {
      indexTrees = (
        try transaction.openDatabase(Name.originators, flags: createFlag | sortedDuplicates),
        try transaction.openDatabase(Name.eventIDs, flags: createFlag)
      )
      slotEventIDs = []
      slotOriginators = []
    }
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

/// The runs whose filter this process has found intact: by slot, the run number and
/// the filter's stored CRC-32C.
///
/// A committed run never changes: a merge writes a new run with a higher number and
/// empties the old ones. So each filter is checked once per process, not on every
/// batch, which would read every filter's bytes again.
final class RunFilterChecks: @unchecked Sendable {
  private var checked: [RunSlot: (run: UInt64, filterChecksum: UInt32)] = [:]
  private let lock = ReadWriteLock()

  /// Checks the filter of every run not checked before.
  /// - Throws: `.corrupt` naming the first run whose filter fails its CRC-32C check.
  func check(_ runs: [RunDirectoryEntry]) throws(StoreError) {
    lock.lockShared()
    let unchecked = runs.filter { run in
      guard let known = checked[run.slot] else { return true }
      return known.run != run.run || known.filterChecksum != run.filterChecksum
    }
    lock.unlock()
    guard !unchecked.isEmpty else { return }
    for run in unchecked where CRC32C.checksum(run.filter) != run.filterChecksum {
      throw StoreError(
        .corrupt,
        "the event-id filter of the index run in \(run.slot.name) fails its CRC-32C check, "
          + "so an append could store an event twice")
    }
    lock.lockExclusive()
    for run in unchecked { checked[run.slot] = (run.run, run.filterChecksum) }
    lock.unlock()
  }
}
