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

  // Ready from the usage trigger, then not while an offer is open, then ready again.
  var interrupted = AccountEvents("interrupted")
  interrupted.land("2024-03-01T10:00:00Z")
  interrupted.usage("2024-03-10T10:00:00Z", metric: "api_calls", units: 90_000)
  interrupted.offer("2024-04-01T10:00:00Z", to: "growth", by: "cs")
  return [usage, milestone, offered, quiet, churned, interrupted] + januaryCohort()
}

@Suite("First readiness")
struct FirstReadinessTests {
  let playbook = Playbook.builtInDefault

  /// Returns whether the account is ready at every event time and every UTC midnight
  /// from 2024 to `asOf`, and at `asOf`, in time order, from full projections. Readiness
  /// is fixed between two of these instants.
  func readiness(_ account: AccountEvents, asOf: Timestamp) -> [(Timestamp, Bool)] {
    var candidates = Set(account.events.map(\.event.occurredAt.microseconds))
    let firstDay = 19_723  // 2024-01-01
    for day in firstDay...Int(asOf.microseconds / 86_400_000_000) {
      candidates.insert(Int64(day) * 86_400_000_000)
    }
    candidates.insert(asOf.microseconds)
    var state = AccountState(account: account.account, playbook: playbook)
    var applied = 0
    var result: [(Timestamp, Bool)] = []
    for instant in candidates.sorted() where instant <= asOf.microseconds {
      while applied < account.events.count,
        account.events[applied].event.occurredAt.microseconds <= instant
      {
        state.apply(account.events[applied].event, position: account.events[applied].position)
        applied += 1
      }
      let time = Timestamp(microseconds: instant)
      result.append((time, state.projection(asOf: time, knownAt: time, rulesVersion: "").ready))
    }
    return result
  }

  /// Returns the first ready instant, found by checking every instant of `readiness`.
  func scan(_ account: AccountEvents, asOf: Timestamp) -> Timestamp? {
    readiness(account, asOf: asOf).first { $0.1 }?.0
  }

  /// Returns the start of the stretch of readiness that reaches `asOf`, found by
  /// checking every instant of `readiness`.
  func scanSince(_ account: AccountEvents, asOf: Timestamp) -> Timestamp? {
    var since: Timestamp?
    for (time, ready) in readiness(account, asOf: asOf) { since = ready ? (since ?? time) : nil }
    return since
  }

  @Test("ready-since equals a day-by-day scan")
  func readySinceMatchesScan() throws {
    for asOf in ["2024-03-20T12:00:00Z", "2024-05-01T00:00:00Z", "2025-08-01T00:00:00Z"] {
      let time = try instant(asOf)
      for account in readinessAccounts() {
        // The events a view at `time` folds, in fold order.
        var cut = account
        cut.events = account.events.filter { $0.event.occurredAt <= time }.sorted {
          ($0.event.occurredAt, $0.position) < ($1.event.occurredAt, $1.position)
        }
        let found = ReadySince.instant(
          account: cut.account, events: cut.events, playbook: playbook, asOf: time)
        #expect(found == scanSince(cut, asOf: time), "\(account.account.value) at \(asOf)")
      }
    }
  }

  @Test("known ready-since instants")
  func knownReadySince() throws {
    let accounts = Dictionary(
      uniqueKeysWithValues: readinessAccounts().map { ($0.account.value, $0) })
    func since(_ id: String, _ asOf: String) throws -> Timestamp? {
      let account = try #require(accounts[id])
      let time = try instant(asOf)
      return ReadySince.instant(
        account: account.account,
        events: account.events.filter { $0.event.occurredAt <= time }, playbook: playbook,
        asOf: time)
    }
    #expect(try since("usage", "2024-12-31T00:00:00Z") == instant("2024-03-10T10:00:00Z"))
    #expect(try since("interrupted", "2024-03-31T00:00:00Z") == instant("2024-03-10T10:00:00Z"))
    // The offer of 1 April closes readiness until it expires 90 days later.
    #expect(try since("interrupted", "2024-05-01T00:00:00Z") == nil)
    #expect(try since("interrupted", "2024-12-31T00:00:00Z") == instant("2024-06-30T00:00:00Z"))
    #expect(try since("churned", "2024-12-31T00:00:00Z") == nil)
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
