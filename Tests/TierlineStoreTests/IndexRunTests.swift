import CLMDB
import Testing

@testable import TierlineStore

/// Batches whose accounts and occurred times vary, the same on every call.
private func variedBatches(count: Int, size: Int) -> [[NewRecord]] {
  var state: UInt64 = 0x2545_f491_4f6c_dd1d
  func next(_ bound: UInt64) -> UInt64 {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return (state >> 33) % bound
  }
  return (0..<count).map { batch in
    (0..<size).map { offset in
      let id = "e-\(batch)-\(offset)"
      return newRecord(
        id, originator: "acct-\(next(23))", at: Int64(next(5_000)) - 2_500,
        content: "content of \(id)")
    }
  }
}

/// Returns the levels of a store's live runs, in increasing order.
private func runLevels(_ store: EventStore) throws -> [Int] {
  try store.read { transaction in try transaction.runs().map(\.slot.level).sorted() }
}

@Suite("Index runs")
struct IndexRunTests {
  @Test("runs merge level by level and answer like a format 3 ledger")
  func mergesMatchTrees() throws {
    let batches = variedBatches(count: 75, size: 7)
    var treeOptions = StoreOptions(createIfMissing: true)
    treeOptions.newFormatVersion = 3
    try withNewStore { runStore, _ throws in
      try withNewStore(options: treeOptions) { treeStore, _ throws in
        for (index, batch) in batches.enumerated() {
          _ = try runStore.append(batch, now: Int64(index + 1))
          _ = try treeStore.append(batch, now: Int64(index + 1))
        }
        // 75 batches with a fanout of 8: one run of level 2 (64 batches), one of level
        // 1 (8 batches) and three of level 0.
        #expect(try runLevels(runStore) == [0, 0, 0, 1, 2])

        for account in (0..<23).map({ "acct-\($0)" }) {
          #expect(try runStore.records(of: account) == treeStore.records(of: account))
          #expect(
            try runStore.records(of: account, through: 0)
              == treeStore.records(of: account, through: 0))
          #expect(
            try runStore.read { try $0.version(of: Array(account.utf8)) }
              == treeStore.read { try $0.version(of: Array(account.utf8)) })
        }
        for (position, record) in batches.joined().enumerated() {
          #expect(
            try runStore.read { try $0.position(ofEventID: record.eventID) }
              == UInt64(position + 1))
        }
        #expect(try runStore.read { try $0.position(ofEventID: Array("e-75-0".utf8)) } == nil)

