import Testing

@testable import TierlineStore

@Suite("Event store append")
struct EventStoreAppendTests {
  @Test("append and read back")
  func appendAndReadBack() throws {
    try withNewStore { store, _ throws in
      let report = try store.append(
        [newRecord("e1", at: 10), newRecord("e2", originator: "acct-2", at: 20)], now: 5_000)
      #expect(report.appendedPositions == [1, 2])
      #expect(report.duplicateIndexes.isEmpty)
      #expect(report.recordedAt == 5_000)

      try store.read { transaction throws in
        #expect(transaction.lastPosition == 2)
        #expect(transaction.lastRecordedAt == 5_000)
        let first = try #require(try transaction.record(at: 1))
        #expect(first.position == 1)
        #expect(first.occurredAt == 10)
        #expect(first.recordedAt == 5_000)
        #expect(String(decoding: first.content, as: UTF8.self) == "content of e1")
        #expect(try transaction.record(at: 3) == nil)
        #expect(try transaction.record(at: 0) == nil)
        #expect(try transaction.position(ofEventID: Array("e2".utf8)) == 2)
        #expect(try transaction.position(ofEventID: Array("missing".utf8)) == nil)
        #expect(try transaction.version(of: Array("acct-1".utf8)) == 1)
        #expect(try transaction.version(of: Array("nobody".utf8)) == 0)
      }
    }
  }

  @Test("empty store has zero head")
  func emptyStore() throws {
    try withNewStore { store, _ throws in
      try store.read { transaction throws in
        #expect(transaction.lastPosition == 0)
        #expect(transaction.lastRecordedAt == 0)
      }
      #expect(try store.allRecords().isEmpty)
    }
  }

  @Test("positions continue across batches")
  func positionsContinue() throws {
    try withNewStore { store, _ throws in
      _ = try store.append([newRecord("a")], now: 1)
      let report = try store.append([newRecord("b"), newRecord("c")], now: 2)
      #expect(report.appendedPositions == [2, 3])
      #expect(try store.allRecords().map(\.position) == [1, 2, 3])
    }
  }

  @Test("stored duplicate is skipped")
  func storedDuplicateSkipped() throws {
    try withNewStore { store, _ throws in
      _ = try store.append([newRecord("e1")], now: 100)
      let report = try store.append([newRecord("e1"), newRecord("e2")], now: 200)
      #expect(report.duplicateIndexes == [0])
      #expect(report.appendedPositions == [2])
      #expect(try store.allRecords().count == 2)

      let allDuplicates = try store.append([newRecord("e1"), newRecord("e2")], now: 300)
      #expect(allDuplicates.appendedPositions.isEmpty)
      #expect(allDuplicates.duplicateIndexes == [0, 1])
      #expect(try store.lastPosition() == 2)
    }
  }

