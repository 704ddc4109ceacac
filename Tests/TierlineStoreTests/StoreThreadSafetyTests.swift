import Dispatch
import Synchronization
import Testing

@testable import TierlineStore

@Suite("Store thread safety")
struct StoreThreadSafetyTests {
  @Test("readers during appends see whole batches")
  func readersDuringAppends() throws {
    try withNewStore { store, _ throws in
      let batchSize = 10
      let batches = 60
      let violations = Mutex<[String]>([])
      let snapshots = Mutex(0)

      // Thread 0 appends; the others read until it has finished.
      let finished = Atomic(false)
      DispatchQueue.concurrentPerform(iterations: 4) { worker in
        if worker == 0 {
          for batch in 0..<batches {
            let records = (0..<batchSize).map { newRecord("b\(batch)-\($0)", at: Int64(batch)) }
            _ = try? store.append(records, now: Int64(batch + 1))
          }
          finished.store(true, ordering: .releasing)
          return
        }
        while !finished.load(ordering: .acquiring) {
          let seen = try? store.read { transaction throws -> (UInt64, Int) in
            var count = 0
            try transaction.scan(from: 1) { _ in
              count += 1
              return true
            }
            return (transaction.lastPosition, count)
          }
          snapshots.withLock { $0 += 1 }
          guard let (last, count) = seen else {
            violations.withLock { $0.append("a read failed") }
            continue
          }
          if last % UInt64(batchSize) != 0 || UInt64(count) != last {
            violations.withLock { $0.append("last position \(last), \(count) records") }
          }
        }
      }

      #expect(violations.withLock { $0 } == [])
      #expect(snapshots.withLock { $0 } > 0)
      #expect(try store.lastPosition() == UInt64(batches * batchSize))
    }
  }
}
