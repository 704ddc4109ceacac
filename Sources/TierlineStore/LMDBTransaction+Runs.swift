import CLMDB

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads and writes of a format 4 ledger's index runs; `RunLayout` gives the layouts.
extension LMDBTransaction {
  /// Returns the live runs in slot order.
  ///
  /// Every stored record has one entry in one run, and positions have no gaps, so the
  /// runs' entries must add up to the log's last position. A lost directory entry, or
  /// a directory page that damage cut short, would otherwise hide a run from every read.
  /// - Parameter lastPosition: The last position in meta, when the caller has it. The
  ///   log's last key is read only when the runs do not add up to it. So a damaged last
  ///   log page fails only the reads that need the log. A damaged meta entry, which the
  ///   head check names, fails no read of the runs.
  /// - Throws: `.corrupt` for a damaged directory entry, or runs whose entries do not
  ///   add up to the last position.
  func indexRuns(in databases: StoreDatabases, lastPosition: UInt64? = nil) throws(StoreError)
    -> [RunDirectoryEntry]
  {
    let runs = try directoryEntries(in: databases)
    let listed = runs.reduce(0) { $0 &+ $1.entries }
    if let lastPosition, listed == lastPosition { return runs }
    let expected = try logEnd(in: databases)?.position ?? 0
    guard listed == expected else {
      throw StoreError(
        .corrupt,
        "the index runs list \(listed) entries, but the log's last position is \(expected), "
          + "so the directory of runs is damaged. A lost directory entry or page can hide a "
          + "whole run")
    }
    return runs
  }

  /// Returns the live runs in slot order, as the directory lists them.
  /// - Throws: `.corrupt` for a damaged directory entry.
  func directoryEntries(in databases: StoreDatabases) throws(StoreError) -> [RunDirectoryEntry] {
    guard let directory = databases.runs else { return [] }
    var runs: [RunDirectoryEntry] = []
    try forEachEntry(in: directory, named: StoreDatabases.Name.runs) {
      key, value throws(StoreError) in
      runs.append(try RunDirectoryEntry(key: key, value: value))
      return true
    }
    return runs
  }

  /// Calls `body` with every key and value of a database in key order, until it returns
  /// false.
  /// - Throws: A failure naming `name` when LMDB cannot read the database, or what
  ///   `body` throws.
  func forEachEntry(
    in database: MDB_dbi, named name: String,
    _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(StoreError) -> Bool
  ) throws(StoreError) {
    let cursor = try openCursor(database, on: name)
    var operation = MDB_FIRST
    while true {
      let entry: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
      do throws(LMDBError) {
        entry = try cursor.get(operation)
      } catch {
        throw .failure(error, "could not read \(name)")
      }
      guard let entry, try body(entry.key, entry.value) else { return }
      operation = MDB_NEXT
    }
  }

  /// Returns the position stored for an event id in any run, or nil. Only runs whose
  /// filter may contain the id are looked up; the caller has checked the filters.
  ///
  /// A filter that lets an id through to a run without it is a false positive, about
  /// one probe in a hundred, or a sign that damage moved the id's key. The miss counts
  /// only when the keys around the place of the id are in order (`checkKeyOrder`).
  /// - Throws: `.corrupt` when those keys are out of order.
  func runPosition(
    ofEventID id: UnsafeRawBufferPointer, hash: UInt64, runs: [RunDirectoryEntry],
    in databases: StoreDatabases
  ) throws(StoreError) -> UInt64? {
    for run in runs where RunFilter.mayContain(run.filter, hash: hash) {
      let cursor = try openCursor(
        databases.slotEventIDs[run.slot.index], on: StoreDatabases.Name.eventIDs)
      let failure = { (error: LMDBError) in
        StoreError.failure(error, "could not look up event id \(describeKey(Array(id)))")
      }
      let found: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
      do throws(LMDBError) {
        found = try cursor.get(MDB_SET_RANGE, key: id)
      } catch {
        throw failure(error)
      }
      if let found, found.key.elementsEqual(id) {
        return try KeyLayout.position(from: found.value, in: StoreDatabases.Name.eventIDs)
      }
      try checkKeyOrder(
        around: id, found: found, with: cursor,
        in: RunLayout.databaseNames(level: run.slot.level, place: run.slot.place).eventIDs,
        place: "event id \(describeKey(Array(id)))", failure: failure)
    }
    return nil
  }