        var runAccounts: [String: UInt64] = [:]
        try runStore.read { transaction in
          try transaction.forEachOriginator { key, version in
            runAccounts[String(decoding: key, as: UTF8.self)] = version
            return true
          }
        }
        var treeAccounts: [String: UInt64] = [:]
        try treeStore.read { transaction in
          try transaction.forEachOriginator { key, version in
            treeAccounts[String(decoding: key, as: UTF8.self)] = version
            return true
          }
        }
        #expect(runAccounts == treeAccounts)
        #expect(runAccounts.values.reduce(0, +) == 525)
      }
    }
  }

  @Test("a merged run still finds duplicates and conflicts")
  func duplicatesAfterMerges() throws {
    let batches = variedBatches(count: 9, size: 5)
    try withNewStore { store, _ throws in
      for (index, batch) in batches.enumerated() {
        _ = try store.append(batch, now: Int64(index + 1))
      }
      #expect(try runLevels(store) == [0, 1])

      let repeated = try store.append(batches[0] + batches[8], now: 20)
      #expect(repeated.appendedPositions.isEmpty)
      #expect(repeated.duplicateIndexes == Array(0..<10))

      var changed = batches[0][2]
      changed.content = Array("other content".utf8)
      let conflict = #expect(throws: StoreError.self) {
        try store.append([newRecord("new-1"), changed], now: 21)
      }
      #expect(conflict?.code == .idConflict)
      #expect(conflict?.batchIndex == 1)
      #expect(try store.lastPosition() == 45)
    }
  }

  @Test("expected versions count entries in every run and in the batch")
  func versionsAcrossRuns() throws {
    try withNewStore { store, _ throws in
      for index in 0..<10 {
        _ = try store.append(
          [newRecord("v-\(index)", originator: "a", expectedVersion: UInt64(index))],
          now: Int64(index + 1))
      }
      _ = try store.append(
        [
          newRecord("v-10", originator: "a", expectedVersion: 10),
          newRecord("v-11", originator: "a", expectedVersion: 11),
        ], now: 20)
      let stale = #expect(throws: StoreError.self) {
        try store.append([newRecord("v-12", originator: "a", expectedVersion: 11)], now: 21)
      }
      #expect(stale?.code == .versionConflict)
      #expect(stale?.actualVersion == 12)
    }
  }

  @Test("a damaged filter stops the append instead of missing a duplicate")
  func damagedFilter() throws {
    try withTemporaryDirectory { directory in
      do {
        let store = try EventStore(
          directory: directory, options: StoreOptions(createIfMissing: true))
        _ = try store.append([newRecord("e1"), newRecord("e2")], now: 1)
        let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
        let directoryHandle = try #require(store.databases.runs)
        var key: (UInt8, UInt8) = (0, 0)
        let stored = try withUnsafeBytes(of: &key) { bytes in
          try #require(try transaction.value(in: directoryHandle, forKey: bytes))
        }
        var value = Array(stored)
        value[value.count - 1] ^= 0xFF
        try withUnsafeBytes(of: &key) { keyBytes in
          try value.withUnsafeBytes { valueBytes in
            try transaction.put(in: directoryHandle, key: keyBytes, value: valueBytes)
          }
        }
        try transaction.commit()
      }
      let store = try EventStore(directory: directory)
      let error = #expect(throws: StoreError.self) {
        try store.append([newRecord("e1")], now: 2)
      }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("filter of the index run in level 0, place 0") == true)
    }
  }

  @Test("the filter finds every id it holds")
  func filterHoldsItsIDs() {
    let ids = (0..<5_000).map { Array("id-\($0)".utf8) }
    var filter = RunFilter(entries: ids.count)
    for id in ids { filter.insert(hash: id.withUnsafeBytes { RunFilter.hash($0) }) }
    filter.bytes.withUnsafeBytes { bytes in
      for id in ids {
        #expect(RunFilter.mayContain(bytes, hash: id.withUnsafeBytes { RunFilter.hash($0) }))
      }
      let absent = (0..<10_000).filter { index in
        let hash = Array("absent-\(index)".utf8).withUnsafeBytes { RunFilter.hash($0) }
        return RunFilter.mayContain(bytes, hash: hash)
      }
      // Ten bits per id give about one false positive in a hundred.
      #expect(absent.count < 300)
    }
  }
}

