import Dispatch
import Foundation
import Testing
import TierlineEvents
import TierlineLedger
import TierlinePlaybook
import TierlineProjections

/// A ledger shared with threads that only call its read methods.
private struct ReadOnlyLedger: @unchecked Sendable {
  let ledger: Ledger
}

@Suite("Account subset replay")
struct AccountSubsetReplayTests {
  /// Creates a ledger holding a generated portfolio of `accounts` accounts.
  private func makeLedger(accounts: Int, in directory: URL) throws -> Ledger {
    let ledger = try Ledger.create(directory: directory.path, playbook: .builtInDefault)
    var events: [NumberedEvent] = []
    PortfolioGenerator(accounts: accounts, seed: 11).generate { event in
      events.append(NumberedEvent(line: events.count + 1, incoming: IncomingEvent(event: event)))
    }
    _ = try ledger.append(events)
    return ledger
  }

  private func temporaryDirectory() -> URL {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-subset-\(UUID().uuidString)")
  }

  /// Returns every account's projection JSON from one full replay.
  private func fullReplay(_ ledger: Ledger, at point: ReplayPoint, rules: ReplayRules)
    throws -> [String: [UInt8]]
  {
    var projections: [String: [UInt8]] = [:]
    try ledger.forEachProjection(at: point, rules: rules) { projection in
      projections[projection.account] = ProjectionJSON.encode(projection)
    }
    return projections
  }

  @Test("subset in given order equals full replay")
  func subsetEqualsFullReplay() throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let ledger = try makeLedger(accounts: 40, in: directory)
    let point = ReplayPoint(asOf: .maximum, knownAt: .maximum)
    let rules = try ledger.replayRules(at: point)
    let full = try fullReplay(ledger, at: point, rules: rules)

    let subset = Array(try ledger.accounts().reversed().prefix(15))
    var seen: [String] = []
    try ledger.forEachProjection(of: subset, at: point, rules: rules) { projection in
      seen.append(projection.account)
      #expect(ProjectionJSON.encode(projection) == full[projection.account], "\(projection.account)")
    }
    #expect(seen == subset.map(\.value))
  }

  @Test("unknown account is skipped")
  func unknownAccountSkipped() throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let ledger = try makeLedger(accounts: 3, in: directory)
    let point = ReplayPoint(asOf: .maximum, knownAt: .maximum)
    let rules = try ledger.replayRules(at: point)
    let known = try #require(try ledger.accounts().first)

    var seen: [String] = []
    try ledger.forEachProjection(
      of: [AccountID(normalized: "no-such-account"), known], at: point, rules: rules
    ) { projection in
      seen.append(projection.account)
    }
    #expect(seen == [known.value])
  }

  @Test("two threads together equal full replay")
  func twoThreadsEqualFullReplay() throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let ledger = try makeLedger(accounts: 50, in: directory)
    let point = ReplayPoint(asOf: .maximum, knownAt: .maximum)
    let rules = try ledger.replayRules(at: point)
    let full = try fullReplay(ledger, at: point, rules: rules)

    let accounts = try ledger.accounts()
    let halves = [accounts[..<25], accounts[25...]]
    let shared = ReadOnlyLedger(ledger: ledger)
    let results = ThreadResults(count: halves.count)
    DispatchQueue.concurrentPerform(iterations: halves.count) { index in
      var projections: [String: [UInt8]] = [:]
      do throws(LedgerError) {
        try shared.ledger.forEachProjection(of: halves[index], at: point, rules: rules) {
          projections[$0.account] = ProjectionJSON.encode($0)
        }
        results.store(.success(projections), at: index)
      } catch {
        results.store(.failure(error), at: index)
      }
    }

    var merged: [String: [UInt8]] = [:]
    for index in halves.indices {
      let result = try #require(results.result(at: index))
      merged.merge(try result.get()) { first, _ in first }
    }
    #expect(merged.count == 50)
    #expect(merged == full)
  }
}

/// Result slots, one per thread. Each thread writes only its own slot, and the slots are
/// read after `concurrentPerform` returns.
private final class ThreadResults: @unchecked Sendable {
  private var slots: [Result<[String: [UInt8]], LedgerError>?]

  init(count: Int) {
    slots = Array(repeating: nil, count: count)
  }

  func store(_ result: Result<[String: [UInt8]], LedgerError>, at index: Int) {
    slots.withUnsafeMutableBufferPointer { $0[index] = result }
  }

  func result(at index: Int) -> Result<[String: [UInt8]], LedgerError>? {
    slots[index]
  }
}
