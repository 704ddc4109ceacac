import Dispatch
import Synchronization
import Testing

@testable import TierlineStore

@Suite("Event store concurrency")
struct EventStoreConcurrencyTests {
  @Test("racing writers on one expected version, one wins")
  func racingWriters() throws {
    try withTemporaryDirectory { directory in
      let first = try EventStore(directory: directory, options: StoreOptions(createIfMissing: true))
      // A second environment on the same files, as another process would open it.
      let second = try EventStore(directory: directory)
      let stores = [first, second]
      let rounds = 40

      for round in 0..<rounds {
        let outcomes = Mutex<[Result<AppendReport, StoreError>]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
          let record = newRecord(
            "round-\(round)-writer-\(writer)", originator: "acct-\(round)",
            expectedVersion: 0)
          let outcome = Result { () throws(StoreError) in
            try stores[writer].append([record], now: Int64(round))
          }
          outcomes.withLock { $0.append(outcome) }
        }

        let results = outcomes.withLock { $0 }
        let wins = results.filter { (try? $0.get()) != nil }
        let conflicts = results.filter {
          if case .failure(let error) = $0 { return error.code == .versionConflict }
          return false
        }
        #expect(wins.count == 1, "round \(round)")
        #expect(conflicts.count == 1, "round \(round)")
      }

      try first.read { transaction throws in
        #expect(transaction.lastPosition == UInt64(rounds))
        for round in 0..<rounds {
          #expect(try transaction.version(of: Array("acct-\(round)".utf8)) == 1)
        }
      }
    }
  }

  @Test("reads from many threads see a consistent log")
  func concurrentReads() throws {
    try withNewStore { store, _ throws in
      _ = try store.append((1...200).map { newRecord("e\($0)") }, now: 1)
      let counts = Mutex<[Int]>([])
      DispatchQueue.concurrentPerform(iterations: 8) { _ in
        let count = (try? store.allRecords().count) ?? -1
        counts.withLock { $0.append(count) }
      }
      #expect(counts.withLock { $0 } == Array(repeating: 200, count: 8))
    }
  }
}
