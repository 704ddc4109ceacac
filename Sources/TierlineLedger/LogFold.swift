#if canImport(Glibc)
  import Glibc
#endif
import CTierlinePrefetch
import Dispatch
import Foundation
import TierlineEvents
import TierlineProjections
import TierlineStore

/// A full replay: every account visible at a point, folded from one read of the log in
/// position order, with no index lookup per event.
///
/// An account's fold order is (occurred time, position), while the log is in position
/// order with each account's events scattered through it. Three steps turn one into the
/// other and keep memory access in order where they can:
///
/// 1. The scan reads the log and appends a 32-byte `FoldEntry` per visible record to
///    one list, in log order. A usage record, most of a ledger, is decoded here while
///    its bytes are in the cache; other events are copied out of the map.
/// 2. The accounts are numbered in id byte order, and each entry moves to the group of
///    its account's number. A group contains a run of consecutive numbers.
/// 3. Group by group, a counting sort puts each account's entries together, still in
///    log order. Each account's entries are sorted by time only when an event arrived
///    late, then applied to a fresh state, and the projection is handed over.
///
/// Several threads can scan consecutive ranges of the log at once, each in its own read
/// transaction, and fold groups of accounts at once. `fold` joins the ranges in order,
/// so every account's entries stay in log order.
///
/// Memory: 32 bytes per visible record and a copy of every event other than usage,
/// until the fold ends. A single-threaded fold holds one projection at a time; a
/// parallel one holds the groups that finished ahead of their turn. The scan releases the map pages it reads, so the log
/// itself does not stay resident.
struct LogFold {
  /// The point the replay describes.
  let point: ReplayPoint
  /// The size of the account table's buckets past which the scan starts each lookup a
  /// record early; see `AccountTable.outgrowsCache`.
  var tablePrefetchBytes = AccountTable.cachedBucketBytes

  /// The map bytes that a scan may have mapped between two releases of map pages,
  /// 128 MiB, counted as whole fault-around windows (`MappedSpan.mappedBound`).
  ///
  /// Each release makes the kernel flush the address translations of every other core
  /// running a thread of this process, and the pages read again after it fault in
  /// again. With a release every 8 MiB, a two-thread rebuild of 1.1M events sent about
  /// 160 of these interrupts and ran about 5% slower than with 32 MiB.
  ///
  /// Releases used to come whenever the addresses read spanned 128 MiB. Where the log's
  /// pages lie scattered between index pages, as in a ledger appended in many batches,
  /// that width was reached again a few pages after each release. A one-thread rebuild
  /// released 116 times at 1.1M events and 164 times at 11M. Counted by windows, it
  /// releases 3 and 10 times. Two-thread rebuilds of 1.1M events then took 0.114–0.116
  /// s against 0.120–0.122 s in four alternating rounds, with one thread at 0.199–0.209 s
  /// against 0.203–0.206 s. At 11M they took the same time. The bound is conservative, so the
  /// resident set grows: an 11M rebuild peaked at 506 MiB on one thread and 576 MiB on
  /// two, against 416 and 455 MiB. A bound of 64 MiB peaked at 458 and 498 MiB, and gave
  /// 0.116–0.119 s at 1.1M.
  static let bytesBetweenReleases = 128 << 20

  /// The minimum number of positions in a block of a parallel scan; see `LogBlocks`.
  var shortestBlock = LogBlocks.shortestBlock

  /// The number of groups each folding thread may run ahead of the group being handed
  /// over.
  static let groupsAheadPerThread = 4

  /// The largest number of account groups. A group contains a run of accounts in id
  /// order, few enough that its entries sort within the cache.
  static let maximumGroupCount = 256

  /// Reads the records from `first` through `last` and returns their entries, in log
  /// order.
  func scan(
    in transaction: borrowing ReadTransaction, from first: UInt64, through last: UInt64
  ) throws -> LogPart {
    var returned = false
    return try scan(in: transaction, fromEnd: false) {
      defer { returned = true }
      return returned || first > last ? nil : first...last
    }
  }

  /// Reads the blocks that this thread claims from `blocks`, from the start of their range
  /// or from its end, and returns their entries, in log order.
  ///
  /// Two threads scan a range this way, one from each end, until they meet. Each ends
  /// with consecutive blocks, so joining the two parts in order keeps the log order,
  /// and both finish within about one block of each other, however the cost of reading
  /// differs along the log.
  func scan(
    in transaction: borrowing ReadTransaction, claiming blocks: LogBlocks, fromEnd: Bool
  ) throws -> LogPart {
    try scan(in: transaction, fromEnd: fromEnd) { blocks.claim(fromEnd: fromEnd) }
  }

  /// Reads the ranges that `next` returns and returns their entries, in log order. The
  /// ranges follow each other in log order, or, when `fromEnd` is true, each ends where
  /// the one before it starts.
  private func scan(
    in transaction: borrowing ReadTransaction, fromEnd: Bool,
    next: () -> ClosedRange<UInt64>?
  ) throws -> LogPart {
    // The scan fills a local value and hands its parts over at the end: a class's
    // stored properties, or locals that a nested function captures, would take a
    // dynamic exclusivity check on every record.
    var scanner = LogScanner(table: AccountTable(prefetchingAbove: tablePrefetchBytes))
    // The log has no gaps, so a missing position means a damaged key; skipping it would
    // leave events out without a word.
    var expected: UInt64 = 1
    var current: ClosedRange<UInt64>?
    do {
      try transaction.scanHeaders(
        ranges: {
          if let range = current {
            guard expected > range.upperBound else { throw Self.missing(expected) }
            if fromEnd { try scanner.closeBlock() }
          }
          current = next()
          expected = current?.lowerBound ?? expected
          return current
        }, releasingPagesAfter: Self.bytesBetweenReleases
      ) { record in
        guard record.position == expected else { throw Self.missing(expected) }
        expected += 1
        // Every record is checked before its stored times decide whether it is visible.
        try record.checkChecksum()
        guard record.occurredAt <= point.asOf.microseconds,
          record.recordedAt <= point.knownAt.microseconds
        else { return true }
        if try scanner.takeNumbered(record) { return true }
        try scanner.visit(record, account: try Self.account(of: record))
        return true
      }
      // The views of a record still held back point into the map, which stays mapped
      // until the transaction ends.
      try scanner.closeBlock()
    } catch {
      scanner.deallocate()
      throw error
    }
    let part = LogPart()
    part.table = scanner.table
    part.metrics = scanner.metrics
    part.copies = scanner.copies
    part.blocks = fromEnd ? scanner.blocks.reversed() : scanner.blocks
    return part
  }

  private static func missing(_ position: UInt64) -> LedgerError {
    LedgerError(
      .storage,
      "the log has no record at position \(position), though its last position is higher"
        + LedgerError.damageAdvice)
  }

