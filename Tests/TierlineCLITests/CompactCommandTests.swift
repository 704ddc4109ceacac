import Foundation
import Testing
import TierlineStore

@Suite("tierline compact")
struct CompactCommandTests {
  let directory: TemporaryDirectory
  let store: String
  /// The events appended, one per line of the generated input.
  let events: Int

  init() throws {
    directory = try TemporaryDirectory()
    store = try Tierline.initializedStore(in: directory)
    let generated = try Tierline.run(["generate", "--accounts", "30", "--seed", "11"])
    try #require(generated.status == 0, "\(generated.standardError)")
    events = generated.standardOutput.split(separator: "\n").count
    // Small batches leave several runs on more than one level.
    let appended = try Tierline.run(
      ["--store", store, "append", "--batch-size", "20", "--no-merge", "-"],
      input: generated.standardOutput)
    try #require(appended.status == 0, "\(appended.standardError)")
  }

  /// Returns `replay --json` at a fixed point, and `log` of one account.
  func answers() throws -> [String] {
    let replay = try Tierline.run([
      "--store", store, "replay", "--json", "--as-of", "2026-06-30", "--known-at", "2100-01-01",
    ])
    #expect(replay.status == 0, "\(replay.standardError)")
    let log = try Tierline.run(["--store", store, "log", "acct-000007", "--json"])
    #expect(log.status == 0, "\(log.standardError)")
    return [replay.standardOutput, log.standardOutput]
  }

  @Test("compact merges runs, answers unchanged")
  func mergesRuns() throws {
    let before = try answers()
    #expect(!before[0].isEmpty)
    #expect(!before[1].isEmpty)
    let runsBefore = try Tierline.verifyReport(of: store)["index_runs"] as? Int ?? 0
    #expect(runsBefore > 1)
    let hint = try Tierline.run(["--store", store, "verify"])
    #expect(hint.standardOutput.contains("kept as \(runsBefore) runs"), "\(hint.standardOutput)")

    let result = try Tierline.run(["--store", store, "compact", "--json"])
    #expect(result.status == 0, "\(result.standardError)")
    let report = try #require(try result.jsonLines().first)
    #expect(report["storage_format"] as? Int == 4)
    #expect(report["runs_before"] as? Int == runsBefore)
    #expect(report["runs_after"] as? Int == 1)
    #expect(report["merged"] as? Bool == true)
    #expect(report["events"] as? Int == events)
    #expect(report["level"] as? Int != nil)
    #expect(report["place"] as? Int != nil)

    #expect(try answers() == before)
    let verified = try Tierline.run(["--store", store, "verify"])
    #expect(verified.status == 0, "\(verified.standardOutput)")
    #expect(!verified.standardOutput.contains("tierline compact"), "\(verified.standardOutput)")
    #expect(try Tierline.verifyReport(of: store)["index_runs"] as? Int == 1)

    let again = try Tierline.run(["--store", store, "compact"])
    #expect(again.status == 0, "\(again.standardError)")
    #expect(again.standardOutput.contains("already one run"), "\(again.standardOutput)")
    let unchanged = try Tierline.run(["--store", store, "compact", "--json"])
    let second = try #require(try unchanged.jsonLines().first)
    #expect(second["runs_before"] as? Int == 1)
    #expect(second["runs_after"] as? Int == 1)
    #expect(second["merged"] as? Bool == false)
    #expect(second["level"] is NSNull)
  }

  @Test("reads go on during a write")
  func readsDuringWrite() throws {
    final class Outcome: @unchecked Sendable {
      var result: ProcessResult?
      let finished = DispatchSemaphore(value: 0)
    }
    let outcome = Outcome()
    let ledger = store
    let writer = try EventStore(directory: ledger)
    // This process keeps a write transaction open, as a long merge or append would,
    // while another process opens the ledger and reads from it.
    var waited = DispatchTimeoutResult.timedOut
    try writer.write { _ in
      Thread {
        outcome.result = try? Tierline.run(["--store", ledger, "log", "acct-000007"])
        outcome.finished.signal()
      }.start()
      waited = outcome.finished.wait(timeout: .now() + 60)
    }
    #expect(waited == .success, "the reader waited for the writer")
    // A reader that waited goes on once the write ends.
    if waited == .timedOut { outcome.finished.wait() }
    #expect(outcome.result?.status == 0, "\(outcome.result?.standardError ?? "")")
    #expect(outcome.result?.standardOutput.contains("acct-000007") == true)
  }

  @Test("compact of an empty ledger")
  func emptyLedger() throws {
    let emptyDirectory = try TemporaryDirectory()
    try withExtendedLifetime(emptyDirectory) {
      let empty = try Tierline.initializedStore(in: emptyDirectory)
      let result = try Tierline.run(["--store", empty, "compact"])
      #expect(result.status == 0, "\(result.standardError)")
      #expect(result.standardOutput.contains("no events"), "\(result.standardOutput)")
    }
  }

  @Test("compact names the merged runs")
  func textReport() throws {
    let result = try Tierline.run(["--store", store, "compact"])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardOutput.hasPrefix("Merged "), "\(result.standardOutput)")
    #expect(result.standardOutput.contains("into one run in level "), "\(result.standardOutput)")
  }

  @Test("compact without a ledger fails")
  func missingLedger() throws {
    let result = try Tierline.run(["--store", directory.path("none"), "compact"])
    #expect(result.status == 1)
    #expect(result.standardError.contains("no ledger"), "\(result.standardError)")
  }
}
