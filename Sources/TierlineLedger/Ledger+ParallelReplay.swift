import Dispatch
import TierlineEvents
import TierlineProjections

extension Ledger {
  /// Folds every account at `point` on `threads` threads and hands each projection to
  /// `body` in account-id byte order, on the calling thread.
  ///
  /// See `forEachFold(at:threads:with:_:)` for how the threads share the work. With one
  /// thread this is `forEachProjection(at:rules:_:)`.
  public func forEachProjection(
    at point: ReplayPoint, rules: ReplayRules, threads: Int,
    _ body: (AccountProjection) throws -> Void
  ) throws(LedgerError) {
    try forEachFold(at: point, threads: threads, with: Self.projecting(at: point, rules: rules)) {
      try body($0)
    }
  }

  /// Folds every account at `point` with `folding` on `threads` threads and hands each
  /// account's output to `body` in account-id byte order, on the calling thread. Accounts
  /// with no visible event are skipped.
  ///
  /// The log is read once, in position order, with no index lookup per event (see
  /// `LogFold`). With more than one thread, each thread reads consecutive blocks of
  /// positions in its own read transaction. Two threads share each range of the log, one
  /// reading blocks from its start and the other from its end, so they finish together
  /// even where one part of the log is slower to read. The accounts are
  /// then folded in parallel, group by group, and each group's outputs are handed over
  /// once every group before it has been. Every range ends at or before the last position stored
  /// when the call began, so the threads fold one consistent snapshot even while other
  /// processes append. With one thread, everything runs in one read transaction on the
  /// calling thread, and `body` gets each output as soon as it is folded.
  public func forEachFold<Fold: AccountEventFold, Output>(
    at point: ReplayPoint, threads: Int, with folding: AccountFolding<Fold, Output>,
    _ body: (Output) throws -> Void
  ) throws(LedgerError) {
    try forEachFold(using: LogFold(point: point), threads: threads, with: folding, body)
  }

  /// Folds like `forEachFold(at:threads:with:_:)`, with the settings of `fold`.
  func forEachFold<Fold: AccountEventFold, Output>(
    using fold: LogFold, threads: Int, with folding: AccountFolding<Fold, Output>,
    _ body: (Output) throws -> Void
  ) throws(LedgerError) {
    guard threads > 1 else {
      return try storeCall {
        try self.store.read { transaction in
          let part = try fold.scan(in: transaction, from: 1, through: transaction.lastPosition)
          try fold.fold([part], threads: 1, with: folding) { _, output in try body(output) }
        }
      }
    }
    let lastPosition = try storeCall { try self.store.read { $0.lastPosition } }
    let count = Int(clamping: max(1, min(UInt64(threads), lastPosition)))
    // Threads scan in pairs: the log is cut into one range per pair, in proportion to
    // the pair's threads, and the two threads of a pair claim its blocks from either
    // end. A thread's part then covers consecutive positions, and the parts follow each
    // other in log order by thread number.
    let ranges = stride(from: 0, to: count, by: 2).map { firstThread in
      LogBlocks(
        first: lastPosition * UInt64(firstThread) / UInt64(count) + 1,
        last: lastPosition * UInt64(min(firstThread + 2, count)) / UInt64(count),
        shortestBlock: fold.shortestBlock)
    }
    let parts = ThreadResults<LogPart>(count: count)
    let sharedStore = self.store
    DispatchQueue.concurrentPerform(iterations: count) { index in
      do {
        let part = try sharedStore.read { transaction in
          try fold.scan(in: transaction, claiming: ranges[index / 2], fromEnd: index % 2 == 1)
        }
        parts.store(part, at: index)
      } catch {
        parts.fail(error)
      }
    }
    try storeCall {
      try fold.fold(try parts.collect(), threads: threads, with: folding) { _, output in
        try body(output)
      }
    }
  }

  /// Returns the folding that starts each account from a fresh `AccountState` under
  /// `rules` and hands over its projection at `point`.
  static func projecting(at point: ReplayPoint, rules: ReplayRules)
    -> AccountFolding<AccountState, AccountProjection>
  {
    AccountFolding {
      let rules = rules.separateCopy()
      let projectionPoint = ProjectionPoint(
        asOf: point.asOf, knownAt: point.knownAt, playbook: rules.playbook)
      return (
        start: { AccountState(account: $0, playbook: rules.playbook) },
        finish: { $0.projection(at: projectionPoint, rulesVersion: rules.version) }
      )
    }
  }

  /// Folds every account at `point` on `threads` threads and returns the projections in
  /// account-id byte order; see `forEachProjection(at:rules:threads:_:)`. It keeps every
  /// projection in memory.
  public func projections(at point: ReplayPoint, rules: ReplayRules, threads: Int = 1)
    throws(LedgerError) -> [AccountProjection]
  {
    var projections: [AccountProjection] = []
    try forEachProjection(at: point, rules: rules, threads: threads) { projections.append($0) }
    return projections
  }
}