  /// Folds every account of `parts`, which cover consecutive ranges of the log in
  /// order, with `folding`, and calls `body` with each account's id bytes and output in
  /// id byte order.
  ///
  /// With more than one thread, the groups are folded in parallel, and a group's
  /// outputs are held only until every group before it has been handed over.
  func fold<Fold: AccountEventFold, Output>(
    _ parts: [LogPart], threads: Int, with folding: AccountFolding<Fold, Output>,
    _ body: ([UInt8], Output) throws -> Void
  ) throws {
    // 1. Join the parts: one account table and one list of metric names, with each
    // part's numbers mapped into them. The first part's table and names are taken over
    // as they are. Each part keeps its copies of events, which the entries point to.
    var table = AccountTable()
    var metrics = MetricNames()
    // Each part's slots in the joined table, nil for the first part, whose slots are the
    // joined ones.
    var slotMaps: [[Int32]?] = []
    var metricMaps: [[Int32]] = []
    var copyBases: [Int] = []
    for part in parts {
      if slotMaps.isEmpty {
        // The first part's numbering becomes the joined one, so its accounts and metrics
        // are not looked up again.
        swap(&table, &part.table)
        swap(&metrics, &part.metrics)
        slotMaps.append(nil)
        metricMaps.append(Array(0..<Int32(metrics.names.count)))
      } else {
        slotMaps.append(table.slots(of: part.table))
        // The joined table has every id now, so the part's own table goes, instead of
        // staying until the fold ends: with several parts, each would hold its accounts'
        // ids and buckets again.
        part.table = AccountTable()
        metricMaps.append(
          part.metrics.names.map { name in
            var name = name
            return name.withUTF8 { metrics.index(for: UnsafeRawBufferPointer($0)) }
          })
      }
      copyBases.append(Int(bitPattern: part.copies.base))
    }

    // 2. Number the accounts in id byte order and move each entry to the group of its
    // account's number. Each part has its own list per group, so the parts move in
    // parallel, and reading a group's lists part by part keeps each account's entries in
    // log order. Each part's lists are contiguous, so threads share a cache line only
    // where two parts' lists meet.
    let accountCount = table.count
    let (rankOfSlot, slotOfRank) = table.idOrder(threads: threads)
    var groupShift = 0
    while (accountCount >> groupShift) > Self.maximumGroupCount { groupShift += 1 }
    let groupCount = (accountCount + (1 << groupShift) - 1) >> groupShift
    let lists = UnsafeMutableBufferPointer<EntryChunks>.allocate(
      capacity: max(1, groupCount * parts.count))
    lists.initialize(repeating: EntryChunks())
    defer {
      for index in lists.indices { lists[index].deallocate() }
      lists.deinitialize()
      lists.deallocate()
    }
    nonisolated(unsafe) let sharedLists = lists
    let shift = groupShift
    let (slotMapsByPart, metricMapsByPart, copyBasesByPart) = (slotMaps, metricMaps, copyBases)
    let move = { @Sendable (index: Int, part: LogPart) in
      // The rank of each of the part's slots, so that each entry takes one lookup.
      let rankOfPartSlot =
        slotMapsByPart[index].map { map in map.map { rankOfSlot[Int($0)] } } ?? rankOfSlot
      let metricMap = metricMapsByPart[index]
      let copyBase = copyBasesByPart[index]
      let partLists = sharedLists.baseAddress! + index * groupCount
      // The lists reuse the chunks that the part's own list gives up. Without the pool,
      // the entries would briefly take twice the memory.
      let pool = ChunkPool()
      for block in part.blocks.indices {
        part.blocks[block].drain(into: pool) { entry in
          var moved = entry
          moved.slot = rankOfPartSlot[Int(entry.slot)]
          moved.renumber(metrics: metricMap, copyBase: copyBase)
          partLists[Int(moved.slot) >> shift].append(moved, reusing: pool)
        }
      }
      pool.deallocate()
    }
    if threads > 1, parts.count > 1 {
      let sharedParts = parts
      DispatchQueue.concurrentPerform(iterations: parts.count) { index in
        move(index, sharedParts[index])
      }
    } else {
      for (index, part) in parts.enumerated() { move(index, part) }
    }

    // 3. Sort each group by account number, keeping log order within an account, and
    // fold its accounts in that order.
    let context = GroupContext<Fold, Output>(
      names: metrics.names, table: table,
      slotOfRank: slotOfRank, accountCount: accountCount, groupShift: groupShift,
      partCount: parts.count, groupCount: groupCount)
    let largestGroup =
      (0..<groupCount).map { group in
        (0..<parts.count).reduce(0) { $0 + lists[$1 * groupCount + group].count }
      }.max() ?? 0
    do {
      let workers = max(1, min(threads, groupCount))
      if workers == 1 {
        let scratch = UnsafeMutableBufferPointer<FoldEntry>.allocate(capacity: largestGroup)
        defer { scratch.deallocate() }
        let steps = folding.steps()
        var unused: [([UInt8], Output)] = []
        try withoutActuallyEscaping(body) { body in
          for group in 0..<groupCount {
            try context.fold(
              group: group, lists, steps: steps, scratch: scratch, into: &unused,
              handingOverTo: body)
          }
        }
        return
      }
      // `workers - 1` helpers take the groups in order and fold them, and so does this
      // thread while the next group to hand over is not done, so `workers` threads stay
      // busy. This thread hands groups over in order. A thread takes a group only while
      // fewer than `window` groups are ahead of the hand-over, so a slow reader of the
      // output, such as a pipe, slows the folding instead of piling up projections.
      let results = ThreadResults<FoldedGroup<Output>>(count: groupCount)
      let ready = (0..<groupCount).map { _ in DispatchSemaphore(value: 0) }
      let window = WorkWindow(slots: Self.groupsAheadPerThread * workers)
      let nextGroup = SharedCounter()
      let finished = DispatchGroup()
      // Outputs handed over, on their way back to the helper that built them.
      let returned = (0..<(workers - 1)).map { _ in ReturnedOutputs<Output>() }
      // Folds `group` and stores its outputs, or the error, for the hand-over. `helper`
      // is the folding helper's number, or nil on this thread.
      let foldGroup = {
        @Sendable
        (
          group: Int, helper: Int?, steps: AccountFolding<Fold, Output>.Steps,
          scratch: UnsafeMutableBufferPointer<FoldEntry>, freeing: inout FreeingQueue<Output>
        ) in
        var projected: [([UInt8], Output)] = []
        do {
          try context.fold(
            group: group, sharedLists, steps: steps, scratch: scratch, into: &projected,
            beforeEachAccount: { freeing.freeOne() })
          results.store(FoldedGroup(outputs: projected, helper: helper), at: group)
        } catch {
          results.fail(error)
        }
        ready[group].signal()
      }
      finished.enter()
      DispatchQueue.global().async {
        DispatchQueue.concurrentPerform(iterations: workers - 1) { helper in
          let scratch = UnsafeMutableBufferPointer<FoldEntry>.allocate(capacity: largestGroup)
          defer { scratch.deallocate() }
          let steps = folding.steps()
          var freeing = FreeingQueue<Output>()
          // Taking the slot before the group keeps groups taken in order, so the group
          // being handed over has always been taken by a thread, which will finish it.
          while window.acquire() {
            freeing.add(returned[helper].take())
            guard !results.hasFailed, let group = nextGroup.take(below: groupCount) else {
              window.release()
              break
            }
            foldGroup(group, helper, steps, scratch, &freeing)
          }
        }
        finished.leave()
      }
      // The helpers read `lists`, which is freed on return, and the parts' copies of
      // events, so every exit waits for them. Outputs returned after a helper stopped
      // are freed here.
      defer {
        finished.wait()
        for outputs in returned { _ = outputs.take() }
      }
      let scratch = UnsafeMutableBufferPointer<FoldEntry>.allocate(capacity: largestGroup)
      defer { scratch.deallocate() }
      let steps = folding.steps()
      var freeing = FreeingQueue<Output>()
      do {
        for group in 0..<groupCount {
          // While the group is not done, this thread folds a later one if the window has
          // room. Otherwise a helper has taken the group, and this thread waits for it.
          while ready[group].wait(timeout: .now()) == .timedOut {
            guard window.tryAcquire() else {
              ready[group].wait()
              break
            }
            guard !results.hasFailed, let taken = nextGroup.take(below: groupCount) else {
              window.release()
              ready[group].wait()
              break
            }
            foldGroup(taken, nil, steps, scratch, &freeing)
          }
          try results.checkError()
          if var folded = results.take(at: group) {
            var outputs = folded.outputs
            folded.outputs = []
            try handOver(&outputs, to: body)
            // The helper frees what it built: glibc frees memory that another thread
            // allocated under that thread's arena lock, so freeing it here made the two
            // threads wait on each other. This thread's own outputs wait in its queue.
            if let helper = folded.helper {
              returned[helper].add(outputs)
            } else {
              freeing.add([outputs])
            }
          }
          window.release()
        }
      } catch {
        // Stops the helpers, including those waiting for a slot.
        results.fail(error)
        window.cancel()
        throw error
      }
    }
  }

