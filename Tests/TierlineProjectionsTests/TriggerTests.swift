import Testing
import TierlineEvents
import TierlinePlaybook
import TierlineProjections

@Suite("Triggers and readiness")
struct TriggerTests {
  @Test("usage trigger fires at the crossing event")
  func usageCrossing() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-03-01T12:00:00Z")
    try timeline.use("2024-03-05T12:00:00Z", "api_calls", 30_000)
    try timeline.use("2024-03-10T12:00:00Z", "api_calls", 30_000)
    try timeline.use("2024-03-12T08:00:00Z", "api_calls", 25_000)
    try timeline.use("2024-03-20T08:00:00Z", "api_calls", 5_000)
    let usage = try timeline.project(at: "2024-03-25T00:00:00Z").trigger("usage")
    #expect(usage.fired)
    #expect(usage.firedAt == "2024-03-12T08:00:00Z")
    let condition = try #require(usage.conditions.first { $0.name.hasPrefix("api_calls") })
    #expect(condition.name == "api_calls in 2024-03")
    #expect(condition.actual == "85000")
    #expect(condition.required == "80000")
    #expect(condition.met)
  }

  @Test("usage below threshold does not fire")
  func usageBelow() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-03-01T12:00:00Z")
    try timeline.use("2024-03-05T12:00:00Z", "api_calls", 79_999)
    let projection = try timeline.project(at: "2024-03-25T00:00:00Z")
    let usage = try projection.trigger("usage")
    #expect(!usage.fired)
    #expect(usage.firedAt == nil)
    let condition = try #require(usage.conditions.first { $0.name.hasPrefix("api_calls") })
    #expect(condition.actual == "79999")
    #expect(!condition.met)
    #expect(!projection.ready)
  }

  @Test("usage months follow the account zone")
  func usageMonthInZone() throws {
    var losAngeles = try Timeline("west")
    try losAngeles.land("2024-03-01T12:00:00-08:00", zone: "America/Los_Angeles")
    try losAngeles.use("2024-03-20T12:00:00-07:00", "api_calls", 40_000)
    // 23:30 on 31 March in Los Angeles is already April in UTC.
    try losAngeles.use("2024-03-31T23:30:00-07:00", "api_calls", 45_000)
    let west = try losAngeles.project(at: "2024-04-02T00:00:00Z").trigger("usage")
    #expect(west.fired)
    #expect(west.firedAt == "2024-04-01T06:30:00Z")

    var utc = try Timeline("utc")
    try utc.land("2024-03-01T12:00:00Z")
    try utc.use("2024-03-20T12:00:00Z", "api_calls", 40_000)
    try utc.use("2024-04-01T06:30:00Z", "api_calls", 45_000)
    #expect(!(try utc.project(at: "2024-04-02T00:00:00Z").trigger("usage").fired))
  }

  @Test("max aggregation takes the largest reading")
  func maxAggregation() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-03-01T12:00:00Z")
    try timeline.use("2024-03-02T12:00:00Z", "seats", 5)
    try timeline.use("2024-03-03T12:00:00Z", "seats", 7)
    #expect(!(try timeline.project(at: "2024-03-04T00:00:00Z").trigger("usage").fired))
    try timeline.use("2024-03-05T12:00:00Z", "seats", 8)
    let usage = try timeline.project(at: "2024-03-06T00:00:00Z").trigger("usage")
    #expect(usage.firedAt == "2024-03-05T12:00:00Z")
  }

  @Test("metric without a limit is ignored")
  func unlimitedMetric() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-03-01T12:00:00Z")
    try timeline.use("2024-03-02T12:00:00Z", "logins", 1_000_000_000)
    let usage = try timeline.project(at: "2024-03-03T00:00:00Z").trigger("usage")
    #expect(!usage.fired)
    #expect(!usage.conditions.contains { $0.name.hasPrefix("logins") })
  }

  @Test("time trigger fires at the start of the local day")
  func timeTrigger() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-10T15:00:00-05:00", zone: "America/New_York")
    let before = try timeline.project(at: "2024-03-10T04:59:59Z")
    #expect(!(try before.trigger("time").fired))
    #expect(!before.ready)
    let after = try timeline.project(at: "2024-03-10T05:00:00Z")
    let time = try after.trigger("time")
    #expect(time.fired)
    #expect(time.firedAt == "2024-03-10T05:00:00Z")
    #expect(after.ready)
  }

  @Test("time trigger is only a fallback")
  func timeFallback() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-10T12:00:00Z")
    try timeline.use("2024-02-01T12:00:00Z", "workflow_runs", 900)
    let projection = try timeline.project(at: "2024-04-01T00:00:00Z")
    let time = try projection.trigger("time")
    #expect(!time.fired)
    #expect(time.firedAt == nil)
    let dayCondition = try #require(time.conditions.first { $0.name == "day 60 after landing" })
    #expect(dayCondition.met)
    let fallback = try #require(time.conditions.first { $0.name == "no usage trigger fired" })
    #expect(!fallback.met)
    #expect(fallback.actual == "fired 2024-02-01T12:00:00Z")
    #expect(try projection.trigger("usage").fired)
  }

  @Test("unnamed milestones change nothing")
  func unnamedMilestones() throws {
    var plain = try Timeline("acme")
    try plain.land("2024-01-01T09:00:00Z")
    try plain.reach("2024-01-10T09:00:00Z", "first_value")
    try plain.reach("2024-01-20T10:00:00Z", "integration_live")

    // The same history with milestones no playbook names, before, between and after,
    // and a repeat of a named one.
    var noisy = try Timeline("acme")
    try noisy.land("2024-01-01T09:00:00Z")
    for day in 2...9 { try noisy.reach("2024-01-0\(day)T09:00:00Z", "other_\(day)") }
    try noisy.reach("2024-01-10T09:00:00Z", "first_value")
    try noisy.reach("2024-01-15T09:00:00Z", "First_Value")
    try noisy.reach("2024-01-20T10:00:00Z", "integration_live")
    try noisy.reach("2024-01-21T10:00:00Z", "integration_live")
    try noisy.reach("2024-01-22T10:00:00Z", "other_1")

    for asOf in ["2024-01-15T00:00:00Z", "2024-02-03T00:00:00Z"] {
      let expected = try plain.project(at: asOf)
      let projection = try noisy.project(at: asOf)
      #expect(ProjectionJSON.encode(projection) == ProjectionJSON.encode(expected), "\(asOf)")
    }
    let later = try noisy.project(at: "2024-02-03T00:00:00Z")
    #expect(later.firstValueAt == "2024-01-10T09:00:00Z")
    #expect(try later.trigger("milestone").firedAt == "2024-01-20T10:00:00Z")
    #expect(later.ready)
  }

  @Test("milestone trigger waits the transition's days")
  func milestoneWait() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    try timeline.reach("2024-01-10T09:00:00Z", "first_value")
    let partial = try timeline.project(at: "2024-01-15T00:00:00Z")
    #expect(!(try partial.trigger("milestone").fired))

    try timeline.reach("2024-01-20T10:00:00Z", "integration_live")
    let waiting = try timeline.project(at: "2024-02-02T23:59:59Z")
    let milestone = try waiting.trigger("milestone")
    #expect(milestone.fired)
    #expect(milestone.firedAt == "2024-01-20T10:00:00Z")
    #expect(!waiting.ready)
    #expect(!(try waiting.readinessCondition("wait elapsed").met))
    #expect(try waiting.readinessCondition("wait elapsed").actual == "ends 2024-02-03T00:00:00Z")

    let ready = try timeline.project(at: "2024-02-03T00:00:00Z")
    #expect(ready.ready)
    #expect(ready.nextTier == "growth")
    #expect(ready.owner == "cs")
    #expect(ready.price == "18000.00")
    #expect(ready.valueProposition?.isEmpty == false)
  }

  @Test("open offer blocks readiness until it expires")
  func openOffer() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    try timeline.use("2024-01-15T09:00:00Z", "api_calls", 90_000)
    #expect(try timeline.project(at: "2024-01-16T00:00:00Z").ready)

    try timeline.offer("2024-01-20T09:00:00Z", to: "growth")
    let blocked = try timeline.project(at: "2024-01-21T00:00:00Z")
    #expect(!blocked.ready)
    let condition = try blocked.readinessCondition("no open offer")
    #expect(!condition.met)
    #expect(condition.actual == "offer for growth made 2024-01-20T09:00:00Z")
    #expect(blocked.offers.first?.open == true)

    // 90 calendar days after 2024-01-20 is 2024-04-19.
    let stillOpen = try timeline.project(at: "2024-04-18T23:59:59Z")
    #expect(!stillOpen.ready)
    let expired = try timeline.project(at: "2024-04-19T00:00:00Z")
    #expect(expired.ready)
    #expect(expired.offers.first?.open == false)
  }

  @Test("offer for another tier does not block")
  func offerOtherTier() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    try timeline.use("2024-01-15T09:00:00Z", "api_calls", 90_000)
    try timeline.offer("2024-01-20T09:00:00Z", to: "scale")
    #expect(try timeline.project(at: "2024-01-21T00:00:00Z").ready)
  }

  @Test("top tier is never ready")
  func topTier() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z", tier: "scale", acv: "36000.00")
    try timeline.use("2024-01-15T09:00:00Z", "api_calls", 1_900_000)
    let projection = try timeline.project(at: "2024-01-16T00:00:00Z")
    #expect(try projection.trigger("usage").fired)
    #expect(!projection.ready)
    #expect(!(try projection.readinessCondition("not top tier").met))
    #expect(projection.nextTier == nil)
  }

  @Test("organizational headcount growth")
  func headcount() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    try timeline.add("2024-01-05T09:00:00Z", .orgChanged(OrgChanged(headcount: 100)))
    try timeline.add("2024-01-10T09:00:00Z", .orgChanged(OrgChanged(headcount: 119)))
    #expect(!(try timeline.project(at: "2024-01-11T00:00:00Z").trigger("organizational").fired))
    try timeline.add("2024-01-12T09:00:00Z", .orgChanged(OrgChanged(headcount: 120)))
    let projection = try timeline.project(at: "2024-01-13T00:00:00Z")
    let organizational = try projection.trigger("organizational")
    #expect(organizational.fired)
    #expect(organizational.firedAt == "2024-01-12T09:00:00Z")
    let condition = try #require(organizational.conditions.first { $0.name == "headcount" })
    #expect(condition.actual == "120")
    #expect(condition.required == "120")
    #expect(projection.ready)
  }

  @Test("headcount baseline of zero")
  func headcountFromZero() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    try timeline.add("2024-01-05T09:00:00Z", .orgChanged(OrgChanged(headcount: 0)))
    try timeline.add("2024-01-10T09:00:00Z", .orgChanged(OrgChanged(headcount: 0)))
    let unchanged = try timeline.project(at: "2024-01-11T00:00:00Z").trigger("organizational")
    #expect(!unchanged.fired)
    let required = unchanged.conditions.first { $0.name == "headcount" }?.required
    #expect(required == "above 0")

    try timeline.add("2024-01-12T09:00:00Z", .orgChanged(OrgChanged(headcount: 3)))
    let grown = try timeline.project(at: "2024-01-13T00:00:00Z").trigger("organizational")
    #expect(grown.fired)
    #expect(grown.firedAt == "2024-01-12T09:00:00Z")
  }

  @Test("headcount target beyond 64 bits")
  func headcountTargetOverflow() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    // 8e12 × 1,200,000 millionths does not fit in 64 bits. The target is 9.6e12.
    try timeline.add("2024-01-05T09:00:00Z", .orgChanged(OrgChanged(headcount: 8_000_000_000_000)))
    try timeline.add("2024-01-10T09:00:00Z", .orgChanged(OrgChanged(headcount: 8_500_000_000_000)))
    let report = try timeline.project(at: "2024-01-11T00:00:00Z").trigger("organizational")
    #expect(!report.fired)
    let required = report.conditions.first { $0.name == "headcount" }?.required
    #expect(required == "9600000000000")
  }

  @Test("triggers count only since the last tier change")
  func sinceTierChange() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    try timeline.use("2024-01-15T09:00:00Z", "api_calls", 90_000)
    try timeline.change("2024-02-01T09:00:00Z", to: "growth", acv: "18000.00")
    let projection = try timeline.project(at: "2024-02-02T00:00:00Z")
    #expect(!(try projection.trigger("usage").fired))
    #expect(!projection.ready)
    let required = try projection.trigger("usage").conditions.first?.required
    #expect(required == "400000")
  }
}

