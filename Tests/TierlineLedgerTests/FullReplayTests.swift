import Foundation
import Testing
import TierlineEvents
import TierlineLedger
import TierlinePlaybook
import TierlineProjections

@Suite("Full replay")
struct FullReplayTests {
  /// A ledger of a generated portfolio appended in batches, and each batch's stamp.
  private struct BatchedLedger {
    let ledger: Ledger
    let stamps: [Timestamp]
  }

  private func makeLedger(accounts: Int, batches: Int, in directory: URL) throws
    -> BatchedLedger
  {
    let ledger = try Ledger.create(directory: directory.path, playbook: .builtInDefault)
    var events: [NumberedEvent] = []
    PortfolioGenerator(accounts: accounts, seed: 5).generate { event in
      events.append(NumberedEvent(line: events.count + 1, incoming: IncomingEvent(event: event)))
    }
    // Each batch gets its own recorded_at, one second after the previous, so known-at
    // cuts fall between batches.
    var stamps: [Timestamp] = []
    let size = (events.count + batches - 1) / batches
    for (index, start) in stride(from: 0, to: events.count, by: size).enumerated() {
      let batch = Array(events[start..<min(start + size, events.count)])
      let now = Timestamp(microseconds: 1_900_000_000_000_000 + Int64(index) * 1_000_000)
      stamps.append(try ledger.append(batch, now: now).recordedAt)
    }
    return BatchedLedger(ledger: ledger, stamps: stamps)
  }

  private func temporaryDirectory() -> URL {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-full-replay-\(UUID().uuidString)")
  }

  /// Returns the projections of a full replay, as JSON, in output order.
  private func fullReplay(_ ledger: Ledger, at point: ReplayPoint) throws -> [[UInt8]] {
    let rules = try ledger.replayRules(at: point)
    var encoded: [[UInt8]] = []
    try ledger.forEachProjection(at: point, rules: rules) {
      encoded.append(ProjectionJSON.encode($0))
    }
    return encoded
  }

  /// Returns the projections read one account at a time through the account index.
  private func indexReplay(_ ledger: Ledger, at point: ReplayPoint) throws -> [[UInt8]] {
    let rules = try ledger.replayRules(at: point)
    var encoded: [[UInt8]] = []
    try ledger.forEachProjection(of: try ledger.accounts(), at: point, rules: rules) {
      encoded.append(ProjectionJSON.encode($0))
    }
    return encoded
  }

  @Test("as-of and known-at cuts match the account index")
  func cutsMatchIndex() throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixture = try makeLedger(accounts: 60, batches: 4, in: directory)
    let ledger = fixture.ledger
    let middleOf2024 = try #require(Timestamp(rfc3339: "2024-07-01T00:00:00Z"))
    let points = [
      ReplayPoint(asOf: .maximum, knownAt: .maximum),
      ReplayPoint(asOf: middleOf2024, knownAt: .maximum),
      ReplayPoint(asOf: .maximum, knownAt: fixture.stamps[1]),
      ReplayPoint(asOf: middleOf2024, knownAt: fixture.stamps[2]),
    ]
    for point in points {
      let full = try fullReplay(ledger, at: point)
      #expect(!full.isEmpty, "\(point)")
      #expect(full == (try indexReplay(ledger, at: point)), "\(point)")
    }
  }

  @Test("several threads give the single-thread output")
  func threadsMatchSingleThread() throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let ledger = try makeLedger(accounts: 45, batches: 3, in: directory).ledger
    let point = ReplayPoint(asOf: .maximum, knownAt: .maximum)
    let rules = try ledger.replayRules(at: point)
    let single = try fullReplay(ledger, at: point)
    for threads in [2, 3, 8] {
      let parallel = try ledger.projections(at: point, rules: rules, threads: threads)
      #expect(parallel.map(ProjectionJSON.encode) == single, "\(threads) threads")
    }
  }

  @Test("failing consumer stops the threads")
  func consumerFailure() throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let ledger = try makeLedger(accounts: 300, batches: 2, in: directory).ledger
    let point = ReplayPoint(asOf: .maximum, knownAt: .maximum)
    let rules = try ledger.replayRules(at: point)
    // The consumer fails while workers are folding groups ahead of it and others wait
    // for a slot; the call must return the error, not hang.
    for threads in [2, 3, 8] {
      var handed = 0
      let error = #expect(throws: LedgerError.self) {
        try ledger.forEachProjection(at: point, rules: rules, threads: threads) { _ in
          handed += 1
          if handed == 5 { throw LedgerError(.notFound, "consumer stopped") }
        }
      }
      #expect(error?.message == "consumer stopped", "\(threads) threads")
      #expect(handed == 5, "\(threads) threads")
    }
  }

  @Test("empty ledger replays to nothing")
  func emptyLedger() throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let ledger = try Ledger.create(directory: directory.path, playbook: .builtInDefault)
    let point = ReplayPoint(asOf: .maximum, knownAt: .maximum)
    #expect(try fullReplay(ledger, at: point).isEmpty)
    let rules = try ledger.replayRules(at: point)
    #expect(try ledger.projections(at: point, rules: rules, threads: 2).isEmpty)
  }
}
