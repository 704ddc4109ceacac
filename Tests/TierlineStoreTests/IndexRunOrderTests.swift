import CLMDB
import Foundation
import Testing

@testable import TierlineStore

/// Replaces the one occurrence of `pattern` in the ledger's `data.mdb` with
/// `replacement`, of the same size, as damage to a key would. With `everyCopy`, it
/// replaces every occurrence, because a page that LMDB copied can leave a stale copy in
/// a free page.
private func patchDataFile(
  _ directory: String, _ pattern: [UInt8], _ replacement: [UInt8], everyCopy: Bool = false
) throws {
  let url = URL(fileURLWithPath: directory + "/data.mdb")
  let data = [UInt8](try Data(contentsOf: url))
  let offsets = (0...(data.count - pattern.count)).filter { offset in
    data[offset] == pattern[0] && data[offset..<(offset + pattern.count)].elementsEqual(pattern)
  }
  try #require(everyCopy ? !offsets.isEmpty : offsets.count == 1)
  let handle = try FileHandle(forUpdating: url)
  defer { try? handle.close() }
  for offset in offsets {
    try handle.seek(toOffset: UInt64(offset))
    try handle.write(contentsOf: Data(replacement))
  }
}

/// Returns the 8-byte header of an LMDB 0.9 leaf node with a key and a value of these
/// sizes, little-endian.
private func leafHeader(keySize: Int, valueSize: Int) -> [UInt8] {
  [UInt8(valueSize), UInt8(valueSize >> 8), 0, 0, 0, 0, UInt8(keySize), UInt8(keySize >> 8)]
}

@Suite("Index run key order")
struct IndexRunOrderTests {
  @Test("intact runs raise no order alarm")
  func intactRuns() throws {
    try withNewStore { store, _ throws in
      // A run with one id, one with ids that are prefixes of each other, one with many.
      _ = try store.append([newRecord("m", originator: "solo")], now: 1)
      _ = try store.append(
        [newRecord("a"), newRecord("ab"), newRecord("abc"), newRecord("b")], now: 2)
      _ = try store.append(
        (0..<400).map { newRecord("x\(1000 + $0)", originator: "acct-\($0 % 37)") }, now: 3)
      let probes = ["\0", "0", "a\0", "aa", "abb", "abcd", "c", "l", "m\0", "n", "x", "x1", "y"]
      // One id of each run, in slot order: its hash gets every probe through that run's
      // filter, so every miss takes the order check.
      let storedIDs = ["m", "a", "x1000"]
      try store.read { transaction in
        let runs = try transaction.runs()
        #expect(runs.count == 3)
        for (run, stored) in zip(runs, storedIDs) {
          let hash = Array(stored.utf8).withUnsafeBytes { RunFilter.hash($0) }
          for probe in probes {
            let found = try Array(probe.utf8).withUnsafeBytes { id in
              try transaction.transaction.runPosition(
                ofEventID: id, hash: hash, runs: [run], in: transaction.databases)
            }
            #expect(found == nil, "\(probe)")
          }
        }
        // Account numbers from 0 to past the last one reach the first and last keys.
        let numbered = UInt32(try transaction.numberedOriginatorCounts().numbers)
        var total: UInt64 = 0
        for account in 0...(numbered + 2) {
          total += try transaction.transaction.runEntryCount(
            account: account, runs: runs, in: transaction.databases)
        }
        #expect(total == 405)
      }
    }
  }

  @Test("an id key damaged downwards hides no other id")
  func idKeyDamagedDownwards() throws {
    try withNewStore { store, directory throws in
      let ids = (10..<30).map { "id-\($0)" }
      _ = try store.append(ids.map { newRecord($0) }, now: 1)
      let header = leafHeader(keySize: 5, valueSize: 8)
      for damaged in ids {
        let original = Array(damaged.utf8)
        // "id-17" becomes "ia-17", which sorts before every other id.
        var smaller = original
        smaller[1] = UInt8(ascii: "a")
        try patchDataFile(directory, header + original, header + smaller)
        for id in ids where id != damaged {
          // Either found, or the damage named: never silently missing.
          let lookup = Result { try store.read { try $0.position(ofEventID: Array(id.utf8)) } }
          if case .success(let position) = lookup {
            #expect(position != nil, "\(damaged) damaged hides \(id)")
          }
        }
        try patchDataFile(directory, header + smaller, header + original)
      }
    }
  }

