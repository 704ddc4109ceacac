#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The choice of index runs that a merge takes: every run, or the smallest ones.
public enum RunMergeScope: Sendable, Equatable {
  /// Every live run.
  case all
  /// The smallest runs whose entries add up to at most `entries`, when at least two do.
  /// Of runs of the same size, those of lower slots come first.
  case smallest(entries: UInt64)

  /// Returns the runs of `runs` that a merge in this scope takes, none when fewer than
  /// two qualify.
  func sources(of runs: [RunDirectoryEntry]) -> [RunDirectoryEntry] {
    switch self {
    case .all:
      return runs.count > 1 ? runs : []
    case .smallest(let budget):
      var chosen: [RunDirectoryEntry] = []
      var total: UInt64 = 0
      for run in runs.sorted(by: { ($0.entries, $0.slot) < ($1.entries, $1.slot) }) {
        guard run.entries <= budget - total else { break }
        total += run.entries
        chosen.append(run)
      }
      return chosen.count > 1 ? chosen : []
    }
  }
}

/// The outcome of merging some or all of a ledger's index runs into one.
public struct RunMerge: Sendable, Equatable {
  /// The ledger's storage format version. Only format 4 and later keep index runs.
  public var storageFormat: UInt64
  /// The live runs before the merge, 0 before format 4.
  public var runsBefore: Int
  /// The entries of each index over every run, one per stored event, or nil before
  /// format 4.
  public var entries: UInt64?
  /// The runs merged into one, 0 when nothing was written.
  public var mergedRuns = 0
  /// The entries of each index that the merge rewrote.
  public var mergedEntries: UInt64 = 0
  /// The merged run's level and place, or nil when fewer than two runs qualified and
  /// nothing was written.
  public var merged: (level: Int, place: Int)?

  /// The live runs after the merge, 0 before format 4.
  public var runsAfter: Int { mergedRuns > 1 ? runsBefore - mergedRuns + 1 : runsBefore }

  public static func == (left: RunMerge, right: RunMerge) -> Bool {
    left.storageFormat == right.storageFormat && left.runsBefore == right.runsBefore
      && left.entries == right.entries && left.mergedRuns == right.mergedRuns
      && left.mergedEntries == right.mergedEntries && left.merged?.level == right.merged?.level
      && left.merged?.place == right.merged?.place
  }
}

/// Merging index runs into one.
extension EventStore {
  /// Merges the index runs of a format 4 ledger that `scope` takes into one run, in one
  /// write transaction, and returns what it merged. Before format 4 each index is a
  /// single B-tree, and nothing is written; with fewer than two runs in the scope,
  /// nothing is written either.
  ///
  /// A point query seeks the account in every live run, so fewer runs make each query
  /// cheaper. The merge rewrites each entry of the merged runs once and holds the write
  /// lock meanwhile, so appends wait for it and reads do not. The merged run goes into a
  /// free place of the highest level among the merged runs, where at most 7 are. Later
  /// batches merge into it as into any run of that level. The new run's pages are
  /// written while the old runs' pages are still in use, so `data.mdb` grows by about
  /// the size of the merged entries, and the freed pages serve later writes. When the
  /// map is full, the map grows and the merge starts again.
  /// - Throws: `.corrupt` when the directory of runs, a run or the log's head fails its
  ///   checks. `.mapFull` at `maximumMapSize`, on a full disk or at the file size limit.
  ///   `.lmdb` for other failures. A merge that throws changes nothing.
  public func mergeIndexRuns(_ scope: RunMergeScope = .all) throws(StoreError) -> RunMerge {
    // A ledger on a read-only file system cannot be written, but with nothing to merge,
    // the merge succeeds without writing. An append that leaves nothing to merge does
    // not wait for the write lock either.
    if let unchanged = try unmergedRuns(scope) { return unchanged }
    return try writeGrowingMap { transaction in mergeAndCommit(scope, in: transaction) }
  }

