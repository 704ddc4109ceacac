import Foundation
import Testing

@Suite("Documented limits")
struct LimitTests {
  let directory: TemporaryDirectory
  let store: String

  init() throws {
    directory = try TemporaryDirectory()
    store = try Tierline.initializedStore(in: directory)
  }

  /// Returns an `account.churned` line of exactly `length` bytes.
  func churnedLine(id: String, length: Int) -> String {
    let empty = """
      {"id":"\(id)","type":"account.churned","account":"a","occurred_at":"2024-01-10T09:00:00Z",\
      "data":{"reason":""}}
      """
    let padding = String(repeating: "x", count: length - empty.utf8.count)
    return empty.replacingOccurrences(of: "\"reason\":\"\"", with: "\"reason\":\"\(padding)\"")
  }

  func append(_ input: String) throws -> ProcessResult {
    try Tierline.run(["--store", store, "append", "-"], input: input)
  }

  @Test("file size limit is named")
  func fileSizeLimit() throws {
    let generated = try Tierline.run(["generate", "--accounts", "300", "--seed", "3"])
    #expect(generated.status == 0)
    let events = directory.path("events.ndjson")
    try Data(generated.standardOutput.utf8).write(to: URL(fileURLWithPath: events))
    // A shell lowers the file size limit to 2,000 blocks, about 1 or 2 MB depending on
    // the shell's block size and below what the batch needs. The write that reaches the
    // limit comes back short, which LMDB reports as an I/O error.
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = [
      "-c", "ulimit -f 2000; exec \"$0\" --store \"$1\" append \"$2\"",
      Tierline.binary.path, store, events,
    ]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationReason == .exit)
    #expect(process.terminationStatus == 1, "\(message)")
    #expect(message.contains("reached the file size limit"), "\(message)")
    #expect(message.contains("raise it (ulimit -f)"), "\(message)")

    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 0, "\(verified.standardOutput)")
    #expect(verified.standardOutput.contains("Checked 0 records"), "\(verified.standardOutput)")
  }

  @Test("account id of 200 bytes is the maximum")
  func accountIDLength() throws {
    let landed = Line.landed(
      "x", account: String(repeating: "é", count: 100), at: "2024-01-10T09:00:00Z")
    #expect(try append(landed).status == 0)
    let tooLong = Line.landed(
      "y", account: String(repeating: "é", count: 100) + "a", at: "2024-01-10T09:00:00Z")
    let rejected = try append(tooLong)
    #expect(rejected.status == 65)
    #expect(rejected.standardError.contains("account"), "\(rejected.standardError)")
    #expect(rejected.standardError.contains("200"), "\(rejected.standardError)")
  }

  @Test("event id of 200 bytes is the maximum")
  func eventIDLength() throws {
    let accepted = Line.landed(
      String(repeating: "i", count: 200), account: "a", at: "2024-01-10T09:00:00Z")
    #expect(try append(accepted).status == 0)
    let tooLong = Line.usage(
      String(repeating: "i", count: 201), account: "a", at: "2024-01-11T09:00:00Z")
    let rejected = try append(tooLong)
    #expect(rejected.status == 65)
    #expect(rejected.standardError.contains("id"), "\(rejected.standardError)")
  }

  @Test("event of 65,536 bytes is the maximum")
  func eventLength() throws {
    let landed = Line.landed("l", account: "a", at: "2024-01-10T09:00:00Z")
    let accepted = churnedLine(id: "c1", length: 65_536)
    #expect(accepted.utf8.count == 65_536)
    let stored = try append(landed + "\n" + accepted)
    #expect(stored.status == 0, "\(stored.standardError)")

    let tooLong = churnedLine(id: "c2", length: 65_537)
    let rejected = try append(tooLong)
    #expect(rejected.status == 65)
    #expect(rejected.standardError.contains("65536"), "\(rejected.standardError)")
  }

  @Test("batch size above 1,000,000 is a usage error")
  func batchSizeLimit() throws {
    let input = Line.landed("l", account: "a", at: "2024-01-10T09:00:00Z")
    let accepted = try Tierline.run(
      ["--store", store, "append", "--batch-size", "1000000", "-"], input: input)
    #expect(accepted.status == 0, "\(accepted.standardError)")
    let rejected = try Tierline.run(
      ["--store", store, "append", "--batch-size", "1000001", "-"], input: input)
    #expect(rejected.status == 64)
    #expect(rejected.standardError.contains("batch-size"), "\(rejected.standardError)")
  }
}
