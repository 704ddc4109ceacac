import Dispatch
import Foundation
import TierlineEvents
import TierlineProjections

extension Ledger {
  /// Folds every account at `point` on `threads` threads and returns the projections in
  /// account-id byte order.
  ///
  /// Each thread reads the whole log in order in its own read transaction and folds the
  /// accounts of its share of the id hash space; see `LogFold`. All threads stop at the
  /// last position stored when the call began, so they fold one consistent snapshot even
  /// while other processes append.
  public func projections(at point: ReplayPoint, rules: ReplayRules, threads: Int = 1)
    throws(LedgerError) -> [AccountProjection]
  {
    let lastPosition = try storeCall { try self.store.read { $0.lastPosition } }
    let shares = max(1, threads)
    let results = ShareResults(count: shares)
    let store = self.store
    let foldShare: @Sendable (Int) -> Void = { share in
      do {
        let fold = LogFold(
          point: point, rules: rules, lastPosition: lastPosition, share: share, shares: shares)
        var projected: [([UInt8], AccountProjection)] = []
        try store.read { transaction in
          try fold.run(in: transaction) { id, projection in projected.append((id, projection)) }
        }
        results.store(projected, at: share)
      } catch {
        results.fail(error)
      }
    }
    if shares == 1 {
      foldShare(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: shares, execute: foldShare)
    }
    return try storeCall {
      try results.collect()
        .sorted { $0.0.lexicographicallyPrecedes($1.0) }
        .map(\.1)
    }
  }
}

/// The results of the shares of a parallel replay. Each share is written by exactly one
/// thread, into separately allocated memory, so writes need no lock; the lock guards
/// only the first error.
private final class ShareResults: @unchecked Sendable {
  typealias Projected = [([UInt8], AccountProjection)]
  private let slots: UnsafeMutableBufferPointer<Projected>
  private var error: (any Error)?
  private let lock = NSLock()

  init(count: Int) {
    slots = .allocate(capacity: count)
    slots.initialize(repeating: [])
  }

  deinit {
    slots.deinitialize()
    slots.deallocate()
  }

  func store(_ projected: Projected, at share: Int) {
    slots[share] = projected
  }

  func fail(_ failure: any Error) {
    lock.withLock { if error == nil { error = failure } }
  }

  func collect() throws -> Projected {
    if let error = lock.withLock({ error }) { throw error }
    return Array(slots.joined())
  }
}
