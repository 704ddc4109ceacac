import CLMDB

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads and writes of a format 4 ledger's index runs; `RunLayout` gives the layouts.
extension LMDBTransaction {
  /// Returns the live runs in increasing run number.
  /// - Throws: `.corrupt` for a damaged directory entry.
  func indexRuns(in databases: StoreDatabases) throws(StoreError) -> [RunDirectoryEntry] {
    guard let directory = databases.runs else { return [] }
    let cursor = try openCursor(directory, on: StoreDatabases.Name.runs)
    var runs: [RunDirectoryEntry] = []
    var operation = MDB_FIRST
    while true {
      let entry: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
      do throws(LMDBError) {
        entry = try cursor.get(operation)
      } catch {
        throw .failure(error, "could not read the directory of index runs")
      }
      guard let entry else { return runs }
      runs.append(try RunDirectoryEntry(key: entry.key, value: entry.value))
      operation = MDB_NEXT
    }
  }

  /// Returns the position stored for an event id in any run, or nil. Only runs whose
  /// filter may contain the id are looked up; the caller has checked the filters.
  func runPosition(
    ofEventID id: UnsafeRawBufferPointer, hash: UInt64, runs: [RunDirectoryEntry],
    in databases: StoreDatabases
  ) throws(StoreError) -> UInt64? {
    guard id.count <= RunLayout.maximumEventIDLength else { return nil }
    for run in runs.reversed() where RunFilter.mayContain(run.filter, hash: hash) {
      let found: UnsafeRawBufferPointer?
      do throws(LMDBError) {
        found = try RunLayout.withRunKey(run.run, id) { key throws(LMDBError) in
          try value(in: databases.eventIDs, forKey: key)
        }
      } catch {
        throw .failure(error, "could not look up event id \(describeKey(Array(id)))")
      }
      if let found {
        return try KeyLayout.position(from: found, in: StoreDatabases.Name.eventIDs)
      }
    }
    return nil
  }

  /// Calls `body` with the key and value of each of an account's entries, run by run in
  /// increasing run number, each run's in key order, until it returns false.
  func forEachRunEntry(
    account: UInt32, runs: [RunDirectoryEntry], in databases: StoreDatabases,
    _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
  ) throws {
    let cursor = try openCursor(databases.originators, on: StoreDatabases.Name.originators)
    for run in runs {
      try RunLayout.withAccountPrefix(run: run.run, account: account) { prefix in
        var entry: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
        do throws(LMDBError) {
          entry = try cursor.get(MDB_SET_RANGE, key: prefix)
        } catch {
          throw StoreError.failure(error, "could not read the index of account number \(account)")
        }
        while let current = entry, current.key.starts(with: prefix) {
          guard try body(current.key, current.value) else { return }
          do throws(LMDBError) {
            entry = try cursor.get(MDB_NEXT)
          } catch {
            throw StoreError.failure(
              error, "could not read the index of account number \(account)")
          }
        }
      }
    }
  }

  /// Returns the number of entries an account has in the runs.
  func runEntryCount(account: UInt32, runs: [RunDirectoryEntry], in databases: StoreDatabases)
    throws(StoreError) -> UInt64
  {
    var count: UInt64 = 0
    do {
      try forEachRunEntry(account: account, runs: runs, in: databases) { _, _ in
        count += 1
        return true
      }
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(.lmdb, "could not count the entries of account number \(account)")
    }
    return count
  }

  /// Returns whether some run holds an account entry with this occurred time and
  /// position.
  func runHasEntry(
    account: UInt32, entry: UnsafeRawBufferPointer, runs: [RunDirectoryEntry],
    in databases: StoreDatabases
  ) throws(StoreError) -> Bool {
    for run in runs {
      let key = RunLayout.accountKey(run: run.run, account: account, entry: entry)
      let found: UnsafeRawBufferPointer?
      do throws(LMDBError) {
        found = try KeyLayout.withBytes(key) { bytes throws(LMDBError) in
          try value(in: databases.originators, forKey: bytes)
        }
      } catch {
        throw .failure(error, "could not look up account number \(account)")
      }
      if found != nil { return true }
    }
    return false
  }

