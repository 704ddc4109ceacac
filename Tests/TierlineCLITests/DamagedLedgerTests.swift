import Foundation
import Testing

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

  @Test("truncated data.mdb is named")
  func truncatedDataFile() throws {
    let size = try #require(
      try FileManager.default.attributesOfItem(atPath: dataFile)[.size] as? Int)
    try #require(size > 3 * 4096)
    #expect(truncate(dataFile, off_t(size / 2)) == 0)

    let result = try Tierline.run(["--store", store, "verify"])
    #expect(result.status == 1, "\(result.standardError)")
    #expect(result.standardError.contains("data.mdb is truncated"), "\(result.standardError)")
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
