#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The outcome of merging a ledger's index runs into one.
public struct RunMerge: Sendable, Equatable {
  /// The ledger's storage format version. Only format 4 and later keep index runs.
  public var storageFormat: UInt64
  /// The live runs before the merge, 0 before format 4.
  public var runsBefore: Int
  /// The entries of each index over every run, one per stored event, or nil before
  /// format 4.
  public var entries: UInt64?
  /// The merged run's level and place, or nil when the ledger had fewer than two runs
  /// and nothing was written.
  public var merged: (level: Int, place: Int)?

  public static func == (left: RunMerge, right: RunMerge) -> Bool {
    left.storageFormat == right.storageFormat && left.runsBefore == right.runsBefore
      && left.entries == right.entries && left.merged?.level == right.merged?.level
      && left.merged?.place == right.merged?.place
  }
}

/// Merging every index run into one.
extension EventStore {
  /// Merges every index run of a format 4 ledger into one run in one write transaction,
  /// and returns what it merged. Before format 4 each index is a single B-tree, and
  /// nothing is written.
  ///
  /// A point query seeks the account in every live run, so after a bulk load one run
  /// makes each query cheaper. The merge rewrites every index entry once and holds the
  /// write lock meanwhile, so appends wait for it and reads do not. The merged run goes
  /// into a free place of the highest level that has a run, where at most 7 are. Later
  /// batches merge into it as into any run of that level. The new run's pages are
  /// written while the old runs' pages are still in use, so `data.mdb` grows by about
  /// the size of the indexes, and the freed pages serve later writes. When the map is
  /// full, the map grows and the merge starts again.
  /// - Throws: `.corrupt` when the directory of runs, a run or the log's head fails its
  ///   checks. `.mapFull` at `maximumMapSize`, on a full disk or at the file size limit.
  ///   `.lmdb` for other failures. A merge that throws changes nothing.
  public func mergeIndexRuns() throws(StoreError) -> RunMerge {
    // A ledger on a read-only file system cannot be written, but with nothing to merge,
    // the merge succeeds without writing.
    if isReadOnly, let unchanged = try unmergedRuns() { return unchanged }
    return try writeGrowingMap { transaction in mergeAndCommit(in: transaction) }
  }

  /// Returns what a merge would report without writing, when the ledger has fewer than
  /// two runs or is older than format 4. Returns nil when a merge would write.
  private func unmergedRuns() throws(StoreError) -> RunMerge? {
    let found = Result { () throws in
      try read { transaction -> RunMerge? in
        let format = try transaction.storageFormatVersion()
        guard transaction.keepsIndexRuns else {
          return RunMerge(storageFormat: format, runsBefore: 0, entries: nil, merged: nil)
        }
        try transaction.loadIndexRuns()
        let runs = try transaction.runs()
        guard runs.count < 2 else { return nil }
        return RunMerge(
          storageFormat: format, runsBefore: runs.count, entries: runs.first?.entries ?? 0,
          merged: nil)
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
  private func mergeAndCommit(in transaction: consuming LMDBTransaction)
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
      let slot = try transaction.mergeAllRuns(
        runs, lastPosition: lastPosition, in: databases)
      return RunMerge(
        storageFormat: format, runsBefore: runs.count,
        entries: runs.reduce(0) { $0 + $1.entries },
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
        + "new copy of both indexes before it frees the old runs, so free about as much "
        + "space as the indexes take and retry. Nothing was changed",
      lmdbCode: cause)
  }
}
