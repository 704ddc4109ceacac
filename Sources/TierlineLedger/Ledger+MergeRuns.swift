import TierlineStore

/// The outcome of `Ledger.mergeIndexRuns()`.
public struct IndexRunMerge: Sendable, Equatable {
  /// The ledger's storage format version. Only format 4 and later keep index runs.
  public var storageFormat: UInt64
  /// The live index runs before the merge, 0 before format 4.
  public var runsBefore: Int
  /// The stored events, each with one entry in each index, or nil before format 4.
  public var events: UInt64?
  /// The merged run's level, or nil when nothing was merged.
  public var mergedLevel: Int?
  /// The merged run's place in its level, or nil when nothing was merged.
  public var mergedPlace: Int?

  /// Whether the merge wrote a run.
  public var merged: Bool { mergedLevel != nil }
}

extension Ledger {
  /// Merges every index run of a format 4 ledger into one, so that a point query seeks
  /// the account in one run. Does nothing before format 4 or with one run.
  ///
  /// The merge holds the write lock while it rewrites every index entry once. Appends in
  /// this and other processes wait for it, and reads go on.
  /// - Throws: `LedgerError` when a check or the write fails. A merge that throws changes
  ///   nothing.
  public func mergeIndexRuns() throws(LedgerError) -> IndexRunMerge {
    let merge = try storeCall { try store.mergeIndexRuns() }
    return IndexRunMerge(
      storageFormat: merge.storageFormat, runsBefore: merge.runsBefore, events: merge.entries,
      mergedLevel: merge.merged?.level, mergedPlace: merge.merged?.place)
  }
}
