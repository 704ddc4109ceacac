import Foundation
import Testing

@testable import TierlineStore

@Suite("tierline verify on damaged files")
struct DamagedLedgerTests {
  let directory: TemporaryDirectory
  let store: String
  let dataFile: String

  /// A ledger with 40 events stored in one batch, so every log page is written once
  /// and `data.mdb` holds a single copy of each record.
  init() throws {
    directory = try TemporaryDirectory()
    store = directory.path("ledger")
    dataFile = store + "/data.mdb"
    let created = try Tierline.run(["--store", store, "init"])
    #expect(created.status == 0, "\(created.standardError)")
    var lines = [
      Line.landed("target-landing", account: "target-account", at: "2024-01-10T09:00:00Z")
    ]
    for index in 1..<40 {
      lines.append(
        Line.usage("target-usage-\(index)", account: "target-account", at: "2024-01-11T09:00:00Z"))
    }
    let appended = try Tierline.run(
      ["--store", store, "append", "-"], input: lines.joined(separator: "\n"))
    #expect(appended.status == 0, "\(appended.standardError)")
  }

  /// The first four bytes of every record here: record version 2 and the number of
  /// "target-account", the ledger's first and only account, 1 in little-endian.
  let recordHeader: [UInt8] = [2, 1, 0, 0]

  /// Returns the offsets of every occurrence of `pattern` in `data`.
  func offsets(of pattern: [UInt8], in data: [UInt8]) -> [Int] {
    guard data.count >= pattern.count else { return [] }
    return (0...(data.count - pattern.count)).filter { start in
      data[start..<(start + pattern.count)].elementsEqual(pattern)
    }
  }

  @Test("flipped byte in a record names its position")
  func flippedRecordByte() throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    // In a stored record the event id is followed by the account's length and bytes;
    // the event-id index holds the id without them.
    let id = Array("target-usage-17".utf8)
    let account = Array("target-account".utf8)
    let pattern = id + [UInt8(account.count)] + account
    let found = offsets(of: pattern, in: bytes)
    try #require(!found.isEmpty)
    for offset in found {
      bytes[offset + id.count + 3] ^= 0x20
    }
    try Data(bytes).write(to: URL(fileURLWithPath: dataFile))