  /// Calls `body` with each of `outputs` in order, and leaves them as they were.
  ///
  /// Each output is moved out of the array for the call and back after it. Passing an
  /// element of the array itself made a copy, which retained every string and array in
  /// it. Those retains ran on a thread other than the one that built the output.
  private func handOver<Output>(
    _ outputs: inout [([UInt8], Output)], to body: ([UInt8], Output) throws -> Void
  ) throws {
    try outputs.withUnsafeMutableBufferPointer { outputs in
      guard let first = outputs.baseAddress else { return }
      for index in outputs.indices {
        let place = first + index
        let output = place.move()
        do {
          try body(output.0, output.1)
        } catch {
          place.initialize(to: output)
          throw error
        }
        place.initialize(to: output)
      }
    }
  }

  /// Returns the account id of `record`.
  @inline(__always)
  static func account(of record: StoredRecord) throws -> UnsafeRawBufferPointer {
    do {
      return try EventCodec.accountBytes(in: record.uncheckedContent)
    } catch {
      throw Self.undecodable(record.position, error)
    }
  }

  static func undecodable(_ position: UInt64, _ error: any Error) -> LedgerError {
    LedgerError(
      .storage, "the event at log position \(position) could not be decoded: \(error)",
      underlying: error)
  }
}

/// The account table, metric names, event copies and entries that a scan of the log
/// builds, record by record.
private struct LogScanner {
  var table: AccountTable
  var metrics = MetricNames()
  var copies = CopyBuffer()
  /// The entries of the blocks closed so far, each in log order, and of the block being
  /// read.
  private(set) var blocks: [EntryChunks] = []
  private var arrivals = EntryChunks()
  /// Consecutive records often belong to one account, so the previous record's account
  /// is compared first.
  private var previous: (account: UnsafeRawBufferPointer, slot: Int)?
  /// The table slot and id fingerprint of each account number seen in this scan, slot -1
  /// for a number not seen. From storage format 3 on, records carry their account's number, so
  /// an account is looked up in the table once per scan instead of once per record.
  private var numbered: [NumberedAccount] = []
  /// Once the table outgrows the processor's caches, each record waits here while the
  /// next one's bucket loads; see `AccountTable.outgrowsCache`.
  private var pending: (record: StoredRecord, account: UnsafeRawBufferPointer, hash: UInt64)?

  init(table: AccountTable) {
    self.table = table
  }

  /// Adds the entry of a checked record that is visible at the point when the record
  /// carries an account number seen before in this scan, and returns whether it did.
  /// Such a record needs no table lookup.
  /// - Throws: `LedgerError` when the number belongs to another account in this scan, or
  ///   the record's account cannot be read.
  @inline(__always)
  mutating func takeNumbered(_ record: StoredRecord) throws -> Bool {
    let number = Int(record.uncheckedOriginatorNumber)
    guard number != 0, number < numbered.count else { return false }
    let known = numbered[number]
    guard known.slot >= 0 else { return false }
    // A usage record's fields include its account, so only other records are read twice.
    let usage = EventCodec.usageFields(in: record.uncheckedContent)
    let account = try usage?.account ?? LogFold.account(of: record)
    // The id, checked against the number's first account: a number given to two
    // accounts, which only damage to the numbering databases lets an append do, would
    // otherwise fold one account's events into the other's.
    guard idFingerprint(account) == known.fingerprint else {
      throw Self.numberConflict(record, account: account)
    }
    // A record held back goes first, so the entries stay in log order.
    if let waiting = pending {
      pending = nil
      try take(waiting.record, account: waiting.account, hash: waiting.hash)
    }
    add(record, slot: Int(known.slot), usage: usage)
    return true
  }

  private static func numberConflict(_ record: StoredRecord, account: UnsafeRawBufferPointer)
    -> LedgerError
  {
    LedgerError(
      .storage,
      "the record at log position \(record.position) carries account number "
        + "\(record.uncheckedOriginatorNumber), which an earlier record of another account "
        + "carries too; \"\(String(decoding: account, as: UTF8.self))\" would be folded "
        + "into that account" + LedgerError.damageAdvice)
  }

