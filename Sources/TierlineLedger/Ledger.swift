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

  private init(directory: String, store: EventStore) {
    self.directory = directory
    self.store = store
  }

  /// Opens an existing ledger.
  /// - Throws: `LedgerError` of kind `.notFound` when the directory holds no ledger.
  public static func open(directory: String) throws(LedgerError) -> Ledger {
    guard EventStore.isLedger(directory: directory) else {
      if EventStore.hasDataFile(directory: directory) {
        throw LedgerError(
          .storage,
          "\(directory)/data.mdb is not a readable ledger: it is damaged or not an LMDB "
            + "file; restore the ledger from a backup")
      }
      throw LedgerError(
        .notFound,
        "no ledger at \(directory): create one with `tierline init` or pass --store")
    }
    do {
      let store = try EventStore(directory: directory, options: StoreOptions())
      return Ledger(directory: directory, store: store)
    } catch {
      throw LedgerError(error)
    }
  }

  /// Creates a ledger and activates its first playbook.
  ///
  /// The first playbook is in force from the earliest representable time unless
  /// `effectiveAt` says otherwise, so that history imported later has rules.
  /// - Throws: `LedgerError` when the directory already holds a ledger or cannot be created.
  public static func create(
    directory: String, playbook: Playbook, effectiveAt: Timestamp = .minimum,
    now: Timestamp = .now
  ) throws(LedgerError) -> Ledger {
    guard !EventStore.isLedger(directory: directory) else {
      throw LedgerError(.invalidInput, "a ledger already exists at \(directory)")
    }
    let ledger: Ledger
    do {
      let store = try EventStore(
        directory: directory, options: StoreOptions(createIfMissing: true))
      ledger = Ledger(directory: directory, store: store)
    } catch {
      throw LedgerError(error)
    }
    try ledger.activate(playbook, effectiveAt: effectiveAt, now: now)
    return ledger
  }

  /// The number of events stored.
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
