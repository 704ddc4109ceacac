import Dispatch
import TierlineEvents
import TierlineProjections

extension Ledger {
  /// Folds every account at `point` on `threads` threads and hands each projection to
  /// `body` in account-id byte order, on the calling thread.
  ///
  /// It splits the log into `threads` ranges of positions, and each thread reads one
  /// range in its own read transaction. The accounts are then folded in parallel, group
  /// by group (see `LogFold`), and each group's projections are handed over once every
  /// group before it has been. Every range ends at or before the last position stored
  /// when the call began, so the threads fold one consistent snapshot even while other
  /// processes append. With one thread this is `forEachProjection(at:rules:_:)`.
  public func forEachProjection(
    at point: ReplayPoint, rules: ReplayRules, threads: Int,
    _ body: (AccountProjection) throws -> Void
  ) throws(LedgerError) {
    guard threads > 1 else { return try forEachProjection(at: point, rules: rules, body) }
    let lastPosition = try storeCall { try self.store.read { $0.lastPosition } }
    let fold = LogFold(point: point, rules: rules)
    let count = Int(clamping: max(1, min(UInt64(threads), lastPosition)))
    let parts = ThreadResults<LogPart>(count: count)
    let store = self.store
    DispatchQueue.concurrentPerform(iterations: count) { index in
      // Ranges of nearly equal length, together covering 1 through lastPosition.
      let first = lastPosition * UInt64(index) / UInt64(count) + 1
      let last = lastPosition * UInt64(index + 1) / UInt64(count)
      do {
        let part = try store.read { transaction in
          try fold.scan(in: transaction, from: first, through: last)
        }
        parts.store(part, at: index)
      } catch {
        parts.fail(error)
      }
    }
    try storeCall {
      try fold.fold(try parts.collect(), threads: threads) { _, projection in
        try body(projection)
      }
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
