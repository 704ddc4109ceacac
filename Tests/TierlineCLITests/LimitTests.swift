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
