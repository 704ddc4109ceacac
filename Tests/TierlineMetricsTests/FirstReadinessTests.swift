import TierlineEvents
import TierlinePlaybook
import TierlineProjections
import Testing

@testable import TierlineMetrics

/// Accounts whose readiness starts at an event, after a milestone wait, at a time
/// trigger, or after an offer expires.
func readinessAccounts() -> [AccountEvents] {
  var usage = AccountEvents("usage")
  usage.land("2024-03-01T10:00:00Z")
  usage.usage("2024-03-10T10:00:00Z", metric: "api_calls", units: 90_000)

  var milestone = AccountEvents("milestone")
  milestone.land("2024-03-01T10:00:00Z")
  milestone.milestone("2024-03-05T10:00:00Z", "first_value")
  milestone.milestone("2024-03-06T10:00:00Z", "integration_live")

  var offered = AccountEvents("offered")
  offered.land("2024-03-01T10:00:00Z")
  offered.usage("2024-03-10T10:00:00Z", metric: "api_calls", units: 90_000)
  offered.offer("2024-03-09T10:00:00Z", to: "growth", by: "cs")

  var quiet = AccountEvents("quiet")
  quiet.land("2024-03-01T10:00:00Z")

  var churned = AccountEvents("churned")
  churned.land("2024-03-01T10:00:00Z")
  churned.churn("2024-04-01T10:00:00Z")
  return [usage, milestone, offered, quiet, churned] + januaryCohort()
}

@Suite("First readiness")
struct FirstReadinessTests {
  let playbook = Playbook.builtInDefault

  /// Scans every event time and every UTC midnight from 2024 to `asOf` with full
  /// projections and returns the first ready instant.
  func scan(_ account: AccountEvents, asOf: Timestamp) -> Timestamp? {
    var candidates = Set(account.events.map(\.event.occurredAt.microseconds))
    let firstDay = 19_723  // 2024-01-01
    let lastDay = Int(asOf.microseconds / 86_400_000_000)
    for day in firstDay...lastDay {
      candidates.insert(Int64(day) * 86_400_000_000)
    }
    var state = AccountState(account: account.account, playbook: playbook)
    var applied = 0
    for instant in candidates.sorted() where instant <= asOf.microseconds {
      while applied < account.events.count,
        account.events[applied].event.occurredAt.microseconds <= instant
      {
        state.apply(account.events[applied].event, position: account.events[applied].position)
        applied += 1
      }
      let time = Timestamp(microseconds: instant)
      if state.projection(asOf: time, knownAt: time, rulesVersion: "").ready { return time }
    }
    return nil
  }

  @Test("search equals a day-by-day scan")
  func matchesScan() throws {
    let asOf = try instant("2025-08-01T00:00:00Z")
    for account in readinessAccounts() {
      let found = FirstReadiness.instant(
        account: account.account, events: account.events, playbook: playbook, asOf: asOf)
      #expect(found == scan(account, asOf: asOf), "\(account.account.value)")
    }
  }

  @Test("known first ready instants")
  func knownInstants() throws {
    let asOf = try instant("2024-12-31T00:00:00Z")
    let accounts = Dictionary(
      uniqueKeysWithValues: readinessAccounts().map { ($0.account.value, $0) })
    func first(_ id: String) throws -> Timestamp? {
      let account = try #require(accounts[id])
      return FirstReadiness.instant(
        account: account.account, events: account.events, playbook: playbook, asOf: asOf)
    }
    #expect(try first("usage") == instant("2024-03-10T10:00:00Z"))
    // Milestones complete on 6 March and the wait is 14 days.
    #expect(try first("milestone") == instant("2024-03-20T00:00:00Z"))
    // The offer of 9 March stays open for 90 days, until 7 June.
    #expect(try first("offered") == instant("2024-06-07T00:00:00Z"))
    // The 60-day time trigger fires on 30 April.
    #expect(try first("quiet") == instant("2024-04-30T00:00:00Z"))
    #expect(try first("churned") == nil)
  }

  @Test("isReady equals the projection")
  func isReadyMatchesProjection() throws {
    for account in readinessAccounts() {
      var state = AccountState(account: account.account, playbook: playbook)
      for recorded in account.events { state.apply(recorded.event, position: recorded.position) }
      for day in stride(from: 19_780, through: 20_000, by: 3) {
        let time = Timestamp(microseconds: Int64(day) * 86_400_000_000 + 3_600_000_000)
        let expected = state.projection(asOf: time, knownAt: time, rulesVersion: "").ready
        #expect(state.isReady(at: time) == expected, "\(account.account.value) day \(day)")
      }
    }
  }
}
