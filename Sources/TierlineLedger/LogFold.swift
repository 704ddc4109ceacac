#if canImport(Glibc)
  import Glibc
#endif
import TierlineEvents
import TierlineProjections
import TierlineStore

/// A full replay: every account visible at a point, folded from two reads of the log in
/// position order, with no index lookup per event.
///
/// An account's fold order is (occurred time, position), while the log is in position
/// order with each account's events scattered through it. Three steps turn one into the
/// other and keep memory access in order where they can:
///
/// 1. The counting pass reads the log, finds each visible record's account slot, notes
///    it (4 bytes per record, in log order) and counts each account's records.
/// 2. The placing pass reads the log again and writes a 32-byte `FoldEntry` per record
///    into its account's range of one array. A usage record, most of a ledger, is
///    decoded here while its bytes are in the cache, so the fold reads only the entry.
///    Other events are copied out of the map.
/// 3. The fold takes one account at a time, in id byte order. It sorts the account's
///    entries only when an event arrived late, applies them to a fresh state and hands
///    over the projection.
///
/// Each instance folds the accounts of one share of the id hash space. Several threads
/// can fold the same log at once, each with its own read transaction.
///
/// Memory: 4 bytes per record during the passes, 32 bytes per visible record of the
/// share and a copy of every event other than usage until the fold ends, and one
/// projection at a time. The scans release the map pages they read, so the log itself
/// does not stay resident.
struct LogFold {
  /// The point the replay describes.
  let point: ReplayPoint
  /// The rules the fold applies.
  let rules: ReplayRules
  /// The last log position the replay includes, so that every share reads the same
  /// records whatever was appended since.
  let lastPosition: UInt64
  /// This fold's share of the accounts: those whose id hash modulo `shares` is `share`.
  let share: Int
  let shares: Int

  /// The number of records read between two releases of map pages, about 8 MiB of log.
  static let recordsBetweenReleases = 1 << 16

  /// Folds this share's accounts and calls `body` with each account's id bytes and
  /// projection, in id byte order.
  func run(
    in transaction: borrowing ReadTransaction,
    _ body: ([UInt8], AccountProjection) throws -> Void
  ) throws {
    // 1. Count.
    var table = AccountTable()
    var counts: [Int] = []
    var slotOfRecord: [Int32] = []
    slotOfRecord.reserveCapacity(Int(clamping: lastPosition))
    try scan(in: transaction) { record in
      guard let account = try ownAccount(record) else {
        slotOfRecord.append(-1)
        return
      }
      _ = try record.checked()
      let slot = table.slot(for: account.bytes, hash: account.hash)
      if slot == counts.count { counts.append(0) }
      counts[slot] += 1
      slotOfRecord.append(Int32(slot))
    }

    // 2. Place.
    var starts = [Int](repeating: 0, count: counts.count + 1)
    for slot in counts.indices { starts[slot + 1] = starts[slot] + counts[slot] }
    counts = []
    var next = starts
    var metrics = MetricNames()
    // Events other than usage are copied out of the map, so the fold reads no map page
    // and the pages released during the scans stay released.
    var copies: [UInt8] = []
    let entries = UnsafeMutableBufferPointer<FoldEntry>.allocate(capacity: starts.last ?? 0)
    defer { entries.deallocate() }
    var recordIndex = 0
    try scan(in: transaction) { record in
      guard recordIndex < slotOfRecord.count else {
        throw LedgerError(
          .storage, "the log changed between two reads of one replay, at position "
            + "\(record.position)")
      }
      let slot = Int(slotOfRecord[recordIndex])
      recordIndex += 1
      guard slot >= 0 else { return }
      let content = record.uncheckedContent
      var entry = FoldEntry(occurredAt: record.occurredAt, position: record.position)
      if let usage = EventCodec.usageFields(in: content) {
        entry.metric = metrics.index(for: usage.metric)
        entry.value = usage.millionths
      } else {
        // Events are at most 64 KiB; a longer record would be cut and fail to decode.
        let kept = UnsafeRawBufferPointer(rebasing: content.prefix(Int(Int32.max)))
        entry.value = Int64(copies.count)
        entry.count = Int32(kept.count)
        copies.append(contentsOf: kept)
      }
      (entries.baseAddress! + next[slot]).initialize(to: entry)
      next[slot] += 1
    }
    slotOfRecord = []
    next = []

    // 3. Fold.
    let names = metrics.names
    let order = table.ids.indices.sorted {
      table.ids[$0].lexicographicallyPrecedes(table.ids[$1])
    }
    try copies.withUnsafeBytes { copies in
      for slot in order {
        var account = UnsafeMutableBufferPointer(
          rebasing: entries[starts[slot]..<starts[slot + 1]])
        if !FoldEntry.isSorted(account) {
          account.sort { $0.sorts(before: $1) }
        }
        var state = AccountState(
          account: AccountID(normalized: String(decoding: table.ids[slot], as: UTF8.self)),
          playbook: rules.playbook)
        for entry in account {
          try entry.apply(to: &state, metricNames: names, copies: copies)
        }
        try body(
          table.ids[slot],
          state.projection(
            asOf: point.asOf, knownAt: point.knownAt, rulesVersion: rules.version))
      }
    }
  }

