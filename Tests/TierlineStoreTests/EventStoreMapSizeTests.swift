import Testing

@testable import TierlineStore

@Suite("Event store map size")
struct EventStoreMapSizeTests {
  @Test("map grows from 64 KiB")
  func mapGrows() throws {
    let options = StoreOptions(initialMapSize: 64 << 10, createIfMissing: true)
    try withNewStore(options: options) { store, _ in
      #expect(store.mapSize == 64 << 10)
      let payload = String(repeating: "p", count: 150)
      for batch in 0..<40 {
        let records = (0..<100).map { index in
          newRecord("b\(batch)-r\(index)", originator: "acct-\(index % 7)", content: payload)
        }
        _ = try store.append(records, now: Int64(batch))
      }
      // One large batch grows the map several times in a single append.
      let big = (0..<2_000).map { newRecord("big-\($0)", content: payload) }
      _ = try store.append(big, now: 100)

      #expect(store.mapSize > 64 << 10)
      let records = try store.allRecords()
      #expect(records.count == 6_000)
      #expect(records.last?.position == 6_000)
      #expect(records.allSatisfy { $0.content.count == 150 })
    }
  }

  @Test("merge of runs grows the map")
  func mergeGrowsMap() throws {
    let options = StoreOptions(initialMapSize: 64 << 10, createIfMissing: true)
    try withNewStore(options: options) { store, _ in
      let payload = String(repeating: "m", count: 150)
      for batch in 0..<60 {
        let records = (0..<50).map { index in
          newRecord("b\(batch)-r\(index)", originator: "acct-\(index % 9)", content: payload)
        }
        _ = try store.append(records, now: Int64(batch))
      }
      let before = store.mapSize

      let merge = try store.mergeIndexRuns()
      #expect(merge.runsBefore > 1)
      #expect(merge.entries == 3_000)
      // The new run is written while the old runs' pages are still in use.
      #expect(store.mapSize > before)
      #expect(try store.records(of: "acct-4").count == 360)
      #expect(try store.read { try $0.checkIndexRuns(limit: 5).problems } == [])
    }
  }

  @Test("maximum map size reached stores nothing")
  func maximumReached() throws {
    let options = StoreOptions(
      initialMapSize: 64 << 10, maximumMapSize: 256 << 10, createIfMissing: true)
    try withNewStore(options: options) { store, _ in
      _ = try store.append([newRecord("before")], now: 1)
      let payload = String(repeating: "z", count: 1_000)
      let tooBig = (0..<400).map { newRecord("big-\($0)", content: payload) }

      let error = #expect(throws: StoreError.self) {
        try store.append(tooBig, now: 2)
      }
      #expect(error?.code == .mapFull)
      #expect(store.mapSize == 256 << 10)
      try store.read { transaction throws in
        #expect(transaction.lastPosition == 1)
        #expect(transaction.lastRecordedAt == 1)
        #expect(try transaction.position(ofEventID: Array("big-0".utf8)) == nil)
      }

      let after = try store.append([newRecord("after")], now: 3)
      #expect(after.appendedPositions == [2])
      #expect(try store.allRecords().map(\.content) == ["content of before", "content of after"])
    }
  }

  @Test("reopening keeps the grown map")
  func reopenKeepsMap() throws {
    let options = StoreOptions(initialMapSize: 64 << 10, createIfMissing: true)
    try withTemporaryDirectory { directory in
      let grown: Int = try {
        let store = try EventStore(directory: directory, options: options)
        let payload = String(repeating: "q", count: 500)
        _ = try store.append((0..<500).map { newRecord("e\($0)", content: payload) }, now: 1)
        return store.mapSize
      }()
      let reopened = try EventStore(directory: directory, options: options)
      #expect(reopened.mapSize >= grown)
      #expect(try reopened.allRecords().count == 500)
    }
  }
}

@Suite("Event store shared map")
struct EventStoreSharedMapTests {
  @Test("second environment adopts a map grown elsewhere")
  func adoptsGrownMap() throws {
    let options = StoreOptions(initialMapSize: 64 << 10, createIfMissing: true)
    try withTemporaryDirectory { directory in
      let growing = try EventStore(directory: directory, options: options)
      // A second environment on the same files, as another process would open it.
      let other = try EventStore(directory: directory, options: options)
      let payload = String(repeating: "g", count: 400)
      _ = try growing.append((0..<1_000).map { newRecord("e\($0)", content: payload) }, now: 1)
      #expect(growing.mapSize > other.mapSize)

      #expect(try other.allRecords().count == 1_000)
      let report = try other.append([newRecord("from-other")], now: 2)
      #expect(report.appendedPositions == [1_001])
      #expect(other.mapSize >= growing.mapSize)
      #expect(try growing.lastPosition() == 1_001)
    }
  }
}
