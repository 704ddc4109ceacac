import Foundation
import TierlineLedger
import TierlinePlaybook

/// Locates fixture files beside the test sources and the example files of the repository.
enum ImportFixtures {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  static let examples = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("examples")

  /// The bytes of a fixture file.
  static func bytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
  }

  /// The bytes of a file under `examples/`.
  static func example(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: examples.appendingPathComponent(name)))
  }
}

/// A ledger in a temporary directory, removed when the value is released.
final class TemporaryLedger {
  let directory: URL
  let ledger: Ledger

  init(playbook: Playbook = .builtInDefault) throws {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-import-\(UUID().uuidString)")
    ledger = try Ledger.create(directory: directory.path, playbook: playbook)
  }

  deinit {
    try? FileManager.default.removeItem(at: directory)
  }
}
