import Testing

@testable import TierlineStore

@Suite("Event store scans")
struct EventStoreScanTests {
  @Test("originator scan orders by occurred time then position")
  func originatorOrder() throws {
    try withNewStore { store, _ throws in
      _ = try store.append(
        [
          newRecord("a", at: 30), newRecord("b", originator: "other", at: 5),
          newRecord("c", at: -10), newRecord("d", at: 30), newRecord("e", at: 20),
        ], now: 1)
      _ = try store.append([newRecord("f", at: 0)], now: 2)

      let records = try store.records(of: "acct-1")
      #expect(records.map(\.occurredAt) == [-10, 0, 20, 30, 30])
      #expect(records.map(\.position) == [3, 6, 5, 1, 4])
    }
  }

  @Test("originator scan stops at occurredThrough")
  func originatorCutOff() throws {
    try withNewStore { store, _ throws in
      _ = try store.append(
        [newRecord("a", at: 10), newRecord("b", at: 20), newRecord("c", at: 30)], now: 1)
      #expect(try store.records(of: "acct-1", through: 20).map(\.occurredAt) == [10, 20])
      #expect(try store.records(of: "acct-1", through: 9).isEmpty)
      #expect(try store.records(of: "acct-1", through: Int64.min).isEmpty)
      #expect(try store.records(of: "nobody").isEmpty)
    }
  }

  @Test("originator with one record")
  func originatorSingleRecord() throws {
    try withNewStore { store, _ in
      _ = try store.append([newRecord("a", originator: "solo", at: 7), newRecord("b")], now: 1)
      #expect(try store.records(of: "solo").map(\.position) == [1])
      #expect(try store.records(of: "solo", through: 6).isEmpty)
    }
  }

  @Test("originator scan crosses index pages")
  func originatorManyRecords() throws {
    try withNewStore { store, _ throws in
      let count = 3_000
      let batch = (0..<count).map { index in
        newRecord("e\(index)", at: Int64((index * 7_919) % count))
      }
      _ = try store.append(batch, now: 1)
      let records = try store.records(of: "acct-1")
      #expect(records.count == count)
      #expect(records.map(\.occurredAt) == (0..<count).map { Int64($0) })
    }
  }

  @Test("scan from a position and stop early")
  func scanFromPosition() throws {
    try withNewStore { store, _ throws in
      _ = try store.append((1...5).map { newRecord("e\($0)") }, now: 1)
      let positions = try store.read { transaction throws in
        var positions: [UInt64] = []
        try transaction.scan(from: 3) { view in
          positions.append(view.position)
          return true
        }
        return positions
      }
      #expect(positions == [3, 4, 5])

      let firstTwo = try store.read { transaction throws in
        var positions: [UInt64] = []
        try transaction.scan(from: 0) { view in
          positions.append(view.position)
          return positions.count < 2
        }
        return positions
      }
      #expect(firstTwo == [1, 2])
    }
  }

  @Test("originators listed in byte order with versions")
  func originatorList() throws {
    try withNewStore { store, _ throws in
      _ = try store.append(
        [
          newRecord("1", originator: "b"), newRecord("2", originator: "a"),
          newRecord("3", originator: "b"), newRecord("4", originator: "c"),
        ], now: 1)
      let listed = try store.read { transaction throws in
        var listed: [String: UInt64] = [:]
        var order: [String] = []
        try transaction.forEachOriginator { key, version in
          let name = String(decoding: key, as: UTF8.self)
          order.append(name)
          listed[name] = version
          return true
        }
        return (order, listed)
      }
      #expect(listed.0 == ["a", "b", "c"])
      #expect(listed.1 == ["a": 1, "b": 2, "c": 1])
    }
  }
}
