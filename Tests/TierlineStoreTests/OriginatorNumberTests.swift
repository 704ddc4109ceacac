import CLMDB
import Testing

@testable import TierlineStore

@Suite("Originator numbers")
struct OriginatorNumberTests {
  /// Returns the originator number of every log record, in log order.
  private func logNumbers(_ store: EventStore) throws -> [UInt32] {
    try store.read { transaction in
      var numbers: [UInt32] = []
      try transaction.scan(from: 1) { view in
        numbers.append(view.originatorNumber)
        return true
      }
      return numbers
    }
  }

  /// Returns the originator number carried by each record copy in the account index.
  private func copyNumbers(_ store: EventStore, of originator: String) throws -> [UInt32] {
    try store.read { transaction in
      var numbers: [UInt32] = []
      try transaction.forEachIndexValue(of: Array(originator.utf8)) { value in
        if let copy = value.copy {
          numbers.append(
            try transaction.decodeCopy(copy, position: value.position).originatorNumber)
        }
        return true
      }
      return numbers
    }
  }

  private func storedNumber(_ store: EventStore, of originator: String) throws -> UInt32? {
    try store.read { try $0.originatorNumber(of: Array(originator.utf8)) }
  }

  @Test("originators are numbered in order of first appearance")
  func numberedInOrder() throws {
    try withNewStore { store, _ throws in
      _ = try store.append(
        [
          newRecord("1", originator: "a"), newRecord("2", originator: "b"),
          newRecord("3", originator: "a"), newRecord("4", originator: "c"),
        ], now: 1)
      #expect(try logNumbers(store) == [1, 2, 1, 3])
      // A later batch keeps the numbers given and continues after the last one.
      _ = try store.append(
        [newRecord("5", originator: "b"), newRecord("6", originator: "d")], now: 2)
      #expect(try logNumbers(store) == [1, 2, 1, 3, 2, 4])
      #expect(try copyNumbers(store, of: "a") == [1, 1])
      #expect(try storedNumber(store, of: "d") == 4)
      #expect(try storedNumber(store, of: "e") == nil)
      #expect(try store.read { try $0.numberedOriginatorCounts() } == (4, 4))
      #expect(try store.read { $0.numbersOriginators })
    }
  }