@Suite("Projection point texts")
struct ProjectionPointTests {
  /// Returns the built-in playbook with a metric spelled in NFC for the starter tier and
  /// in NFD for the growth tier, which are equal as Swift strings and differ as bytes.
  func playbookWithTwoSpellings() throws -> Playbook {
    var playbook = Playbook.builtInDefault
    playbook.tiers[0].limits[0].metric = "caf\u{E9}"
    playbook.tiers[1].limits[0].metric = "cafe\u{301}"
    try #require(playbook.tiers[1].id == "growth")
    return playbook
  }

  @Test("usage names keep each tier's bytes")
  func usageNameBytes() throws {
    let playbook = try playbookWithTwoSpellings()
    var timeline = try Timeline("g")
    try timeline.land("2025-03-10T00:00:00Z", tier: "growth", acv: "18000.00")
    let asOf = try instant("2025-03-31T00:00:00Z")
    let point = ProjectionPoint(asOf: asOf, knownAt: asOf, playbook: playbook)
    let projection = timeline.fold(playbook).projection(at: point, rulesVersion: "")
    let names = try projection.trigger("usage").conditions.map { Array($0.name.utf8) }
    #expect(names.contains(Array("cafe\u{301} in 2025-03".utf8)))
    #expect(!names.contains(Array("caf\u{E9} in 2025-03".utf8)))
  }

