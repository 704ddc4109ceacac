import Testing
import TierlineEvents
import TierlineImport
import TierlinePlaybook

@Suite("Subscription importer")
struct SubscriptionImporterTests {
  /// The month-by-month movements of examples/subscriptions.csv, checked by hand: MRR on
  /// the last day of each month against the last day of the month before.
  static let expectedMovements = [
    "2024-01 acme new 0 -> 50000",
    "2024-04 acme expansion 50000 -> 150000",
    "2024-02 beta new 0 -> 150000",
    "2024-05 beta contraction 150000 -> 50000",
    "2024-07 beta churn 50000 -> 0",
    "2024-09 beta reactivation 0 -> 50000",
    "2024-03 gamma new 0 -> 50000",
    "2024-06 gamma expansion 50000 -> 75000",
    "2024-01 Omega, Ltd. new 0 -> 350000",
    "2024-08 Omega, Ltd. contraction 350000 -> 250000",
  ]

  @Test("example file's months match the hand-checked movements")
  func monthlyMovements() throws {
    let schedules = try SubscriptionImporter.schedules(
      try ImportFixtures.example("subscriptions.csv"), currency: .usd)
    let first = try #require(CivilDate(year: 2024, month: 1, day: 1))
    let last = try #require(CivilDate(year: 2024, month: 12, day: 1))
    let movements = schedules.flatMap { $0.monthlyMovements(from: first, through: last) }
    #expect(movements.map(\.description) == SubscriptionImporterTests.expectedMovements)
  }