  @Test("a count key damaged downwards hides no other account")
  func countKeyDamagedDownwards() throws {
    try withNewStore { store, directory throws in
      let accounts = (10..<30).map { "acct-\($0)" }
      _ = try store.append(
        accounts.enumerated().map { newRecord("e\($0.offset)", originator: $0.element) }, now: 1)
      let header = leafHeader(keySize: RunLayout.accountKeySize, valueSize: 12)
      for damaged in 1...UInt32(accounts.count) {
        let original = header + RunLayout.countKey(account: damaged)
        let smaller = header + RunLayout.countKey(account: 0)
        try patchDataFile(directory, original, smaller)
        for account in accounts {
          let number = try store.read { try $0.originatorNumber(of: Array(account.utf8)) }
          guard number != damaged else { continue }
          let lookup = Result { try store.records(of: account) }
          if case .success(let records) = lookup {
            #expect(records.count == 1, "number \(damaged) damaged hides \(account)")
          }
        }
        try patchDataFile(directory, smaller, original)
      }
    }
  }
}

@Suite("Damage met by merges")
struct MergeDamageTests {
  /// Appends ids `id-10` to `id-29` in two batches, one run each.
  private func twoRuns(_ store: EventStore) throws {
    _ = try store.append((10..<20).map { newRecord("id-\($0)", originator: "a") }, now: 1)
    _ = try store.append((20..<30).map { newRecord("id-\($0)", originator: "b") }, now: 2)
  }

  @Test("damaged position size stops a merge")
  func damagedPositionSize() throws {
    try withNewStore { store, directory throws in
      try twoRuns(store)
      // The value size of id-17's node becomes 0x40000008 bytes, past the file's end.
      let header = leafHeader(keySize: 5, valueSize: 8)
      var damaged = header
      damaged[3] = 0x40
      try patchDataFile(
        directory, header + Array("id-17".utf8), damaged + Array("id-17".utf8), everyCopy: true)

      let reopened = try EventStore(directory: directory)
      let error = #expect(throws: StoreError.self) { try reopened.mergeIndexRuns() }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("1073741832-byte position") == true)
    }
  }

  @Test("keys out of order stop a merge")
  func keysOutOfOrder() throws {
    try withNewStore { store, directory throws in
      try twoRuns(store)
      // "id-17" becomes "id-19", which its run's filter holds, and sorts after "id-18".
      let header = leafHeader(keySize: 5, valueSize: 8)
      try patchDataFile(
        directory, header + Array("id-17".utf8), header + Array("id-19".utf8), everyCopy: true)

      let reopened = try EventStore(directory: directory)
      let error = #expect(throws: StoreError.self) { try reopened.mergeIndexRuns() }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("keys out of order or repeated") == true)
      #expect(try reopened.read { try $0.runs().count } == 2)
    }
  }

  @Test("id outside its filter stops a merge")
  func idOutsideFilter() throws {
    try withNewStore { store, directory throws in
      try twoRuns(store)
      // "id-17" becomes "zd-17", which sorts after every other id of its run.
      let header = leafHeader(keySize: 5, valueSize: 8)
      try patchDataFile(
        directory, header + Array("id-17".utf8), header + Array("zd-17".utf8), everyCopy: true)

      let reopened = try EventStore(directory: directory)
      let error = #expect(throws: StoreError.self) { try reopened.mergeIndexRuns() }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("does not hold event id \"zd-17\"") == true)
    }
  }

