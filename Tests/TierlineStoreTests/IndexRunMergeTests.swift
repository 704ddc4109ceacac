import CLMDB
import Testing

@testable import TierlineStore

/// Batches of `size` records over 11 accounts, with occurred times that go back and
/// forth, the same on every call.
private func mixedBatches(count: Int, size: Int, from first: Int = 0) -> [[NewRecord]] {
  (first..<(first + count)).map { batch in
    (0..<size).map { offset in
      let id = "m-\(batch)-\(offset)"
      return newRecord(
        id, originator: "acct-\((batch * 7 + offset * 3) % 11)",
        at: Int64(((batch * 37 + offset * 11) % 97) - 40), content: "content of \(id)")
    }
  }
}

/// Returns the slots of a store's live runs, in slot order.
private func runSlots(_ store: EventStore) throws -> [RunSlot] {
  try store.read { transaction in try transaction.runs().map(\.slot).sorted() }
}

/// Returns every account's records and version, and every event id's position.
private func contents(_ store: EventStore, ids: [[UInt8]]) throws -> [String] {
  var lines: [String] = []
  for account in (0..<11).map({ "acct-\($0)" }) {
    let records = try store.records(of: account)
    let version = try store.read { try $0.version(of: Array(account.utf8)) }
    lines.append("\(account) \(version) \(records.map { "\($0)" }.joined(separator: ","))")
  }
  for id in ids {
    let position = try store.read { try $0.position(ofEventID: id) }
    lines.append("\(String(decoding: id, as: UTF8.self)) \(position.map(String.init) ?? "nil")")
  }
  return lines
}

/// Appends each batch in its own transaction, stamped 1, 2, 3 and so on.
private func appendAll(_ batches: [[NewRecord]], to store: EventStore) throws {
  for (index, batch) in batches.enumerated() {
    _ = try store.append(batch, now: Int64(index + 1))
  }
}

@Suite("Index run merge")
struct IndexRunMergeTests {
  @Test("merge keeps every answer in one run")
  func mergeKeepsAnswers() throws {
    let batches = mixedBatches(count: 21, size: 4)
    let ids = batches.joined().map(\.eventID) + [Array("m-absent".utf8)]
    try withNewStore { store, _ throws in
      try appendAll(batches, to: store)
      // 21 batches with a fanout of 8: two runs of level 1 and five of level 0.
      #expect(try runSlots(store).map(\.level) == [0, 0, 0, 0, 0, 1, 1])
      let before = try contents(store, ids: ids)

      let merge = try store.mergeIndexRuns()
      #expect(merge.storageFormat == 4)
      #expect(merge.runsBefore == 7)
      #expect(merge.entries == 84)
      // The first free place of level 1, the highest level with a run.
      #expect(merge.merged?.level == 1)
      #expect(merge.merged?.place == 2)
      #expect(try runSlots(store) == [RunSlot(level: 1, place: 2)])
      #expect(try contents(store, ids: ids) == before)

      let check = try store.read { try $0.checkIndexRuns(limit: 10) }
      #expect(check.problems == [])
      #expect(check.eventIDEntries == 84)
      #expect(check.accountEntries == 84)
    }
  }