    let result = try Tierline.run(["--store", store, "verify"])
    #expect(result.status == 1, "\(result.standardError)")
    #expect(result.standardOutput.contains("position 18"), "\(result.standardOutput)")
    #expect(result.standardOutput.contains("CRC-32C"), "\(result.standardOutput)")
    #expect(result.standardError.contains("damaged"), "\(result.standardError)")
  }

  /// Returns the account-index entry of a usage event at 2024-01-11T09:00:00Z: the
  /// occurred time with its sign bit flipped, then the position, both big-endian.
  func indexEntry(position: UInt64) -> [UInt8] {
    let occurred: Int64 = 1_704_963_600_000_000
    let time = UInt64(bitPattern: occurred) ^ (1 << 63)
    return withUnsafeBytes(of: time.bigEndian) { Array($0) }
      + withUnsafeBytes(of: position.bigEndian) { Array($0) }
  }

  /// Flips `mask` in byte `offset` of every copy of the index entry for `position`.
  ///
  /// An entry lies in a leaf page, and again in a branch page when it starts a page of
  /// the account's entries, so every copy is changed.
  func flipIndexEntry(position: UInt64, byte offset: Int, mask: UInt8) throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    let found = offsets(of: indexEntry(position: position), in: bytes)
    try #require(!found.isEmpty)
    for start in found { bytes[start + offset] ^= mask }
    try Data(bytes).write(to: URL(fileURLWithPath: dataFile))
  }

  /// Runs `tierline` on the ledger and checks that it exits 1 with `text` in its error.
  func expectFailure(_ arguments: [String], naming text: String) throws {
    let result = try Tierline.run(["--store", store] + arguments)
    #expect(result.status == 1, "\(arguments)")
    #expect(result.standardError.contains(text), "\(arguments): \(result.standardError)")
  }

  /// Flips `mask` in the byte at `delta` from the start of each copy of a stored record's
  /// event id, and writes the file back.
  func flipRecordByte(id: String, delta: Int, mask: UInt8) throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    let account = Array("target-account".utf8)
    let pattern = Array(id.utf8) + [UInt8(account.count)] + account
    let found = offsets(of: pattern, in: bytes)
    try #require(!found.isEmpty)
    for offset in found {
      bytes[offset + delta] ^= mask
    }
    try Data(bytes).write(to: URL(fileURLWithPath: dataFile))
  }

  @Test("damaged stored time fails every replay")
  func damagedHeaderTime() throws {
    // The record header's occurred_at ends 12 bytes before the event id: 11 bytes of
    // content header and the id's length byte come in between. Setting its top bit
    // moves the event far out of any as-of cut unless the checksum is checked first.
    try flipRecordByte(id: "target-usage-17", delta: -13, mask: 0x40)

    try expectFailure(["replay", "--json", "--as-of", "2024-02-01"], naming: "position 18")
    try expectFailure(["replay", "--json", "--as-of", "2024-02-01"], naming: "CRC-32C")
    try expectFailure(
      ["replay", "--account", "target-account", "--as-of", "2024-02-01"], naming: "position 18")
  }

  /// Flips one content byte of the record at position 18 ("target-usage-17"): in the
  /// log when `inLog` is set, otherwise in every copy the account index contains.
  func flipPosition18Content(inLog: Bool) throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    let key: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 18]
    let header = recordHeader
    // The log's record follows its key and the node's key size 8. The index's copy
    // follows its 16-byte entry and the entry's 4-byte checksum.
    let found: [Int]
    let recordStart: Int
    if inLog {
      found = offsets(of: [8, 0] + key + header, in: bytes)
      recordStart = 10
      try #require(found.count == 1)
    } else {
      found = offsets(of: indexEntry(position: 18), in: bytes).filter { offset in
        bytes[(offset + 20)..<(offset + 24)].elementsEqual(header)
      }
      recordStart = 20
      try #require(!found.isEmpty)
    }
    for offset in found { bytes[offset + recordStart + 24 + 5] ^= 0x01 }
    try Data(bytes).write(to: URL(fileURLWithPath: dataFile))
  }

  @Test("undecodable record with valid checksum")
  func undecodableRecord() throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    let key: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 18]
    let found = offsets(of: [8, 0] + key + recordHeader, in: bytes)
    try #require(found.count == 1)
    // The LMDB node before the key stores the record's size in two 16-bit halves.
    let node = found[0] - 6
    let size =
      Int(bytes[node]) | Int(bytes[node + 1]) << 8 | Int(bytes[node + 2]) << 16
      | Int(bytes[node + 3]) << 24
    let start = found[0] + 10
    // An unknown content format version, with the record's checksum made to match.
    bytes[start + 24] = 9
    let checksum = bytes[start..<(start + size)].withUnsafeBytes { RecordLayout.checksum(of: $0) }
    for index in 0..<4 {
      bytes[start + 4 + index] = UInt8(truncatingIfNeeded: checksum >> (8 * index))
    }
    try Data(bytes).write(to: URL(fileURLWithPath: dataFile))

    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 1)
    #expect(
      verified.standardOutput.contains("position 18 does not decode"), "\(verified.standardOutput)")
    #expect(
      verified.standardOutput.contains("1 damaged log record is listed above"),
      "\(verified.standardOutput)")
    try expectFailure(["replay", "--json"], naming: "position 18")
  }

  @Test("damaged index copy is named")
  func damagedIndexCopy() throws {
    try flipPosition18Content(inLog: false)

    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 1)
    #expect(verified.standardOutput.contains("position 18"), "\(verified.standardOutput)")
    try expectFailure(["replay", "--account", "target-account"], naming: "position 18")
    try expectFailure(["log", "target-account"], naming: "account index's copy")
    try expectFailure(["why", "target-account"], naming: "run `tierline verify`")
    // The full replay reads the log, whose record is intact.
    let full = try Tierline.run(["--store", store, "replay", "--json"])
    #expect(full.status == 0, "\(full.standardError)")
  }

  @Test("damaged run fails the append's merge")
  func damagedRunFailsAppendMerge() throws {
    try flipPosition18Content(inLog: false)
    // Runs of 45, 45 and 10 events: the 100 they store may merge the run of 10, the
    // damaged run of 40 and one of 45, smallest first.
    let lines = (1...100).map {
      Line.usage("other-\($0)", account: "other-account", at: "2024-01-12T09:00:00Z")
    }
    let appended = try Tierline.run(
      ["--store", store, "append", "--batch-size", "45", "--json", "-"],
      input: lines.joined(separator: "\n"))
    #expect(appended.status == 0, "\(appended.standardError)")
    #expect(
      appended.standardError.contains(
        "warning: the events are stored, but merging the index runs failed: "),
      "\(appended.standardError)")
    #expect(appended.standardError.contains("run `tierline verify`"))
    // Damage needs a backup, so no later merge is suggested.
    #expect(!appended.standardError.contains("tierline compact"))
    let counts = try #require(try appended.jsonLines().first)
    #expect(counts["appended"] as? Int == 100)
    #expect(counts["index_runs_merged"] as? Int == 0)
    #expect(counts["index_runs"] is NSNull)
    let log = try Tierline.run(["--store", store, "log", "other-account"])
    #expect(log.status == 0, "\(log.standardError)")
    #expect(log.standardOutput.hasPrefix("Account other-account: 100 events"))
  }

  @Test("damaged log record beside its copy is named")
  func damagedLogRecordWithCopy() throws {
    try flipPosition18Content(inLog: true)

    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 1)
    #expect(verified.standardOutput.contains("position 18"), "\(verified.standardOutput)")
    // The damaged record counts among the records checked.
    #expect(verified.standardOutput.contains("Checked 40 records"), "\(verified.standardOutput)")
    // The account's count differs only because the damaged record could not be read.
    #expect(
      verified.standardOutput.contains("(1 damaged log record is listed above)"),
      "\(verified.standardOutput)")
    // The projection check would stop at the damaged record, so verify skips it and
    // reports that it did.
    let projections = try Tierline.run(["--store", store, "verify", "--projections"])
    #expect(projections.status == 1)
    #expect(projections.standardOutput.contains("position 18"), "\(projections.standardOutput)")
    #expect(projections.standardOutput.contains("projections: not compared"))
    #expect(!projections.standardError.contains("run `tierline verify`"))
    try expectFailure(["replay", "--json"], naming: "position 18")
    // Text output starts with its header only once a projection is ready.
    let text = try Tierline.run(["--store", store, "replay"])
    #expect(text.status == 1)
    #expect(text.standardOutput.isEmpty, "\(text.standardOutput)")
    // A point query reads the index's intact copy instead.
    let single = try Tierline.run(["--store", store, "replay", "--account", "target-account"])
    #expect(single.status == 0, "\(single.standardError)")
  }

  @Test("damaged playbook fails its checksum")
  func damagedPlaybook() throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    // The stored playbook is canonical JSON; events are stored in a binary encoding, so
    // the quoted key occurs only there.
    let found = offsets(of: Array("\"currency\"".utf8), in: bytes)
    try #require(!found.isEmpty)
    for offset in found { bytes[offset + 1] ^= 0x01 }
    try Data(bytes).write(to: URL(fileURLWithPath: dataFile))

    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 1)
    #expect(verified.standardOutput.contains("CRC-32C"), "\(verified.standardOutput)")
    try expectFailure(["replay", "--json"], naming: "rules")
  }

  @Test("damaged log key fails the full replay")
  func damagedLogKey() throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    // A log key is the big-endian position. In the leaf node it follows the node's
    // 2-byte little-endian key size 8, and the record follows it, starting with the
    // record version 2 and the account's number. The account index's copy of the record
    // follows the same position, but after an occurred time instead of a key size.
    let key: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 29]
    let found = offsets(of: [8, 0] + key + recordHeader, in: bytes)
    try #require(found.count == 1)
    bytes[found[0] + 2] ^= 0x80
    try Data(bytes).write(to: URL(fileURLWithPath: dataFile))

    let full = try Tierline.run(["--store", store, "replay", "--json"])
    #expect(full.status == 1)
    #expect(full.standardError.contains("position 29"), "\(full.standardError)")
    #expect(full.standardOutput.isEmpty)
    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 1)
  }

  /// Overwrites the 8-byte value that follows each copy of a meta key in `data.mdb`. An
  /// LMDB leaf node stores its value right after its key.
  func setMetaValue(_ key: String, to value: UInt64) throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    let pattern = Array(key.utf8)
    let found = offsets(of: pattern, in: bytes)
    try #require(!found.isEmpty)
    let valueBytes = withUnsafeBytes(of: value.bigEndian) { Array($0) }
    for offset in found {
      bytes.replaceSubrange(
        (offset + pattern.count)..<(offset + pattern.count + 8), with: valueBytes)
    }
    try Data(bytes).write(to: URL(fileURLWithPath: dataFile))
  }

  @Test(
    "damaged log head in meta is named",
    arguments: [
      ("last_position", UInt64(30), "last record is at position 40"),
      ("last_recorded_at", UInt64(1), "is 1 µs since the epoch, before the record at position 40"),
    ])
  func damagedLogHead(key: String, value: UInt64, expected: String) throws {
    try setMetaValue(key, to: value)

    try expectFailure(["replay", "--json"], naming: expected)
    try expectFailure(["metrics"], naming: expected)
    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 1, "\(verified.standardOutput)")
    #expect(verified.standardOutput.contains("1 problem"), "\(verified.standardOutput)")
    #expect(verified.standardOutput.contains(expected), "\(verified.standardOutput)")
    #expect(verified.standardOutput.contains("40 records"), "\(verified.standardOutput)")
    let appended = try appendLateUsage()
    #expect(appended.status == 1, "\(appended.standardError)")
    #expect(appended.standardError.contains(expected), "\(appended.standardError)")
  }

  /// Returns the offset of the one leaf node that stores an 8-byte value under `key`:
  /// the value's size, no flags and the key's size, then the key.
  func leafNodeOffset(key: String, in bytes: [UInt8]) throws -> Int {
    let key = Array(key.utf8)
    let found = offsets(of: [8, 0, 0, 0, 0, 0, UInt8(key.count), 0] + key, in: bytes)
    try #require(found.count == 1)
    return found[0]
  }

  /// Fills the 4 KiB page that contains `offset` with zeros and writes the file back.
  func zeroPage(containing offset: Int, of bytes: [UInt8]) throws {
    var bytes = bytes
    let pageStart = offset / 4096 * 4096
    bytes.replaceSubrange(pageStart..<(pageStart + 4096), with: repeatElement(0, count: 4096))
    try Data(bytes).write(to: URL(fileURLWithPath: dataFile))
  }

  /// Checks that `verify` exits 1, names the page LMDB found damaged and says it stopped
  /// there, instead of failing on the transaction LMDB ended.
  func expectVerifyStopsAtDamagedPage() throws {
    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 1, "\(verified.standardError)")
    #expect(verified.standardOutput.contains("MDB_CORRUPTED"), "\(verified.standardOutput)")
    #expect(verified.standardOutput.contains("verify stopped here"), "\(verified.standardOutput)")
    #expect(!verified.standardError.contains("MDB_BAD_TXN"), "\(verified.standardError)")
  }

  /// Appends one usage event of the ledger's account, later than the others.
  func appendLateUsage() throws -> ProcessResult {
    try Tierline.run(
      ["--store", store, "append", "-"],
      input: Line.usage("late-usage", account: "target-account", at: "2024-01-12T09:00:00Z"))
  }

  @Test("zeroed event-id page stops verify with its damage")
  func zeroedEventIDPage() throws {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    // Log records and their copies carry the id after other bytes than a leaf node's.
    try zeroPage(containing: try leafNodeOffset(key: "target-usage-17", in: bytes), of: bytes)

    try expectVerifyStopsAtDamagedPage()
  }

  /// Returns the offset of the log record at `position` in the log's leaf node: after
  /// the node's 2-byte key size 8 and the big-endian key.
  func logRecordOffset(position: UInt8, in bytes: [UInt8]) throws -> Int {
    let key: [UInt8] = [0, 0, 0, 0, 0, 0, 0, position]
    let found = offsets(of: [8, 0] + key + recordHeader, in: bytes)
    try #require(found.count == 1)
    return found[0] + 10
  }

  @Test("damaged last record is named, not meta")
  func damagedLastRecord() throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    // Bytes 8 to 15 of a record are its recorded_at, which its CRC-32C covers.
    bytes[try logRecordOffset(position: 40, in: bytes) + 14] ^= 0x01
    try Data(bytes).write(to: URL(fileURLWithPath: dataFile))

    // The account index's copy is intact, so a point query still succeeds.
    let point = try Tierline.run(["--store", store, "replay", "--account", "target-account"])
    #expect(point.status == 0, "\(point.standardError)")
    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 1)
    #expect(verified.standardOutput.contains("position 40"), "\(verified.standardOutput)")
    #expect(verified.standardOutput.contains("CRC-32C"), "\(verified.standardOutput)")
    #expect(!verified.standardOutput.contains("last_recorded_at"), "\(verified.standardOutput)")
    try expectFailure(["replay", "--json"], naming: "position 40")
    let appended = try appendLateUsage()
    #expect(appended.status == 1)
    #expect(appended.standardError.contains("position 40"), "\(appended.standardError)")
  }

  @Test("zeroed page of the last record stops verify with its damage")
  func zeroedLastLogPage() throws {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    try zeroPage(containing: try logRecordOffset(position: 40, in: bytes), of: bytes)

    let point = try Tierline.run(["--store", store, "replay", "--account", "target-account"])
    #expect(point.status == 0, "\(point.standardError)")
    try expectVerifyStopsAtDamagedPage()
  }

  @Test("zeroed account number page stops verify with its damage")
  func zeroedAccountNumberPage() throws {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    // `originator_numbers` stores an 8-byte value under the account.
    try zeroPage(containing: try leafNodeOffset(key: "target-account", in: bytes), of: bytes)

    try expectVerifyStopsAtDamagedPage()
  }

  @Test("last recorded time past every write is named")
  func lastRecordedTimeTooLate() throws {
    // 2100-01-01T00:00:00Z, later than the ledger's appends and its activation.
    try setMetaValue("last_recorded_at", to: 4_102_444_800_000_000)

    let replay = try Tierline.run(["--store", store, "replay", "--json"])
    #expect(replay.status == 0, "\(replay.standardError)")
    let expected =
      "last_recorded_at in meta is 4102444800000000 µs since the epoch, later than the "
      + "newest write"
    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 1)
    #expect(verified.standardOutput.contains(expected), "\(verified.standardOutput)")

    // An append would stamp its records with the damaged time, after which nothing
    // would show it, so the append is rejected.
    let appended = try appendLateUsage()
    #expect(appended.status == 1, "\(appended.standardOutput)")
    #expect(appended.standardError.contains(expected), "\(appended.standardError)")
    let again = try Tierline.run(["--store", store, "verify"])
    #expect(again.standardOutput.contains(expected), "\(again.standardOutput)")
  }

  @Test("damaged account index entry is named")
  func damagedIndexEntry() throws {
    // Position 29 is a usage event at 2024-01-11T09:00:00Z. The flip moves its indexed
    // time 256 µs, so an as-of cut still reaches the entry.
    try flipIndexEntry(position: 29, byte: 6, mask: 0x01)

    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 1)
    #expect(verified.standardOutput.contains("position 29"), "\(verified.standardOutput)")
    try expectFailure(
      ["replay", "--account", "target-account", "--as-of", "2030-01-01"], naming: "position 29")
  }

  @Test("index entry moved past the cut is named")
  func indexEntryPastCut() throws {
    // Position 40 is the account's last event. Setting a high bit of its indexed time
    // moves it years later, past an as-of cut that the true time falls before.
    try flipIndexEntry(position: 40, byte: 1, mask: 0x10)

    try expectFailure(
      ["replay", "--account", "target-account", "--as-of", "2024-02-01"], naming: "position 40")
    try expectFailure(["why", "target-account", "--at", "2024-02-01"], naming: "position 40")
  }

  @Test("entry moved behind intact ones")
  func indexEntryBehindIntact() throws {
    // Position 29 moves years later, behind the intact entries of 2024-01-11. A cut
    // before those entries ends the account's events there, so only a check of the
    // entries after the cut finds position 29.
    try flipIndexEntry(position: 29, byte: 1, mask: 0x10)

    try expectFailure(
      ["replay", "--account", "target-account", "--as-of", "2024-01-10T12:00:00Z"],
      naming: "position 29")
    try expectFailure(
      ["why", "target-account", "--at", "2024-01-10T12:00:00Z"], naming: "position 29")
  }

  @Test("index entry with another position is named")
  func indexEntryPosition() throws {
    // The last entry's position gets its top bit. The entries stay in order, so only
    // the entry's checksum shows the damage.
    try flipIndexEntry(position: 40, byte: 8, mask: 0x80)

    try expectFailure(["log", "target-account"], naming: "fails its CRC-32C check")
    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 1)
  }

  @Test("repeated account index entry is named")
  func repeatedIndexEntry() throws {
    // Positions 28 and 29 are usage events at the same time. Turning 28 into 29 makes
    // the index list position 29 twice and position 28 never.
    try flipIndexEntry(position: 28, byte: 15, mask: 0x01)

    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 1)
    #expect(verified.standardOutput.contains("position 29"), "\(verified.standardOutput)")
    try expectFailure(["replay", "--account", "target-account"], naming: "position 29")
    try expectFailure(["log", "target-account"], naming: "position 29")
  }

  @Test("truncated data.mdb is named")
  func truncatedDataFile() throws {
    let size = try #require(
      try FileManager.default.attributesOfItem(atPath: dataFile)[.size] as? Int)
    try #require(size > 3 * 4096)
    #expect(truncate(dataFile, off_t(size / 2)) == 0)

    let result = try Tierline.run(["--store", store, "verify"])
    #expect(result.status == 1, "\(result.standardError)")
    #expect(result.standardError.contains("data.mdb is truncated"), "\(result.standardError)")
    // `verify` cannot list more damage, so it gives the restore advice once and does not
    // point at itself.
    #expect(result.standardError.hasSuffix("; restore the ledger from a backup\n"))
    #expect(!result.standardError.contains("run `tierline verify`"))

    let replay = try Tierline.run(["--store", store, "replay"])
    #expect(replay.status == 1)
    #expect(replay.standardError.contains("run `tierline verify` to list the damage"))
    #expect(replay.standardError.components(separatedBy: "restore the ledger").count == 2)
  }

  @Test("data.mdb cut to one page is named")
  func dataFileCutToOnePage() throws {
    #expect(truncate(dataFile, 4096) == 0)

    let result = try Tierline.run(["--store", store, "verify"])
    #expect(result.status == 1, "\(result.standardError)")
    #expect(result.standardError.contains("not a readable ledger"), "\(result.standardError)")
  }

  @Test("empty data.mdb is named and left empty")
  func emptyDataFile() throws {
    #expect(truncate(dataFile, 0) == 0)

    let result = try Tierline.run(["--store", store, "verify"])
    #expect(result.status == 1, "\(result.standardError)")
    #expect(result.standardError.contains("not a readable ledger"), "\(result.standardError)")
    let size = try FileManager.default.attributesOfItem(atPath: dataFile)[.size] as? Int
    #expect(size == 0)
  }
}
