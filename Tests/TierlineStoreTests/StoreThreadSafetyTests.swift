import Dispatch
import Foundation
import Synchronization
import Testing

@testable import TierlineStore

/// What the reader threads saw, shared with the test thread.
private final class ReaderLog: Sendable {
  let violations = Mutex<[String]>([])
  let snapshots = Mutex(0)
  let writerFinished = Atomic(false)
}

@Suite("Store thread safety")
struct StoreThreadSafetyTests {
  @Test("readers during appends see whole batches")
  func readersDuringAppends() throws {
    try withNewStore { store, _ throws in
      let batchSize = 10
      let batches = 60
      let readers = 3
      let log = ReaderLog()
      let started = DispatchSemaphore(value: 0)
      let stopped = DispatchSemaphore(value: 0)

      // Each reader signals after its first snapshot and reads until the writer is done.
      for _ in 0..<readers {
        Thread {
          var first = true
          repeat {
            let seen = try? store.read { transaction throws -> (UInt64, Int) in
              var count = 0
              try transaction.scan(from: 1) { _ in
                count += 1
                return true
              }
              return (transaction.lastPosition, count)
            }
            log.snapshots.withLock { $0 += 1 }
            if let (last, count) = seen {
              if last % UInt64(batchSize) != 0 || UInt64(count) != last {
                log.violations.withLock { $0.append("last position \(last), \(count) records") }
              }
            } else {
              log.violations.withLock { $0.append("a read failed") }
            }
            if first {
              first = false
              started.signal()
            }
          } while !log.writerFinished.load(ordering: .acquiring)
          stopped.signal()
        }.start()
      }

      // The writer starts once every reader is reading, so reads and appends overlap.
      for _ in 0..<readers { started.wait() }
      for batch in 0..<batches {
        let records = (0..<batchSize).map { newRecord("b\(batch)-\($0)", at: Int64(batch)) }
        _ = try store.append(records, now: Int64(batch + 1))
      }
      log.writerFinished.store(true, ordering: .releasing)
      for _ in 0..<readers { stopped.wait() }

      #expect(log.violations.withLock { $0 } == [])
      #expect(log.snapshots.withLock { $0 } >= readers)
      #expect(try store.lastPosition() == UInt64(batches * batchSize))
    }
  }
}
