/// The byte layouts of a format 4 ledger's index runs.
///
/// From format 4 on, both indexes are kept as sorted runs instead of one B-tree each.
/// Every appended batch writes its event ids and its account entries as one new run,
/// in key order with `MDB_APPEND`, so a batch writes a few neighbouring pages instead
/// of one scattered page per event. When `fanout` runs share a level, the same write
/// transaction merges them into one run of the next level and deletes them.
///
/// - `event_ids`: run number (u64 big-endian) + event id → position (u64 big-endian).
/// - `originators`: run number + account number (u32 big-endian) + sortable occurred
///   time + position → the entry checksum (`KeyLayout.entryCheck`, little-endian), then
///   the record copy.
/// - `runs`: run number → the run's directory entry (`RunDirectoryEntry`).
enum RunLayout {
  /// The size of the run number that starts every run key.
  static let runNumberSize = 8
  /// The size of an `originators` run key: run number, account number, entry.
  static let accountKeySize = runNumberSize + 4 + KeyLayout.originatorEntrySize
  /// The longest event id a run key can hold within LMDB's 511-byte key limit.
  static let maximumEventIDLength = EventStore.maximumKeyLength - runNumberSize
  /// How many runs of one level merge into one run of the next level.
  static let fanout = 8

  /// Calls `body` with the run number followed by `suffix`.
  static func withRunKey<T, E: Error>(
    _ run: UInt64, _ suffix: UnsafeRawBufferPointer,
    _ body: (UnsafeRawBufferPointer) throws(E) -> T
  ) throws(E) -> T {
    let result: Result<T, E> = withUnsafeTemporaryAllocation(
      byteCount: runNumberSize + suffix.count, alignment: 8
    ) { buffer in
      buffer.storeBytes(of: run.bigEndian, toByteOffset: 0, as: UInt64.self)
      if let source = suffix.baseAddress, let base = buffer.baseAddress {
        (base + runNumberSize).copyMemory(from: source, byteCount: suffix.count)
      }
      do throws(E) {
        return .success(try body(UnsafeRawBufferPointer(buffer)))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// Calls `body` with the run number followed by an account number, the prefix of
  /// every `originators` key of that account in that run.
  static func withAccountPrefix<T, E: Error>(
    run: UInt64, account: UInt32, _ body: (UnsafeRawBufferPointer) throws(E) -> T
  ) throws(E) -> T {
    var prefix = (run.bigEndian, account.bigEndian)
    return try withUnsafeBytes(of: &prefix) { bytes throws(E) in
      try body(UnsafeRawBufferPointer(rebasing: bytes[..<(runNumberSize + 4)]))
    }
  }

  /// Returns an `originators` run key.
  static func accountKey(run: UInt64, account: UInt32, entry: UnsafeRawBufferPointer)
    -> [UInt8]
  {
    var key = [UInt8](repeating: 0, count: accountKeySize)
    key.withUnsafeMutableBytes { target in
      target.storeBytes(of: run.bigEndian, toByteOffset: 0, as: UInt64.self)
      target.storeBytes(of: account.bigEndian, toByteOffset: runNumberSize, as: UInt32.self)
      if let source = entry.baseAddress, let base = target.baseAddress {
        (base + runNumberSize + 4).copyMemory(
          from: source, byteCount: KeyLayout.originatorEntrySize)
      }
    }
    return key
  }

  /// Reads the run number that starts a run key.
  static func run(of key: UnsafeRawBufferPointer) -> UInt64? {
    guard key.count >= runNumberSize else { return nil }
    return UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
  }

  /// Reads the account number of an `originators` run key.
  static func account(of key: UnsafeRawBufferPointer) -> UInt32 {
    UInt32(bigEndian: key.loadUnaligned(fromByteOffset: runNumberSize, as: UInt32.self))
  }
}

/// The directory entry of one live run, read in place from the `runs` database.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | level, u64 big-endian: 0 for a batch's run, one more for each merge |
/// | 8 | 8 | entries in each of the two indexes, u64 big-endian |
/// | 16 | 4 | CRC-32C of the filter, little-endian |
/// | 20 | 4 | CRC-32C of the 8-byte key and bytes 0 to 19, little-endian |
/// | 24 | 64 × blocks | the Bloom filter over the run's event ids |
struct RunDirectoryEntry {
  /// The run number, the key of the entry.
  let run: UInt64
  let level: UInt64
  let entries: UInt64
  /// The filter's blocks, in the map; checked with `filterChecksum`.
  let filter: UnsafeRawBufferPointer
  let filterChecksum: UInt32

  static let headerSize = 24

  /// Reads a stored entry.
  /// - Throws: `.corrupt` when the key is not 8 bytes, the header fails its checksum or
  ///   the filter's size does not fit the entry count.
  init(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(StoreError) {
    guard key.count == RunLayout.runNumberSize else {
      throw StoreError(.corrupt, "runs contains a \(key.count)-byte key, expected 8 bytes")
    }
    run = UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
    guard value.count >= Self.headerSize else {
      throw StoreError(
        .corrupt, "the directory entry of index run \(run) is \(value.count) bytes, too short")
    }
    let stored = UInt32(littleEndian: value.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
    guard stored == CRC32C.checksum(key, UnsafeRawBufferPointer(rebasing: value[..<20])) else {
      throw StoreError(
        .corrupt, "the directory entry of index run \(run) fails its CRC-32C check")
    }
    level = UInt64(bigEndian: value.loadUnaligned(as: UInt64.self))
    entries = UInt64(bigEndian: value.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    filterChecksum = UInt32(littleEndian: value.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
    filter = UnsafeRawBufferPointer(rebasing: value[Self.headerSize...])
    guard entries <= UInt64(Int.max / 8),
      filter.count == RunFilter.blockCount(entries: Int(entries)) * RunFilter.blockSize
    else {
      throw StoreError(
        .corrupt,
        "the directory entry of index run \(run) has a \(filter.count)-byte filter for "
          + "\(entries) entries")
    }
  }

  /// Returns a stored entry for a run.
  static func value(run: UInt64, level: UInt64, entries: UInt64, filter: [UInt8]) -> [UInt8] {
    var value = [UInt8](repeating: 0, count: headerSize + filter.count)
    value.withUnsafeMutableBytes { target in
      target.storeBytes(of: level.bigEndian, toByteOffset: 0, as: UInt64.self)
      target.storeBytes(of: entries.bigEndian, toByteOffset: 8, as: UInt64.self)
      let filterChecksum = filter.withUnsafeBytes { CRC32C.checksum($0) }
      target.storeBytes(of: filterChecksum.littleEndian, toByteOffset: 16, as: UInt32.self)
      var key = run.bigEndian
      let checksum = withUnsafeBytes(of: &key) { keyBytes in
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
/// B-tree lookup, never a wrong answer.
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

  /// The 64-bit hash of an event id: FNV-1a, then the MurmurHash3 finalizer, which
  /// spreads FNV's weak high bits.
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
