import CLMDB

/// The live runs of one snapshot, read when first needed.
final class RunCache {
  var runs: [RunDirectoryEntry]?
  var filtersChecked = false
}

/// Reads of a format 4 ledger's index runs.
extension ReadTransaction {
  /// Returns the snapshot's live runs.
  func runs() throws(StoreError) -> [RunDirectoryEntry] {
    if let runs = runCache.runs { return runs }
    let runs = try transaction.indexRuns(in: databases, lastPosition: lastPosition)
    runCache.runs = runs
    return runs
  }

  /// Reads the live index runs and checks their filters, as the first event-id lookup
  /// would; does nothing before format 4.
  /// - Throws: `.corrupt` for a damaged directory or filter.
  public func loadIndexRuns() throws(StoreError) {
    guard databases.usesRuns else { return }
    let runs = try runs()
    if !runCache.filtersChecked {
      try databases.checkedFilters.check(runs)
      runCache.filtersChecked = true
    }
  }

  /// Calls `body` with one originator's entries from every run, in occurred-time and
  /// position order, until it returns false.
  func forEachRunIndexValue(of originator: [UInt8], _ body: (IndexValue) throws -> Bool)
    throws
  {
    guard let number = try transaction.originatorNumber(of: originator, in: databases) else {
      return
    }
    var values: [IndexValue] = []
    try transaction.forEachRunEntry(account: number, runs: try runs(), in: databases) {
      key, value in
      guard let indexValue = IndexValue(runKey: key, value: value) else {
        throw StoreError(
          .corrupt,
          "the index of account \(describeKey(originator)) contains an entry with a "
            + "\(key.count)-byte key and a \(value.count)-byte value, which no record would "
            + "produce")
      }
      values.append(indexValue)
    }
    // Each run gives its entries in key order, which is occurred-time and position
    // order, so merging the runs' stretches sorts them.
    mergeAscendingStretches(&values) {
      ($0.occurredAt, $0.position) < ($1.occurredAt, $1.position)
    }
    var previous: (Int64, UInt64)?
    for value in values {
      // Each run contains an entry once, so only damage repeats one across runs.
      if let previous, (value.occurredAt, value.position) == previous {
        throw StoreError(
          .corrupt,
          "the index of account \(describeKey(originator)) contains the entry for position "
            + "\(value.position) in two runs")
      }
      previous = (value.occurredAt, value.position)
      guard try body(value) else { return }
    }
  }

  /// Calls `body` with every numbered originator in byte order and its entry count over
  /// every run, until it returns false.
  func forEachNumberedOriginator(_ body: (UnsafeRawBufferPointer, UInt64) throws -> Bool)
    throws
  {
    let counts = try transaction.runEntryCounts(runs: try runs(), in: databases)
    try forEachNumberedAccount { originator, number in
      try body(originator, counts[number] ?? 0)
    }
  }

  /// Calls `body` with every originator of `originator_numbers` in byte order and its
  /// number, until it returns false.
  /// - Throws: `.corrupt` when a stored number fails its checksum, or what `body` throws.
  func forEachNumberedAccount(_ body: (UnsafeRawBufferPointer, UInt32) throws -> Bool) throws {
    guard let numbers = databases.originatorNumbers else { return }
    let cursor = try transaction.openCursor(numbers, on: StoreDatabases.Name.originatorNumbers)
    var operation = MDB_FIRST
    while true {
      let entry: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
      do throws(LMDBError) {
        entry = try cursor.get(operation)
      } catch {
        throw StoreError.failure(error, "could not list the accounts")
      }
      guard let entry else { return }
      guard let number = OriginatorNumberLayout.number(in: entry.value, for: entry.key) else {
        throw StoreError(
          .corrupt,
          "the number of account \(describeKey(Array(entry.key))) in originator_numbers "
            + "fails its CRC-32C check or is not \(OriginatorNumberLayout.size) bytes")
      }
      guard try body(entry.key, number) else { return }
      operation = MDB_NEXT
    }
  }
}

/// The findings of `ReadTransaction.checkIndexRuns()`.
public struct IndexRunCheck: Sendable {
  /// Each problem found, as a sentence.
  public var problems: [String] = []
  /// The entries of the event-id index over every run.
  public var eventIDEntries: UInt64 = 0
  /// The entries of the account index over every run.
  public var accountEntries: UInt64 = 0
  /// The runs that the directory lists, or nil when the directory could not be read.
  public var runs: Int?
}

/// The problems and counts that a run check collects, shared with its closures.
private final class RunCheckFindings {
  var check = IndexRunCheck()
  let limit: Int

  init(limit: Int) { self.limit = limit }

  /// Lists a problem and returns whether the check goes on.
  func add(_ text: String) -> Bool {
    check.problems.append(text)
    return check.problems.count < limit
  }
}

