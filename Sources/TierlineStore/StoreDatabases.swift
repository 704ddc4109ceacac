import CLMDB

/// The handles of the ledger's named databases, valid for every later transaction.
struct StoreDatabases: Sendable {
  /// Database names as stored in LMDB's main database.
  enum Name {
    static let log = "log"
    static let originators = "originators"
    static let eventIDs = "event_ids"
    static let meta = "meta"
  }

  /// position (u64 big-endian) → record.
  let log: MDB_dbi
  /// originator bytes → sortable occurred time + position, sorted duplicates.
  let originators: MDB_dbi
  /// event id bytes → position.
  let eventIDs: MDB_dbi
  /// ASCII name → value; see `MetaKey`.
  let meta: MDB_dbi
  /// Rules data owned by the ledger.
  let rules: MDB_dbi
  /// Projection checkpoints owned by the ledger.
  let checkpoints: MDB_dbi

  /// The number of named databases the environment must allow.
  static let count: UInt32 = 6

  /// Opens every database in `transaction`, creating missing ones when `create` is set.
  /// - Throws: `LMDBError.notFound` when a database is missing and `create` is false.
  init(opening transaction: borrowing LMDBTransaction, create: Bool) throws(LMDBError) {
    let createFlag = create ? UInt32(MDB_CREATE) : 0
    let sortedDuplicates = UInt32(MDB_DUPSORT | MDB_DUPFIXED)
    meta = try transaction.openDatabase(Name.meta, flags: createFlag)
    log = try transaction.openDatabase(Name.log, flags: createFlag)
    originators = try transaction.openDatabase(
      Name.originators, flags: createFlag | sortedDuplicates)
    eventIDs = try transaction.openDatabase(Name.eventIDs, flags: createFlag)
    rules = try transaction.openDatabase(AuxDatabase.rules.rawValue, flags: createFlag)
    checkpoints = try transaction.openDatabase(
      AuxDatabase.checkpoints.rawValue, flags: createFlag)
  }

  /// Returns the handle of an auxiliary database.
  func handle(of database: AuxDatabase) -> MDB_dbi {
    switch database {
    case .rules: return rules
    case .checkpoints: return checkpoints
    }
  }
}