  @Test("duplicates and failed batches give no number")
  func noNumberWithoutRecord() throws {
    try withNewStore { store, _ throws in
      _ = try store.append([newRecord("1", originator: "a")], now: 1)
      // Only a duplicate: nothing is stored.
      _ = try store.append([newRecord("1", originator: "a")], now: 2)
      // A new originator before a conflict: the whole batch is abandoned.
      let conflict = #expect(throws: StoreError.self) {
        try store.append(
          [newRecord("2", originator: "b"), newRecord("1", originator: "a", content: "other")],
          now: 3)
      }
      #expect(conflict?.code == .idConflict)
      #expect(try storedNumber(store, of: "b") == nil)
      _ = try store.append([newRecord("3", originator: "c")], now: 4)
      #expect(try logNumbers(store) == [1, 2])
    }
  }

  @Test("originators past the largest number get none")
  func pastLargestNumber() throws {
    var options = StoreOptions(createIfMissing: true)
    options.newFormatVersion = 3
    options.largestOriginatorNumber = 2
    try withNewStore(options: options) { store, _ throws in
      _ = try store.append(
        [
          newRecord("1", originator: "a"), newRecord("2", originator: "b"),
          newRecord("3", originator: "c"), newRecord("4", originator: "a"),
        ], now: 1)
      #expect(try logNumbers(store) == [1, 2, 0, 1])
      #expect(try storedNumber(store, of: "c") == nil)
      // Without a number, the record is still version 2, so its bytes 1 to 3 are covered.
      #expect(try store.read { try $0.record(at: 3)?.originatorNumber } == 0)
    }
  }

  @Test("format 4 numbers records past the limit")
  func pastLargestRecordNumber() throws {
    var options = StoreOptions(createIfMissing: true)
    options.largestOriginatorNumber = 2
    try withNewStore(options: options) { store, _ throws in
      _ = try store.append(
        [
          newRecord("1", originator: "a"), newRecord("2", originator: "b"),
          newRecord("3", originator: "c"), newRecord("4", originator: "c"),
        ], now: 1)
      #expect(try logNumbers(store) == [1, 2, 0, 0])
      #expect(try storedNumber(store, of: "c") == 3)
      #expect(try store.read { try $0.version(of: Array("c".utf8)) } == 2)
    }
  }

  @Test("formats 1 and 2 store no numbers", arguments: [1, 2] as [UInt64])
  func earlierFormats(version: UInt64) throws {
    var options = StoreOptions(createIfMissing: true)
    options.newFormatVersion = version
    try withNewStore(options: options) { store, directory throws in
      _ = try store.append(
        [newRecord("1", originator: "a"), newRecord("2", originator: "b")], now: 1)
      #expect(try logNumbers(store) == [0, 0])
      #expect(try store.read { !$0.numbersOriginators })
      #expect(try storedNumber(store, of: "a") == nil)
      // Reopened by this build, the ledger keeps its format and its records stay version 1.
      let reopened = try EventStore(directory: directory)
      _ = try reopened.append([newRecord("3", originator: "c")], now: 2)
      #expect(try logNumbers(reopened) == [0, 0, 0])
      #expect(EventStore.storedFormatVersion(directory: directory) == version)
    }
  }

  @Test("damaged stored number fails the append that reads it")
  func damagedNumber() throws {
    try withNewStore { store, _ throws in
      _ = try store.append([newRecord("1", originator: "a")], now: 1)
      let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
      let numbers = try #require(store.databases.originatorNumbers)
      var value = OriginatorNumberLayout.value(1, for: UnsafeRawBufferPointer(start: nil, count: 0))
      try Array("a".utf8).withUnsafeBytes { key in
        try withUnsafeBytes(of: &value) { bytes in
          try transaction.put(in: numbers, key: key, value: bytes)
        }
      }
      try transaction.commit()

      let error = #expect(throws: StoreError.self) {
        try store.append([newRecord("2", originator: "a")], now: 2)
      }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("originator_numbers") == true)
      #expect(try store.lastPosition() == 1)
    }
  }

  /// Deletes `key` from `database` in its own write transaction, as damage to a page
  /// that loses an entry would.
  private func deleteEntry(_ store: EventStore, _ database: MDB_dbi, key: [UInt8]) throws {
    let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
    var keyValue = key.withUnsafeBytes {
      MDB_val(mv_size: $0.count, mv_data: UnsafeMutableRawPointer(mutating: $0.baseAddress))
    }
    #expect(mdb_del(transaction.handle, database, &keyValue, nil) == 0)
    try transaction.commit()
  }

  @Test("lost entry keeps numbers unique", arguments: ["numbers", "ids"])
  func lostEntryNotReused(database: String) throws {
    var options = StoreOptions(createIfMissing: true)
    options.newFormatVersion = 3
    try withNewStore(options: options) { store, _ throws in
      _ = try store.append(
        [newRecord("1", originator: "a"), newRecord("2", originator: "b")], now: 1)
      if database == "numbers" {
        // The entry count of originator_numbers drops to 1, as a damaged count would.
        try deleteEntry(
          store, try #require(store.databases.originatorNumbers), key: Array("b".utf8))
      } else {
        try deleteEntry(store, try #require(store.databases.originatorIDs), key: [0, 0, 0, 2])
      }
      _ = try store.append([newRecord("3", originator: "c")], now: 2)
      #expect(try storedNumber(store, of: "c") == 3)
      #expect(try logNumbers(store) == [1, 2, 3])
    }
  }

  @Test("an account that lost its number gets no second one")
  func lostNumberNotReplaced() throws {
    // From format 4 on the account index is keyed by number, so an append cannot see
    // the lost entry. `verify` then names the two numbers the records carry.
    var options = StoreOptions(createIfMissing: true)
    options.newFormatVersion = 3
    try withNewStore(options: options) { store, _ throws in
      _ = try store.append(
        [newRecord("1", originator: "a"), newRecord("2", originator: "b")], now: 1)
      try deleteEntry(store, try #require(store.databases.originatorNumbers), key: Array("a".utf8))
      let error = #expect(throws: StoreError.self) {
        try store.append([newRecord("3", originator: "a")], now: 2)
      }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("has records but no number") == true)
      #expect(try store.lastPosition() == 2)
    }
  }

  @Test("numbers map back to their originators")
  func numbersMapBack() throws {
    try withNewStore { store, _ throws in
      _ = try store.append(
        [newRecord("1", originator: "a"), newRecord("2", originator: "bé")], now: 1)
      #expect(try store.read { try $0.originator(numbered: 2) } == Array("bé".utf8))
      #expect(try store.read { try $0.originator(numbered: 3) } == nil)
      #expect(try store.read { try $0.numberedOriginatorCounts() } == (2, 2))
    }
  }

  @Test("stored number round trip and checksum")
  func valueLayout() {
    let key: [UInt8] = Array("account-7".utf8)
    let value = key.withUnsafeBytes { OriginatorNumberLayout.value(0x0102_0304, for: $0) }
    withUnsafeBytes(of: value) { bytes in
      #expect(Array(bytes[0..<4]) == [1, 2, 3, 4])
      #expect(
        key.withUnsafeBytes { OriginatorNumberLayout.number(in: bytes, for: $0) } == 0x0102_0304)
      // The same value under another key fails its checksum.
      #expect(
        OriginatorNumberLayout.number(in: bytes, for: UnsafeRawBufferPointer(start: nil, count: 0))
          == nil)
      #expect(
        key.withUnsafeBytes {
          OriginatorNumberLayout.number(in: UnsafeRawBufferPointer(rebasing: bytes[..<7]), for: $0)
        } == nil)
    }
  }

  @Test("format 4 lost entry stops numbers", arguments: ["numbers", "ids"])
  func lostEntryStopsNumbers(database: String) throws {
    try withNewStore { store, _ throws in
      _ = try store.append(
        [newRecord("1", originator: "a"), newRecord("2", originator: "b")], now: 1)
      if database == "numbers" {
        try deleteEntry(
          store, try #require(store.databases.originatorNumbers), key: Array("a".utf8))
      } else {
        try deleteEntry(store, try #require(store.databases.originatorIDs), key: [0, 0, 0, 1])
      }
      // Account "a" would get a second number if its entry were lost.
      let error = #expect(throws: StoreError.self) {
        try store.append([newRecord("3", originator: "c")], now: 2)
      }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("An account may have lost its number") == true)
      #expect(try store.lastPosition() == 2)
    }
  }
}
