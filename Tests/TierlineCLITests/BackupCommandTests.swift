import Foundation
import Testing

@Suite("tierline backup")
struct BackupCommandTests {
  let directory: TemporaryDirectory
  let store: String

  init() throws {
    directory = try TemporaryDirectory()
    store = try Tierline.initializedStore(in: directory)
    let generated = try Tierline.run(["generate", "--accounts", "30", "--seed", "7"])
    #expect(generated.status == 0, "\(generated.standardError)")
    let appended = try Tierline.run(
      ["--store", store, "append", "-"], input: generated.standardOutput)
    #expect(appended.status == 0, "\(appended.standardError)")
  }

  /// Returns `replay --json` of a ledger at a fixed point, so two runs are comparable.
  func replay(_ ledger: String) throws -> String {
    let result = try Tierline.run([
      "--store", ledger, "replay", "--json", "--as-of", "2026-06-30", "--known-at",
      "2100-01-01",
    ])
    #expect(result.status == 0, "\(result.standardError)")
    return result.standardOutput
  }

  @Test("restored backup replays identically")
  func restoredBackupReplays() throws {
    let backup = directory.path("backup")
    let result = try Tierline.run(["--store", store, "backup", backup, "--json"])
    #expect(result.status == 0, "\(result.standardError)")
    let report = try #require(try result.jsonLines().first)
    #expect((report["events"] as? Int ?? 0) > 0)

    // Restore by copying the backup directory to where a ledger is expected.
    let restored = directory.path("restored")
    try FileManager.default.copyItem(atPath: backup, toPath: restored)
    let original = try replay(store)
    #expect(!original.isEmpty)
    #expect(try replay(restored) == original)
    let verified = try Tierline.run(["--store", restored, "verify", "--projections"])
    #expect(verified.status == 0, "\(verified.standardOutput)")
    // The copy keeps the storage format of the ledger it was made from.
    #expect(
      verified.standardOutput.contains("in storage format 4: intact."), "\(verified.standardOutput)"
    )
  }

  @Test("backup of a damaged ledger fails")
  func damagedLedgerBackup() throws {
    let dataFile = store + "/data.mdb"
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    // A stored record contains the event id, then the account's length and bytes. Free
    // space in `data.mdb` can keep stale copies too, so every copy is changed, the log's
    // among them, and the record's checksum no longer matches.
    let account = Array("acct-000001".utf8)
    let pattern = Array("evt-acct-000001-1".utf8) + [UInt8(account.count)] + account
    let found = (0...(bytes.count - pattern.count)).filter { start in
      bytes[start..<(start + pattern.count)].elementsEqual(pattern)
    }
    try #require(!found.isEmpty)
    for start in found { bytes[start + 4] ^= 0x01 }
    try Data(bytes).write(to: URL(fileURLWithPath: dataFile))

    let backup = directory.path("backup")
    let result = try Tierline.run(["--store", store, "backup", backup])
    #expect(result.status == 1)
    #expect(result.standardError.contains("is damaged"), "\(result.standardError)")
    let unchecked = try Tierline.run([
      "--store", store, "backup", directory.path("b2"), "--no-verify",
    ])
    #expect(unchecked.status == 0, "\(unchecked.standardError)")
    #expect(unchecked.standardOutput.contains("not checked"))
  }

  /// Overwrites the 8-byte big-endian value after every copy of the meta key
  /// `last_position` in the ledger's `data.mdb`.
  func setLastPosition(to value: UInt64) throws {
    let dataFile = store + "/data.mdb"
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    let key = Array("last_position".utf8)
    let found = (0...(bytes.count - key.count - 8)).filter { start in
      bytes[start..<(start + key.count)].elementsEqual(key)
    }
    try #require(!found.isEmpty)
    let valueBytes = withUnsafeBytes(of: value.bigEndian) { Array($0) }
    for start in found {
      bytes.replaceSubrange((start + key.count)..<(start + key.count + 8), with: valueBytes)
    }
    try Data(bytes).write(to: URL(fileURLWithPath: dataFile))
  }

  @Test("damaged log head fails the copy's check")
  func damagedLogHeadBackup() throws {
    try setLastPosition(to: 5)

    let backup = directory.path("backup")
    let result = try Tierline.run(["--store", store, "backup", backup])
    #expect(result.status == 1)
    #expect(
      result.standardError.contains(
        "error: the copy in \(backup) is damaged, so the ledger is too"),
      "\(result.standardError)")
    #expect(result.standardError.contains("remove \(backup)"), "\(result.standardError)")
    #expect(result.standardOutput.isEmpty, "\(result.standardOutput)")

    let unchecked = directory.path("unchecked")
    let skipped = try Tierline.run(["--store", store, "backup", unchecked, "--no-verify"])
    #expect(skipped.status == 0, "\(skipped.standardError)")
    #expect(skipped.standardError.isEmpty, "\(skipped.standardError)")
    #expect(skipped.standardOutput.contains("not checked"), "\(skipped.standardOutput)")
    #expect(FileManager.default.fileExists(atPath: unchecked + "/data.mdb"))

    // The copy is not opened, so the JSON output has no event count.
    let json = try Tierline.run([
      "--store", store, "backup", directory.path("unchecked-json"), "--no-verify", "--json",
    ])
    #expect(json.status == 0, "\(json.standardError)")
    let report = try #require(try json.jsonLines().first)
    #expect(report["events"] is NSNull, "\(json.standardOutput)")
    #expect(report["verified"] as? Bool == false, "\(json.standardOutput)")
  }

  @Test("compacted backup copy is no larger")
  func backupCompacts() throws {
    let backup = directory.path("backup")
    let result = try Tierline.run(["--store", store, "backup", backup])
    #expect(result.status == 0, "\(result.standardError)")
    let originalSize =
      try FileManager.default.attributesOfItem(
        atPath: store + "/data.mdb")[.size] as? Int
    let backupSize =
      try FileManager.default.attributesOfItem(
        atPath: backup + "/data.mdb")[.size] as? Int
    let original = try #require(originalSize)
    let copy = try #require(backupSize)
    #expect(copy <= original)
  }

  @Test("existing backup is not overwritten")
  func existingBackupRejected() throws {
    let backup = directory.path("backup")
    let first = try Tierline.run(["--store", store, "backup", backup])
    #expect(first.status == 0, "\(first.standardError)")
    let before = try Data(contentsOf: URL(fileURLWithPath: backup + "/data.mdb"))

    let second = try Tierline.run(["--store", store, "backup", backup])
    #expect(second.status == 64)
    #expect(second.standardError.contains("already exists"), "\(second.standardError)")
    let after = try Data(contentsOf: URL(fileURLWithPath: backup + "/data.mdb"))
    #expect(after == before)
  }

  @Test("backup during an append holds whole batches")
  func backupDuringAppend() throws {
    let before = try eventCount(store)
    var lines = [Line.landed("bulk-0", account: "bulk", at: "2024-01-10T09:00:00Z")]
    for index in 1..<20_000 {
      lines.append(Line.usage("bulk-\(index)", account: "bulk", at: "2024-01-11T09:00:00Z"))
    }
    let inputFile = directory.path("bulk.ndjson")
    try lines.joined(separator: "\n").write(toFile: inputFile, atomically: false, encoding: .utf8)
    let writer = Process()
    writer.executableURL = Tierline.binary
    writer.arguments = ["--store", store, "append", inputFile]
    writer.standardOutput = FileHandle.nullDevice
    try writer.run()
    let backup = directory.path("backup")
    let result = try Tierline.run(["--store", store, "backup", backup])
    #expect(result.status == 0, "\(result.standardError)")

    // The copy holds the batch of 20,000 events completely or not at all.
    let copied = try eventCount(backup)
    #expect(copied == before || copied == before + 20_000, "\(copied) events")
    let verified = try Tierline.run(["--store", backup, "verify"])
    #expect(verified.status == 0, "\(verified.standardOutput)")
    writer.waitUntilExit()
    #expect(writer.terminationStatus == 0)
    #expect(try eventCount(store) == before + 20_000)
  }

  func eventCount(_ ledger: String) throws -> Int {
    let result = try Tierline.run(["--store", ledger, "verify", "--json"])
    #expect(result.status == 0, "\(result.standardError)")
    let report = try #require(try result.jsonLines().first)
    return try #require(report["records"] as? Int)
  }
}
