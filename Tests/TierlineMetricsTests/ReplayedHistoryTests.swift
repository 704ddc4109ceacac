import Foundation
import Testing
import TierlineEvents
import TierlineLedger
@testable import TierlineMetrics
import TierlinePlaybook
import TierlineProjections

/// The metrics fold each account once from a full replay of the log. These tests fold
/// every account's event list instead and compare.
@Suite("Replayed histories")
struct ReplayedHistoryTests {
  /// Returns a generated ledger appended in three batches, and each batch's recorded time.
  private func makeLedger(in directory: URL) throws -> (Ledger, [Timestamp]) {
    let ledger = try Ledger.create(directory: directory.path, playbook: .builtInDefault)
    var events: [NumberedEvent] = []
    PortfolioGenerator(accounts: 40, seed: 23).generate { event in
      events.append(NumberedEvent(line: events.count + 1, incoming: IncomingEvent(event: event)))
    }
    var stamps: [Timestamp] = []
    let size = (events.count + 2) / 3
    for (index, start) in stride(from: 0, to: events.count, by: size).enumerated() {
      let now = Timestamp(microseconds: 1_900_000_000_000_000 + Int64(index) * 1_000_000)
      let batch = Array(events[start..<min(start + size, events.count)])
      stamps.append(try ledger.append(batch, now: now).recordedAt)
    }
    return (ledger, stamps)
  }

  /// Returns each account's events visible at `point`, from the account index.
  private func eventLists(_ ledger: Ledger, at point: ReplayPoint) throws
    -> [(AccountID, [RecordedEvent])]
  {
    try ledger.accounts().compactMap { account in
      let events = try ledger.log(of: account).filter {
        $0.event.occurredAt <= point.asOf && $0.recordedAt <= point.knownAt
      }
      return events.isEmpty ? nil : (account, events)
    }
  }

  /// Returns the candidate playbook: the built-in one with a lower usage threshold and
  /// an earlier first time trigger.
  private func candidate() throws -> Playbook {
    var json = String(decoding: Playbook.builtInDefault.canonicalJSON(), as: UTF8.self)
    json = json.replacingOccurrences(of: #""threshold":"0.8""#, with: #""threshold":"0.6""#)
    json = json.replacingOccurrences(of: "[60,90,180]", with: "[45,90,180]")
    let playbook = try Playbook(json: Array(json.utf8))
    #expect(playbook.version != Playbook.builtInDefault.version)
    return playbook
  }

  private func points(_ stamps: [Timestamp]) throws -> [ReplayPoint] {
    let middleOf2024 = try #require(Timestamp(rfc3339: "2024-07-01T00:00:00Z"))
    return [
      ReplayPoint(asOf: .maximum, knownAt: .maximum),
      ReplayPoint(asOf: middleOf2024, knownAt: .maximum),
      ReplayPoint(asOf: .maximum, knownAt: stamps[1]),
    ]
  }

  @Test("histories match event-list folds")
  func histories() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-histories-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let (ledger, stamps) = try makeLedger(in: directory)
    let rules = ReplayRules(playbook: .builtInDefault)

    for point in try points(stamps) {
      let replayed = try ledger.histories(at: point, rules: rules)
      let expected = try eventLists(ledger, at: point).map { account, events in
        AccountHistory(
          account: account, events: events, playbook: rules.playbook,
          rulesVersion: rules.version, asOf: point.asOf, knownAt: point.knownAt)
      }
      #expect(!replayed.isEmpty, "\(point)")
      #expect(replayed.map(\.account) == expected.map(\.account), "\(point)")
      for (history, reference) in zip(replayed, expected) {
        #expect(
          ProjectionJSON.encode(history.projection) == ProjectionJSON.encode(reference.projection),
          "\(history.account) at \(point)")
        #expect(history.standings == reference.standings, "\(history.account) at \(point)")
        #expect(history.firstLandedAt == reference.firstLandedAt, "\(history.account)")
        #expect(history.landingTier == reference.landingTier, "\(history.account)")
        #expect(history.landingACVMinorUnits == reference.landingACVMinorUnits)
      }
    }
  }

  @Test("ready-since fold matches event-list search")
  func readySince() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-ready-since-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let (ledger, stamps) = try makeLedger(in: directory)
    let playbook = Playbook.builtInDefault
    var ready = 0
    for point in try points(stamps) {
      for (account, events) in try eventLists(ledger, at: point) {
        let expected = ReadySince.instant(
          account: account, events: events, playbook: playbook, asOf: point.asOf)
        var search = ReadySince.Fold(account: account, playbook: playbook)
        let folded = try ledger.fold(account, at: point, into: &search)
        #expect(folded == events.count, "\(account.value)")
        #expect(search.instant(asOf: point.asOf) == expected, "\(account.value) at \(point)")
        if expected != nil { ready += 1 }
      }
    }
    // The comparison covers ready accounts, not only nil against nil.
    #expect(ready > 10)
  }

  @Test("rules diff matches event-list folds")
  func rulesDiff() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-diff-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let (ledger, stamps) = try makeLedger(in: directory)
    let baseline = ReplayRules(playbook: .builtInDefault)
    let candidate = ReplayRules(playbook: try candidate())

    for point in try points(stamps) {
      let diff = try ledger.rulesDiff(
        baseline: baseline, candidate: candidate,
        options: MetricsOptions(asOf: point.asOf, knownAt: point.knownAt))
      var expected: [RulesDiff.ReadinessChange] = []
      for (account, events) in try eventLists(ledger, at: point) {
        let readyBefore = AccountHistory(
          account: account, events: events, playbook: baseline.playbook,
          rulesVersion: baseline.version, asOf: point.asOf, knownAt: point.knownAt
        ).projection.ready
        let readyAfter = AccountHistory(
          account: account, events: events, playbook: candidate.playbook,
          rulesVersion: candidate.version, asOf: point.asOf, knownAt: point.knownAt
        ).projection.ready
        let firstBefore = FirstReadiness.instant(
          account: account, events: events, playbook: baseline.playbook, asOf: point.asOf)
        let firstAfter = FirstReadiness.instant(
          account: account, events: events, playbook: candidate.playbook, asOf: point.asOf)
        if readyBefore != readyAfter || firstBefore != firstAfter {
          expected.append(
            RulesDiff.ReadinessChange(
              account: account.value, readyBefore: readyBefore, readyAfter: readyAfter,
              firstReadyBefore: firstBefore, firstReadyAfter: firstAfter))
        }
      }
      // The candidate changes some accounts, so the comparison covers changed ones.
      #expect(!expected.isEmpty, "\(point)")
      #expect(diff.readinessChanges == expected, "\(point)")
    }
  }
}
