import TierlineStore

/// The outcome of `Ledger.mergeIndexRuns()`.
public struct IndexRunMerge: Sendable, Equatable {
  /// The ledger's storage format version. Only format 4 and later keep index runs.
  public var storageFormat: UInt64
  /// The live index runs before the merge, 0 before format 4.
  public var runsBefore: Int
  /// The stored events, each with one entry in each index, 0 before format 4.
  public var events: UInt64
  /// The merged run's slot, such as "level 3, place 0", or nil when nothing was merged.
  public var slot: String?
}

extension Ledger {
  /// Merges every index run of a format 4 ledger into one, so that a point query seeks
  /// the account in one run. Does nothing before format 4 or with one run.
  ///
  /// The merge holds the write lock while it rewrites every index entry once: appends
  /// in this and other processes wait for it, reads go on.
  /// - Throws: `LedgerError` of kind `.storage` when a check or the write fails; a merge
  ///   that throws changes nothing.
  public func mergeIndexRuns() throws(LedgerError) -> IndexRunMerge {
    let merge: RunMerge?
    do {
      merge = try store.mergeIndexRuns()
    } catch {
      throw LedgerError(error)
    }
    let format = try storeCall {
      try store.read { transaction in try transaction.storageFormatVersion() }
    }
    return IndexRunMerge(
      storageFormat: format, runsBefore: merge?.runsBefore ?? 0, events: merge?.entries ?? 0,
      slot: merge?.slot)
  }
}
