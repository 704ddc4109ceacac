import Foundation
import Testing
import TierlineEvents
import TierlinePlaybook
import TierlineProjections

/// Parses RFC 3339 text in a test, failing the test when it does not parse.
func instant(_ text: String) throws -> Timestamp {
  try #require(Timestamp(rfc3339: text))
}

/// Parses a USD amount in a test.
func usd(_ text: String) throws -> Money {
  try Money(decimal: text, currency: .usd)
}

/// The events of one account in the order they are applied.
struct Timeline {
  let account: AccountID
  var events: [Event] = []

  init(_ name: String) throws {
    account = try AccountID(name)
  }

  mutating func add(_ at: String, _ payload: Payload) throws {
    events.append(
      Event(
        id: "\(account.value)-\(events.count + 1)", account: account,
        occurredAt: try instant(at), payload: payload))
  }

  mutating func land(
    _ at: String, tier: String = "starter", acv: String = "6000.00", zone: String = "UTC"
  ) throws {
    try add(at, .accountLanded(AccountLanded(tier: tier, acv: try usd(acv), timeZone: zone)))
  }

  mutating func use(_ at: String, _ metric: String, _ quantity: Int64) throws {
    try add(
      at, .usageRecorded(UsageRecorded(metric: metric, quantity: Quantity(units: quantity))))
  }

  mutating func reach(_ at: String, _ milestone: String) throws {
    try add(at, .milestoneReached(MilestoneReached(milestone: milestone)))
  }

  mutating func offer(_ at: String, to tier: String, by owner: String = "cs") throws {
    try add(at, .expansionOffered(ExpansionOffered(to: tier, by: owner, trigger: "usage")))
  }

  mutating func change(_ at: String, to tier: String, acv: String) throws {
    try add(at, .tierChanged(TierChanged(to: tier, acv: try usd(acv))))
  }

  /// Folds every event from scratch.
  func fold(_ playbook: Playbook = .builtInDefault) -> AccountState {
    var state = AccountState(account: account, playbook: playbook)
    for (index, event) in events.enumerated() {
      state.apply(event, position: UInt64(index + 1))
    }
    return state
  }

  /// Folds every event and projects at `asOf`, known at the same instant.
  func project(at asOf: String, _ playbook: Playbook = .builtInDefault) throws
    -> AccountProjection
  {
    let time = try instant(asOf)
    return fold(playbook).projection(asOf: time, knownAt: time, rulesVersion: playbook.version)
  }
}

extension AccountProjection {
  /// Returns the report of one trigger type.
  func trigger(_ type: String) throws -> TriggerReport {
    try #require(triggers.first { $0.type == type })
  }

  /// Returns the readiness condition with `name`.
  func readinessCondition(_ name: String) throws -> Condition {
    try #require(readiness.first { $0.name == name })
  }
}

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Reads the bytes of `playbooks/default.json`.
func defaultPlaybookBytes() throws -> [UInt8] {
  let url = repositoryRoot.appendingPathComponent("playbooks/default.json")
  return Array(try Data(contentsOf: url))
}