extension ReadTransaction {
  /// Checks the index runs of a format 4 ledger against their directory, and stops
  /// listing after `limit` problems.
  ///
  /// It checks every directory entry and filter against its checksum, and every key
  /// against the runs the directory lists and their entry counts. It also checks every
  /// event id against its run's filter, and every account number against
  /// `originator_ids`.
  /// - Throws: `.corrupt` with an LMDB code when LMDB meets a damaged page.
  public func checkIndexRuns(limit: Int) throws -> IndexRunCheck {
    let found = RunCheckFindings(limit: limit)
    guard databases.usesRuns else { return found.check }
    let problem = found.add
    let loaded = Result { () throws(StoreError) in try transaction.directoryEntries(in: databases) }
    if case .failure(let error) = loaded, error.code == .corrupt, error.lmdbCode == nil {
      _ = problem(error.message)
      return found.check
    }
    let runs = try loaded.get()
    found.check.runs = runs.count
    var bySlot: [RunSlot: RunDirectoryEntry] = [:]
    var levels: [Int: Int] = [:]
    var runNumbers: Set<UInt64> = []
    for run in runs {
      bySlot[run.slot] = run
      levels[run.slot.level, default: 0] += 1
      if !runNumbers.insert(run.run).inserted {
        guard
          problem("run number \(run.run) is listed twice, the second time in \(run.slot.name)")
        else { return found.check }
      }
    }
    for (level, count) in levels.sorted(by: { $0.key < $1.key }) where count >= RunLayout.fanout {
      guard problem("level \(level) has \(count) runs; merges keep fewer than \(RunLayout.fanout)")
      else { return found.check }
    }

    var numbers: Set<UInt32> = []
    for level in 0..<RunLayout.levels {
      for place in 0..<RunLayout.fanout {
        let slot = RunSlot(level: level, place: place)
        let names = RunLayout.databaseNames(level: level, place: place)
        guard let run = bySlot[slot] else {
          for (name, database) in [
            (names.eventIDs, databases.slotEventIDs[slot.index]),
            (names.originators, databases.slotOriginators[slot.index]),
          ] {
            let count: Int
            do throws(LMDBError) {
              count = try transaction.entryCount(in: database)
            } catch {
              throw StoreError.failure(error, "could not count the entries of \(name)")
            }
            if count != 0 {
              guard
                problem("\(name) contains \(count) entries, but runs lists no run in \(slot.name)")
              else { return found.check }
            }
          }
          continue
        }
        let filterIntact = CRC32C.checksum(run.filter) == run.filterChecksum
        if !filterIntact {
          guard problem("the event-id filter of the run in \(slot.name) fails its CRC-32C check")
          else { return found.check }
        }
        var ids: UInt64 = 0
        var keepGoing = true
        try transaction.forEachEntry(in: databases.slotEventIDs[slot.index], named: names.eventIDs)
        {
          key, value in
          ids += 1
          if value.count != 8 {
            keepGoing = problem(
              "\(names.eventIDs) contains a \(value.count)-byte position for \(describeKey(Array(key)))"
            )
          } else if filterIntact, !RunFilter.mayContain(run.filter, hash: RunFilter.hash(key)) {
            keepGoing = problem(
              "the filter of the run in \(slot.name) does not hold event id "
                + "\(describeKey(Array(key))), so an append could store that event twice")
          }
          return keepGoing
        }
        guard keepGoing else { return found.check }
        var entries: UInt64 = 0
        try transaction.forEachEntry(
          in: databases.slotOriginators[slot.index], named: names.originators
        ) {
          key, _ in
          guard key.count == RunLayout.accountKeySize else {
            keepGoing = problem(
              "\(names.originators) contains a \(key.count)-byte key, expected "
                + "\(RunLayout.accountKeySize) bytes")
            return keepGoing
          }
          if !RunLayout.isCountKey(key) { entries += 1 }
          numbers.insert(RunLayout.account(of: key))
          return true
        }
        guard keepGoing else { return found.check }
        found.check.eventIDEntries += ids
        found.check.accountEntries += entries
        for (name, count) in [(names.eventIDs, ids), (names.originators, entries)]
        where count != run.entries {
          guard
            problem(
              "the run in \(slot.name) lists \(run.entries) entries, but \(name) contains \(count)")
          else { return found.check }
        }
      }
    }
    for number in numbers.sorted() {
      let account = try originator(numbered: number)
      guard account == nil else { continue }
      guard
        problem(
          "the account index contains entries of account number \(number), which originator_ids does not list"
        )
      else { return found.check }
    }
    return found.check
  }

  /// The largest account number a record's header can carry; from format 4 on, the
  /// records of later accounts carry 0 while `originator_numbers` stores their number.
  public static let largestNumberInRecords = RecordLayout.largestOriginatorNumber
}