  @Test("damaged record copy stops a merge")
  func damagedRecordCopy() throws {
    try withNewStore { store, _ throws in
      try twoRuns(store)
      let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
      let database = store.databases.slotOriginators[0]
      let cursor = try LMDBCursor(transaction: transaction, database: database)
      // The count entry comes first, then the entries with their record copies.
      _ = try cursor.get(MDB_FIRST)
      let entry = try #require(try cursor.get(MDB_NEXT))
      let key = Array(entry.key)
      var value = Array(entry.value)
      value[value.count - 1] ^= 0x01
      try key.withUnsafeBytes { keyBytes in
        try value.withUnsafeBytes { valueBytes in
          try transaction.put(in: database, key: keyBytes, value: valueBytes)
        }
      }
      try transaction.commit()

      let error = #expect(throws: StoreError.self) { try store.mergeIndexRuns() }
      #expect(error?.code == .corrupt)
      #expect(
        error?.message.contains("damaged record copy in the entry of account number 1") == true)
      #expect(try store.read { try $0.runs().count } == 2)
    }
  }

  /// Replaces the value of the entry under `key` in `database`, or moves the entry to
  /// `newKey`, in one write transaction.
  private func rewrite(
    _ store: EventStore, in database: MDB_dbi, key: [UInt8], newKey: [UInt8]? = nil,
    _ change: (inout [UInt8]) -> Void
  ) throws {
    let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
    var value = try key.withUnsafeBytes { keyBytes in
      Array(try #require(try transaction.value(in: database, forKey: keyBytes)))
    }
    change(&value)
    if newKey != nil {
      try key.withUnsafeBytes { try transaction.delete(in: database, key: $0) }
    }
    try (newKey ?? key).withUnsafeBytes { keyBytes in
      try value.withUnsafeBytes { try transaction.put(in: database, key: keyBytes, value: $0) }
    }
    try transaction.commit()
  }

  /// Returns the key of the first account entry, after the count entry, of a slot.
  private func firstAccountKey(_ store: EventStore, slot: Int) throws -> [UInt8] {
    let transaction = try LMDBTransaction(environment: store.environment, readOnly: true)
    let cursor = try LMDBCursor(
      transaction: transaction, database: store.databases.slotOriginators[slot])
    _ = try cursor.get(MDB_FIRST)
    return Array(try #require(try cursor.get(MDB_NEXT)).key)
  }

  @Test("position past the log stops a merge")
  func positionPastLog() throws {
    try withNewStore { store, _ throws in
      try twoRuns(store)
      try rewrite(store, in: store.databases.slotEventIDs[0], key: Array("id-15".utf8)) {
        $0 = withUnsafeBytes(of: UInt64(999).bigEndian) { Array($0) }
      }
      let error = #expect(throws: StoreError.self) { try store.mergeIndexRuns() }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("gives position 999 for \"id-15\"") == true)
    }
  }

  @Test("entry moved to another account stops a merge")
  func entryMovedAccount() throws {
    // Records of accounts past 16,777,215 carry no account number, so the run's count
    // is the check. Records that carry one are checked against it too.
    for largest: UInt32 in [0, RecordLayout.largestOriginatorNumber] {
      var options = StoreOptions(createIfMissing: true)
      options.largestOriginatorNumber = largest
      try withNewStore(options: options) { store, _ throws in
        try twoRuns(store)
        // Account "a" has number 1 and "b" number 2. The moved entry keeps its place in
        // key order, after every entry of number 1, where its run has no count of "b".
        let key = try firstAccountKey(store, slot: 0)
        var moved = key
        moved[3] = 2
        try rewrite(store, in: store.databases.slotOriginators[0], key: key, newKey: moved) {
          _ in
        }
        let error = #expect(throws: StoreError.self) { try store.mergeIndexRuns() }
        #expect(error?.code == .corrupt)
        let expected =
          largest == 0 ? "more entries of account number 2" : "entry of account number 2"
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
      }
    }
  }

  @Test("records without copies merge and are checked")
  func recordsWithoutCopies() throws {
    try withNewStore { store, _ throws in
      // Records too large for a copy in their index entry. The eighth batch merges
      // level 0, its own run included, in the transaction that appends it.
      let large = String(repeating: "x", count: 600)
      for index in 0..<9 {
        _ = try store.append(
          [newRecord("big-\(index)", originator: "a", content: large)], now: Int64(index + 1))
      }
      #expect(try store.read { try $0.runs().count } == 2)
      #expect(try store.mergeIndexRuns().merged != nil)
      _ = try store.append([newRecord("big-9", originator: "a", content: large)], now: 20)
      #expect(try store.read { try $0.checkIndexRuns(limit: 5).problems } == [])

      // The merged run is in level 1, place 1. Its first entry's check no longer
      // matches its record in the log.
      let merged = RunSlot(level: 1, place: 1).index
      let key = try firstAccountKey(store, slot: merged)
      try rewrite(store, in: store.databases.slotOriginators[merged], key: key) { $0[0] ^= 0x01 }
      let error = #expect(throws: StoreError.self) { try store.mergeIndexRuns() }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("does not match its record") == true)
    }
  }
}
