import Testing
import TierlineEvents
import TierlineImport
import TierlineLedger
import TierlinePlaybook

@Suite("Import runner")
struct ImportRunnerTests {
  func subscriptionsPlan() throws -> ImportPlan {
    try SubscriptionImporter.plan(
      try ImportFixtures.example("subscriptions.csv"), playbook: .builtInDefault)
  }

  @Test("second import appends nothing")
  func reimport() throws {
    let store = try TemporaryLedger()
    let first = try ImportRunner.run(
      try subscriptionsPlan(), ledger: store.ledger, dryRun: false, skipInvalid: false)
    #expect(first.appended == 12)
    #expect(first.stored)
    let second = try ImportRunner.run(
      try subscriptionsPlan(), ledger: store.ledger, dryRun: false, skipInvalid: false)
    #expect(second.appended == 0)
    #expect(second.duplicates == 12)
    #expect(try store.ledger.eventCount() == 12)
  }

  @Test("input past one batch names splitting")
  func tooManyEvents() throws {
    let store = try TemporaryLedger()
    let error = #expect(throws: LedgerError.self) {
      try ImportRunner.run(
        try subscriptionsPlan(), ledger: store.ledger, dryRun: false, skipInvalid: false,
        maximumEvents: 11)
    }
    #expect(error?.kind == .invalidInput)
    #expect(
      error?.message
        == "the input gives 12 new events, more than the 11 that one import stores in its one "
        + "batch; nothing was stored: split the file into parts of at most 11 events, keeping "
        + "each account's records in one part, and import them in order")
    #expect(try store.ledger.eventCount() == 0)
    // A dry run fails as the real run would.
    #expect(throws: LedgerError.self) {
      try ImportRunner.run(
        try subscriptionsPlan(), ledger: store.ledger, dryRun: true, skipInvalid: false,
        maximumEvents: 11)
    }
    let exact = try ImportRunner.run(
      try subscriptionsPlan(), ledger: store.ledger, dryRun: false, skipInvalid: false,
      maximumEvents: 12)
    #expect(exact.appended == 12)
  }

  @Test("dry run stores nothing")
  func dryRun() throws {
    let store = try TemporaryLedger()
    let report = try ImportRunner.run(
      try subscriptionsPlan(), ledger: store.ledger, dryRun: true, skipInvalid: false)
    #expect(report.newEvents.count == 12)
    #expect(report.appended == 0)
    #expect(!report.stored)
    #expect(try store.ledger.eventCount() == 0)
  }

  @Test("rejection stores nothing unless skipped")
  func rejectionStoresNothing() throws {
    let csv =
      "customer,subscription,start_date,end_date,monthly_amount\n"
      + "acme,s1,2024-01-01,,500\nbeta,s2,2024-13-01,,500\n"
    let plan = try SubscriptionImporter.plan(Array(csv.utf8), playbook: .builtInDefault)
    let store = try TemporaryLedger()
    let failed = try ImportRunner.run(plan, ledger: store.ledger, dryRun: false, skipInvalid: false)
    #expect(failed.rejections.count == 1)
    #expect(!failed.stored)
    #expect(try store.ledger.eventCount() == 0)

    let skipped = try ImportRunner.run(plan, ledger: store.ledger, dryRun: false, skipInvalid: true)
    #expect(skipped.appended == 1)
    #expect(try store.ledger.eventCount() == 1)
  }

  @Test("unknown tier and reused id are rejected before storing")
  func ledgerChecks() throws {
    let store = try TemporaryLedger()
    var stored = ImportPlan()
    stored.add(
      eventJSON(id: "e1", tier: "starter", acv: "6000.00"), line: 1)
    _ = try ImportRunner.run(stored, ledger: store.ledger, dryRun: false, skipInvalid: false)

    var plan = ImportPlan()
    plan.add(eventJSON(id: "e1", tier: "starter", acv: "7000.00"), line: 1)
    plan.add(eventJSON(id: "e2", tier: "platinum", acv: "7000.00"), line: 2)
    plan.add(eventJSON(id: "e3", tier: "growth", acv: "18000.00"), line: 3)
    let report = try ImportRunner.run(plan, ledger: store.ledger, dryRun: false, skipInvalid: false)
    #expect(report.rejections.map(\.line) == [1, 2])
    #expect(report.rejections.map(\.field) == ["id", "data.tier"])
    #expect(!report.stored)
    #expect(try store.ledger.eventCount() == 1)
  }

  func eventJSON(id: String, tier: String, acv: String) -> JSONValue {
    .object([
      ("id", .string(id)), ("type", .string("account.landed")), ("account", .string("a")),
      ("occurred_at", .string("2024-01-01T00:00:00Z")),
      (
        "data",
        .object([
          ("tier", .string(tier)), ("acv", .string(acv)), ("currency", .string("USD")),
          ("timezone", .string("UTC")),
        ])
      ),
    ])
  }
}
