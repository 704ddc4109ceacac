import TierlineEvents
import TierlinePlaybook
import TierlineProjections
import Testing

@testable import TierlineMetrics

/// Builds one account's events in order, with positions, for pure metric tests.
struct AccountEvents {
  let account: AccountID
  var events: [RecordedEvent] = []

  init(_ id: String) {
    account = AccountID(normalized: id)
  }

  private mutating func add(_ time: String, _ payload: Payload) {
    guard let instant = Timestamp(rfc3339: time) else {
      Issue.record("invalid test time \(time)")
      return
    }
    let event = Event(
      id: "\(account.value)-\(events.count)", account: account, occurredAt: instant,
      payload: payload)
    events.append(
      RecordedEvent(event: event, position: UInt64(events.count + 1), recordedAt: instant))
  }

  mutating func land(_ time: String, tier: String = "starter", acv: Int64 = 600_000) {
    add(
      time,
      .accountLanded(
        AccountLanded(
          tier: tier, acv: Money(minorUnits: acv, currency: .usd), timeZone: "UTC")))
  }

  mutating func change(_ time: String, to tier: String, acv: Int64) {
    add(time, .tierChanged(TierChanged(to: tier, acv: Money(minorUnits: acv, currency: .usd))))
  }

  mutating func churn(_ time: String) {
    add(time, .accountChurned(AccountChurned()))
  }

  mutating func usage(_ time: String, metric: String, units: Int64) {
    add(time, .usageRecorded(UsageRecorded(metric: metric, quantity: Quantity(units: units))))
  }

  mutating func milestone(_ time: String, _ name: String) {
    add(time, .milestoneReached(MilestoneReached(milestone: name)))
  }

  mutating func offer(_ time: String, to tier: String, by owner: String) {
    add(time, .expansionOffered(ExpansionOffered(to: tier, by: owner)))
  }

  func history(playbook: Playbook, asOf: Timestamp) -> AccountHistory {
    AccountHistory(
      account: account, events: events, playbook: playbook, rulesVersion: playbook.version,
      asOf: asOf, knownAt: asOf)
  }
}

/// Parses a test timestamp, failing the test when it is invalid.
func instant(_ text: String) throws -> Timestamp {
  try #require(Timestamp(rfc3339: text))
}
