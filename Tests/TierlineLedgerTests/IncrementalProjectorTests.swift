import Foundation
import Testing
import TierlineEvents
import TierlineLedger
import TierlinePlaybook
import TierlineProjections

@Suite("Incremental projector")
struct IncrementalProjectorTests {
  @Test("arrival-order fold equals full replay")
  func incrementalEqualsReplay() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-incremental-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let ledger = try Ledger.create(directory: directory.path, playbook: .builtInDefault)

    var events: [NumberedEvent] = []
    PortfolioGenerator(accounts: 120, seed: 7).generate { event in
      events.append(NumberedEvent(line: events.count + 1, incoming: IncomingEvent(event: event)))
    }
    let point = ReplayPoint(asOf: .maximum, knownAt: .maximum)
    let rules = try ledger.replayRules(at: point)
    let projector = IncrementalProjector(rules: rules)
    var start = 0
    while start < events.count {
      let end = min(start + 1_500, events.count)
      _ = try ledger.append(Array(events[start..<end]))
      try projector.catchUp(with: ledger, step: 700)
      start = end
    }

    #expect(projector.position == UInt64(events.count))
    #expect(projector.refolds > 0, "the generated portfolio has late events")
    var compared = 0
    try ledger.forEachProjection(at: point, rules: rules) { full in
      compared += 1
      let account = AccountID(normalized: full.account)
      let incremental = try #require(
        projector.projection(of: account, asOf: point.asOf, knownAt: point.knownAt))
      #expect(ProjectionJSON.encode(incremental) == ProjectionJSON.encode(full), "\(full.account)")
    }
    #expect(compared == 120)

    var streamed: [[UInt8]] = []
    try ledger.forEachProjection(at: point, rules: rules) {
      streamed.append(ProjectionJSON.encode($0))
    }
    for threads in [1, 2, 3] {
      let parallel = try ledger.projections(at: point, rules: rules, threads: threads)
      #expect(parallel.map(ProjectionJSON.encode) == streamed, "\(threads) threads")
    }
    let byAccount = try ledger.forEachProjectionList(accounts: try ledger.accounts(), point, rules)
    #expect(byAccount == streamed)

    let check = try ledger.checkProjections(step: 999)
    #expect(check.accounts == 120)
    #expect(check.mismatches.isEmpty)
  }
}

extension Ledger {
  /// Folds the accounts one by one through the account index, as a second path to compare.
  fileprivate func forEachProjectionList(
    accounts: [AccountID], _ point: ReplayPoint, _ rules: ReplayRules
  ) throws -> [[UInt8]] {
    var encoded: [[UInt8]] = []
    try forEachProjection(of: accounts, at: point, rules: rules) {
      encoded.append(ProjectionJSON.encode($0))
    }
    return encoded
  }
}