  /// Throws `.corrupt` unless the keys around the place of `key` are in order, after a
  /// search with `MDB_SET_RANGE` found `found` (nil at the end) instead of `key`.
  ///
  /// LMDB finds a key by binary search, which assumes the keys of every page in order,
  /// and LMDB 0.9 keeps no page checksums. A key that damage moved out of order can send
  /// the search past the key it looks for, and the search then ends next to the damaged
  /// key. So the two keys before the place of `key`, the key found and the key after it
  /// must rise in that order, with `key` between the second and the third. The cursor
  /// ends anywhere near.
  /// - Parameters:
  ///   - name: The database's name, for the message.
  ///   - place: What `key` is, such as "account number 3", for the message.
  func checkKeyOrder(
    around key: UnsafeRawBufferPointer,
    found: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?,
    with cursor: borrowing LMDBCursor, in name: @autoclosure () -> String,
    place: @autoclosure () -> String, failure: (LMDBError) -> StoreError
  ) throws(StoreError) {
    guard try keysInOrder(around: key, found: found, with: cursor, failure: failure) else {
      throw StoreError(
        .corrupt,
        "\(name()) has keys out of order where \(place()) would be, so stored entries there "
          + "may be hidden")
    }
  }

  /// Returns whether the keys around the place of `key` are in order; see
  /// `checkKeyOrder`.
  private func keysInOrder(
    around key: UnsafeRawBufferPointer,
    found: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?,
    with cursor: borrowing LMDBCursor, failure: (LMDBError) -> StoreError
  ) throws(StoreError) -> Bool {
    // The keys point into the map, where they stay while the transaction only reads.
    func step(_ operation: MDB_cursor_op) throws(StoreError) -> UnsafeRawBufferPointer? {
      do throws(LMDBError) {
        return try cursor.get(operation)?.key
      } catch {
        throw failure(error)
      }
    }
    var before: UnsafeRawBufferPointer?
    if let found {
      guard compareBytes(found.key, key) > 0 else { return false }
      // MDB_NEXT at the last key finds nothing and leaves the cursor there (LMDB 0.9.24).
      if let next = try step(MDB_NEXT) {
        guard compareBytes(found.key, next) < 0 else { return false }
        _ = try step(MDB_PREV)
      }
      before = try step(MDB_PREV)
    } else {
      before = try step(MDB_LAST)
    }
    guard let before else { return true }
    guard compareBytes(before, key) < 0 else { return false }
    // At the first key, MDB_PREV finds nothing and leaves the cursor there (LMDB 0.9.24).
    if let earlier = try step(MDB_PREV) {
      guard compareBytes(earlier, before) < 0 else { return false }
    }
    return true
  }

  /// Calls `body` with the key and value of each of an account's entries, run by run in
  /// slot order, each run's in key order.
  /// - Throws: `.corrupt` when a run's entries of the account differ in number from its
  ///   count entry, or the count entry is damaged or missing.
  func forEachRunEntry(
    account: UInt32, runs: [RunDirectoryEntry], in databases: StoreDatabases,
    _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void
  ) throws {
    let countKey = RunLayout.countKey(account: account)
    try countKey.withUnsafeBytes { countKey in
      let prefix = UnsafeRawBufferPointer(rebasing: countKey[..<4])
      for run in runs {
        let cursor = try openCursor(
          databases.slotOriginators[run.slot.index], on: StoreDatabases.Name.originators)
        guard let expected = try seekCount(countKey, with: cursor, in: run) else { continue }
        var found: UInt64 = 0
        var entry = try step(cursor, MDB_NEXT, account: account)
        while let current = entry, current.key.starts(with: prefix) {
          found += 1
          try body(current.key, current.value)
          entry = try step(cursor, MDB_NEXT, account: account)
        }
        guard found == expected else {
          throw StoreError(
            .corrupt,
            "the account index run in \(run.slot.name) counts \(expected) entries of account "
              + "number \(account) but contains \(found), so an entry was lost or moved")
        }
      }
    }
  }

