/// The outcome of merging a format 4 ledger's index runs into one.
public struct RunMerge: Sendable, Equatable {
  /// The live runs before the merge.
  public var runsBefore: Int
  /// The entries of each index over every run: one per stored event.
  public var entries: UInt64
  /// The merged run's slot, such as "level 3, place 0", or nil when the ledger had fewer
  /// than two runs and nothing was written.
  public var slot: String?
}

/// Merging every index run into one.
extension EventStore {
  /// Merges every index run of a format 4 ledger into one run in one write transaction,
  /// and returns what it merged. Returns nil before format 4, whose indexes are single
  /// B-trees.
  ///
  /// A point query seeks the account in every live run, so after a bulk load one run
  /// makes each query cheaper. The merge rewrites every index entry once and holds the
  /// write lock meanwhile: appends wait for it, reads do not. The merged run goes into a
  /// free slot of the level above the highest run, or of the top level, and later
  /// batches merge into it as into any run of that level. When the map is full, the map
  /// grows and the merge starts again.
  /// - Throws: `.corrupt` when the directory of runs, a run or the log's head fails its
  ///   checks, `.mapFull` at `maximumMapSize`, `.lmdb` for other failures. A merge that
  ///   throws changes nothing.
  public func mergeIndexRuns() throws(StoreError) -> RunMerge? {
    guard databases.usesRuns else { return nil }
    return try writeGrowingMap { transaction in mergeAndCommit(in: transaction) }
  }

  /// Merges the runs and commits, or abandons the transaction when there is nothing to
  /// merge or a step fails.
  private func mergeAndCommit(in transaction: consuming LMDBTransaction)
    -> Result<RunMerge, StoreError>
  {
    let merge: RunMerge
    let written: Bool
    switch Result(catching: { () throws(StoreError) in
      let (lastPosition, _) = try transaction.checkedLogHead(in: databases)
      let runs = try transaction.indexRuns(in: databases, lastPosition: lastPosition)
      try databases.checkedFilters.check(runs)
      let slot = try transaction.mergeAllRuns(runs, in: databases)
      return (
        RunMerge(
          runsBefore: runs.count, entries: runs.reduce(0) { $0 + $1.entries },
          slot: slot?.name),
        slot != nil
      )
    }) {
    case .success(let result):
      (merge, written) = result
    case .failure(let error):
      transaction.abort()
      return .failure(error)
    }

    guard written else {
      transaction.abort()
      return .success(merge)
    }
    do throws(LMDBError) {
      try transaction.commit()
      return .success(merge)
    } catch {
      return .failure(
        .failure(error, "could not commit the merge of the index runs of \(directory)"))
    }
  }
}
