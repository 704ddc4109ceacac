import Testing

@testable import TierlineStore

@Suite("Account index formats")
struct IndexFormatTests {
  /// Returns, for each of the originator's index values in order, the length of its
  /// record copy, or nil when it has none.
  private func copyLengths(_ store: EventStore, of originator: String) throws -> [Int?] {
    try store.read { transaction in
      var lengths: [Int?] = []
      try transaction.forEachIndexValue(of: Array(originator.utf8)) { value in
        lengths.append(value.copy?.count)
        return true
      }
      return lengths
    }
  }

  /// Returns a batch of small records and one record too large to copy into the index.
  private func mixedBatch() -> [NewRecord] {
    let large = String(repeating: "x", count: KeyLayout.maximumOriginatorValueSize)
    return [
      newRecord("a", at: 30), newRecord("b", at: 10),
      newRecord("c", at: 20, content: large), newRecord("d", originator: "other", at: 5),
    ]
  }

  @Test("format 2 copies records that fit")
  func copiesFittingRecords() throws {
    try withNewStore { store, _ throws in
      _ = try store.append(mixedBatch(), now: 1)
      let small = RecordLayout.size(contentCount: "content of b".utf8.count)
      // In occurred order: b (10), c (20, too large), a (30).
      #expect(try copyLengths(store, of: "acct-1") == [small, nil, small])
      #expect(try store.records(of: "acct-1").map(\.position) == [2, 3, 1])
      #expect(
        try store.records(of: "acct-1")
          == (try store.allRecords()).filter { $0.position != 4 }
          .sorted { $0.occurredAt < $1.occurredAt })
    }
  }

  @Test("format 1 ledgers still read and write")
  func formatOneStillWorks() throws {
    var options = StoreOptions(createIfMissing: true)
    options.newFormatVersion = 1
    try withNewStore(options: options) { store, directory throws in
      _ = try store.append(mixedBatch(), now: 1)
      #expect(try copyLengths(store, of: "acct-1") == [nil, nil, nil])
      #expect(EventStore.isLedger(directory: directory))

      // Reopened, the ledger keeps its format: entries stay without copies.
      let reopened = try EventStore(directory: directory)
      let report = try reopened.append([newRecord("e", at: 40), newRecord("a", at: 30)], now: 2)
      #expect(report.duplicateIndexes == [1])
      #expect(try copyLengths(reopened, of: "acct-1") == [nil, nil, nil, nil])
      #expect(try reopened.records(of: "acct-1").map(\.position) == [2, 3, 1, 5])
      #expect(try reopened.read { try $0.version(of: Array("acct-1".utf8)) } == 4)
    }
  }

  @Test("duplicates are found beside copies")
  func duplicatesWithCopies() throws {
    try withNewStore { store, _ throws in
      _ = try store.append(mixedBatch(), now: 1)
      let report = try store.append(mixedBatch() + [newRecord("e", at: 1)], now: 2)
      #expect(report.duplicateIndexes == [0, 1, 2, 3])
      #expect(report.appendedPositions == [5])
      let conflict = #expect(throws: StoreError.self) {
        try store.append([newRecord("a", originator: "other", at: 30)], now: 3)
      }
      #expect(conflict?.code == .idConflict)
    }
  }

  @Test("empty content is copied and read")
  func emptyContentCopied() throws {
    try withNewStore { store, _ throws in
      _ = try store.append([newRecord("a", content: "")], now: 1)
      let records = try store.records(of: "acct-1")
      #expect(records.map(\.content) == [""])
      let copyLength = try store.read { transaction in
        var length: Int?
        try transaction.forEachIndexValue(of: Array("acct-1".utf8)) { value in
          length = value.copy?.count
          return true
        }
        return length
      }
      #expect(copyLength == RecordLayout.headerSize)
    }
  }
}