  /// Adds the entry of a checked record that is visible at the point.
  @inline(__always)
  mutating func visit(_ record: StoredRecord, account: UnsafeRawBufferPointer) throws {
    guard table.outgrowsCache else {
      try take(record, account: account, hash: nil)
      return
    }
    let hash = accountHash(account)
    table.prefetch(hash: hash)
    if let waiting = pending {
      try take(waiting.record, account: waiting.account, hash: waiting.hash)
    }
    pending = (record, account, hash)
  }

  /// Adds the entry of the record still held back, if any, and starts a new block
  /// unless this one is empty.
  mutating func closeBlock() throws {
    if let waiting = pending {
      pending = nil
      try take(waiting.record, account: waiting.account, hash: waiting.hash)
    }
    guard arrivals.count > 0 else { return }
    blocks.append(arrivals)
    arrivals = EntryChunks()
  }

  /// Frees the entries of every block and the copies of events.
  mutating func deallocate() {
    for index in blocks.indices { blocks[index].deallocate() }
    blocks = []
    arrivals.deallocate()
    copies.deallocate()
  }

  /// Adds the entry of `record`. The account's `hash` is computed here when it is nil
  /// and the record's account differs from the previous record's.
  @inline(__always)
  private mutating func take(
    _ record: StoredRecord, account: UnsafeRawBufferPointer, hash: UInt64?
  ) throws {
    let slot: Int
    if let previous, equalBytes(previous.account, account) {
      slot = previous.slot
    } else {
      slot = table.slot(for: account, hash: hash ?? accountHash(account))
    }
    previous = (account, slot)
    let number = Int(record.uncheckedOriginatorNumber)
    if number != 0 {
      if number >= numbered.count {
        numbered.append(
          contentsOf: repeatElement(
            NumberedAccount(slot: -1, fingerprint: 0),
            count: max(number + 1, 2 * numbered.count) - numbered.count))
      }
      // A record held back while an earlier one of the same number was taken.
      guard numbered[number].slot < 0 || numbered[number].slot == Int32(slot) else {
        throw Self.numberConflict(record, account: account)
      }
      numbered[number] = NumberedAccount(slot: Int32(slot), fingerprint: idFingerprint(account))
    }
    add(record, slot: slot, usage: EventCodec.usageFields(in: record.uncheckedContent))
  }

  /// Adds the entry of `record`, whose account has table slot `slot`, with its usage
  /// fields when it is a usage record in their common form.
  @inline(__always)
  private mutating func add(_ record: StoredRecord, slot: Int, usage: UsageFields?) {
    let content = record.uncheckedContent
    var entry = FoldEntry(
      occurredAt: record.occurredAt, position: record.position, slot: Int32(slot))
    if let usage {
      entry.setUsage(metric: metrics.index(for: usage.metric), millionths: usage.millionths)
    } else {
      // Other events are copied out of the map, so the fold reads no map page and the
      // released pages stay released.
      entry.setCopy(at: copies.append(content), count: content.count)
    }
    arrivals.append(entry)
  }
}

/// The table slot of an account number and the fingerprint of its account's id.
private struct NumberedAccount {
  var slot: Int32
  var fingerprint: UInt64
}

/// Returns a fingerprint of an account id inside a stored record, from whole 8-byte words.
///
/// Different ids of one length up to 8 bytes never share a fingerprint. Longer ones share
/// one only through a collision of the 64-bit mix. The last word
/// is read ending at the id's last byte, which is safe because the record's 24-byte
/// header and the event id's length precede the id in the same record.
@inline(__always)
private func idFingerprint(_ id: UnsafeRawBufferPointer) -> UInt64 {
  let count = id.count
  guard let base = id.baseAddress, count > 0 else { return 0 }
  var last = (base + count - 8).loadUnaligned(as: UInt64.self)
  if count < 8 { last &>>= UInt64(8 * (8 - count)) }
  var fingerprint = last ^ UInt64(count) &* 0x9E37_79B9_7F4A_7C15
  var offset = 0
  // Words before the last one, the first of them at the id's start. The offset stays
  // under the id's length, so the arithmetic needs no overflow check.
  while count &- offset > 8 {
    let word = (base + offset).loadUnaligned(as: UInt64.self)
    fingerprint = (fingerprint ^ word) &* 0xFF51_AFD7_ED55_8CCD
    fingerprint ^= fingerprint &>> 29
    offset &+= 8
  }
  return fingerprint
}

/// The outputs of one folded group of accounts, and the helper thread that built them.
private struct FoldedGroup<Output> {
  var outputs: [([UInt8], Output)]
  /// The number of the helper, or nil for the thread that hands the outputs over.
  var helper: Int?
}

/// Handed-over outputs that wait for the helper thread that built them to free them.
private final class ReturnedOutputs<Output>: @unchecked Sendable {
  private var waiting: [[([UInt8], Output)]] = []
  private let lock = NSLock()

  /// Keeps `outputs` until the next `free()`.
  func add(_ outputs: [([UInt8], Output)]) {
    lock.withLock { waiting.append(outputs) }
  }

  /// Returns every output kept and keeps none. The caller frees them, on its thread.
  func take() -> [[([UInt8], Output)]] {
    lock.withLock {
      defer { waiting = [] }
      return waiting
    }
  }
}

/// Outputs already handed over, freed one at a time by the thread that built them, one
/// before each account it folds.
///
/// Freeing a group's outputs together overflowed glibc's cache of freed chunks per
/// thread, 7 per size by default (`TCACHE_FILL_COUNT`), so the next group's allocations
/// took the allocator's slower path. Freed one account's outputs before each account
/// folded, the chunks go through that cache to the next account's allocations of the
/// same sizes. Two-thread rebuilds of 1.1M events took 0.112–0.118 s against
/// 0.117–0.118 s (five alternating rounds), and of 11M events 1.094–1.112 s against
/// 1.127–1.129 s.
private struct FreeingQueue<Output> {
  private var batches: [[([UInt8], Output)]] = []

  /// Adds outputs to free later.
  mutating func add(_ outputs: [[([UInt8], Output)]]) {
    for batch in outputs where !batch.isEmpty { batches.append(batch) }
  }

  /// Frees one output, if any is waiting.
  mutating func freeOne() {
    guard var batch = batches.popLast() else { return }
    _ = batch.popLast()
    if !batch.isEmpty { batches.append(batch) }
  }
}

/// The entries read from one range of the log, with the numbering they use.
final class LogPart: @unchecked Sendable {
  var table = AccountTable()
  var metrics = MetricNames()
  /// The copies of the range's events other than usage, which its entries point to.
  var copies = CopyBuffer()
  /// The entries of the range, block by block in log order.
  var blocks: [EntryChunks] = []

  deinit {
    for index in blocks.indices { blocks[index].deallocate() }
    copies.deallocate()
  }
}

