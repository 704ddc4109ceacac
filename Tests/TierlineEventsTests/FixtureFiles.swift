import Foundation

/// Locates the fixture files that sit beside the test sources.
enum FixtureFiles {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  /// Returns the non-empty lines of a fixture file with their 1-based line numbers.
  static func lines(_ name: String) throws -> [(number: Int, bytes: [UInt8])] {
    let data = try Data(contentsOf: directory.appendingPathComponent(name))
    var result: [(number: Int, bytes: [UInt8])] = []
    for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false)
      .enumerated() where !line.isEmpty
    {
      result.append((index + 1, Array(line)))
    }
    return result
  }
}