  @Test("same id with other content conflicts")
  func idConflictStoresNothing() throws {
    try withNewStore { store, _ throws in
      _ = try store.append([newRecord("e1", content: "first")], now: 100)
      let batch = [newRecord("e2"), newRecord("e1", content: "second"), newRecord("e3")]
      let error = #expect(throws: StoreError.self) {
        try store.append(batch, now: 200)
      }
      #expect(error?.code == .idConflict)
      #expect(error?.batchIndex == 1)
      #expect(error?.eventID == Array("e1".utf8))
      #expect(error?.message.contains("\"e1\"") == true)

      try store.read { transaction throws in
        #expect(transaction.lastPosition == 1)
        #expect(transaction.lastRecordedAt == 100)
        #expect(try transaction.position(ofEventID: Array("e2".utf8)) == nil)
        #expect(try transaction.position(ofEventID: Array("e3".utf8)) == nil)
        #expect(try transaction.version(of: Array("acct-1".utf8)) == 1)
      }
    }
  }

  @Test("same id with other occurred time or originator conflicts")
  func idConflictOnOtherFields() throws {
    try withNewStore { store, _ throws in
      _ = try store.append([newRecord("e1", originator: "a", at: 5, content: "x")], now: 1)
      let otherTime = #expect(throws: StoreError.self) {
        try store.append([newRecord("e1", originator: "a", at: 6, content: "x")], now: 2)
      }
      #expect(otherTime?.code == .idConflict)
      let otherOriginator = #expect(throws: StoreError.self) {
        try store.append([newRecord("e1", originator: "b", at: 5, content: "x")], now: 2)
      }
      #expect(otherOriginator?.code == .idConflict)
      #expect(try store.lastPosition() == 1)
    }
  }

  @Test("duplicates inside one batch")
  func duplicatesInsideBatch() throws {
    try withNewStore { store, _ throws in
      let report = try store.append(
        [newRecord("e1"), newRecord("e2"), newRecord("e1"), newRecord("e3")], now: 10)
      #expect(report.appendedPositions == [1, 2, 3])
      #expect(report.duplicateIndexes == [2])
      #expect(
        try store.allRecords().map(\.content) == [
          "content of e1", "content of e2", "content of e3",
        ])
    }
  }

  @Test("conflict inside one batch stores nothing")
  func conflictInsideBatch() throws {
    try withNewStore { store, _ throws in
      let batch = [
        newRecord("e1", content: "one"), newRecord("e2"), newRecord("e1", content: "two"),
      ]
      let error = #expect(throws: StoreError.self) {
        try store.append(batch, now: 10)
      }
      #expect(error?.code == .idConflict)
      #expect(error?.batchIndex == 2)
      #expect(error?.message.contains("earlier in the batch (index 0)") == true)
      #expect(try store.lastPosition() == 0)
      #expect(try store.allRecords().isEmpty)
    }
  }

  @Test(
    "in-batch conflict names the earlier index",
    arguments: [
      newRecord("e3", at: 2_000), newRecord("e3", originator: "acct-2"),
      newRecord("e3", content: "other"),
    ])
  func conflictAfterSkippedDuplicate(conflicting: NewRecord) throws {
    try withNewStore { store, _ throws in
      // The skipped duplicate at index 2 takes no position, so the record at index 3
      // is the third appended.
      let batch = [newRecord("e1"), newRecord("e2"), newRecord("e1"), newRecord("e3"), conflicting]
      let error = #expect(throws: StoreError.self) {
        try store.append(batch, now: 10)
      }
      #expect(error?.code == .idConflict)
      #expect(error?.batchIndex == 4)
      #expect(error?.message.contains("earlier in the batch (index 3)") == true)
      #expect(try store.lastPosition() == 0)
    }
  }

  @Test("in-batch duplicate after a skipped one")
  func duplicateAfterSkippedDuplicate() throws {
    try withNewStore { store, _ throws in
      let batch = [newRecord("e1"), newRecord("e1"), newRecord("e2"), newRecord("e2")]
      let report = try store.append(batch, now: 10)
      #expect(report.appendedPositions == [1, 2])
      #expect(report.duplicateIndexes == [1, 3])
      #expect(try store.allRecords().map(\.content) == ["content of e1", "content of e2"])
    }
  }

  @Test("append checks the rules count")
  func appendChecksAuxCount() throws {
    try withNewStore { store, _ throws in
      try store.write { try $0.putAux(.rules, key: [1], value: [1]) }
      let stale = #expect(throws: StoreError.self) {
        try store.append([newRecord("e1")], now: 1, expectingAuxCount: (.rules, 0))
      }
      #expect(stale?.code == .auxChanged)
      #expect(try store.lastPosition() == 0)
      let report = try store.append(
        [newRecord("e1")], now: 1, expectingAuxCount: (.rules, 1))
      #expect(report.appendedPositions == [1])
    }
  }

  @Test("expected version matches")
  func expectedVersionMatches() throws {
    try withNewStore { store, _ throws in
      _ = try store.append([newRecord("e1", expectedVersion: 0)], now: 1)
      let report = try store.append(
        [newRecord("e2", expectedVersion: 1), newRecord("e3", expectedVersion: 2)], now: 2)
      #expect(report.appendedPositions == [2, 3])
      #expect(try store.read { try $0.version(of: Array("acct-1".utf8)) } == 3)
    }
  }

  @Test("expected version mismatch stores nothing")
  func expectedVersionMismatch() throws {
    try withNewStore { store, _ throws in
      _ = try store.append([newRecord("e1")], now: 1)
      let batch = [
        newRecord("e2", originator: "other"), newRecord("e3", expectedVersion: 1),
        newRecord("e4", expectedVersion: 1),
      ]
      let error = #expect(throws: StoreError.self) {
        try store.append(batch, now: 2)
      }
      #expect(error?.code == .versionConflict)
      #expect(error?.batchIndex == 2)
      #expect(error?.expectedVersion == 1)
      #expect(error?.actualVersion == 2)
      #expect(error?.originator == Array("acct-1".utf8))
      #expect(try store.lastPosition() == 1)
      #expect(try store.read { try $0.version(of: Array("other".utf8)) } == 0)
    }
  }

  @Test("recorded_at increases when the clock goes back")
  func recordedAtMonotonic() throws {
    try withNewStore { store, _ throws in
      let first = try store.append([newRecord("e1")], now: 1_000)
      let second = try store.append([newRecord("e2")], now: 500)
      let third = try store.append([newRecord("e3")], now: 500)
      let fourth = try store.append([newRecord("e4")], now: 2_000)
      #expect(first.recordedAt == 1_000)
      #expect(second.recordedAt == 1_001)
      #expect(third.recordedAt == 1_002)
      #expect(fourth.recordedAt == 2_000)
      #expect(try store.allRecords().map(\.recordedAt) == [1_000, 1_001, 1_002, 2_000])
    }
  }

  @Test("invalid keys are rejected")
  func invalidKeys() throws {
    try withNewStore { store, _ throws in
      let emptyID = #expect(throws: StoreError.self) {
        try store.append([newRecord("ok"), newRecord("")], now: 1)
      }
      #expect(emptyID?.code == .invalidArgument)
      #expect(emptyID?.batchIndex == 1)

      let longOriginator = String(repeating: "x", count: 512)
      let tooLong = #expect(throws: StoreError.self) {
        try store.append([newRecord("e1", originator: longOriginator)], now: 1)
      }
      #expect(tooLong?.code == .invalidArgument)

      let longest = String(repeating: "y", count: 511)
      let report = try store.append([newRecord(longest, originator: longest)], now: 1)
      #expect(report.appendedPositions == [1])
      #expect(try store.read { try $0.position(ofEventID: Array(longest.utf8)) } == 1)
    }
  }
}