  /// Returns what a merge would report without writing, when fewer than two runs are in
  /// its scope or the ledger is older than format 4. Returns nil when a merge would
  /// write.
  private func unmergedRuns(_ scope: RunMergeScope) throws(StoreError) -> RunMerge? {
    let found = Result { () throws in
      try read { transaction -> RunMerge? in
        let format = try transaction.storageFormatVersion()
        guard transaction.keepsIndexRuns else {
          return RunMerge(storageFormat: format, runsBefore: 0, entries: nil, merged: nil)
        }
        try transaction.loadIndexRuns()
        let runs = try transaction.runs()
        guard scope.sources(of: runs).isEmpty else { return nil }
        return RunMerge(
          storageFormat: format, runsBefore: runs.count,
          entries: runs.reduce(0) { $0 + $1.entries }, merged: nil)
      }
    }
    switch found {
    case .success(let merge):
      return merge
    case .failure(let error as StoreError):
      throw error
    case .failure(let error):
      throw StoreError(.lmdb, "could not read the index runs of \(directory): \(error)")
    }
  }

  /// Merges the runs and commits, or abandons the transaction when there is nothing to
  /// merge or a step fails.
  private func mergeAndCommit(
    _ scope: RunMergeScope, in transaction: consuming LMDBTransaction
  )
    -> Result<RunMerge, StoreError>
  {
    let merge: RunMerge
    switch Result(catching: { () throws(StoreError) in
      let format = try transaction.metaValue(.formatVersion, in: databases) ?? 0
      guard databases.usesRuns else {
        return RunMerge(storageFormat: format, runsBefore: 0, entries: nil, merged: nil)
      }
      let (lastPosition, _) = try transaction.checkedLogHead(in: databases)
      let runs = try transaction.indexRuns(in: databases, lastPosition: lastPosition)
      try databases.checkedFilters.check(runs)
      let sources = scope.sources(of: runs)
      let slot = try transaction.mergeRuns(
        sources, live: runs, lastPosition: lastPosition, in: databases)
      return RunMerge(
        storageFormat: format, runsBefore: runs.count,
        entries: runs.reduce(0) { $0 + $1.entries },
        // A scope takes no runs or at least two, and only no runs leaves `slot` nil.
        mergedRuns: sources.count, mergedEntries: sources.reduce(0) { $0 + $1.entries },
        merged: slot.map { (level: $0.level, place: $0.place) })
    }) {
    case .success(let result):
      merge = result
    case .failure(let error):
      transaction.abort()
      return .failure(error)
    }

    guard merge.merged != nil else {
      transaction.abort()
      return .success(merge)
    }
    do throws(LMDBError) {
      try transaction.commit()
      return .success(merge)
    } catch {
      return .failure(
        fileSizeLimitError(error, outcome: "nothing was changed") ?? mergeDiskFullError(error)
          ?? .failure(error, "could not commit the merge of the index runs of \(directory)"))
    }
  }

  /// Returns a `.mapFull` error when the merge's commit failed because the disk is full.
  /// LMDB 0.9 reports a short write as `EIO`, which is taken as a full disk only when
  /// the file system has less than a tenth of `data.mdb` free.
  // NOTE: The tenth is a guess. A merge writes about the size of the indexes, which no
  // measurement here relates to the free space left after a short write.
  private func mergeDiskFullError(_ cause: LMDBError) -> StoreError? {
    guard cause == .noSpace || cause == .ioError else { return nil }
    var fileSystem = statvfs()
    var status = stat()
    guard statvfs(directory, &fileSystem) == 0, stat(directory + "/data.mdb", &status) == 0
    else { return nil }
    let freeBytes = Int(fileSystem.f_bavail) * Int(fileSystem.f_frsize)
    guard cause == .noSpace || freeBytes < Int(status.st_size) / 10 else { return nil }
    return StoreError(
      .mapFull,
      "the file system of \(directory) is full: \(freeBytes) bytes free. The merge writes a "
        + "new copy of the merged runs before it frees the old ones, so free about as much "
        + "space as the indexes take before merging again. Nothing was changed",
      lmdbCode: cause)
  }
}