  /// Moves `cursor` to an account's count entry in one run and returns the count, or
  /// nil when the run has no entry of the account. A miss counts only when the keys
  /// around the place of the count key are in order (`checkKeyOrder`).
  /// - Throws: `.corrupt` when the keys around the count key are out of order, or the
  ///   account has entries without an intact count entry.
  func seekCount(
    _ countKey: UnsafeRawBufferPointer, with cursor: borrowing LMDBCursor, in run: RunDirectoryEntry
  ) throws(StoreError) -> UInt64? {
    let account = RunLayout.account(of: countKey)
    let failure = { (error: LMDBError) in
      StoreError.failure(error, "could not read the index of account number \(account)")
    }
    let found: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
    do throws(LMDBError) {
      found = try cursor.get(MDB_SET_RANGE, key: countKey)
    } catch {
      throw failure(error)
    }
    if let found, found.key.starts(with: UnsafeRawBufferPointer(rebasing: countKey[..<4])) {
      guard found.key.elementsEqual(countKey),
        let count = RunLayout.count(in: found.value, key: found.key)
      else {
        throw StoreError(
          .corrupt,
          "the account index run in \(run.slot.name) contains entries of account number "
            + "\(account) without an intact count")
      }
      return count
    }
    try checkKeyOrder(
      around: countKey, found: found, with: cursor,
      in: RunLayout.databaseNames(level: run.slot.level, place: run.slot.place).originators,
      place: "account number \(account)", failure: failure)
    return nil
  }

  /// Moves `cursor` and returns the key and value there, or nil at the end.
  private func step(_ cursor: borrowing LMDBCursor, _ operation: MDB_cursor_op, account: UInt32)
    throws(StoreError) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
  {
    do throws(LMDBError) {
      return try cursor.get(operation)
    } catch {
      throw .failure(error, "could not read the index of account number \(account)")
    }
  }

  /// Returns the number of entries an account has in the runs, from their count
  /// entries.
  func runEntryCount(account: UInt32, runs: [RunDirectoryEntry], in databases: StoreDatabases)
    throws(StoreError) -> UInt64
  {
    let key = RunLayout.countKey(account: account)
    var total: UInt64 = 0
    for run in runs {
      let cursor = try openCursor(
        databases.slotOriginators[run.slot.index], on: StoreDatabases.Name.originators)
      let count = try KeyLayout.withBytes(key) { countKey throws(StoreError) in
        try seekCount(countKey, with: cursor, in: run)
      }
      total += count ?? 0
    }
    return total
  }

  /// Returns whether some run contains an account entry with this occurred time and
  /// position.
  func runHasEntry(
    account: UInt32, entry: UnsafeRawBufferPointer, runs: [RunDirectoryEntry],
    in databases: StoreDatabases
  ) throws(StoreError) -> Bool {
    let key = RunLayout.accountKey(account: account, entry: entry)
    for run in runs {
      let found: UnsafeRawBufferPointer?
      do throws(LMDBError) {
        found = try KeyLayout.withBytes(key) { bytes throws(LMDBError) in
          try value(in: databases.slotOriginators[run.slot.index], forKey: bytes)
        }
      } catch {
        throw .failure(error, "could not look up account number \(account)")
      }
      if found != nil { return true }
    }
    return false
  }

  /// Returns each account number's entry count over every run, from the count entries.
  func runEntryCounts(runs: [RunDirectoryEntry], in databases: StoreDatabases)
    throws(StoreError) -> [UInt32: UInt64]
  {
    var counts: [UInt32: UInt64] = [:]
    for run in runs {
      let names = RunLayout.databaseNames(level: run.slot.level, place: run.slot.place)
      try forEachEntry(in: databases.slotOriginators[run.slot.index], named: names.originators) {
        key, value throws(StoreError) in
        guard key.count == RunLayout.accountKeySize else {
          throw StoreError(
            .corrupt,
            "the account index run in \(run.slot.name) contains a \(key.count)-byte key, "
              + "expected \(RunLayout.accountKeySize) bytes")
        }
        guard RunLayout.isCountKey(key) else { return true }
        guard let count = RunLayout.count(in: value, key: key) else {
          throw StoreError(
            .corrupt,
            "the count of account number \(RunLayout.account(of: key)) in the account index "
              + "run in \(run.slot.name) fails its CRC-32C check")
        }
        counts[RunLayout.account(of: key), default: 0] += count
        return true
      }
    }
    return counts
  }