  /// Returns each account number's entry count over every run, indexed by number.
  func runEntryCounts(runs: [RunDirectoryEntry], in databases: StoreDatabases)
    throws(StoreError) -> [UInt32: UInt64]
  {
    var counts: [UInt32: UInt64] = [:]
    let cursor = try openCursor(databases.originators, on: StoreDatabases.Name.originators)
    var operation = MDB_FIRST
    while true {
      let entry: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
      do throws(LMDBError) {
        entry = try cursor.get(operation)
      } catch {
        throw .failure(error, "could not list the accounts")
      }
      guard let entry else { return counts }
      guard entry.key.count == RunLayout.accountKeySize else {
        throw StoreError(
          .corrupt,
          "originators contains a \(entry.key.count)-byte key, expected "
            + "\(RunLayout.accountKeySize) bytes")
      }
      counts[RunLayout.account(of: entry.key), default: 0] += 1
      operation = MDB_NEXT
    }
  }

  /// Writes one run of level 0 with a batch's entries, sorted here.
  /// - Parameters:
  ///   - ids: Each stored event id and its position; no id twice.
  ///   - accounts: Each account number and its `originators` value as in format 2:
  ///     the entry, its checksum and the record copy.
  func writeRun(
    _ run: UInt64, ids: [(id: [UInt8], position: UInt64)],
    accounts: [(account: UInt32, value: [UInt8])], in databases: StoreDatabases
  ) throws(StoreError) {
    guard let directory = databases.runs else { return }
    let entrySize = KeyLayout.originatorEntrySize
    let sortedIDs = sortedByBytes(ids)
    // An entry's first 16 bytes are its sortable time and position, big-endian, so
    // their numeric order is the key order.
    let sortedAccounts = accounts.map { item in
      item.value.withUnsafeBytes { value in
        (
          account: item.account,
          time: UInt64(bigEndian: value.loadUnaligned(as: UInt64.self)),
          position: UInt64(bigEndian: value.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
          value: item.value
        )
      }
    }.sorted { ($0.account, $0.time, $0.position) < ($1.account, $1.time, $1.position) }
    var filter = RunFilter(entries: sortedIDs.count)
    do throws(LMDBError) {
      let idCursor = try LMDBCursor(transaction: self, database: databases.eventIDs)
      let accountCursor = try LMDBCursor(transaction: self, database: databases.originators)
      for item in sortedIDs {
        try KeyLayout.withBytes(item.id) { id throws(LMDBError) in
          filter.insert(hash: RunFilter.hash(id))
          try RunLayout.withRunKey(run, id) { key throws(LMDBError) in
            try KeyLayout.withPositionKey(item.position) { value throws(LMDBError) in
              try idCursor.put(key: key, value: value, flags: UInt32(MDB_APPEND))
            }
          }
        }
      }
      for item in sortedAccounts {
        try KeyLayout.withBytes(item.value) { value throws(LMDBError) in
          let key = RunLayout.accountKey(
            run: run, account: item.account,
            entry: UnsafeRawBufferPointer(rebasing: value[..<entrySize]))
          try KeyLayout.withBytes(key) { keyBytes throws(LMDBError) in
            try accountCursor.put(
              key: keyBytes, value: UnsafeRawBufferPointer(rebasing: value[entrySize...]),
              flags: UInt32(MDB_APPEND))
          }
        }
      }
    } catch {
      throw .failure(error, "could not write index run \(run)")
    }
    try putRunDirectoryEntry(
      run, level: 0, entries: UInt64(sortedIDs.count), filter: filter.bytes, in: directory)
  }

  /// Merges runs of one level while some level has `RunLayout.fanout` of them, lowest
  /// level first, and returns the live runs after the merges.
  func compactRuns(_ runs: [(run: UInt64, level: UInt64)], in databases: StoreDatabases)
    throws(StoreError) -> [(run: UInt64, level: UInt64)]
  {
    var live = runs
    while true {
      var counts: [UInt64: Int] = [:]
      for run in live { counts[run.level, default: 0] += 1 }
      guard let level = counts.filter({ $0.value >= RunLayout.fanout }).keys.min() else {
        return live
      }
      let sources = live.filter { $0.level == level }.prefix(RunLayout.fanout).map(\.run)
      let merged = (live.map(\.run).max() ?? 0) + 1
      try mergeRuns(sources, into: merged, level: level + 1, in: databases)
      live.removeAll { sources.contains($0.run) }
      live.append((merged, level + 1))
    }
  }

  /// Writes the entries of `sources` as one run and deletes the sources.
  private func mergeRuns(
    _ sources: [UInt64], into merged: UInt64, level: UInt64, in databases: StoreDatabases
  ) throws(StoreError) {
    guard let directory = databases.runs else { return }
    var expected: UInt64 = 0
    for source in sources {
      var key = source.bigEndian
      let found: UnsafeRawBufferPointer?
      do throws(LMDBError) {
        found = try withUnsafeBytes(of: &key) { bytes throws(LMDBError) in
          try value(in: directory, forKey: bytes)
        }
      } catch {
        throw .failure(error, "could not read the directory entry of index run \(source)")
      }
      guard let found else {
        throw StoreError(.corrupt, "index run \(source) has no directory entry")
      }
      let entry = try withUnsafeBytes(of: &key) { bytes throws(StoreError) in
        try RunDirectoryEntry(key: bytes, value: found)
      }
      expected += entry.entries
    }
    var filter = RunFilter(entries: Int(expected))
    let ids = try mergeRunKeys(
      sources, into: merged, in: databases.eventIDs, named: StoreDatabases.Name.eventIDs
    ) { suffix in
      filter.insert(hash: RunFilter.hash(suffix))
    }
    let accounts = try mergeRunKeys(
      sources, into: merged, in: databases.originators, named: StoreDatabases.Name.originators
    ) { _ in }
    guard ids == expected, accounts == expected else {
      throw StoreError(
        .corrupt,
        "index runs \(sources.map(String.init).joined(separator: ", ")) list \(expected) "
          + "entries, but hold \(ids) event ids and \(accounts) account entries")
    }
    for source in sources {
      try deleteRun(source, in: databases.eventIDs, named: StoreDatabases.Name.eventIDs)
      try deleteRun(source, in: databases.originators, named: StoreDatabases.Name.originators)
      var key = source.bigEndian
      do throws(LMDBError) {
        try withUnsafeBytes(of: &key) { bytes throws(LMDBError) in
          try delete(in: directory, key: bytes)
        }
      } catch {
        throw .failure(error, "could not delete the directory entry of index run \(source)")
      }
    }
    try putRunDirectoryEntry(
      merged, level: level, entries: expected, filter: filter.bytes, in: directory)
  }

  /// Copies every entry of `sources` in one database to run `merged`, in key order, and
  /// returns how many it copied. `body` sees each key without its run number.
  private func mergeRunKeys(
    _ sources: [UInt64], into merged: UInt64, in database: MDB_dbi, named name: String,
    _ body: (UnsafeRawBufferPointer) -> Void
  ) throws(StoreError) -> UInt64 {
    var cursors: [LMDBCursorBox] = []
    var heads: [(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?] = []
    var copied: UInt64 = 0
    var value: [UInt8] = []
    do {
      let output = try LMDBCursor(transaction: self, database: database)
      for source in sources {
        let cursor = LMDBCursorBox(try LMDBCursor(transaction: self, database: database))
        var prefix = source.bigEndian
        let first = try withUnsafeBytes(of: &prefix) { bytes throws(LMDBError) in
          try cursor.cursor.get(MDB_SET_RANGE, key: bytes)
        }
        cursors.append(cursor)
        heads.append(first.flatMap { RunLayout.run(of: $0.key) == source ? $0 : nil })
      }
      while true {
        var smallest: Int?
        for index in heads.indices {
          guard let head = heads[index] else { continue }
          if let best = smallest, let bestHead = heads[best] {
            let order = compareSuffixes(head.key, bestHead.key)
            if order == 0 {
              throw StoreError(
                .corrupt,
                "index runs \(sources[best]) and \(sources[index]) of \(name) hold the same key")
            }
            if order < 0 { smallest = index }
          } else {
            smallest = index
          }
        }
        guard let index = smallest, let head = heads[index] else { return copied }
        let suffix = UnsafeRawBufferPointer(rebasing: head.key[RunLayout.runNumberSize...])
        body(suffix)
        // The value is copied first: the write may rebuild the page it lies in.
        value.removeAll(keepingCapacity: true)
        value.append(contentsOf: head.value)
        try RunLayout.withRunKey(merged, suffix) { key throws(LMDBError) in
          try KeyLayout.withBytes(value) { bytes throws(LMDBError) in
            try output.put(key: key, value: bytes, flags: UInt32(MDB_APPEND))
          }
        }
        copied += 1
        let next = try cursors[index].cursor.get(MDB_NEXT)
        heads[index] = next.flatMap { RunLayout.run(of: $0.key) == sources[index] ? $0 : nil }
      }
    } catch let error as StoreError {
      throw error
    } catch let error as LMDBError {
      throw .failure(error, "could not merge index runs of \(name)")
    } catch {
      throw StoreError(.lmdb, "could not merge index runs of \(name): \(error)")
    }
  }

  /// Deletes every key of one run from one database.
  private func deleteRun(_ run: UInt64, in database: MDB_dbi, named name: String)
    throws(StoreError)
  {
    do throws(LMDBError) {
      let cursor = try LMDBCursor(transaction: self, database: database)
      var prefix = run.bigEndian
      var entry = try withUnsafeBytes(of: &prefix) { bytes throws(LMDBError) in
        try cursor.get(MDB_SET_RANGE, key: bytes)
      }
      while let current = entry, RunLayout.run(of: current.key) == run {
        try cursor.delete()
        // After a deletion the cursor stands on the next key, which MDB_NEXT returns.
        entry = try cursor.get(MDB_NEXT)
      }
    } catch {
      throw .failure(error, "could not delete index run \(run) of \(name)")
    }
  }

  private func putRunDirectoryEntry(
    _ run: UInt64, level: UInt64, entries: UInt64, filter: [UInt8], in directory: MDB_dbi
  ) throws(StoreError) {
    let value = RunDirectoryEntry.value(run: run, level: level, entries: entries, filter: filter)
    var key = run.bigEndian
    do throws(LMDBError) {
      try withUnsafeBytes(of: &key) { keyBytes throws(LMDBError) in
        try KeyLayout.withBytes(value) { valueBytes throws(LMDBError) in
          try put(in: directory, key: keyBytes, value: valueBytes, flags: UInt32(MDB_APPEND))
        }
      }
    } catch {
      throw .failure(error, "could not write the directory entry of index run \(run)")
    }
  }
}

/// Returns the items in the byte order of their ids, as LMDB orders keys.
private func sortedByBytes(_ items: [(id: [UInt8], position: UInt64)])
  -> [(id: [UInt8], position: UInt64)]
{
  // The ids go into one buffer first, so that comparisons touch no array storage.
  var bytes: [UInt8] = []
  var spans: [(offset: Int, count: Int)] = []
  spans.reserveCapacity(items.count)
  for item in items {
    spans.append((bytes.count, item.id.count))
    bytes.append(contentsOf: item.id)
  }
  var order = Array(items.indices)
  bytes.withUnsafeBytes { buffer in
    spans.withUnsafeBufferPointer { spans in
      order.sort { left, right in
        let leftSpan = spans[left]
        let rightSpan = spans[right]
        return compareBytes(
          UnsafeRawBufferPointer(
            rebasing: buffer[leftSpan.offset..<(leftSpan.offset + leftSpan.count)]),
          UnsafeRawBufferPointer(
            rebasing: buffer[rightSpan.offset..<(rightSpan.offset + rightSpan.count)])
        ) < 0
      }
    }
  }
  return order.map { items[$0] }
}

/// A cursor kept in an array; the cursor closes when the box goes.
final class LMDBCursorBox {
  let cursor: LMDBCursor
  init(_ cursor: consuming LMDBCursor) { self.cursor = cursor }
}

/// Compares two byte arrays as `memcmp` would, the shorter first on a tie.
func compareBytes(_ left: [UInt8], _ right: [UInt8]) -> Int {
  left.withUnsafeBytes { leftBytes in
    right.withUnsafeBytes { rightBytes in compareBytes(leftBytes, rightBytes) }
  }
}

/// Compares two byte ranges as LMDB orders keys.
func compareBytes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Int {
  let shared = min(left.count, right.count)
  if shared > 0, let leftBase = left.baseAddress, let rightBase = right.baseAddress {
    let order = memcmp(leftBase, rightBase, shared)
    if order != 0 { return Int(order) }
  }
  return left.count - right.count
}

/// Compares two run keys without their run numbers.
private func compareSuffixes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer)
  -> Int
{
  compareBytes(
    UnsafeRawBufferPointer(rebasing: left[RunLayout.runNumberSize...]),
    UnsafeRawBufferPointer(rebasing: right[RunLayout.runNumberSize...]))
}
