import Dispatch
import Foundation
import TierlineEvents
import TierlineProjections

extension Ledger {
  /// Folds every account at `point` on `threads` threads and returns the projections in
  /// account-id byte order.
  ///
  /// The log is read once, in order, on the calling thread; the accounts are then folded
  /// in parallel. All of it happens inside one read transaction, whose pages stay mapped
  /// until it ends, so the threads read the encoded events in place. Unlike
  /// `forEachProjection(at:rules:_:)`, which streams, this keeps every projection in memory.
  public func projections(at point: ReplayPoint, rules: ReplayRules, threads: Int)
    throws(LedgerError) -> [AccountProjection]
  {
    try storeCall {
      try store.read { transaction in
        let groups = try groupVisibleEvents(at: point, in: transaction)
        let results = ProjectionSlots(count: groups.count)
        let workers = max(1, min(threads, groups.count))
        nonisolated(unsafe) let shared = groups
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
          for index in stride(from: worker, to: shared.count, by: workers) {
            do {
              results.store(try shared[index].projection(at: point, rules: rules), at: index)
            } catch {
              results.fail(error)
              return
            }
          }
        }
        return try results.collect()
      }
    }
  }
}

/// Result slots that parallel folds fill, one per account. Each index is written by
/// exactly one thread, into separately allocated memory, so writes need no lock; the
/// lock guards only the first error.
private final class ProjectionSlots: @unchecked Sendable {
  private let slots: UnsafeMutableBufferPointer<AccountProjection?>
  private var error: (any Error)?
  private let lock = NSLock()

  init(count: Int) {
    slots = .allocate(capacity: count)
    slots.initialize(repeating: nil)
  }

  deinit {
    slots.deinitialize()
    slots.deallocate()
  }

  func store(_ projection: AccountProjection, at index: Int) {
    slots[index] = projection
  }

  func fail(_ failure: any Error) {
    lock.withLock { if error == nil { error = failure } }
  }

  func collect() throws -> [AccountProjection] {
    if let error = lock.withLock({ error }) { throw error }
    return slots.compactMap { $0 }
  }
}