  /// Writes one run of level 0 with a batch's entries, sorted here, into an empty slot.
  /// - Parameters:
  ///   - run: The new run's number.
  ///   - ids: Each stored event id and its position; no id twice.
  ///   - accounts: Each account number and its `originators` value as in format 2:
  ///     the entry, its checksum and the record copy.
  func writeRun(
    _ run: UInt64, into slot: RunSlot, ids: [(id: [UInt8], position: UInt64)],
    accounts: [(account: UInt32, value: [UInt8])], in databases: StoreDatabases
  ) throws(StoreError) {
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
    try requireEmpty(slot, in: databases)
    var filter = RunFilter(entries: sortedIDs.count)
    do throws(LMDBError) {
      let idCursor = try LMDBCursor(
        transaction: self, database: databases.slotEventIDs[slot.index])
      let accountCursor = try LMDBCursor(
        transaction: self, database: databases.slotOriginators[slot.index])
      for item in sortedIDs {
        try KeyLayout.withBytes(item.id) { id throws(LMDBError) in
          filter.insert(hash: RunFilter.hash(id))
          try KeyLayout.withPositionKey(item.position) { value throws(LMDBError) in
            try idCursor.put(key: id, value: value, flags: UInt32(MDB_APPEND))
          }
        }
      }
      var key = [UInt8](repeating: 0, count: RunLayout.accountKeySize)
      var groupStart = 0
      for (offset, item) in sortedAccounts.enumerated() {
        if offset == groupStart {
          var groupEnd = offset + 1
          while groupEnd < sortedAccounts.count, sortedAccounts[groupEnd].account == item.account {
            groupEnd += 1
          }
          groupStart = groupEnd
          let countKey = RunLayout.countKey(account: item.account)
          try KeyLayout.withBytes(countKey) { countBytes throws(LMDBError) in
            let value = RunLayout.countValue(UInt64(groupEnd - offset), key: countBytes)
            try KeyLayout.withBytes(value) { valueBytes throws(LMDBError) in
              try accountCursor.put(key: countBytes, value: valueBytes, flags: UInt32(MDB_APPEND))
            }
          }
        }
        try KeyLayout.withBytes(item.value) { value throws(LMDBError) in
          key.withUnsafeMutableBytes { target in
            target.storeBytes(of: item.account.bigEndian, toByteOffset: 0, as: UInt32.self)
            target.baseAddress!.advanced(by: 4).copyMemory(
              from: value.baseAddress!, byteCount: entrySize)
          }
          try KeyLayout.withBytes(key) { keyBytes throws(LMDBError) in
            try accountCursor.put(
              key: keyBytes, value: UnsafeRawBufferPointer(rebasing: value[entrySize...]),
              flags: UInt32(MDB_APPEND))
          }
        }
      }
    } catch {
      throw .failure(error, "could not write the index run in \(slot.name)")
    }
    try putRunDirectoryEntry(
      slot, run: run, entries: UInt64(sortedIDs.count), filter: filter.bytes, in: databases)
  }

  /// Merges the runs of a level into one run of the next level while some level has
  /// `RunLayout.fanout` of them, lowest level first.
  /// - Parameters:
  ///   - live: The live runs' slots and entry counts, the batch's new run among them.
  ///   - nextRun: The number of the next run to write.
  ///   - lastPosition: The last position of the log, the batch's records included.
  func compactRuns(
    _ live: [RunSlot: UInt64], nextRun: UInt64, lastPosition: UInt64,
    in databases: StoreDatabases
  ) throws(StoreError) {
    var live = live
    var run = nextRun
    for level in 0..<RunLayout.levels {
      let sources = live.keys.filter { $0.level == level }.sorted()
      guard sources.count >= RunLayout.fanout else { return }
      guard level + 1 < RunLayout.levels else {
        throw StoreError(
          .invalidArgument,
          "every level of index runs is full; the ledger contains as many batches as storage "
            + "format 4 allows")
      }
      guard
        let target = (0..<RunLayout.fanout).map({ RunSlot(level: level + 1, place: $0) })
          .first(where: { live[$0] == nil })
      else {
        throw StoreError(
          .corrupt, "level \(level + 1) of the index runs has no free slot for a merge")
      }
      let entries = sources.reduce(0) { $0 + live[$1, default: 0] }
      try mergeRuns(
        sources, entries: entries, into: target, run: run, lastPosition: lastPosition,
        in: databases)
      for source in sources { live[source] = nil }
      live[target] = entries
      run += 1
    }
  }