/// A range of log positions cut into blocks, which one thread claims from the start of
/// the range and another from its end, one block at a time, until they meet.
final class LogBlocks: @unchecked Sendable {
  private let first: UInt64
  private let last: UInt64
  private let blockLength: UInt64
  /// The blocks not yet claimed are `front ..< back`, numbered from 0 at `first`.
  private var front: UInt64 = 0
  private var back: UInt64
  private let lock = NSLock()

  /// The number of blocks a range is cut into when it is long enough.
  static let blocksPerRange: UInt64 = 128
  /// The minimum number of positions in a block, because each block costs a cursor and
  /// a seek.
  static let shortestBlock: UInt64 = 1024

  /// Cuts `first...last`, or nothing when `last` is lower, into blocks of at least
  /// `shortestBlock` positions, except the last block.
  init(first: UInt64, last: UInt64, shortestBlock: UInt64 = LogBlocks.shortestBlock) {
    self.first = first
    self.last = last
    let length = last >= first ? last - first + 1 : 0
    blockLength = max(
      max(1, shortestBlock), (length + Self.blocksPerRange - 1) / Self.blocksPerRange)
    back = (length + blockLength - 1) / blockLength
  }

  /// Claims the first or the last block not claimed yet and returns its positions, or nil
  /// when every block is claimed.
  func claim(fromEnd: Bool) -> ClosedRange<UInt64>? {
    lock.withLock {
      guard front < back else { return nil }
      let block: UInt64
      if fromEnd {
        back -= 1
        block = back
      } else {
        block = front
        front += 1
      }
      let start = first + block * blockLength
      return start...min(last, start + blockLength - 1)
    }
  }
}

/// The two steps of a replay's fold of each account: the fold it starts from, and the
/// output it hands over once the account's last visible event is applied.
///
/// Each folding thread gets its own steps. A folding made with `init(forEachThread:)`
/// builds them from that thread's copies of the rules, so two threads do not update the
/// reference counts of the same strings and arrays. Shared counts raised the fold's CPU
/// time on two threads to 1.34 times that on one thread, and the copies brought it to
/// 1.24.
public struct AccountFolding<Fold: AccountEventFold, Output>: Sendable {
  /// One thread's steps.
  struct Steps {
    /// Returns a fold for an account with no events applied yet.
    let start: (AccountID) -> Fold
    /// Returns what the replay hands over for a folded account.
    let finish: (Fold) -> Output
  }

  /// Returns the steps for one more folding thread.
  let steps: @Sendable () -> Steps

  /// Creates a folding whose threads share the two steps.
  public init(
    start: @escaping @Sendable (AccountID) -> Fold,
    finish: @escaping @Sendable (Fold) -> Output
  ) {
    steps = { Steps(start: start, finish: finish) }
  }

  /// Creates a folding that calls `make` once per folding thread for that thread's two
  /// steps.
  public init(
    forEachThread make:
      @escaping @Sendable () -> (
        start: (AccountID) -> Fold, finish: (Fold) -> Output
      )
  ) {
    steps = {
      let threadSteps = make()
      return Steps(start: threadSteps.start, finish: threadSteps.finish)
    }
  }
}

/// The read-only inputs that folding a group of accounts needs besides the group, shared
/// by the folding threads.
private struct GroupContext<Fold: AccountEventFold, Output>: @unchecked Sendable {
  let names: [String]
  let table: AccountTable
  let slotOfRank: [Int]
  let accountCount: Int
  let groupShift: Int
  /// The number of parts. Each part has one list per group in `lists`.
  let partCount: Int
  let groupCount: Int

  /// Sorts the group's entries into `scratch` by account number, folds each account
  /// and appends its id bytes and output to `outputs`, in number order, or calls `body`
  /// with them when given. It calls `beforeEachAccount` before it folds each account.
  /// The group's lists, part `p`'s at `p * groupCount + group`, are empty afterwards.
  func fold(
    group: Int, _ lists: UnsafeMutableBufferPointer<EntryChunks>,
    steps: AccountFolding<Fold, Output>.Steps, scratch: UnsafeMutableBufferPointer<FoldEntry>,
    into outputs: inout [([UInt8], Output)],
    handingOverTo body: (([UInt8], Output) throws -> Void)? = nil,
    beforeEachAccount: () -> Void = {}
  ) throws {
    let firstRank = group << groupShift
    let rankCount = min(accountCount, firstRank + (1 << groupShift)) - firstRank
    let groupLists = (0..<partCount).map { lists.baseAddress! + $0 * groupCount + group }
    let bounds = EntryChunks.sortBySlot(
      groupLists, into: scratch, firstSlot: firstRank, slotCount: rankCount)
    for list in groupLists { list.pointee.deallocate() }
    // The fold reads the copies of events other than usage in account order, far from
    // the log order they were written in, so each copy's first load would wait on
    // memory. The copies of the next account are prefetched while one account folds.
    let prefetchCopies = { (local: Int) in
      guard local < rankCount else { return }
      for entry in scratch[bounds[local]..<bounds[local + 1]] { entry.prefetchCopy() }
    }
    prefetchCopies(0)
    for local in 0..<rankCount where bounds[local] < bounds[local + 1] {
      prefetchCopies(local + 1)
      var account = UnsafeMutableBufferPointer(
        rebasing: scratch[bounds[local]..<bounds[local + 1]])
      FoldEntry.sortLate(&account)
      beforeEachAccount()
      let id = table.id(of: slotOfRank[firstRank + local])
      var state = steps.start(AccountID(normalized: String(decoding: id, as: UTF8.self)))
      for entry in account {
        try entry.apply(to: &state, metricNames: names)
      }
      let output = steps.finish(state)
      if let body {
        try body(id, output)
      } else {
        // Appending the result directly moves it into the array. Passing it to a
        // closure that appends it made a copy, which retained every string and array
        // it contains.
        outputs.append((id, output))
      }
    }
  }
}

/// One visible event in the fold's entry array: a decoded usage event, or where the
/// copy of any other event lies.
struct FoldEntry {
  var occurredAt: Int64
  var position: UInt64
  /// The usage quantity in millionths, or where the event's copy lies: its offset in
  /// its part's `CopyBuffer` until `renumber` makes it the copy's address.
  private var value: Int64 = 0
  /// The account's slot in the `AccountTable`.
  var slot: Int32
  /// The usage metric's index in `MetricNames` when 0 or more; otherwise minus one
  /// minus the length of the event's copy.
  private var tag: Int32 = -1

  init(occurredAt: Int64, position: UInt64, slot: Int32) {
    self.occurredAt = occurredAt
    self.position = position
    self.slot = slot
  }

  mutating func setUsage(metric: Int32, millionths: Int64) {
    tag = metric
    value = millionths
  }

