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

  /// Builds a subscription event of `cus_1` on one line: `quantity` items of $500 a month.
  static func subscriptionEvent(
    _ id: String, _ type: String, created: Int, subscription: String = "sub_1",
    quantity: Int = 1
  ) -> String {
    #"{"id":"\#(id)","object":"event","type":"customer.subscription.\#(type)","#
      + #""created":\#(created),"data":{"object":{"id":"\#(subscription)","customer":"cus_1","#
      + #""status":"active","currency":"usd","items":{"data":[{"quantity":\#(quantity),"#
      + #""price":{"id":"p","unit_amount":50000,"recurring":{"interval":"month"}}}]}}}}"#
  }

  /// Builds a list object of the Stripe API from events, in the given order.
  static func listObject(_ events: [String]) -> [UInt8] {
    Array(
      (#"{"object":"list","has_more":false,"data":["# + events.joined(separator: ",") + "]}")
        .utf8)
  }

  /// Builds NDJSON from events, in the given order.
  static func ndjson(_ events: [String]) -> [UInt8] {
    Array(events.map { $0 + "\n" }.joined().utf8)
  }

  @Test("update listed before creation in one second")
  func updateBeforeCreationSameSecond() throws {
    let newestFirst = [
      StripeImporterTests.subscriptionEvent(
        "evt_up", "updated", created: 1_704_067_200, quantity: 3),
      StripeImporterTests.subscriptionEvent("evt_new", "created", created: 1_704_067_200),
    ]
    let expected = [
      "stripe:evt_new cus_1 2024-01-01T00:00:00Z landed starter 6000.00",
      "stripe:evt_up cus_1 2024-01-01T00:00:00Z expansion growth 18000.00",
    ]
    for input in [
      StripeImporterTests.listObject(newestFirst), StripeImporterTests.ndjson(newestFirst),
    ] {
      let plan = try StripeImporter.plan(input, playbook: .builtInDefault)
      #expect(plan.rejections.isEmpty)
      #expect(summary(plan) == expected)
    }
  }

  @Test("deletion in the creation second comes last")
  func deletionAfterCreationSameSecond() throws {
    let oldestFirst = [
      StripeImporterTests.subscriptionEvent("evt_new", "created", created: 1_704_067_200),
      StripeImporterTests.subscriptionEvent("evt_end", "deleted", created: 1_704_067_200),
    ]
    let plan = try StripeImporter.plan(
      StripeImporterTests.ndjson(oldestFirst), playbook: .builtInDefault)
    #expect(plan.rejections.isEmpty)
    #expect(
      summary(plan) == [
        "stripe:evt_new cus_1 2024-01-01T00:00:00Z landed starter 6000.00",
        "stripe:evt_end cus_1 2024-01-01T00:00:00Z churned",
      ])
  }

  /// A creation, then two updates of one later second that do not chain.
  static let tiedUpdates = (
    subscriptionEvent("evt_new", "created", created: 1_704_067_200),
    subscriptionEvent("evt_a", "updated", created: 1_706_745_600, quantity: 2),
    subscriptionEvent("evt_b", "updated", created: 1_706_745_600, quantity: 3)
  )

  @Test("tied updates follow the file's direction")
  func tiedUpdatesFollowFileDirection() throws {
    let (created, first, second) = StripeImporterTests.tiedUpdates
    let expected = [
      "stripe:evt_new cus_1 2024-01-01T00:00:00Z landed starter 6000.00",
      "stripe:evt_a cus_1 2024-02-01T00:00:00Z expansion starter 12000.00",
      "stripe:evt_b cus_1 2024-02-01T00:00:00Z expansion growth 18000.00",
    ]

    // A webhook log lists the oldest first, so its ties keep the file's order.
    let log = try StripeImporter.plan(
      StripeImporterTests.ndjson([created, first, second]), playbook: .builtInDefault)
    #expect(log.rejections.isEmpty)
    #expect(summary(log) == expected)

    // The events API lists the newest first, so its ties go in reverse.
    let list = try StripeImporter.plan(
      StripeImporterTests.listObject([second, first, created]), playbook: .builtInDefault)
    #expect(list.rejections.isEmpty)
    #expect(summary(list) == expected)
  }

  @Test("same-second updates follow previous values")
  func updatesFollowPreviousAttributes() throws {
    /// Returns an update from `old` to `new` items, with the old items as previous
    /// attributes.
    func update(_ id: String, from old: Int, to new: Int) -> String {
      let event = StripeImporterTests.subscriptionEvent(
        id, "updated", created: 1_704_067_200, quantity: new)
      let items =
        #"{"data":[{"quantity":\#(old),"price":{"id":"p","unit_amount":50000,"#
        + #""recurring":{"interval":"month"}}}]}"#
      return String(event.dropLast(2)) + #","previous_attributes":{"items":"# + items + "}}}"
    }
    let created = StripeImporterTests.subscriptionEvent(
      "evt_new", "created", created: 1_704_067_200)
    let toThree = update("evt_3", from: 1, to: 3)
    let toFive = update("evt_5", from: 3, to: 5)
    let expected = [
      "stripe:evt_new cus_1 2024-01-01T00:00:00Z landed starter 6000.00",
      "stripe:evt_3 cus_1 2024-01-01T00:00:00Z expansion growth 18000.00",
      "stripe:evt_5 cus_1 2024-01-01T00:00:00Z expansion growth 30000.00",
    ]
    // All in one second, so the file shows no direction, and either order gives the chain's.
    // A retry of an update, or of the first event at the end, changes nothing.
    for events in [
      [created, toThree, toFive], [toFive, toThree, created], [created, toFive, toThree, toFive],
      [created, toFive, toThree, created],
    ] {
      let plan = try StripeImporter.plan(
        StripeImporterTests.listObject(events), playbook: .builtInDefault)
      #expect(plan.rejections.isEmpty)
      #expect(summary(plan) == expected)
    }
  }

  @Test("deletion of an unseen subscription warns")
  func deletionOfUnseenSubscription() throws {
    let deleted = StripeImporterTests.subscriptionEvent("evt_9", "deleted", created: 1_709_251_200)
    let plan = try StripeImporter.plan(
      StripeImporterTests.ndjson([deleted]), playbook: .builtInDefault)
    #expect(plan.rejections.isEmpty)
    #expect(plan.events.isEmpty)
    #expect(plan.ignored == 1)
    #expect(
      plan.warnings == [
        "line 1: customer.subscription.deleted ends subscription sub_1 of \"cus_1\", which no "
          + "earlier event of this file shows, so the end changes nothing; import an export "
          + "that starts at or before the subscription's creation, or that overlaps the "
          + "previous import"
      ])
    // After the subscription's creation in the same file, the deletion is a churn.
    let created = StripeImporterTests.subscriptionEvent("evt_1", "created", created: 1_704_067_200)
    let whole = try StripeImporter.plan(
      StripeImporterTests.ndjson([created, deleted]), playbook: .builtInDefault)
    #expect(whole.warnings.isEmpty)
    #expect(summary(whole).last == "stripe:evt_9 cus_1 2024-03-01T00:00:00Z churned")
  }

  @Test("previous items without prices are rejected")
  func previousItemsWithoutPrices() throws {
    // API versions up to 2017-04-06 list only the changed items, without their prices.
    let update = StripeImporterTests.subscriptionEvent(
      "evt_2", "updated", created: 1_706_745_600, quantity: 3)
    let partial =
      String(update.dropLast(2))
      + #","previous_attributes":{"items":{"data":[{"quantity":1}]}}}}"#
    let plan = try StripeImporter.plan(
      StripeImporterTests.ndjson([partial]), playbook: .builtInDefault)
    #expect(plan.events.isEmpty)
    let rejection = try #require(plan.rejections.first)
    #expect(rejection.line == 1)
    #expect(rejection.field == "data.previous_attributes.items.data[0].price.unit_amount")
    #expect(rejection.reason.contains("That is the subscription before the update"))
  }

  @Test("late retry keeps file direction")
  func lateRetryKeepsDirection() throws {
    let (created, first, second) = StripeImporterTests.tiedUpdates
    // A webhook log, oldest first, whose last line repeats its first event.
    let plan = try StripeImporter.plan(
      StripeImporterTests.ndjson([created, first, second, created]), playbook: .builtInDefault)
    #expect(plan.rejections.isEmpty)
    #expect(plan.repeatedInInput == 1)
    #expect(
      summary(plan).last == "stripe:evt_b cus_1 2024-02-01T00:00:00Z expansion growth 18000.00")
  }

  @Test("retry with other delivery fields is duplicate")
  func retryWithOtherDeliveryFields() throws {
    let event = StripeImporterTests.subscriptionEvent("evt_new", "created", created: 1_704_067_200)
    // Two deliveries of one event differ in members the import does not read.
    let first = String(event.dropLast()) + #","pending_webhooks":2,"livemode":false}"#
    let retry = String(event.dropLast()) + #","pending_webhooks":1,"livemode":false}"#
    let plan = try StripeImporter.plan(
      StripeImporterTests.ndjson([first, retry]), playbook: .builtInDefault)
    #expect(plan.rejections.isEmpty)
    #expect(plan.repeatedInInput == 1)
    #expect(plan.events.count == 1)

    // A retry whose subscription differs is still a conflict.
    let changed = StripeImporterTests.subscriptionEvent(
      "evt_new", "created", created: 1_704_067_200, quantity: 2)
    let conflict = try StripeImporter.plan(
      StripeImporterTests.ndjson([first, changed]), playbook: .builtInDefault)
    #expect(conflict.rejections.map(\.line) == [2])
  }

  @Test("reordered retry is duplicate")
  func retryWithOtherKeyOrder() throws {
    let event = StripeImporterTests.subscriptionEvent("evt_new", "created", created: 1_704_067_200)
    // The same event serialized again, with its top-level keys in reverse order.
    let parsed = try JSONValue.parse(Array(event.utf8))
    guard case .object(let members) = parsed else {
      Issue.record("the event is not an object")
      return
    }
    let reordered = String(
      decoding: JSONValue.object(members.reversed()).serialized(sortingKeys: false), as: UTF8.self)
    #expect(reordered != event)
    let plan = try StripeImporter.plan(
      StripeImporterTests.ndjson([event, reordered]), playbook: .builtInDefault)
    #expect(plan.rejections.isEmpty)
    #expect(plan.repeatedInInput == 1)
    #expect(plan.events.count == 1)
  }

  @Test("item in another currency is rejected")
  func itemCurrencyMismatch() throws {
    let event = """
      {"id":"evt_1","object":"event","type":"customer.subscription.created","created":1,\
      "data":{"object":{"id":"sub_1","customer":"cus_1","status":"active","currency":"usd",\
      "items":{"data":[\
      {"id":"si_1","price":{"id":"p_usd","unit_amount":50000,"currency":"usd",\
      "recurring":{"interval":"month"}}},\
      {"id":"si_2","price":{"id":"p_eur","unit_amount":50000,"currency":"eur",\
      "recurring":{"interval":"month"}}}]}}}}
      """
    let plan = try StripeImporter.plan(Array(event.utf8), playbook: .builtInDefault)
    #expect(plan.events.isEmpty)
    #expect(plan.rejections.count == 1)
    let rejection = try #require(plan.rejections.first)
    #expect(rejection.field == "data.object.items.data[1].price.currency")
    #expect(rejection.reason.contains("\"si_2\""))
    #expect(rejection.reason.contains("EUR"))
    #expect(rejection.reason.contains("USD"))
  }

  /// Builds a subscription event, as UTF-8 JSON, whose only item has the given price.
  static func event(price: String) -> [UInt8] {
    let event =
      #"{"id":"evt_1","object":"event","type":"customer.subscription.created","created":1,"#
      + #""data":{"object":{"id":"sub_1","customer":"cus_1","status":"active","#
      + #""currency":"usd","items":{"data":[{"id":"si_1","price":\#(price)}]}}}}"#
    return Array(event.utf8)
  }

  @Test("invalid interval count is rejected")
  func invalidIntervalCount() throws {
    for (count, shown) in [("0", "0"), ("-1", "-1"), ("1.5", "1.5"), (#""2""#, #""2""#)] {
      let price =
        #"{"id":"p","unit_amount":50000,"recurring":{"interval":"month","#
        + #""interval_count":\#(count)}}"#
      let plan = try StripeImporter.plan(
        StripeImporterTests.event(price: price), playbook: .builtInDefault)
      #expect(plan.events.isEmpty)
      let rejection = try #require(plan.rejections.first)
      #expect(rejection.field == "data.object.items.data[0].price.recurring.interval_count")
      #expect(rejection.reason == "is \(shown), but interval_count must be a positive whole number")
    }
  }

  @Test("price without recurring is rejected")
  func priceWithoutRecurring() throws {
    for price in [
      #"{"id":"p","unit_amount":50000}"#, #"{"id":"p","unit_amount":50000,"recurring":null}"#,
    ] {
      let plan = try StripeImporter.plan(
        StripeImporterTests.event(price: price), playbook: .builtInDefault)
      #expect(plan.events.isEmpty)
      let rejection = try #require(plan.rejections.first)
      #expect(rejection.field == "data.object.items.data[0].price.recurring")
      #expect(rejection.reason.hasPrefix("is missing, so the price is one-time"))
    }
  }

  @Test("list with more pages warns")
  func listWithMorePages() throws {
    let event = StripeImporterTests.subscriptionEvent(
      "evt_new", "created", created: 1_704_067_200)
    let page = #"{"object":"list","has_more":true,"data":["# + event + "]}"
    let plan = try StripeImporter.plan(Array(page.utf8), playbook: .builtInDefault)
    #expect(plan.rejections.isEmpty)
    #expect(plan.events.count == 1)
    #expect(plan.warnings.count == 1)
    #expect(plan.warnings.first?.contains("\"has_more\": true") == true)
    #expect(plan.warnings.first?.contains("starting_after=evt_new") == true)

    let lastPage = try StripeImporter.plan(
      StripeImporterTests.listObject([event]), playbook: .builtInDefault)
    #expect(lastPage.warnings.isEmpty)
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