  @Test("example file's events follow the amount changes")
  func events() throws {
    let plan = try SubscriptionImporter.plan(
      try ImportFixtures.example("subscriptions.csv"), playbook: .builtInDefault)
    #expect(plan.rejections.isEmpty)
    let summary = plan.events.map { item -> String in
      let event = item.incoming.event
      let date = String(event.occurredAt.rfc3339.prefix(10))
      switch event.payload {
      case .accountLanded(let landed):
        return "\(event.account) \(date) landed \(landed.tier) \(landed.acv.decimalString)"
      case .tierChanged(let change):
        return "\(event.account) \(date) \(change.reason ?? "") \(change.to) "
          + change.acv.decimalString
      case .accountChurned:
        return "\(event.account) \(date) churned"
      default:
        return "unexpected \(event.type)"
      }
    }
    #expect(
      summary == [
        "acme 2024-01-15 landed starter 6000.00",
        "acme 2024-04-01 expansion growth 18000.00",
        "beta 2024-02-01 landed growth 18000.00",
        "beta 2024-05-01 contraction starter 6000.00",
        "beta 2024-07-01 churned",
        "beta 2024-09-10 landed starter 6000.00",
        "gamma 2024-03-01 landed starter 6000.00",
        "gamma 2024-06-01 expansion starter 9000.00",
        "delta 2024-02-10 landed starter 6000.00",
        "delta 2024-02-20 churned",
        "Omega, Ltd. 2024-01-01 landed scale 42000.00",
        "Omega, Ltd. 2024-08-01 contraction growth 30000.00",
      ])
    #expect(plan.events.first?.incoming.event.id == "subscriptions:acme:2024-01-15")
  }

  @Test("change names the row that starts it")
  func changeLines() throws {
    let schedules = try SubscriptionImporter.schedules(
      try ImportFixtures.example("subscriptions.csv"), currency: .usd)
    let lines = schedules.map { schedule in
      schedule.changes().map { "\(schedule.customer) \($0.date) line \($0.line)" }
    }
    // A subscription that replaces another on the same day is the row behind the
    // change. A change with no row starting that day names the row that ends.
    #expect(
      lines.flatMap { $0 } == [
        "acme 2024-01-15 line 2", "acme 2024-04-01 line 3",
        "beta 2024-02-01 line 4", "beta 2024-05-01 line 5", "beta 2024-07-01 line 5",
        "beta 2024-09-10 line 6",
        "gamma 2024-03-01 line 7", "gamma 2024-06-01 line 8",
        "delta 2024-02-10 line 9", "delta 2024-02-20 line 9",
        "Omega, Ltd. 2024-01-01 line 10", "Omega, Ltd. 2024-08-01 line 11",
      ])
  }

  @Test("tier rule: exact, highest below, and below every tier")
  func tierRule() throws {
    let tiers = TierAssignment(playbook: .builtInDefault)
    #expect(
      tiers.tier(forACV: Money(minorUnits: 1_800_000, currency: .usd), at: .minimum) == "growth")
    #expect(
      tiers.tier(forACV: Money(minorUnits: 3_599_999, currency: .usd), at: .minimum) == "growth")
    #expect(
      tiers.tier(forACV: Money(minorUnits: 9_000_000, currency: .usd), at: .minimum) == "scale")
    #expect(
      tiers.tier(forACV: Money(minorUnits: 120_000, currency: .usd), at: .minimum) == "starter")
  }

  @Test("bad row rejects every row of its customer")
  func badRowRejectsCustomer() throws {
    let csv = """
      Customer,Subscription,Start Date,End Date,Monthly Amount
      acme,s1,2024-01-01,2024-03-01,500
      acme,s2,2024-03-01,,"1,500"
      beta,s3,2024-01-01,,500
      gamma,s4,2024-05-01,2024-04-01,500
      """
    let plan = try SubscriptionImporter.plan(Array(csv.utf8), playbook: .builtInDefault)
    #expect(plan.events.map(\.incoming.event.account.value) == ["beta"])
    #expect(plan.rejections.map(\.line).sorted() == [2, 3, 5])
    #expect(plan.rejections.contains { $0.line == 3 && $0.field == "monthly_amount" })
    #expect(plan.rejections.contains { $0.line == 5 && $0.field == "end_date" })
  }

  @Test("repeated row counts as a duplicate")
  func repeatedRow() throws {
    let csv = """
      customer,subscription,start_date,end_date,monthly_amount
      a,s1,2024-01-01,2024-06-01,500.00
      a,s1,2024-01-01,2024-06-01,500.00
      a,s1,2024-01-01,2024-06-01,500
      """
    let plan = try SubscriptionImporter.plan(Array(csv.utf8), playbook: .builtInDefault)
    #expect(plan.rejections.isEmpty)
    #expect(plan.repeatedInInput == 2)
    let events = plan.events.map(\.incoming.event)
    #expect(events.map(\.id) == ["subscriptions:a:2024-01-01", "subscriptions:a:2024-06-01"])
    guard case .accountLanded(let landed)? = events.first?.payload else {
      Issue.record("the first event is not a landing")
      return
    }
    #expect(landed.acv.decimalString == "6000.00")
  }

  @Test("overlapping periods of one subscription are rejected")
  func overlappingPeriods() throws {
    let csv = """
      customer,subscription,start_date,end_date,monthly_amount
      a,s1,2024-01-01,2024-06-01,500.00
      a,s1,2024-03-01,,700.00
      b,s2,2024-01-01,2024-03-01,500.00
      b,s2,2024-03-01,,700.00
      """
    let plan = try SubscriptionImporter.plan(Array(csv.utf8), playbook: .builtInDefault)
    #expect(plan.rejections.map(\.line).sorted() == [2, 3])
    let overlap = try #require(plan.rejections.first { $0.line == 3 })
    #expect(overlap.field == "start_date")
    #expect(overlap.reason.contains("\"s1\""))
    #expect(overlap.reason.contains("2024-03-01 onward"))
    #expect(overlap.reason.contains("2024-01-01 to 2024-06-01 on line 2"))
    // Periods that meet on one day, as a plan change writes them, do not overlap.
    #expect(plan.events.map(\.incoming.event.account.value) == ["b", "b"])
  }

  @Test("end date after the run is left out")
  func scheduledEndDates() throws {
    let csv = """
      customer,subscription,start_date,end_date,monthly_amount
      a,s1,2024-01-01,2024-12-01,500
      b,s2,2024-01-01,2024-09-01,500
      b,s3,2024-09-01,,200
      c,s4,2024-01-01,2024-03-01,500
      """
    let now = try #require(Timestamp(rfc3339: "2024-06-15T12:00:00Z"))
    let plan = try SubscriptionImporter.plan(
      Array(csv.utf8), playbook: .builtInDefault, now: now)
    #expect(plan.rejections.isEmpty)
    // The scheduled churn of a, and b's plan change on 1 September, have not happened.
    #expect(
      plan.events.map(\.incoming.event.id) == [
        "subscriptions:a:2024-01-01", "subscriptions:b:2024-01-01",
        "subscriptions:c:2024-01-01", "subscriptions:c:2024-03-01",
      ])
    #expect(plan.warnings.count == 2)
    #expect(plan.warnings.first?.hasPrefix("left out 2 end dates after") == true)
    #expect(plan.warnings.first?.contains("2024-06-15T12:00:00Z") == true)
    #expect(plan.warnings.last?.hasPrefix("left out 1 row that starts after") == true)
  }

  @Test("renewal after a scheduled end re-imports cleanly")
  func renewalAfterScheduledEnd() throws {
    let store = try TemporaryLedger()
    let header = "customer,subscription,start_date,end_date,monthly_amount\n"
    let cancelling = Array((header + "a,s1,2024-01-01,2024-12-01,500\n").utf8)
    let renewed = Array((header + "a,s1,2024-01-01,,500\n").utf8)

    let june = try #require(Timestamp(rfc3339: "2024-06-15T00:00:00Z"))
    let first = try ImportRunner.run(
      try SubscriptionImporter.plan(cancelling, playbook: .builtInDefault, now: june),
      ledger: store.ledger, dryRun: false, skipInvalid: false)
    #expect(first.appended == 1)
    #expect(first.newEvents.map(\.incoming.event.type) == [.accountLanded])

    let january = try #require(Timestamp(rfc3339: "2025-01-15T00:00:00Z"))
    let second = try ImportRunner.run(
      try SubscriptionImporter.plan(renewed, playbook: .builtInDefault, now: january),
      ledger: store.ledger, dryRun: false, skipInvalid: false)
    #expect(second.rejections.isEmpty)
    #expect(second.appended == 0)
    #expect(second.duplicates == 1)
    #expect(second.warnings.isEmpty)
    #expect(try store.ledger.eventCount() == 1)
  }

  @Test("currency other than the playbook's fails")
  func currencyMismatch() throws {
    let csv = Array("customer,subscription,start_date,end_date,monthly_amount\n".utf8)
    let euro = try #require(Currency(code: "EUR"))
    #expect(throws: ImportSetupError.self) {
      try SubscriptionImporter.plan(csv, playbook: .builtInDefault, currency: euro)
    }
  }
}

