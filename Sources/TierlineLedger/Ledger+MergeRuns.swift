import TierlineStore

/// The outcome of `Ledger.mergeIndexRuns()` and `Ledger.mergeSmallestIndexRuns(within:)`.
public struct IndexRunMerge: Sendable, Equatable {
  /// The ledger's storage format version. Only format 4 and later keep index runs.
  public var storageFormat: UInt64
  /// The live index runs before the merge, 0 before format 4.
  public var runsBefore: Int
  /// The live index runs after the merge, 0 before format 4.
  public var runsAfter: Int
  /// The stored events, each with one entry in each index, or nil before format 4.
  public var events: UInt64?
  /// The runs merged into one, 0 when nothing was merged.
  public var mergedRuns: Int
  /// The events whose index entries the merge rewrote.
  public var mergedEvents: UInt64
  /// The merged run's level, or nil when nothing was merged.
  public var mergedLevel: Int?
  /// The merged run's place in its level, or nil when nothing was merged.
  public var mergedPlace: Int?

  /// Whether the merge wrote a run.
  public var merged: Bool { mergedLevel != nil }

  init(_ merge: RunMerge) {
    storageFormat = merge.storageFormat
    runsBefore = merge.runsBefore
    runsAfter = merge.runsAfter
    events = merge.entries
    mergedRuns = merge.mergedRuns
    mergedEvents = merge.mergedEntries
    mergedLevel = merge.merged?.level
    mergedPlace = merge.merged?.place
  }
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
    IndexRunMerge(try storeCall { try store.mergeIndexRuns(.all) })
  }

  /// Merges the smallest index runs of a format 4 ledger into one, as many as have at
  /// most `events` entries together, when that is at least two. Does nothing otherwise.
  ///
  /// `tierline append` and `tierline import` call it with the number of events they
  /// stored, so a bulk load into an empty ledger ends with one run, and an append
  /// rewrites at most as many index entries in this merge as it added.
  /// - Throws: `LedgerError` when a check or the write fails. A merge that throws changes
  ///   nothing.
  public func mergeSmallestIndexRuns(within events: UInt64) throws(LedgerError) -> IndexRunMerge {
    IndexRunMerge(try storeCall { try store.mergeIndexRuns(.smallest(entries: events)) })
  }
}
