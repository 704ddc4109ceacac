/// The layouts of a format 4 ledger's index runs.
///
/// From format 4 on, both indexes are kept as sorted runs instead of one B-tree each.
/// Every appended batch writes its event ids and its account entries as one new run,
/// in key order with `MDB_APPEND`, so a batch writes a few neighbouring pages instead
/// of one scattered page per event. When `fanout` runs share a level, the same write
/// transaction merges them into one run of the next level and empties their databases.
///
/// Each run lives in a slot: a level and a place in it, 0 to `fanout - 1`. Every slot
/// has two named databases, opened with the ledger and never closed, so emptying a
/// merged run (`mdb_drop`) frees its pages without visiting its entries:
/// - `event_ids.L.S`: event id → position (u64 big-endian).
/// - `originators.L.S`: account number (u32 big-endian) + sortable occurred time +
///   position → the entry checksum (`KeyLayout.entryCheck`, little-endian), then the
///   record copy. Before each account's entries, a count entry: the account number
///   and 16 zero bytes → the number of the account's entries in the run (u64
///   big-endian) and a CRC-32C of the key and the count. No entry has those 16 zero
///   bytes, since positions start at 1. A read compares the count with the entries it
///   finds, so damage that moves an entry to another account, or out of the index,
///   fails the read instead of dropping the entry from the result.
/// - `runs`: the slot, level then place, one byte each → the run's directory entry
///   (`RunDirectoryEntry`).
enum RunLayout {
  /// How many runs of one level merge into one run of the next level.
  static let fanout = 8
  /// The levels a ledger has slots for. A run of level 11 contains 8^11 batches, more
  /// than any ledger reaches.
  static let levels = 12
  /// The number of slots, each with two databases.
  static let slotCount = fanout * levels
  /// The size of an `originators.L.S` key: account number, entry.
  static let accountKeySize = 4 + KeyLayout.originatorEntrySize

  /// Returns the names of a slot's two databases.
  static func databaseNames(level: Int, place: Int) -> (eventIDs: String, originators: String) {
    (
      "\(StoreDatabases.Name.eventIDs).\(level).\(place)",
      "\(StoreDatabases.Name.originators).\(level).\(place)"
    )
  }

  /// Returns an `originators.L.S` key.
  static func accountKey(account: UInt32, entry: UnsafeRawBufferPointer) -> [UInt8] {
    var key = [UInt8](repeating: 0, count: accountKeySize)
    key.withUnsafeMutableBytes { target in
      target.storeBytes(of: account.bigEndian, toByteOffset: 0, as: UInt32.self)
      if let source = entry.baseAddress, let base = target.baseAddress {
        (base + 4).copyMemory(from: source, byteCount: KeyLayout.originatorEntrySize)
      }
    }
    return key
  }

  /// The size of a count entry's value: the count, then its checksum.
  static let countValueSize = 12

  /// Returns the key of an account's count entry.
  static func countKey(account: UInt32) -> [UInt8] {
    var key = [UInt8](repeating: 0, count: accountKeySize)
    key.withUnsafeMutableBytes { $0.storeBytes(of: account.bigEndian, as: UInt32.self) }
    return key
  }

  /// Returns whether an `originators.L.S` key is a count entry's.
  static func isCountKey(_ key: UnsafeRawBufferPointer) -> Bool {
    key.count == accountKeySize
      && key.loadUnaligned(fromByteOffset: 4, as: UInt64.self) == 0
      && key.loadUnaligned(fromByteOffset: 12, as: UInt64.self) == 0
  }

  /// Returns a count entry's value.
  static func countValue(_ count: UInt64, key: UnsafeRawBufferPointer) -> [UInt8] {
    var value = [UInt8](repeating: 0, count: countValueSize)
    value.withUnsafeMutableBytes { target in
      target.storeBytes(of: count.bigEndian, as: UInt64.self)
      let checksum = CRC32C.checksum(key, UnsafeRawBufferPointer(rebasing: target[..<8]))
      target.storeBytes(of: checksum.littleEndian, toByteOffset: 8, as: UInt32.self)
    }
    return value
  }