@Suite("Importer amount limits")
struct ImporterAmountLimitTests {
  @Test("subscription ACV beyond 64 bits is rejected")
  func subscriptionOverflow() throws {
    let csv =
      "customer,subscription,start_date,end_date,monthly_amount\n"
      + "huge,s1,2024-01-01,,92233720368547758.07\nsmall,s2,2024-01-01,,500\n"
    let plan = try SubscriptionImporter.plan(Array(csv.utf8), playbook: .builtInDefault)
    #expect(plan.rejections.map(\.line) == [2])
    #expect(plan.rejections.first?.field == "monthly_amount")
    #expect(plan.events.map(\.incoming.event.account.value) == ["small"])
  }

  @Test("Stripe quantity beyond 64 bits is rejected")
  func stripeOverflow() throws {
    let event = """
      {"id":"evt_big","object":"event","type":"customer.subscription.created","created":1,\
      "data":{"object":{"id":"sub_1","customer":"cus_1","status":"active","currency":"usd",\
      "items":{"data":[{"quantity":9223372036854775807,"price":{"id":"p","unit_amount":2,\
      "recurring":{"interval":"month"}}}]}}}}
      """
    let plan = try StripeImporter.plan(Array(event.utf8), playbook: .builtInDefault)
    #expect(plan.events.isEmpty)
    #expect(plan.rejections.first?.field == "data.object.items.data[0].quantity")
  }
}

@Suite("Tiers at the time of a change")
struct TierScheduleTests {
  /// Returns the built-in playbook without its top tier and the transition to it.
  func playbookWithoutScale() throws -> Playbook {
    let json = try JSONValue.parse(Playbook.builtInDefault.canonicalJSON())
    guard case .object(var members) = json else {
      Issue.record("the playbook is not an object")
      return .builtInDefault
    }
    for index in members.indices {
      guard case .array(let items) = members[index].value else { continue }
      let remaining = items.filter { item in
        guard case .object(let fields) = item else { return true }
        return !fields.contains { field in
          (field.key == "id" || field.key == "to") && field.value == .string("scale")
        }
      }
      members[index].value = .array(remaining)
    }
    return try Playbook(json: JSONValue.object(members).serialized(sortingKeys: true))
  }

  @Test("changes get tiers then in force")
  func tiersInForce() throws {
    let withoutScale = try playbookWithoutScale()
    #expect(withoutScale.tier("scale") == nil)
    let switchover = try #require(Timestamp(rfc3339: "2025-06-01T00:00:00Z"))
    // The top tier is added at the switchover.
    let tiers = TierAssignment(
      schedule: [(.minimum, withoutScale), (switchover, .builtInDefault)], currency: .usd)
    let csv =
      "customer,subscription,start_date,end_date,monthly_amount\n"
      + "early,s1,2025-01-01,,3000\nlate,s2,2025-07-01,,3000\n"
    let run = try #require(Timestamp(rfc3339: "2026-01-01T00:00:00Z"))
    let plan = try SubscriptionImporter.plan(
      Array(csv.utf8), playbook: .builtInDefault, now: run, tiers: tiers)
    #expect(plan.rejections.isEmpty)
    let landed = plan.events.map { item -> String? in
      guard case .accountLanded(let landing) = item.incoming.event.payload else { return nil }
      return landing.tier
    }
    #expect(landed == ["growth", "scale"])
  }

  @Test("tiers missing later are skipped")
  func tiersOfLaterRules() throws {
    let withoutScale = try playbookWithoutScale()
    let later = try #require(Timestamp(rfc3339: "2030-01-01T00:00:00Z"))
    let early = try #require(Timestamp(rfc3339: "2025-01-01T00:00:00Z"))
    let scaleACV = Money(minorUnits: 3_600_000, currency: .usd)
    let lacking = TierAssignment(
      schedule: [(.minimum, .builtInDefault), (later, withoutScale)], currency: .usd)
    #expect(lacking.tier(forACV: scaleACV, at: early) == "growth")
    // Replaced at the same time by rules that have the tier, the lacking rules no longer
    // count.
    let replaced = TierAssignment(
      schedule: [(.minimum, .builtInDefault), (later, withoutScale), (later, .builtInDefault)],
      currency: .usd)
    #expect(replaced.tier(forACV: scaleACV, at: early) == "scale")
  }
}
