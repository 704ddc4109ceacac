import Foundation
import TierlineEvents
import TierlinePlaybook
import TierlineProjections
import TierlineStore

/// An account ledger: the event log in one LMDB environment, the playbook activations
/// stored beside it, and the folds that turn both into projections.
///
/// A `Ledger` belongs to one thread at a time. Several processes may open the same
/// directory at once: LMDB serializes their writers and isolates their readers.
public final class Ledger {
  /// The ledger directory.
  public let directory: String

  let store: EventStore

  /// Parsed playbooks by their stored canonical JSON, so that looking up the rules in
  /// force does not parse the same playbook on every query.
  let playbookCache = PlaybookCache()

  private init(directory: String, store: EventStore) {
    self.directory = directory
    self.store = store
  }

  /// Opens an existing ledger.
  /// - Throws: `LedgerError` of kind `.notFound` when the directory contains no ledger.
  public static func open(directory: String) throws(LedgerError) -> Ledger {
    try open(directory: directory, options: StoreOptions())
  }

  /// Opens an existing ledger with store options other than the defaults, as tests do.
  static func open(directory: String, options: StoreOptions) throws(LedgerError) -> Ledger {
    guard EventStore.isLedger(directory: directory) else {
      // The look at the format opens data.mdb without LMDB's lock file, so a write by
      // another process at that moment can make it fail. Opening the store, with the
      // lock file, decides, once data.mdb has its two meta pages: LMDB would write them
      // into a shorter file.
      if EventStore.hasDataFile(directory: directory),
        let size = try? FileManager.default.attributesOfItem(atPath: directory + "/data.mdb")[
          .size] as? Int,
        size >= 2 * Int(sysconf(Int32(_SC_PAGESIZE)))
      {
        switch Result(catching: { () throws(StoreError) in
          try EventStore(directory: directory, options: options)
        }) {
        case .success(let store):
          return Ledger(directory: directory, store: store)
        case .failure(let error) where error.code == .emptyEnvironment:
          throw LedgerError(error)
        case .failure:
          break
        }
      }
      if let version = EventStore.storedFormatVersion(directory: directory) {
        let supported = EventStore.supportedFormatVersions
        throw LedgerError(
          .storage,
          "\(directory) has storage format version \(version), and this build of tierline "
            + "reads versions \(supported.lowerBound) to \(supported.upperBound): open it with "
            + "a build that reads version \(version); the ledger itself was not changed")
      }
      if EventStore.hasDataFile(directory: directory) {
        throw LedgerError(
          .storage,
          "\(directory)/data.mdb is not a readable ledger: it is damaged or not an LMDB "
            + "file; restore the ledger from a backup")
      }
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
        !isDirectory.boolValue
      {
        throw LedgerError(
          .notFound,
          "\(directory) is a file, not a ledger directory: name a ledger directory with "
            + "--store or TIERLINE_STORE")
      }
      throw LedgerError(
        .notFound,
        "no ledger at \(directory): create one with `tierline init`, or name another with "
          + "--store or TIERLINE_STORE")
    }
    do {
      let store = try EventStore(directory: directory, options: options)
      return Ledger(directory: directory, store: store)
    } catch {
      throw LedgerError(error)
    }
  }

  /// Creates a ledger and activates its first playbook.
  ///
  /// The first playbook is in force from the earliest representable time unless
  /// `effectiveAt` sets another time, so that history imported later has rules. The check
  /// that no ledger exists and the activation happen in one write transaction, so of two
  /// processes creating the same ledger at once exactly one succeeds.
  /// - Throws: `LedgerError` of kind `.alreadyExists` when the directory contains a
  ///   ledger or other files, or `.storage` when it cannot be created.
  public static func create(
    directory: String, playbook: Playbook, effectiveAt: Timestamp = .minimum,
    now: Timestamp = .now
  ) throws(LedgerError) -> Ledger {
    guard !EventStore.isLedger(directory: directory) else {
      throw alreadyExists(directory)
    }
    // A ledger gets a folder of its own. Its files among others, in `/` or a home
    // folder, would be easy to delete or copy by mistake. The two files that an
    // interrupted creation leaves are allowed.
    let others = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
      .filter { $0 != "data.mdb" && $0 != "lock.mdb" }
    guard others.isEmpty else {
      throw LedgerError(
        .alreadyExists,
        "\(directory) is not empty (it contains \(others.sorted().first ?? "")"
          + (others.count > 1 ? " and \(others.count - 1) more" : "")
          + "): create the ledger in a new or empty directory")
    }
    let value = try storablePlaybook(playbook)
    let ledger: Ledger
    do {
      let store = try EventStore(
        directory: directory, options: StoreOptions(createIfMissing: true))
      ledger = Ledger(directory: directory, store: store)
    } catch {
      throw LedgerError(error)
    }
    let created = try storeCall {
      try ledger.store.write { transaction -> Bool in
        var hasRules = false
        try transaction.forEachAux(.rules) { _, _ in
          hasRules = true
          return false
        }
        guard !hasRules else { return false }
        let activatedAt = try transaction.stampTransactionTime(now: now.microseconds)
        let key = activationKey(
          effectiveAt: effectiveAt, activatedAt: Timestamp(microseconds: activatedAt))
        try transaction.putAux(.rules, key: key, value: value)
        return true
      }
    }
    guard created else { throw alreadyExists(directory) }
    return ledger
  }

  private static func alreadyExists(_ directory: String) -> LedgerError {
    LedgerError(
      .alreadyExists,
      "a ledger already exists at \(directory): use it, or choose another --store")
  }

  /// Returns the latest transaction time stamped on an append or a rules activation,
  /// or nil for a ledger that has neither.
  ///
  /// Used as `known_at`, it makes a replay repeatable: every write not yet committed
  /// when it was read gets a later stamp.
  public func latestTransactionTime() throws(LedgerError) -> Timestamp? {
    let latest = try storeCall { try store.read { $0.lastRecordedAt } }
    return latest > 0 ? Timestamp(microseconds: latest) : nil
  }

  /// Returns the number of events stored for each of `accounts`, in the order given,
  /// read in one transaction.
  public func eventCounts(of accounts: [AccountID]) throws(LedgerError) -> [UInt64] {
    try storeCall {
      try store.read { transaction in
        try accounts.map { try transaction.version(of: Array($0.value.utf8)) }
      }
    }
  }

  /// Returns the number of events stored.
  public func eventCount() throws(LedgerError) -> UInt64 {
    do {
      return try store.read { transaction in transaction.lastPosition }
    } catch let error as StoreError {
      throw LedgerError(error)
    } catch {
      throw LedgerError(.storage, "reading the log failed: \(error)")
    }
  }
}

/// Runs a store call and converts its errors to `LedgerError`.
func storeCall<T>(_ body: () throws -> T) throws(LedgerError) -> T {
  do {
    return try body()
  } catch let error as LedgerError {
    throw error
  } catch let error as StoreError {
    throw LedgerError(error)
  } catch let error as EventCodecError {
    throw LedgerError(.storage, "a stored event could not be decoded: \(error)", underlying: error)
  } catch {
    throw LedgerError(.storage, "storage failed: \(error)")
  }
}