  @Test("shared texts give the same bytes as a single projection")
  func sameBytesAsSingleProjection() throws {
    let playbook = try playbookWithTwoSpellings()
    for zone in ["UTC", "Pacific/Kiritimati", "America/St_Johns"] {
      var timeline = try Timeline("a")
      try timeline.land("2025-01-31T20:00:00Z", zone: zone)
      try timeline.use("2025-03-31T23:00:00Z", "caf\u{E9}", 500)
      try timeline.change("2025-04-01T00:30:00Z", to: "growth", acv: "18000.00")
      try timeline.use("2025-04-30T22:00:00Z", "cafe\u{301}", 700)
      let state = timeline.fold(playbook)
      for text in ["2025-03-31T23:30:00Z", "2025-04-30T23:00:00Z", "2025-06-01T00:00:00Z"] {
        let asOf = try instant(text)
        let shared = state.projection(
          at: ProjectionPoint(asOf: asOf, knownAt: asOf, playbook: playbook), rulesVersion: "v")
        let single = state.projection(asOf: asOf, knownAt: asOf, rulesVersion: "v")
        // Byte arrays, not strings, because string equality would accept NFC for NFD.
        let sameBytes = ProjectionJSON.encode(shared) == ProjectionJSON.encode(single)
        #expect(sameBytes, "\(zone) at \(text)")
      }
    }
  }
}
