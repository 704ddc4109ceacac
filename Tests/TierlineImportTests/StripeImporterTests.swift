import Testing
import TierlineEvents
import TierlineImport
import TierlinePlaybook

@Suite("Stripe importer")
struct StripeImporterTests {
  /// One line per planned event: id, account, type and the tier details.
  func summary(_ plan: ImportPlan) -> [String] {
    plan.events.map { item in
      let event = item.incoming.event
      var text = "\(event.id) \(event.account) \(event.occurredAt.rfc3339) "
      switch event.payload {
      case .accountLanded(let landed): text += "landed \(landed.tier) \(landed.acv.decimalString)"
      case .tierChanged(let change):
        text += "\(change.reason ?? "") \(change.to) \(change.acv.decimalString)"
      case .accountChurned: text += "churned"
      default: text += "unexpected"
      }
      return text
    }
  }

  static let expected = [
    "stripe:evt_1 cus_A 2024-01-01T00:00:00Z landed starter 6000.00",
    "stripe:evt_2 cus_A 2024-02-01T00:00:00Z expansion growth 18000.00",
    "stripe:evt_5 cus_B 2024-03-09T16:00:00Z landed starter 6000.00",
    "stripe:evt_6 cus_A 2024-06-01T00:00:00Z churned",
    "stripe:evt_7 cus_C 2024-07-01T00:00:00Z expansion growth 18000.00",
  ]

  @Test("list newest first becomes lifecycle events in time order")
  func listEvents() throws {
    let plan = try StripeImporter.plan(
      try ImportFixtures.bytes("stripe-events.json"), playbook: .builtInDefault)
    #expect(summary(plan) == StripeImporterTests.expected)
    #expect(plan.rejections.isEmpty)
    // evt_3 is invoice.paid, evt_4 a trial: neither changes the contract value.
    #expect(plan.ignored == 2)
    #expect(plan.repeatedInInput == 1)
    #expect(plan.unit == "item")
  }

  @Test("NDJSON gives the same events and rejects a missing customer")
  func ndjsonEvents() throws {
    let plan = try StripeImporter.plan(
      try ImportFixtures.bytes("stripe-events.ndjson"), playbook: .builtInDefault)
    #expect(summary(plan) == StripeImporterTests.expected)
    #expect(plan.rejections.count == 1)
    #expect(plan.rejections.first?.line == 9)
    #expect(plan.rejections.first?.field == "data.object.customer")
  }

  @Test("price mapping chooses the tier")
  func priceMapping() throws {
    let plan = try StripeImporter.plan(
      try ImportFixtures.bytes("stripe-events.json"), playbook: .builtInDefault,
      prices: ["price_starter_yearly": "scale"])
    let landedB = try #require(plan.events.first { $0.incoming.event.id == "stripe:evt_5" })
    guard case .accountLanded(let landed) = landedB.incoming.event.payload else {
      Issue.record("evt_5 is not a landing")
      return
    }
    #expect(landed.tier == "scale")
    #expect(landed.acv.decimalString == "6000.00")
  }

  @Test("unknown tier in price mapping fails")
  func unknownMappedTier() throws {
    #expect(throws: ImportSetupError.self) {
      try StripeImporter.plan(
        try ImportFixtures.bytes("stripe-events.json"), playbook: .builtInDefault,
        prices: ["price_x": "platinum"])
    }
  }

  @Test("same event id with other content is rejected")
  func conflictingRepeat() throws {
    let first = #"{"id":"evt_1","object":"event","type":"invoice.paid","created":1,"data":{}}"#
    let second = #"{"id":"evt_1","object":"event","type":"invoice.paid","created":2,"data":{}}"#
    let plan = try StripeImporter.plan(
      Array((first + "\n" + second + "\n").utf8), playbook: .builtInDefault)
    #expect(plan.rejections.map(\.line) == [2])
    #expect(plan.rejections.first?.field == "id")
  }
}