@Suite("Index run damage")
struct IndexRunDamageTests {
  /// Moves the first index entry of `from` to the account number of `to`, as a damaged
  /// key would, in the run of level 0, slot 0.
  private func moveFirstEntry(in store: EventStore, from: String, to: String) throws {
    let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
    let database = store.databases.slotOriginators[0]
    let fromNumber = try #require(
      try transaction.originatorNumber(of: Array(from.utf8), in: store.databases))
    let toNumber = try #require(
      try transaction.originatorNumber(of: Array(to.utf8), in: store.databases))
    let cursor = try LMDBCursor(transaction: transaction, database: database)
    var prefix = fromNumber.bigEndian
    var key: [UInt8] = []
    var value: [UInt8] = []
    try withUnsafeBytes(of: &prefix) { prefix in
      // The count entry comes first, then the entries.
      _ = try cursor.get(MDB_SET_RANGE, key: prefix)
      let entry = try #require(try cursor.get(MDB_NEXT))
      key = Array(entry.key)
      value = Array(entry.value)
    }
    try key.withUnsafeBytes { try transaction.delete(in: database, key: $0) }
    withUnsafeBytes(of: toNumber.bigEndian) { number in
      key.replaceSubrange(0..<4, with: number)
    }
    try key.withUnsafeBytes { keyBytes in
      try value.withUnsafeBytes { valueBytes in
        try transaction.put(in: database, key: keyBytes, value: valueBytes)
      }
    }
    try transaction.commit()
  }

  @Test("an entry moved to another account fails both accounts' reads")
  func movedEntry() throws {
    try withNewStore { store, _ throws in
      _ = try store.append(
        [
          newRecord("1", originator: "a"), newRecord("2", originator: "a", at: 2_000),
          newRecord("3", originator: "b"),
        ], now: 1)
      try moveFirstEntry(in: store, from: "a", to: "b")
      for account in ["a", "b"] {
        let error = #expect(throws: StoreError.self) { try store.records(of: account) }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("so an entry was lost or moved") == true)
      }
    }
  }

  @Test("a re-append of an event whose index entry is lost names the damage")
  func lostEntryOnDuplicate() throws {
    try withNewStore { store, _ throws in
      _ = try store.append(
        [newRecord("1", originator: "a"), newRecord("2", originator: "b")], now: 1)
      try moveFirstEntry(in: store, from: "a", to: "b")
      let error = #expect(throws: StoreError.self) {
        try store.append([newRecord("1", originator: "a")], now: 2)
      }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("has no entry for it") == true)
    }
  }
}

@Suite("Index run directory damage")
struct IndexRunDirectoryTests {
  /// Deletes the directory entry of the run in level 0, place 0.
  private func dropDirectoryEntry(of store: EventStore) throws {
    let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
    let directory = try #require(store.databases.runs)
    var key: (UInt8, UInt8) = (0, 0)
    try withUnsafeBytes(of: &key) { try transaction.delete(in: directory, key: $0) }
    try transaction.commit()
  }

  @Test("a lost directory entry fails reads and appends")
  func lostDirectoryEntry() throws {
    try withNewStore { store, _ throws in
      _ = try store.append([newRecord("1", originator: "a")], now: 1)
      _ = try store.append([newRecord("2", originator: "a", at: 2_000)], now: 2)
      try dropDirectoryEntry(of: store)

      let read = #expect(throws: StoreError.self) { try store.records(of: "a") }
      #expect(read?.code == .corrupt)
      #expect(read?.message.contains("list 1 entries, but the log's last position is 2") == true)
      let append = #expect(throws: StoreError.self) {
        try store.append([newRecord("1", originator: "a")], now: 3)
      }
      #expect(append?.code == .corrupt)
      #expect(try store.lastPosition() == 2)
    }
  }

  @Test("entries left in an unlisted slot stop the next run")
  func leftoverSlotEntries() throws {
    try withNewStore { store, _ throws in
      _ = try store.append([newRecord("1", originator: "a")], now: 1)
      let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
      let slot = store.databases.slotEventIDs[1]
      try Array("stale".utf8).withUnsafeBytes { key in
        try KeyLayout.withPositionKey(1) { value in
          try transaction.put(in: slot, key: key, value: value)
        }
      }
      try transaction.commit()

      let error = #expect(throws: StoreError.self) {
        try store.append([newRecord("2", originator: "a")], now: 2)
      }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("event_ids.0.1 contains 1 entries") == true)
    }
  }

  @Test("a stored position past the log is damage, not a conflict")
  func positionPastLog() throws {
    try withNewStore { store, _ throws in
      _ = try store.append([newRecord("1", originator: "a"), newRecord("2")], now: 1)
      let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
      let slot = store.databases.slotEventIDs[0]
      try Array("2".utf8).withUnsafeBytes { key in
        try KeyLayout.withPositionKey(9) { value in
          try transaction.put(in: slot, key: key, value: value)
        }
      }
      try transaction.commit()

      let error = #expect(throws: StoreError.self) {
        try store.append([newRecord("x"), newRecord("2")], now: 2)
      }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("points to position 9") == true)
    }
  }
}