  /// Calls `body` with every record through `lastPosition`, releasing read pages as it
  /// goes so that a pass over a large log keeps little of it resident.
  private func scan(
    in transaction: borrowing ReadTransaction, _ body: (StoredRecord) throws -> Void
  ) throws {
    try transaction.scanHeaders(
      from: 1, through: lastPosition, releasingPagesEvery: Self.recordsBetweenReleases
    ) { record in
      try body(record)
      return true
    }
  }

  /// Returns the account id of `record` and its hash, or nil when the record is not
  /// visible at the point or its account belongs to another share.
  @inline(__always)
  private func ownAccount(_ record: StoredRecord) throws
    -> (bytes: UnsafeRawBufferPointer, hash: UInt64)?
  {
    guard record.occurredAt <= point.asOf.microseconds,
      record.recordedAt <= point.knownAt.microseconds
    else { return nil }
    let account: UnsafeRawBufferPointer
    do {
      account = try EventCodec.accountBytes(in: record.uncheckedContent)
    } catch {
      // A damaged record reports its checksum before the content it garbled.
      _ = try record.checked()
      throw Self.undecodable(record.position, error)
    }
    let hash = accountHash(account)
    guard shares == 1 || Int(truncatingIfNeeded: hash >> 32) % shares == share else {
      return nil
    }
    return (account, hash)
  }

  static func undecodable(_ position: UInt64, _ error: any Error) -> LedgerError {
    LedgerError(
      .storage, "the event at log position \(position) could not be decoded: \(error)",
      underlying: error)
  }
}

/// One visible event in the fold's entry array: a decoded usage event, or where the
/// copy of any other event lies.
struct FoldEntry {
  var occurredAt: Int64
  var position: UInt64
  /// The usage quantity in millionths when `metric` is set, otherwise the offset of
  /// the event's copy.
  var value: Int64 = 0
  /// The index of the usage metric's name in `MetricNames`; -1 for other events.
  var metric: Int32 = -1
  /// The length of the event's copy, for events other than usage.
  var count: Int32 = 0

  init(occurredAt: Int64, position: UInt64) {
    self.occurredAt = occurredAt
    self.position = position
  }

  @inline(__always)
  func sorts(before other: FoldEntry) -> Bool {
    (occurredAt, position) < (other.occurredAt, other.position)
  }

  /// Tells whether the entries are in fold order. Entries are placed in log order, so
  /// only an account with a late event fails this.
  static func isSorted(_ entries: UnsafeMutableBufferPointer<FoldEntry>) -> Bool {
    var index = 1
    while index < entries.count {
      if entries[index].sorts(before: entries[index - 1]) { return false }
      index += 1
    }
    return true
  }

  @inline(__always)
  func apply(
    to state: inout AccountState, metricNames: [String], copies: UnsafeRawBufferPointer
  ) throws {
    if metric >= 0 {
      state.applyUsage(
        metric: metricNames[Int(metric)], millionths: value, occurredAt: occurredAt,
        position: position)
      return
    }
    let content = UnsafeRawBufferPointer(
      rebasing: copies[Int(value)..<(Int(value) + Int(count))])
    do {
      state.apply(try EventCodec.decode(content), position: position)
    } catch {
      throw LogFold.undecodable(position, error)
    }
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
}

/// Slots for account ids, found by their bytes through open addressing.
struct AccountTable {
  /// Each slot's account id bytes, in order of first appearance.
  private(set) var ids: [[UInt8]] = []
  private var hashes: [UInt64] = []
  /// Slot numbers, or -1 for an empty bucket; the count is a power of two.
  private var buckets = [Int32](repeating: -1, count: 1024)

  /// Returns the slot of `id`, adding one when it is new.
  @inline(__always)
  mutating func slot(for id: UnsafeRawBufferPointer, hash: UInt64) -> Int {
    let mask = buckets.count - 1
    var bucket = Int(truncatingIfNeeded: hash) & mask
    while true {
      let slot = Int(buckets[bucket])
      if slot < 0 { break }
      if hashes[slot] == hash, ids[slot].withUnsafeBytes({ equalBytes($0, id) }) {
        return slot
      }
      bucket = (bucket + 1) & mask
    }
    let slot = ids.count
    ids.append(Array(id))
    hashes.append(hash)
    buckets[bucket] = Int32(slot)
    // Keep the table at most half full, so probes stay short.
    if ids.count * 2 > buckets.count { grow() }
    return slot
  }

  private mutating func grow() {
    buckets = [Int32](repeating: -1, count: buckets.count * 2)
    let mask = buckets.count - 1
    for slot in ids.indices {
      var bucket = Int(truncatingIfNeeded: hashes[slot]) & mask
      while buckets[bucket] >= 0 { bucket = (bucket + 1) & mask }
      buckets[bucket] = Int32(slot)
    }
  }
}

@inline(__always)
private func equalBytes(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
  guard lhs.count == rhs.count else { return false }
  guard let left = lhs.baseAddress, let right = rhs.baseAddress else { return true }
  return memcmp(left, right, lhs.count) == 0
}

/// A 64-bit hash of an account id, eight bytes at a time.
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