  /// Reads a count entry's value, or returns nil when it fails its checks.
  static func count(in value: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer) -> UInt64? {
    guard value.count == countValueSize else { return nil }
    let stored = UInt32(littleEndian: value.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
    guard stored == CRC32C.checksum(key, UnsafeRawBufferPointer(rebasing: value[..<8])) else {
      return nil
    }
    return UInt64(bigEndian: value.loadUnaligned(as: UInt64.self))
  }

  /// Reads the account number of an `originators.L.S` key.
  static func account(of key: UnsafeRawBufferPointer) -> UInt32 {
    UInt32(bigEndian: key.loadUnaligned(as: UInt32.self))
  }
}

/// A run's slot: its level and its place in the level.
struct RunSlot: Hashable, Comparable {
  let level: Int
  let place: Int

  /// The slot's index into `StoreDatabases.slotEventIDs` and `slotOriginators`.
  var index: Int { level * RunLayout.fanout + place }

  static func < (left: RunSlot, right: RunSlot) -> Bool {
    (left.level, left.place) < (right.level, right.place)
  }

  /// The slot's name in messages, such as "level 1, place 3".
  var name: String { "level \(level), place \(place)" }
}

/// The directory entry of one live run, read in place from the `runs` database.
///
/// The key is the slot: level, then place, one byte each.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | run number, u64 big-endian: one more than the largest before it |
/// | 8 | 8 | entries in each of the run's two databases, count entries left out, u64 big-endian |
/// | 16 | 4 | CRC-32C of the filter, little-endian |
/// | 20 | 4 | CRC-32C of the 2-byte key and bytes 0 to 19, little-endian |
/// | 24 | 64 × blocks | the Bloom filter over the run's event ids |
struct RunDirectoryEntry {
  let slot: RunSlot
  /// The run number, which no other run of the ledger had or will have.
  let run: UInt64
  let entries: UInt64
  /// The filter's blocks, in the map; checked with `filterChecksum`.
  let filter: UnsafeRawBufferPointer
  let filterChecksum: UInt32

  static let headerSize = 24

