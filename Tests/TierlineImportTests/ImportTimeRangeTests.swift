import Testing
import TierlineEvents
import TierlineImport
import TierlinePlaybook

@Suite("Importer time range")
struct ImportTimeRangeTests {
  /// Builds one NDJSON line: a Stripe subscription event of `cus_1` at `created`.
  static func stripeEvent(created: String) -> [UInt8] {
    let event = """
      {"id":"evt_1","object":"event","type":"customer.subscription.created",\
      "created":\(created),"data":{"object":{"id":"sub_1","customer":"cus_1",\
      "status":"active","currency":"usd","items":{"data":[{"quantity":1,\
      "price":{"id":"p","unit_amount":50000,"recurring":{"interval":"month"}}}]}}}}
      """
    return Array((event + "\n").utf8)
  }

  @Test("Stripe created in milliseconds is rejected")
  func stripeMilliseconds() throws {
    let plan = try StripeImporter.plan(
      ImportTimeRangeTests.stripeEvent(created: "10000000000000"), playbook: .builtInDefault)
    #expect(plan.events.isEmpty)
    #expect(plan.rejections.count == 1)
    let rejection = try #require(plan.rejections.first)
    #expect(rejection.line == 1)
    #expect(rejection.field == "created")
    #expect(rejection.reason.contains("10000000000000"))
    #expect(rejection.reason.contains("Unix seconds within the years 0001 to 9999"))
    #expect(rejection.reason.contains("milliseconds"))
  }

  @Test("Stripe created of 2^62 is rejected")
  func stripeHugeCreated() throws {
    let plan = try StripeImporter.plan(
      ImportTimeRangeTests.stripeEvent(created: "4611686018427387904"),
      playbook: .builtInDefault)
    #expect(plan.events.isEmpty)
    let rejection = try #require(plan.rejections.first)
    #expect(rejection.field == "created")
    #expect(rejection.reason.contains("Unix seconds within the years 0001 to 9999"))
    // Divided by 1000 it is still out of range, so milliseconds are no explanation.
    #expect(!rejection.reason.contains("milliseconds"))
  }

  @Test("Stripe created before year 1 is out of range")
  func stripeBeforeYearOne() throws {
    let plan = try StripeImporter.plan(
      ImportTimeRangeTests.stripeEvent(created: "-62135596801"), playbook: .builtInDefault)
    #expect(plan.events.isEmpty)
    let rejection = try #require(plan.rejections.first)
    #expect(rejection.field == "created")
    #expect(rejection.reason.contains("within the years 0001 to 9999"))
    #expect(!rejection.reason.contains("does not exist"))
    #expect(!rejection.reason.contains("milliseconds"))
  }

  @Test("Stripe created at year 1 start lands")
  func stripeFirstSecond() throws {
    let plan = try StripeImporter.plan(
      ImportTimeRangeTests.stripeEvent(created: "-62135596800"), playbook: .builtInDefault)
    #expect(plan.rejections.isEmpty)
    #expect(plan.events.map(\.incoming.event.occurredAt) == [Timestamp.minimum])
  }

  @Test("CSV time before year 1 is rejected")
  func csvDateBeforeYearOne() throws {
    let mapping = try CSVMapping(
      json: Array(
        """
        {"version": 1, "type": {"value": "org.changed"}, "id": {"column": "row"},
         "account": {"value": "acme"}, "occurred_at": {"column": "date"},
         "date_timezone": "Asia/Tokyo",
         "data": {"org.changed": {"headcount": {"value": 5}}}}
        """.utf8))
    let csv = "row,date\n1,0001-01-01\n2,0000-12-31T23:59:59Z\n3,0001-01-02\n4,0000-06-01\n"
    let plan = try CSVImporter.plan(Array(csv.utf8), mapping: mapping)
    #expect(plan.rejections.map(\.line) == [2, 3, 5])
    for rejection in plan.rejections {
      #expect(rejection.field == "occurred_at (column date)")
      #expect(rejection.reason.contains("lies outside the years 0001 to 9999"))
      #expect(!rejection.reason.contains("does not exist"))
    }
    #expect(plan.events.map(\.line) == [4])
  }

  @Test("subscription start before year 1 is rejected")
  func subscriptionDateBeforeYearOne() throws {
    let csv =
      "customer,subscription,start_date,end_date,monthly_amount\n"
      + "old,s1,0001-01-01,,500\nnew,s2,2024-01-01,,500\n"
    let plan = try SubscriptionImporter.plan(
      Array(csv.utf8), playbook: .builtInDefault, timeZone: "Asia/Tokyo")
    #expect(plan.rejections.map(\.line) == [2])
    let rejection = try #require(plan.rejections.first)
    #expect(rejection.field == "start_date")
    #expect(rejection.reason.contains("lies outside the years 0001 to 9999"))
    #expect(!rejection.reason.contains("does not exist"))
    #expect(plan.events.map(\.incoming.event.account.value) == ["new"])
  }

  @Test("subscription dates that do not exist are named")
  func subscriptionDateThatDoesNotExist() throws {
    let csv =
      "customer,subscription,start_date,end_date,monthly_amount\n"
      + "a,s1,2024-02-30,,500\nb,s2,2024-02-01,2024-13-01,500\nc,s3,1 Feb 2024,,500\n"
    let plan = try SubscriptionImporter.plan(Array(csv.utf8), playbook: .builtInDefault)
    let reasons = plan.rejections.map { "\($0.line) \($0.field ?? "") \($0.reason)" }
    #expect(reasons.count == 3)
    #expect(reasons.contains(#"2 start_date "2024-02-30" names a date that does not exist"#))
    #expect(reasons.contains(#"3 end_date "2024-13-01" names a date that does not exist"#))
    #expect(reasons.contains(#"4 start_date "1 Feb 2024" is not a date YYYY-MM-DD"#))
  }

  @Test("CSV dates that do not exist are named")
  func csvDateThatDoesNotExist() throws {
    let mapping = try CSVMapping(
      json: Array(
        (#"{"version":1,"type":{"value":"usage.recorded"},"id":{"column":"row"},"#
          + #""account":{"value":"a"},"occurred_at":{"column":"date"},"#
          + #""data":{"usage.recorded":{"metric":{"value":"api_calls"},"quantity":{"value":1}}}}"#)
          .utf8))
    let csv = "row,date\n1,2024-02-30\n2,2024-02-30T10:00:00Z\n3,30 Feb 2024\n"
    let plan = try CSVImporter.plan(Array(csv.utf8), mapping: mapping)
    let reasons = plan.rejections.map { "\($0.line) \($0.reason)" }
    #expect(reasons.count == 3)
    #expect(reasons.contains(#"2 "2024-02-30" names a date that does not exist"#))
    #expect(reasons.contains(#"3 "2024-02-30T10:00:00Z" names a date that does not exist"#))
    #expect(reasons.contains { $0.hasPrefix(#"4 "30 Feb 2024" is not an RFC 3339 timestamp"#) })
  }

  @Test("Segment timestamp in year 0 is out of range")
  func segmentYearZero() throws {
    let call =
      #"{"type":"track","messageId":"m","event":"Account Added User","#
      + #""context":{"groupId":"a"},"timestamp":"0000-12-31T23:59:59Z"}"#
    let plan = SegmentImporter.plan(Array(call.utf8), mapping: SegmentMapping(events: [:]))
    #expect(plan.events.isEmpty)
    let rejection = try #require(plan.rejections.first)
    #expect(rejection.field == "timestamp")
    #expect(rejection.reason.contains("lies outside the years 0001 to 9999"))
    #expect(!rejection.reason.contains("does not exist"))
  }
}