  /// Merges the runs of `sources`, some of the live runs `live`, into one run and returns
  /// its slot, or returns nil for fewer than two sources.
  ///
  /// The merged run takes the first free place of the highest level among the sources.
  /// Merges leave at most `RunLayout.fanout` - 1 runs on a level, so one place is free,
  /// and repeated merges keep the run on that level. Its number is one more than the
  /// largest of the live runs.
  func mergeRuns(
    _ sources: [RunDirectoryEntry], live: [RunDirectoryEntry], lastPosition: UInt64,
    in databases: StoreDatabases
  ) throws(StoreError) -> RunSlot? {
    guard sources.count > 1 else { return nil }
    let level = sources.map(\.slot.level).max() ?? 0
    let occupied = Set(live.map(\.slot))
    guard
      let target = (0..<RunLayout.fanout).map({ RunSlot(level: level, place: $0) })
        .first(where: { !occupied.contains($0) })
    else {
      throw StoreError(
        .corrupt,
        "level \(level) of the index runs has \(RunLayout.fanout) runs, which merges never "
          + "leave")
    }
    try mergeRuns(
      sources.map(\.slot).sorted(), entries: sources.reduce(0) { $0 + $1.entries },
      into: target, run: (live.map(\.run).max() ?? 0) + 1, lastPosition: lastPosition,
      in: databases)
    return target
  }

  /// Writes the entries of `sources` as one run in `target` and empties the sources.
  ///
  /// Every entry is checked before it is copied, because a new run's filter and counts
  /// would no longer show damage that a merge copied. The checks cover sizes, bytes
  /// within their page, positions against `lastPosition`, event ids against their run's
  /// filter, and account entries against their run's count and their record.
  // NOTE: An event id whose position damage changed to another stored position is
  // copied as it is. Only `verify`, which reads each id's record, names it.
  private func mergeRuns(
    _ sources: [RunSlot], entries: UInt64, into target: RunSlot, run: UInt64,
    lastPosition: UInt64, in databases: StoreDatabases
  ) throws(StoreError) {
    try requireEmpty(target, in: databases)
    // Directory values are valid only until the next write, so the filters are copied.
    let directory = try directoryEntries(in: databases)
    let filters = sources.map { slot in
      directory.first { $0.slot == slot }.map { Array($0.filter) } ?? []
    }
    var filter = RunFilter(entries: Int(entries))
    var file = mappedFile()
    let ids = try mergeRunKeys(
      sources, databases: databases.slotEventIDs, into: databases.slotEventIDs[target.index],
      named: StoreDatabases.Name.eventIDs
    ) { source, key, value throws(StoreError) in
      try Self.checkEventIDEntry(
        key, value, in: sources[source], lastPosition: lastPosition, file: &file)
      let hash = RunFilter.hash(key)
      guard filters[source].withUnsafeBytes({ RunFilter.mayContain($0, hash: hash) }) else {
        throw StoreError(
          .corrupt,
          "the filter of the run in \(sources[source].name) does not hold event id "
            + "\(describeKey(Array(key.prefix(64)))), so the id or the filter is damaged")
      }
      filter.insert(hash: hash)
    }
    let accounts = try mergeRunKeys(
      sources, databases: databases.slotOriginators,
      into: databases.slotOriginators[target.index], named: StoreDatabases.Name.originators,
      summingCounts: true
    ) { source, key, value throws(StoreError) in
      try checkAccountEntry(
        key, value, in: sources[source], lastPosition: lastPosition, file: &file,
        databases: databases)
    }
    let names = sources.map(\.name).joined(separator: "; ")
    guard ids == entries, accounts == entries else {
      throw StoreError(
        .corrupt,
        "the index runs in \(names) list \(entries) entries, but contain \(ids) event ids and "
          + "\(accounts) account entries")
    }
    guard let directory = databases.runs else { return }
    for source in sources {
      do throws(LMDBError) {
        try empty(databases.slotEventIDs[source.index])
        try empty(databases.slotOriginators[source.index])
        try RunDirectoryEntry.withKey(source) { key throws(LMDBError) in
          try delete(in: directory, key: key)
        }
      } catch {
        throw .failure(error, "could not empty the index run in \(source.name)")
      }
    }
    try putRunDirectoryEntry(
      target, run: run, entries: entries, filter: filter.bytes, in: databases)
  }

