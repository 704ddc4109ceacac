import Foundation
import Testing
import TierlineLedger

@Suite("Stale reader slots")
struct StaleReaderTests {
  @Test("slot of a killed reader is cleared on open")
  func killedReaderSlotCleared() throws {
    let directory = try TemporaryDirectory()
    let store = directory.path("ledger")
    let created = try Tierline.run(["--store", store, "init"])
    #expect(created.status == 0, "\(created.standardError)")
    let lines = (0..<1_000).map { index in
      Line.landed("landing-\(index)", account: "reader-\(index)", at: "2024-01-10T09:00:00Z")
    }
    let appended = try Tierline.run(
      ["--store", store, "append", "-"], input: lines.joined(separator: "\n"))
    #expect(appended.status == 0, "\(appended.standardError)")

    // While no process has the ledger open, the next opener resets LMDB's whole reader
    // table instead of checking it, so this process keeps it open throughout.
    let holder = try Ledger.open(directory: store)
    #expect(holder.staleReadersCleared == 0)

    // `replay --json` writes each projection while its read transaction is open. Its
    // output (about 500 KB) is larger than its buffer and the pipe together, so once the
    // first bytes arrive and nothing more is read, it blocks inside the transaction.
    let process = Process()
    process.executableURL = Tierline.binary
    process.arguments = ["--store", store, "replay", "--json"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let firstBytes = output.fileHandleForReading.availableData
    #expect(!firstBytes.isEmpty)
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    #expect(process.terminationReason == .uncaughtSignal)

    let verified = try Tierline.run(["--store", store, "verify", "--json"])
    #expect(verified.status == 0, "\(verified.standardError)")
    let report = try #require(try verified.jsonLines().first)
    #expect(report["stale_readers_cleared"] as? Int == 1)

    let again = try Tierline.run(["--store", store, "verify", "--json"])
    let second = try #require(try again.jsonLines().first)
    #expect(second["stale_readers_cleared"] as? Int == 0)
    withExtendedLifetime(holder) {}
  }
}