  /// Reads a stored entry.
  /// - Throws: `.corrupt` when the key names no slot, the header fails its checksum or
  ///   the filter's size does not fit the entry count.
  init(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(StoreError) {
    guard key.count == 2, Int(key[0]) < RunLayout.levels, Int(key[1]) < RunLayout.fanout else {
      throw StoreError(
        .corrupt, "runs contains a key that names no slot: \(describeKey(Array(key)))")
    }
    slot = RunSlot(level: Int(key[0]), place: Int(key[1]))
    guard value.count >= Self.headerSize else {
      throw StoreError(
        .corrupt,
        "the directory entry of the index run in \(slot.name) is \(value.count) bytes, too short")
    }
    let stored = UInt32(littleEndian: value.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
    guard stored == CRC32C.checksum(key, UnsafeRawBufferPointer(rebasing: value[..<20])) else {
      throw StoreError(
        .corrupt, "the directory entry of the index run in \(slot.name) fails its CRC-32C check")
    }
    run = UInt64(bigEndian: value.loadUnaligned(as: UInt64.self))
    entries = UInt64(bigEndian: value.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    filterChecksum = UInt32(littleEndian: value.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
    filter = UnsafeRawBufferPointer(rebasing: value[Self.headerSize...])
    guard entries <= UInt64(Int.max / 16),
      filter.count == RunFilter.blockCount(entries: Int(entries)) * RunFilter.blockSize
    else {
      throw StoreError(
        .corrupt,
        "the directory entry of the index run in \(slot.name) has a \(filter.count)-byte "
          + "filter for \(entries) entries")
    }
  }

  /// Calls `body` with the directory key of a slot.
  static func withKey<T, E: Error>(
    _ slot: RunSlot, _ body: (UnsafeRawBufferPointer) throws(E) -> T
  ) throws(E) -> T {
    var key = (UInt8(slot.level), UInt8(slot.place))
    return try withUnsafeBytes(of: &key) { bytes throws(E) in try body(bytes) }
  }

  /// Returns a stored entry for a run.
  static func value(slot: RunSlot, run: UInt64, entries: UInt64, filter: [UInt8]) -> [UInt8] {
    var value = [UInt8](repeating: 0, count: headerSize + filter.count)
    value.withUnsafeMutableBytes { target in
      target.storeBytes(of: run.bigEndian, toByteOffset: 0, as: UInt64.self)
      target.storeBytes(of: entries.bigEndian, toByteOffset: 8, as: UInt64.self)
      let filterChecksum = filter.withUnsafeBytes { CRC32C.checksum($0) }
      target.storeBytes(of: filterChecksum.littleEndian, toByteOffset: 16, as: UInt32.self)
      let checksum = withKey(slot) { keyBytes in
        CRC32C.checksum(keyBytes, UnsafeRawBufferPointer(rebasing: target[..<20]))
      }
      target.storeBytes(of: checksum.littleEndian, toByteOffset: 20, as: UInt32.self)
      filter.withUnsafeBytes { source in
        if let from = source.baseAddress, let base = target.baseAddress {
          (base + headerSize).copyMemory(from: from, byteCount: source.count)
        }
      }
    }
    return value
  }
}

/// A blocked Bloom filter over a run's event ids.
///
/// Each id sets six bits in one 64-byte block, so a probe reads one cache line. Ten bits
/// per id give about one false positive in a hundred probes; a false positive costs one
/// B-tree lookup, never a wrong result.
struct RunFilter {
  static let blockSize = 64
  static let bitsPerEntry = 10
  static let bitsPerID = 6

  private(set) var bytes: [UInt8]
  private let blocks: Int

  /// Returns the number of blocks of a filter over `entries` ids; at least one.
  static func blockCount(entries: Int) -> Int {
    max(1, (entries * bitsPerEntry + blockSize * 8 - 1) / (blockSize * 8))
  }

  /// Creates an empty filter sized for `entries` ids.
  init(entries: Int) {
    blocks = Self.blockCount(entries: entries)
    bytes = [UInt8](repeating: 0, count: blocks * Self.blockSize)
  }

  /// Adds an id by its hash.
  mutating func insert(hash: UInt64) {
    let blocks = blocks
    bytes.withUnsafeMutableBytes { filter in
      var bits = Self.bitSource(hash)
      let base = Self.block(hash, of: blocks) * Self.blockSize
      for _ in 0..<Self.bitsPerID {
        let bit = Int(bits & 511)
        filter[base + (bit >> 3)] |= UInt8(1 << (bit & 7))
        bits >>= 9
      }
    }
  }

  /// Returns whether a stored filter may contain the id with this hash.
  static func mayContain(_ filter: UnsafeRawBufferPointer, hash: UInt64) -> Bool {
    let blocks = filter.count / blockSize
    guard blocks > 0 else { return true }
    var bits = bitSource(hash)
    let base = block(hash, of: blocks) * blockSize
    for _ in 0..<bitsPerID {
      let bit = Int(bits & 511)
      guard filter[base + (bit >> 3)] & UInt8(1 << (bit & 7)) != 0 else { return false }
      bits >>= 9
    }
    return true
  }

  /// Returns the 64-bit hash of an event id: FNV-1a, then the MurmurHash3 finalizer,
  /// which spreads FNV's weak high bits.
  static func hash(_ id: UnsafeRawBufferPointer) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in id {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    return mix(hash)
  }

  private static func mix(_ value: UInt64) -> UInt64 {
    var mixed = value
    mixed ^= mixed >> 33
    mixed &*= 0xff51_afd7_ed55_8ccd
    mixed ^= mixed >> 33
    mixed &*= 0xc4ce_b9fe_1a85_ec53
    mixed ^= mixed >> 33
    return mixed
  }

  private static func block(_ hash: UInt64, of blocks: Int) -> Int {
    Int(((hash >> 32) &* UInt64(blocks)) >> 32)
  }

  private static func bitSource(_ hash: UInt64) -> UInt64 {
    mix(hash ^ 0x9e37_79b9_7f4a_7c15)
  }
}