  /// Copies every entry of the runs in `sources` into the empty database `target`, in
  /// key order, and returns how many it copied. `check` receives the source's index in
  /// `sources`, the key and the value of each entry before it is copied, and throws for
  /// a damaged entry. Count entries are checked here instead.
  ///
  /// With `summingCounts`, the count entries of one account from several sources become
  /// one count entry with their sum, which is not among the entries returned. Each
  /// source's entries of an account must then follow its count entry and match its
  /// count.
  private func mergeRunKeys(
    _ sources: [RunSlot], databases slotDatabases: [MDB_dbi], into target: MDB_dbi,
    named name: String, summingCounts: Bool = false,
    _ check: (Int, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(StoreError) -> Void
  ) throws(StoreError) -> UInt64 {
    var cursors: [LMDBCursorBox] = []
    var heads: [(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?] = []
    var tallies = [RunAccountTally](repeating: RunAccountTally(), count: sources.count)
    var copied: UInt64 = 0
    let names = sources.map(\.name).joined(separator: "; ")
    do {
      let output = try LMDBCursor(transaction: self, database: target)
      for source in sources {
        let cursor = LMDBCursorBox(
          try LMDBCursor(transaction: self, database: slotDatabases[source.index]))
        heads.append(try cursor.cursor.get(MDB_FIRST))
        cursors.append(cursor)
      }
      while true {
        var smallest: Int?
        for index in heads.indices {
          guard let head = heads[index] else { continue }
          if let best = smallest, let bestHead = heads[best] {
            let order = compareBytes(head.key, bestHead.key)
            if order == 0, !(summingCounts && RunLayout.isCountKey(head.key)) {
              throw StoreError(.corrupt, "two index runs of \(name) contain the same key")
            }
            if order < 0 { smallest = index }
          } else {
            smallest = index
          }
        }
        guard let index = smallest, let head = heads[index] else { break }
        if summingCounts, RunLayout.isCountKey(head.key) {
          try mergeCounts(
            head.key, heads: &heads, cursors: cursors, tallies: &tallies, sources: sources,
            output: output)
          continue
        }
        try check(index, head.key, head.value)
        if summingCounts {
          try tallies[index].take(RunLayout.account(of: head.key), in: sources[index])
        }
        // NOTE: The head's key and value point into a source page, which this write does
        // not change: sources and target are separate databases. A source written in
        // this transaction keeps its page in memory, because LMDB 0.9 does not spill the
        // pages under a transaction's open cursors (`mdb_pages_xkeep`).
        try output.put(key: head.key, value: head.value, flags: UInt32(MDB_APPEND))
        copied += 1
        heads[index] = try cursors[index].cursor.get(MDB_NEXT)
      }
      for (index, tally) in tallies.enumerated() { try tally.finish(in: sources[index]) }
      return copied
    } catch let error as StoreError {
      throw error
    } catch let error as LMDBError where error == .keyExists {
      // `MDB_APPEND` rejects a key that does not sort after the one written before it.
      throw StoreError(
        .corrupt,
        "the index runs of \(name) in \(names) have keys out of order or repeated, so they "
          + "cannot be merged",
        lmdbCode: error)
    } catch let error as LMDBError {
      throw .failure(error, "could not merge index runs of \(name)")
    } catch {
      throw StoreError(.lmdb, "could not merge index runs of \(name): \(error)")
    }
  }

  /// Throws `.corrupt` unless an event-id entry of the run in `slot` has a key that an
  /// event id can have, and an 8-byte position from 1 to `lastPosition`, within its page.
  static func checkEventIDEntry(
    _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, in slot: RunSlot,
    lastPosition: UInt64, file: inout MappedFile
  ) throws(StoreError) {
    guard !key.isEmpty, key.count <= EventStore.maximumKeyLength, file.contains(key) else {
      throw StoreError(
        .corrupt, "the event-id index run in \(slot.name) contains a \(key.count)-byte key")
    }
    // The messages describe the id only on failure, because formatting it for every
    // entry tripled a merge's time.
    guard value.count == 8, file.contains(value) else {
      throw StoreError(
        .corrupt,
        "the event-id index run in \(slot.name) contains a \(value.count)-byte position for "
          + "\(describeKey(Array(key.prefix(64)))), expected 8 bytes")
    }
    let position = UInt64(bigEndian: value.loadUnaligned(as: UInt64.self))
    guard position >= 1, position <= lastPosition else {
      throw StoreError(
        .corrupt,
        "the event-id index run in \(slot.name) gives position \(position) for "
          + "\(describeKey(Array(key.prefix(64)))), but the log contains positions 1 to "
          + "\(lastPosition)")
    }
  }

  /// Throws `.corrupt` unless an account entry of the run in `slot` has a 20-byte key, a
  /// value of a size that a record gives, within its page, and a position from 1 to
  /// `lastPosition`. The entry must also match its record: the copy it carries, which
  /// must pass its own checks, or else the record in the log. A record that carries an
  /// account number must carry the key's.
  func checkAccountEntry(
    _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, in slot: RunSlot,
    lastPosition: UInt64, file: inout MappedFile, databases: StoreDatabases
  ) throws(StoreError) {
    guard file.contains(key), file.contains(value),
      let entry = IndexValue(runKey: key, value: value)
    else {
      throw StoreError(
        .corrupt,
        "the account index run in \(slot.name) contains an entry with a \(key.count)-byte "
          + "key and a \(value.count)-byte value, which no record would produce")
    }
    let account = RunLayout.account(of: key)
    var place: String { "the entry of account number \(account) at position \(entry.position)" }
    guard entry.position >= 1, entry.position <= lastPosition else {
      throw StoreError(
        .corrupt,
        "the account index run in \(slot.name) contains \(place), but the log contains "
          + "positions 1 to \(lastPosition)")
    }
    let record: RecordView
    if let copy = entry.copy {
      do throws(StoreError) {
        record = try RecordLayout.decode(copy, position: entry.position)
      } catch {
        throw StoreError(
          .corrupt,
          "the account index run in \(slot.name) contains a damaged record copy in \(place): "
            + error.message)
      }
    } else {
      guard let stored = try self.record(at: entry.position, in: databases) else {
        throw StoreError(
          .corrupt,
          "the account index run in \(slot.name) contains \(place), which the log does not "
            + "contain")
      }
      record = stored
    }
    guard entry.matches(recordChecksum: record.checksum), record.occurredAt == entry.occurredAt,
      record.originatorNumber == 0 || record.originatorNumber == account
    else {
      throw StoreError(
        .corrupt,
        "the account index run in \(slot.name) contains \(place), which does not match its "
          + "record")
    }
  }

  /// Writes one count entry with the sum of every head's count entry under `key`, moves
  /// those heads on, and starts each of those sources' tally of the account.
  private func mergeCounts(
    _ key: UnsafeRawBufferPointer,
    heads: inout [(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?],
    cursors: [LMDBCursorBox], tallies: inout [RunAccountTally], sources: [RunSlot],
    output: borrowing LMDBCursor
  ) throws {
    let countKey = Array(key)
    let account = RunLayout.account(of: key)
    var total: UInt64 = 0
    for index in heads.indices {
      guard let head = heads[index], head.key.elementsEqual(countKey) else { continue }
      guard let count = RunLayout.count(in: head.value, key: head.key) else {
        throw StoreError(
          .corrupt,
          "the count of account number \(account) in the account index run in "
            + "\(sources[index].name) fails its CRC-32C check")
      }
      try tallies[index].start(account, count: count, in: sources[index])
      let (sum, overflow) = total.addingReportingOverflow(count)
      guard !overflow else {
        throw StoreError(
          .corrupt,
          "the counts of account number \(account) in the account index runs add up past "
            + "\(UInt64.max)")
      }
      total = sum
      heads[index] = try cursors[index].cursor.get(MDB_NEXT)
    }
    try countKey.withUnsafeBytes { keyBytes in
      try RunLayout.countValue(total, key: keyBytes).withUnsafeBytes { value in
        try output.put(key: keyBytes, value: value, flags: UInt32(MDB_APPEND))
      }
    }
  }

  /// Throws `.corrupt` unless both databases of a slot that the directory does not list
  /// are empty, as a merge leaves them. Entries left there would join the new run
  /// without being in its count or its filter.
  private func requireEmpty(_ slot: RunSlot, in databases: StoreDatabases) throws(StoreError) {
    let names = RunLayout.databaseNames(level: slot.level, place: slot.place)
    for (name, database) in [
      (names.eventIDs, databases.slotEventIDs[slot.index]),
      (names.originators, databases.slotOriginators[slot.index]),
    ] {
      let count: Int
      do throws(LMDBError) {
        count = try entryCount(in: database)
      } catch {
        throw .failure(error, "could not count the entries of \(name)")
      }
      guard count == 0 else {
        throw StoreError(
          .corrupt,
          "\(name) contains \(count) entries, but the directory of runs lists no run in "
            + "\(slot.name)")
      }
    }
  }

  private func putRunDirectoryEntry(
    _ slot: RunSlot, run: UInt64, entries: UInt64, filter: [UInt8], in databases: StoreDatabases
  ) throws(StoreError) {
    guard let directory = databases.runs else { return }
    let value = RunDirectoryEntry.value(slot: slot, run: run, entries: entries, filter: filter)
    do throws(LMDBError) {
      try RunDirectoryEntry.withKey(slot) { keyBytes throws(LMDBError) in
        try KeyLayout.withBytes(value) { valueBytes throws(LMDBError) in
          try put(in: directory, key: keyBytes, value: valueBytes, flags: UInt32(MDB_NOOVERWRITE))
        }
      }
    } catch {
      throw .failure(error, "could not write the directory entry of the index run in \(slot.name)")
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

/// Compares two byte arrays as LMDB orders keys.
func compareBytes(_ left: [UInt8], _ right: [UInt8]) -> Int {
  left.withUnsafeBytes { leftBytes in
    right.withUnsafeBytes { rightBytes in compareBytes(leftBytes, rightBytes) }
  }
}

/// Compares a byte array with a byte range as LMDB orders keys.
func compareBytes(_ left: [UInt8], _ right: UnsafeRawBufferPointer) -> Int {
  left.withUnsafeBytes { compareBytes($0, right) }
}

/// Compares two byte ranges as LMDB orders keys: as `memcmp` would, the shorter first
/// on a tie.
func compareBytes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Int {
  let shared = min(left.count, right.count)
  if shared > 0, let leftBase = left.baseAddress, let rightBase = right.baseAddress {
    let order = memcmp(leftBase, rightBase, shared)
    if order != 0 { return Int(order) }
  }
  return left.count - right.count
}

/// One source run's account entries seen by a merge, against the run's count entry of
/// the account.
struct RunAccountTally {
  private var account: UInt32?
  private var remaining: UInt64 = 0

  /// Starts the tally of `account`, whose count entry gives `count` entries.
  mutating func start(_ account: UInt32, count: UInt64, in slot: RunSlot) throws(StoreError) {
    try finish(in: slot)
    self.account = account
    remaining = count
  }

  /// Counts one entry of `account`.
  mutating func take(_ account: UInt32, in slot: RunSlot) throws(StoreError) {
    guard account == self.account, remaining > 0 else {
      throw StoreError(
        .corrupt,
        "the account index run in \(slot.name) contains more entries of account number "
          + "\(account) than its count entry gives, or entries without one")
    }
    remaining -= 1
  }

  /// Throws unless the current account's count entry matched its entries.
  func finish(in slot: RunSlot) throws(StoreError) {
    guard remaining == 0 else {
      throw StoreError(
        .corrupt,
        "the account index run in \(slot.name) contains \(remaining) fewer entries of "
          + "account number \(account ?? 0) than its count entry gives")
    }
  }
}