  /// Points the entry at a copy of the event. Events are at most 64 KiB, so the
  /// length always fits.
  mutating func setCopy(at offset: Int, count: Int) {
    value = Int64(offset)
    tag = -1 - Int32(clamping: count)
  }

  /// Maps the entry's metric number from a part's numbering to the joined one, or turns
  /// its copy's offset into the copy's address, given the address of the part's copies.
  @inline(__always)
  mutating func renumber(metrics: [Int32], copyBase: Int) {
    if tag >= 0 {
      tag = metrics[Int(tag)]
    } else {
      value += Int64(copyBase)
    }
  }

  /// Prefetches the entry's copy, if it has one. Only after `renumber`.
  @inline(__always)
  func prefetchCopy() {
    guard tag < 0 else { return }
    tierline_prefetch_to_keep(UnsafeRawPointer(bitPattern: Int(value)), Int(-1 - tag))
  }

  @inline(__always)
  func sorts(before other: FoldEntry) -> Bool {
    (occurredAt, position) < (other.occurredAt, other.position)
  }

  /// Puts one account's entries, which are in log order, into fold order.
  ///
  /// A late event is usually a few places from where it belongs, so each entry out of
  /// order is moved back by insertion. Once the moves pass four per entry, the rest is
  /// left to a full sort, so an account whose events arrived in no particular order
  /// costs O(n log n). Positions are unique, so every sort gives the same order.
  static func sortLate(_ entries: inout UnsafeMutableBufferPointer<FoldEntry>) {
    var movesLeft = 4 * entries.count
    var index = 1
    while index < entries.count {
      let entry = entries[index]
      var target = index
      while target > 0, entry.sorts(before: entries[target - 1]) {
        entries[target] = entries[target - 1]
        target -= 1
      }
      entries[target] = entry
      movesLeft -= index - target
      if movesLeft < 0 {
        entries.sort { $0.sorts(before: $1) }
        return
      }
      index += 1
    }
  }

  @inline(__always)
  func apply<Fold: AccountEventFold>(to state: inout Fold, metricNames: [String]) throws {
    if tag >= 0 {
      state.applyUsage(
        metric: Int(tag), of: metricNames, millionths: value, occurredAt: occurredAt,
        position: position)
      return
    }
    let content = UnsafeRawBufferPointer(
      start: UnsafeRawPointer(bitPattern: Int(value)), count: Int(-1 - tag))
    do {
      let body = try EventCodec.decodeBody(content)
      state.apply(body.payload, occurredAt: body.occurredAt.microseconds, position: position)
    } catch {
      throw LogFold.undecodable(position, error)
    }
  }
}

/// The entries of one account group in log order, in chunks of fixed size, so that
/// appending never copies what is already written.
struct EntryChunks {
  /// The number of entries per chunk: 32 KiB.
  static let chunkSize = 1024

  private var chunks: [UnsafeMutablePointer<FoldEntry>] = []
  private var countInLast = EntryChunks.chunkSize
  /// The last chunk, nil while there is none. Keeping it here spares each append a
  /// lookup in `chunks`.
  private var last: UnsafeMutablePointer<FoldEntry>?

  var count: Int {
    chunks.isEmpty ? 0 : (chunks.count - 1) * Self.chunkSize + countInLast
  }

  /// Appends `entry`, taking a new chunk from `pool` when one is needed and the pool
  /// has one.
  @inline(__always)
  mutating func append(_ entry: FoldEntry, reusing pool: ChunkPool? = nil) {
    if countInLast == Self.chunkSize {
      let chunk = pool?.take() ?? .allocate(capacity: Self.chunkSize)
      chunks.append(chunk)
      last = chunk
      countInLast = 0
    }
    // `last` is set here, because a list without chunks counts its last chunk as full.
    // The count stays at most `chunkSize`, so it cannot overflow.
    (last.unsafelyUnwrapped + countInLast).initialize(to: entry)
    countInLast &+= 1
  }

  /// Sorts the entries of `lists`, taken in order, into `output` by slot with a
  /// counting sort, which keeps each slot's entries in that order, and returns the
  /// bounds: the entries of slot `firstSlot + local` are at
  /// `bounds[local] ..< bounds[local + 1]`.
  static func sortBySlot(
    _ lists: [UnsafeMutablePointer<EntryChunks>],
    into output: UnsafeMutableBufferPointer<FoldEntry>, firstSlot: Int, slotCount: Int
  ) -> [Int] {
    var bounds = [Int](repeating: 0, count: slotCount + 1)
    // Both passes write through buffer pointers, so no write checks whether the array is
    // shared, and the arithmetic wraps instead of checking for overflow. Every entry of
    // the group has a slot in `firstSlot ..< firstSlot + slotCount`, so each index is in
    // bounds, which debug builds check.
    bounds.withUnsafeMutableBufferPointer { bounds in
      for list in lists {
        list.pointee.forEach { entry in bounds[Int(entry.slot) &- firstSlot &+ 1] &+= 1 }
      }
    }
    for local in 0..<slotCount { bounds[local + 1] += bounds[local] }
    var next = bounds
    next.withUnsafeMutableBufferPointer { next in
      for list in lists {
        list.pointee.forEach { entry in
          let local = Int(entry.slot) &- firstSlot
          (output.baseAddress! + next[local]).initialize(to: entry)
          next[local] &+= 1
        }
      }
    }
    return bounds
  }

  /// Calls `body` with every entry in order, handing each chunk to `pool` once it is
  /// read, and leaves the list empty.
  mutating func drain(into pool: ChunkPool, _ body: (FoldEntry) -> Void) {
    for (index, chunk) in chunks.enumerated() {
      let filled = index == chunks.count - 1 ? countInLast : Self.chunkSize
      for offset in 0..<filled { body(chunk[offset]) }
      pool.give(chunk)
    }
    chunks = []
    countInLast = Self.chunkSize
    last = nil
  }

  private func forEach(_ body: (FoldEntry) -> Void) {
    for (index, chunk) in chunks.enumerated() {
      let filled = index == chunks.count - 1 ? countInLast : Self.chunkSize
      for offset in 0..<filled { body(chunk[offset]) }
    }
  }

  /// Frees the chunks; the entries are plain values, so none needs deinitializing.
  mutating func deallocate() {
    for chunk in chunks { chunk.deallocate() }
    chunks = []
    countInLast = Self.chunkSize
    last = nil
  }
}

/// Chunks of `EntryChunks` that were read and may be filled again.
final class ChunkPool {
  private var chunks: [UnsafeMutablePointer<FoldEntry>] = []

  /// Returns a chunk that was handed back, or nil when there is none.
  @inline(__always)
  func take() -> UnsafeMutablePointer<FoldEntry>? {
    chunks.popLast()
  }