  @Test("smallest runs merge within a budget")
  func smallestRunsWithinBudget() throws {
    let batches = mixedBatches(count: 21, size: 4)
    let ids = batches.joined().map(\.eventID) + [Array("m-absent".utf8)]
    try withNewStore { store, _ throws in
      try appendAll(batches, to: store)
      // Five runs of 4 entries in level 0, places 0 to 4, and two of 32 in level 1.
      #expect(try runSlots(store).map(\.level) == [0, 0, 0, 0, 0, 1, 1])
      let before = try contents(store, ids: ids)
      let largestRun = try store.read { try $0.runs().map(\.run).max() ?? 0 }

      // 12 entries take three runs of 4, those of the lowest places.
      let partial = try store.mergeIndexRuns(.smallest(entries: 12))
      #expect(partial.runsBefore == 7)
      #expect(partial.mergedRuns == 3)
      #expect(partial.mergedEntries == 12)
      #expect(partial.runsAfter == 5)
      #expect(partial.merged?.level == 0)
      #expect(partial.merged?.place == 5)
      #expect(
        try runSlots(store) == [3, 4, 5].map { RunSlot(level: 0, place: $0) }
          + [0, 1].map {
            RunSlot(level: 1, place: $0)
          })
      let merged = try store.read { transaction in
        try transaction.runs().first { $0.slot == RunSlot(level: 0, place: 5) }
      }
      #expect(merged?.run == largestRun + 1)
      #expect(merged?.entries == 12)
      #expect(try contents(store, ids: ids) == before)

      // No two runs fit in 7 entries, so nothing is written.
      let none = try store.mergeIndexRuns(.smallest(entries: 7))
      #expect(none.merged == nil)
      #expect(none.mergedRuns == 0)
      #expect(none.runsAfter == 5)
      #expect(none.entries == 84)

      // Five more batches fill level 0 with the merged run, and merge it into level 1.
      for (index, batch) in mixedBatches(count: 5, size: 4, from: 21).enumerated() {
        _ = try store.append(batch, now: Int64(30 + index))
      }
      #expect(try runSlots(store) == [0, 1, 2].map { RunSlot(level: 1, place: $0) })
      let check = try store.read { try $0.checkIndexRuns(limit: 10) }
      #expect(check.problems == [])
      #expect(check.accountEntries == 104)

      // A budget as large as every entry merges every run, into the highest level.
      let allIDs = ids + mixedBatches(count: 5, size: 4, from: 21).joined().map(\.eventID)
      let beforeAll = try contents(store, ids: allIDs)
      let all = try store.mergeIndexRuns(.smallest(entries: 104))
      #expect(all.mergedRuns == 3)
      #expect(all.runsAfter == 1)
      #expect(try runSlots(store) == [RunSlot(level: 1, place: 3)])
      #expect(try contents(store, ids: allIDs) == beforeAll)
      #expect(try store.read { try $0.checkIndexRuns(limit: 10).problems } == [])
    }
  }

  @Test("appends after a merge check duplicates and versions")
  func appendsAfterMerge() throws {
    let batches = mixedBatches(count: 10, size: 3)
    try withNewStore { store, _ throws in
      try appendAll(batches, to: store)
      #expect(try store.mergeIndexRuns().merged?.place == 1)
      #expect(try runSlots(store) == [RunSlot(level: 1, place: 1)])

      let repeated = try store.append(batches[0] + batches[9], now: 20)
      #expect(repeated.appendedPositions.isEmpty)
      #expect(repeated.duplicateIndexes == Array(0..<6))

      var changed = batches[4][1]
      changed.content = Array("other content".utf8)
      let conflict = #expect(throws: StoreError.self) {
        try store.append([changed], now: 21)
      }
      #expect(conflict?.code == .idConflict)

      let version = try store.read { try $0.version(of: Array("acct-3".utf8)) }
      let stale = #expect(throws: StoreError.self) {
        try store.append(
          [newRecord("m-new", originator: "acct-3", expectedVersion: version + 1)], now: 22)
      }
      #expect(stale?.code == .versionConflict)
      #expect(stale?.actualVersion == version)

      // Sixteen more batches merge level 0 twice, into the free places of level 1 beside
      // the merged run.
      for (index, batch) in mixedBatches(count: 16, size: 3, from: 10).enumerated() {
        _ = try store.append(batch, now: Int64(30 + index))
      }
      #expect(
        try runSlots(store) == [
          RunSlot(level: 1, place: 0), RunSlot(level: 1, place: 1), RunSlot(level: 1, place: 2),
        ])
      #expect(try store.lastPosition() == 78)
      let check = try store.read { try $0.checkIndexRuns(limit: 10) }
      #expect(check.problems == [])
      #expect(check.accountEntries == 78)
    }
  }

  @Test("repeated merges stay on one level")
  func repeatedMerges() throws {
    try withNewStore { store, _ throws in
      for round in 0..<14 {
        _ = try store.append(mixedBatches(count: 1, size: 2, from: round)[0], now: Int64(round + 1))
        _ = try store.mergeIndexRuns()
        let slots = try runSlots(store)
        #expect(slots.count == 1)
        #expect(slots.allSatisfy { $0.level == 0 })
      }
      #expect(try store.lastPosition() == 28)
      #expect(try store.read { try $0.checkIndexRuns(limit: 5).problems } == [])
    }
  }

  @Test("failed merge changes nothing")
  func failedMerge() throws {
    try withNewStore { store, _ throws in
      for (index, batch) in mixedBatches(count: 9, size: 2).enumerated() {
        _ = try store.append(batch, now: Int64(index + 1))
      }
      let before = try runSlots(store)
      #expect(before == [RunSlot(level: 0, place: 0), RunSlot(level: 1, place: 0)])

      // A stray entry in the merge's target slot, level 1, place 1, as damage could leave.
      let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
      let target = RunSlot(level: 1, place: 1)
      try KeyLayout.withBytes(Array("stray".utf8)) { key throws(LMDBError) in
        try KeyLayout.withPositionKey(1) { value throws(LMDBError) in
          try transaction.put(
            in: store.databases.slotEventIDs[target.index], key: key, value: value)
        }
      }
      try transaction.commit()

      let error = #expect(throws: StoreError.self) { try store.mergeIndexRuns() }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("event_ids.1.1 contains 1 entries") == true)
      #expect(try runSlots(store) == before)
      #expect(try store.append([newRecord("after-failure")], now: 20).appendedPositions == [19])
    }
  }

  @Test("one run or none is left alone")
  func nothingToMerge() throws {
    try withNewStore { store, _ throws in
      let empty = try store.mergeIndexRuns()
      #expect(empty.runsBefore == 0)
      #expect(empty.entries == 0)
      #expect(empty.merged == nil)

      _ = try store.append([newRecord("only")], now: 1)
      let single = try store.mergeIndexRuns()
      #expect(single.runsBefore == 1)
      #expect(single.entries == 1)
      #expect(single.merged == nil)
      #expect(try runSlots(store) == [RunSlot(level: 0, place: 0)])
    }
  }

  @Test("format 3 has no runs to merge")
  func formatThree() throws {
    var options = StoreOptions(createIfMissing: true)
    options.newFormatVersion = 3
    try withNewStore(options: options) { store, _ throws in
      _ = try store.append([newRecord("a"), newRecord("b")], now: 1)
      let merge = try store.mergeIndexRuns()
      #expect(merge.storageFormat == 3)
      #expect(merge.entries == nil)
      #expect(merge.merged == nil)
      #expect(try store.records(of: "acct-1").count == 2)
    }
  }
}
