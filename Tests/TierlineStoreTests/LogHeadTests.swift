import Testing

@testable import TierlineStore

@Suite("Log head checks")
struct LogHeadTests {
  /// Appends three records in one batch and returns their recorded time.
  private func appendThree(to store: EventStore) throws -> Int64 {
    let report = try store.append(
      [newRecord("e-1"), newRecord("e-2"), newRecord("e-3")], now: 5_000)
    #expect(report.appendedPositions == [1, 2, 3])
    return report.recordedAt
  }

  /// Overwrites one of meta's head values, as damage to the meta database could.
  private func setMeta(_ key: MetaKey, _ value: UInt64, in store: EventStore) throws {
    let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
    try transaction.putMetaValue(key, value, in: store.databases)
    try transaction.commit()
  }

  @Test(
    "damaged head stops reads and appends",
    arguments: [
      (MetaKey.lastPosition, UInt64(2), "is at position 3"),
      (MetaKey.lastPosition, UInt64(4), "is at position 3"),
      (MetaKey.lastRecordedAt, UInt64(1), "is 1 µs since the epoch, before the record"),
    ])
  func damagedHead(key: MetaKey, value: UInt64, expected: String) throws {
    try withNewStore { store, _ in
      _ = try appendThree(to: store)
      try setMeta(key, value, in: store)

      let readError = #expect(throws: StoreError.self) {
        try store.read { $0.lastPosition }
      }
      #expect(readError?.code == .corrupt)
      #expect(readError?.message.contains(expected) == true, "\(readError?.message ?? "")")

      let appendError = #expect(throws: StoreError.self) {
        try store.append([newRecord("e-4")], now: 9_000)
      }
      #expect(appendError?.code == .corrupt)

      // A read that skips the check returns the damaged value and the log as they are.
      let (head, logged) = try store.read(checkingHead: false) { transaction in
        (transaction.lastPosition, try transaction.lastLoggedPosition())
      }
      #expect(logged == 3)
      #expect(key != .lastPosition || head == value)
    }
  }

  @Test("last position on an empty log")
  func emptyLogWithPosition() throws {
    try withNewStore { store, _ in
      try setMeta(.lastPosition, 5, in: store)
      let error = #expect(throws: StoreError.self) {
        try store.read { $0.lastPosition }
      }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("the log is empty") == true)
    }
  }

  @Test("a later recorded time is intact")
  func laterRecordedTime() throws {
    try withNewStore { store, _ in
      let recordedAt = try appendThree(to: store)
      // Rules activations stamp a later time without a record, so a last recorded time
      // after the last record's is no damage.
      try setMeta(.lastRecordedAt, UInt64(recordedAt + 1_000), in: store)
      #expect(try store.read { $0.lastRecordedAt } == recordedAt + 1_000)
      let report = try store.append([newRecord("e-4")], now: 0)
      #expect(report.appendedPositions == [4])
      #expect(report.recordedAt == recordedAt + 1_001)
    }
  }
}