  /// Hands back a chunk whose entries are no longer needed.
  func give(_ chunk: UnsafeMutablePointer<FoldEntry>) {
    chunks.append(chunk)
  }

  /// Frees the chunks still in the pool.
  func deallocate() {
    for chunk in chunks { chunk.deallocate() }
    chunks = []
  }

  deinit {
    deallocate()
  }
}

/// The distinct metric names met in a fold, numbered in order of first appearance.
struct MetricNames {
  private var bytes: [[UInt8]] = []
  private(set) var names: [String] = []
  private var beyondScan: [[UInt8]: Int32] = [:]

  /// The number of names compared one by one before the dictionary is used.
  private static let scanned = 16

  /// Returns the number of `metric`, adding it when it is new.
  @inline(__always)
  mutating func index(for metric: UnsafeRawBufferPointer) -> Int32 {
    for index in bytes.indices where bytes[index].withUnsafeBytes({ equalBytes($0, metric) }) {
      return Int32(index)
    }
    let key = Array(metric)
    if let known = beyondScan[key] { return known }
    let index = Int32(names.count)
    names.append(String(decoding: key, as: UTF8.self))
    if bytes.count < Self.scanned {
      bytes.append(key)
    } else {
      beyondScan[key] = index
    }
    return index
  }

  /// Returns the name of `metric`, adding it when it is new.
  @inline(__always)
  mutating func name(for metric: UnsafeRawBufferPointer) -> String {
    names[Int(index(for: metric))]
  }
}

/// Slots for account ids, found by their bytes through open addressing.
///
/// A bucket contains the id's hash, length and `prefix` beside its slot, so looking up an
/// id of up to 16 bytes reads one bucket. Longer ids are compared with the full bytes,
/// which lie end to end in one array.
struct AccountTable {
  private struct Bucket {
    var hash: UInt64 = 0
    /// The slot, or -1 for an empty bucket.
    var slot: Int32 = -1
    var length: Int32 = 0
    /// Two words that determine an id of up to 16 bytes; see `prefix(of:)`.
    var prefix: (UInt64, UInt64) = (0, 0)
  }

  /// Every id's bytes, end to end, in slot order.
  private var idBytes: [UInt8] = []
  /// The offset of each slot's id in `idBytes`, and the end of the last one.
  private var idStarts: [Int] = [0]
  private var buckets = [Bucket](repeating: Bucket(), count: 1024)

  /// The number of slots.
  var count: Int { idStarts.count - 1 }

  /// The bucket array's size past which a lookup usually waits on memory: 2 MiB, twice
  /// the level-2 cache of each core of the machine the benchmarks ran on.
  static let cachedBucketBytes = 2 << 20

  /// The bucket array's size past which `outgrowsCache` is true.
  private let prefetchBytes: Int

  /// Creates an empty table whose `outgrowsCache` turns true once its buckets take more
  /// than `prefetchingAbove` bytes.
  init(prefetchingAbove: Int = AccountTable.cachedBucketBytes) {
    prefetchBytes = prefetchingAbove
  }

  /// Whether the buckets take more than the size given at creation, so that a lookup is
  /// worth starting a record early with `prefetch(hash:)`. In the 11M-event benchmark
  /// ledger, whose 100,000 accounts take 8 MiB of buckets, the lookup's share of a
  /// rebuild's samples fell from 20% to 8% with it. In the 1.1M-event one, with 1 MiB of
  /// buckets, it made no difference measurable on this machine, so a table that fits in
  /// the cache goes without.
  @inline(__always)
  var outgrowsCache: Bool {
    buckets.count * MemoryLayout<Bucket>.stride > prefetchBytes
  }

  /// Starts loading the bucket where the lookup of an id with `hash` begins.
  @inline(__always)
  func prefetch(hash: UInt64) {
    buckets.withUnsafeBufferPointer { buckets in
      let index = Int(truncatingIfNeeded: hash) & (buckets.count - 1)
      tierline_prefetch(buckets.baseAddress! + index, MemoryLayout<Bucket>.stride)
    }
  }

  /// Returns the slot of each of `other`'s ids in this table, in `other`'s slot order,
  /// adding the ids not found.
  ///
  /// Each lookup's bucket is prefetched a few ids ahead, so that in a table larger than
  /// the processor's caches the lookups' loads overlap instead of each waiting on memory.
  /// Joining the second scan's 100,000 accounts of the 11M-event ledger took 4.4–5.7 ms
  /// this way against 11.2–12.1 ms, on the calling thread alone.
  mutating func slots(of other: AccountTable) -> [Int32] {
    let hashes = (0..<other.count).map { slot in other.withID(of: slot) { accountHash($0) } }
    let ahead = 8
    for slot in hashes.indices.prefix(ahead) { prefetch(hash: hashes[slot]) }
    return hashes.indices.map { slot in
      if slot + ahead < hashes.count { prefetch(hash: hashes[slot + ahead]) }
      return other.withID(of: slot) { Int32(self.slot(for: $0, hash: hashes[slot])) }
    }
  }

  /// Returns the id bytes of `slot`.
  func id(of slot: Int) -> [UInt8] {
    Array(idBytes[idStarts[slot]..<idStarts[slot + 1]])
  }

  /// Calls `body` with the id bytes of `slot`, without copying them.
  func withID<Result>(of slot: Int, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    idBytes.withUnsafeBytes {
      body(UnsafeRawBufferPointer(rebasing: $0[idStarts[slot]..<idStarts[slot + 1]]))
    }
  }

  /// Returns each slot's number in id byte order, and the slot of each number.
  ///
  /// The ids are sorted by their first sixteen bytes, read as two big-endian words and
  /// padded with zeros, so that integer order is byte order. Only ids whose words tie,
  /// because they are longer or end in zero bytes, are then compared byte by byte.
  /// For the 100,000 ids of the 11M-event benchmark ledger this took 9 to 10 ms, against
  /// about 30 ms comparing the bytes alone.
  ///
  /// With `threads` above 1 and at least `parallelOrderMinimum` ids, two threads sort
  /// the two halves of the slots at once, and the halves are merged. For the 11M-event
  /// ledger that took 9.3–11.0 ms on the calling thread's clock against 14.4–16.5 ms.
  func idOrder(threads: Int = 1) -> (rankOfSlot: [Int32], slotOfRank: [Int]) {
    let slotOfRank = idBytes.withUnsafeBytes { bytes in
      guard threads > 1, count >= Self.parallelOrderMinimum else {
        return sortedSlots(0..<count, in: bytes)
      }
      let middle = count / 2
      let halves = UnsafeMutableBufferPointer<[Int]>.allocate(capacity: 2)
      halves.initialize(repeating: [])
      defer {
        halves.deinitialize()
        halves.deallocate()
      }
      nonisolated(unsafe) let sharedHalves = halves
      nonisolated(unsafe) let sharedBytes = bytes
      let table = self
      DispatchQueue.concurrentPerform(iterations: 2) { half in
        sharedHalves[half] = table.sortedSlots(
          half == 0 ? 0..<middle : middle..<table.count, in: sharedBytes)
      }
      return merged(halves[0], halves[1], in: bytes)
    }
    var rankOfSlot = [Int32](repeating: 0, count: count)
    for (rank, slot) in slotOfRank.enumerated() { rankOfSlot[slot] = Int32(rank) }
    return (rankOfSlot, slotOfRank)
  }

