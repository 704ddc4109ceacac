import Dispatch
import TierlineEvents
import TierlineProjections

extension Ledger {
  /// Folds every account at `point` on `threads` threads and returns the projections in
  /// account-id byte order.
  ///
  /// The log is split into `threads` ranges of positions, and each thread reads one
  /// range in its own read transaction. The accounts are then folded in parallel, group
  /// by group (see `LogFold`). Every range ends at or before the last position stored
  /// when the call began, so the threads fold one consistent snapshot even while other
  /// processes append. Unlike `forEachProjection(at:rules:_:)`, which streams, this keeps
  /// every projection in memory.
  public func projections(at point: ReplayPoint, rules: ReplayRules, threads: Int = 1)
    throws(LedgerError) -> [AccountProjection]
  {
    let lastPosition = try storeCall { try self.store.read { $0.lastPosition } }
    let fold = LogFold(point: point, rules: rules)
    let count = Int(clamping: max(1, min(UInt64(max(1, threads)), lastPosition)))
    let parts = ThreadResults<LogPart>(count: count)
    let store = self.store
    let scanRange: @Sendable (Int) -> Void = { index in
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
    if count == 1 {
      scanRange(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: count, execute: scanRange)
    }
    return try storeCall {
      var projections: [AccountProjection] = []
      try fold.fold(try parts.collect(), threads: threads) { _, projection in
        projections.append(projection)
      }
      return projections
    }
  }
}
