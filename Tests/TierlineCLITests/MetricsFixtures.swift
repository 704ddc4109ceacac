import Foundation
import Testing

extension Line {
  static func offered(_ id: String, account: String, at time: String, to tier: String, by: String)
    -> String
  {
    """
    {"id":"\(id)","type":"expansion.offered","account":"\(account)","occurred_at":"\(time)",\
    "data":{"to":"\(tier)","by":"\(by)"}}
    """
  }

  static func churned(_ id: String, account: String, at time: String) -> String {
    """
    {"id":"\(id)","type":"account.churned","account":"\(account)","occurred_at":"\(time)",\
    "data":{}}
    """
  }
}

/// A January 2024 cohort of ten accounts on the built-in playbook: seven stay on starter,
/// two reach growth and one reaches scale, so its expected ACV is exactly $11,400.
let januaryCohortLines: [String] = {
  var lines = [
    Line.landed("g1-l", account: "g1", at: "2024-01-05T10:00:00Z"),
    Line.usage("g1-u", account: "g1", at: "2024-02-20T10:00:00Z", quantity: "90000"),
    Line.tierChanged(
      "g1-t", account: "g1", at: "2024-03-01T10:00:00Z", to: "growth",
      acv: "18000.00"),
    Line.landed("g2-l", account: "g2", at: "2024-01-06T10:00:00Z"),
    Line.tierChanged(
      "g2-t", account: "g2", at: "2024-03-02T10:00:00Z", to: "growth",
      acv: "18000.00"),
    Line.tierChanged(
      "g2-c", account: "g2", at: "2024-10-02T10:00:00Z", to: "starter",
      acv: "6000.00"),
    Line.landed("t1-l", account: "t1", at: "2024-01-07T10:00:00Z"),
    Line.tierChanged(
      "t1-g", account: "t1", at: "2024-03-03T10:00:00Z", to: "growth",
      acv: "18000.00"),
    Line.offered("t1-o", account: "t1", at: "2024-04-20T10:00:00Z", to: "scale", by: "sales"),
    Line.tierChanged(
      "t1-s", account: "t1", at: "2024-05-03T10:00:00Z", to: "scale",
      acv: "36000.00"),
  ]
  for index in 1...7 {
    lines.append(Line.landed("s\(index)-l", account: "s\(index)", at: "2024-01-08T10:00:00Z"))
  }
  lines.append(
    Line.milestone("s1-fv", account: "s1", at: "2024-01-18T09:00:00Z", name: "first_value"))
  lines.append(
    Line.milestone("s2-fv", account: "s2", at: "2024-02-22T09:00:00Z", name: "first_value"))
  lines.append(Line.churned("s7-c", account: "s7", at: "2024-09-15T10:00:00Z"))
  return lines
}()

/// A ledger in a temporary directory, filled through the built binary.
struct CLILedger {
  let directory: TemporaryDirectory
  let store: String

  init(_ lines: [String]) throws {
    directory = try TemporaryDirectory()
    store = try Tierline.initializedStore(in: directory)
    let appended = try Tierline.run(
      ["--store", store, "append", "-"], input: lines.joined(separator: "\n"))
    #expect(appended.status == 0, "\(appended.standardError)")
  }

  /// Runs a command on this ledger and expects exit status 0.
  func run(_ arguments: [String]) throws -> ProcessResult {
    let result = try Tierline.run(["--store", store] + arguments)
    #expect(result.status == 0, "\(arguments): \(result.standardError)")
    return result
  }

  /// Runs a command with --json and parses its one JSON object.
  func json(_ arguments: [String]) throws -> [String: Any] {
    let result = try run(arguments + ["--json"])
    let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
    return try #require(object as? [String: Any])
  }
}