  /// The number of ids from which `idOrder(threads:)` sorts on two threads. Below it, a
  /// sort takes about a millisecond or less.
  static let parallelOrderMinimum = 32_768

  /// Returns `slots` in id byte order; see `idOrder(threads:)`.
  private func sortedSlots(_ slots: Range<Int>, in bytes: UnsafeRawBufferPointer) -> [Int] {
    var keys = slots.map { slot in
      (leadingWord(bytes, of: slot, skipping: 0), leadingWord(bytes, of: slot, skipping: 8), slot)
    }
    keys.sort { ($0.0, $0.1) < ($1.0, $1.1) }
    var order = keys.map { $0.2 }
    var start = 0
    while start < keys.count {
      var end = start + 1
      while end < keys.count, keys[end].0 == keys[start].0, keys[end].1 == keys[start].1 {
        end += 1
      }
      if end - start > 1 {
        order[start..<end].sort { idPrecedes($0, $1, in: bytes) }
      }
      start = end
    }
    return order
  }

  /// Merges two lists of slots, each in id byte order, into one.
  private func merged(_ first: [Int], _ second: [Int], in bytes: UnsafeRawBufferPointer)
    -> [Int]
  {
    var result: [Int] = []
    result.reserveCapacity(first.count + second.count)
    var (left, right) = (0, 0)
    while left < first.count, right < second.count {
      if idPrecedes(second[right], first[left], in: bytes) {
        result.append(second[right])
        right += 1
      } else {
        result.append(first[left])
        left += 1
      }
    }
    result.append(contentsOf: first[left...])
    result.append(contentsOf: second[right...])
    return result
  }

  /// Returns the eight bytes of `slot`'s id after its first `skipping`, read
  /// big-endian, with zeros past the id's end.
  private func leadingWord(_ bytes: UnsafeRawBufferPointer, of slot: Int, skipping: Int)
    -> UInt64
  {
    var word: UInt64 = 0
    let start = idStarts[slot] + skipping
    let end = min(start + 8, idStarts[slot + 1])
    guard start < end else { return 0 }
    for index in start..<end {
      word |= UInt64(bytes[index]) << (56 - 8 * (index - start))
    }
    return word
  }

  /// Tells whether the id of slot `left` comes before that of slot `right` in byte
  /// order.
  private func idPrecedes(_ left: Int, _ right: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
    let leftCount = idStarts[left + 1] - idStarts[left]
    let rightCount = idStarts[right + 1] - idStarts[right]
    let shared = min(leftCount, rightCount)
    guard shared > 0, let base = bytes.baseAddress else { return leftCount < rightCount }
    let order = memcmp(base + idStarts[left], base + idStarts[right], shared)
    return order != 0 ? order < 0 : leftCount < rightCount
  }

  /// Returns the slot of `id`, adding one when it is new.
  @inline(__always)
  mutating func slot(for id: UnsafeRawBufferPointer, hash: UInt64) -> Int {
    let prefix = Self.prefix(of: id)
    let mask = buckets.count - 1
    var index = Int(truncatingIfNeeded: hash) & mask
    while true {
      let bucket = buckets[index]
      if bucket.slot < 0 { break }
      if bucket.hash == hash, Int(bucket.length) == id.count, bucket.prefix == prefix,
        id.count <= 16 || matches(Int(bucket.slot), id)
      {
        return Int(bucket.slot)
      }
      index = (index + 1) & mask
    }
    let slot = count
    idBytes.append(contentsOf: id)
    idStarts.append(idBytes.count)
    buckets[index] = Bucket(
      hash: hash, slot: Int32(slot), length: Int32(id.count), prefix: prefix)
    // Keep the table at most half full, so probes stay short.
    if count * 2 > buckets.count { grow() }
    return slot
  }

  /// Returns two words that, with the id's length, determine an id of up to 16 bytes.
  /// For a longer id they are its first 16 bytes.
  ///
  /// A shorter id is read with two overlapping loads rather than copied into a zeroed
  /// buffer. Loading a word right after storing its bytes one by one stalls until the
  /// stores are done, and that stall was a fifth of the scan loop's own time.
  @inline(__always)
  private static func prefix(of id: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
    let count = id.count
    if count >= 16 {
      return (
        id.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
        id.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
      )
    }
    if count >= 8 {
      return (
        id.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
        id.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
      )
    }
    if count >= 4 {
      return (
        UInt64(id.loadUnaligned(fromByteOffset: 0, as: UInt32.self)),
        UInt64(id.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
      )
    }
    var word: UInt64 = 0
    for index in 0..<count { word |= UInt64(id[index]) << (8 * index) }
    return (word, 0)
  }

  @inline(__always)
  private func matches(_ slot: Int, _ id: UnsafeRawBufferPointer) -> Bool {
    let start = idStarts[slot]
    let end = idStarts[slot + 1]
    return idBytes.withUnsafeBytes { bytes in
      equalBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), id)
    }
  }

  private mutating func grow() {
    let old = buckets
    buckets = [Bucket](repeating: Bucket(), count: old.count * 2)
    let mask = buckets.count - 1
    for bucket in old where bucket.slot >= 0 {
      var index = Int(truncatingIfNeeded: bucket.hash) & mask
      while buckets[index].slot >= 0 { index = (index + 1) & mask }
      buckets[index] = bucket
    }
  }
}

@inline(__always)
private func equalBytes(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
  guard lhs.count == rhs.count else { return false }
  guard let left = lhs.baseAddress, let right = rhs.baseAddress else { return true }
  return memcmp(left, right, lhs.count) == 0
}

/// Returns a 64-bit hash of an account id, mixing eight bytes at a time.
@inline(__always)
func accountHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
  var hash = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
  var offset = 0
  while bytes.count - offset >= 8 {
    hash ^= bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    hash = (hash ^ (hash >> 31)) &* 0xFF51_AFD7_ED55_8CCD
    offset += 8
  }
  var tail: UInt64 = 0
  var shift: UInt64 = 0
  while offset < bytes.count {
    tail |= UInt64(bytes[offset]) << shift
    shift += 8
    offset += 1
  }
  hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
  return hash ^ (hash >> 29)
}
