import Foundation
import Testing
import TierlineEvents
import TierlinePlaybook
import TierlineProjections

@Suite("Fold")
struct FoldTests {
  @Test("incremental fold matches a full fold byte for byte")
  func incrementalMatchesFull() throws {
    let playbook = Playbook.builtInDefault
    let timelines = try (0..<6).map { try Self.generatedTimeline(seed: UInt64($0) + 1) }
    // One log for all accounts, in occurred order, with global positions.
    let log = timelines.flatMap(\.events).sorted { $0.occurredAt < $1.occurredAt }
    #expect(log.count >= 300)
    let finalTime = try #require(log.last).occurredAt
    let asOf = Timestamp(microseconds: finalTime.microseconds + 86_400_000_000)

    var incremental: [AccountID: AccountState] = [:]
    for (index, event) in log.enumerated() {
      var state =
        incremental[event.account] ?? AccountState(account: event.account, playbook: playbook)
      state.apply(event, position: UInt64(index + 1))
      if index % 17 == 0 {
        _ = state.projection(
          asOf: event.occurredAt, knownAt: event.occurredAt, rulesVersion: playbook.version)
      }
      if index % 41 == 0 {
        // A checkpoint: the state survives a Codable round trip mid-fold.
        let data = try JSONEncoder().encode(state)
        state = try JSONDecoder().decode(AccountState.self, from: data)
      }
      incremental[event.account] = state
    }

    for timeline in timelines {
      var full = AccountState(account: timeline.account, playbook: playbook)
      for (index, event) in log.enumerated() where event.account == timeline.account {
        full.apply(event, position: UInt64(index + 1))
      }
      let expected = ProjectionJSON.encode(
        full.projection(asOf: asOf, knownAt: asOf, rulesVersion: playbook.version))
      let state = try #require(incremental[timeline.account])
      let actual = ProjectionJSON.encode(
        state.projection(asOf: asOf, knownAt: asOf, rulesVersion: playbook.version))
      #expect(actual == expected, "account \(timeline.account.value)")
      #expect(state == full)
    }
  }

  @Test("projection JSON has the contract keys in order")
  func jsonKeys() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    let json = String(
      decoding: ProjectionJSON.encode(try timeline.project(at: "2024-01-02T00:00:00Z")),
      as: UTF8.self)
    let keys = [
      "account", "as_of", "known_at", "rules_version", "status", "tier", "acv", "currency",
      "landed_at", "first_value_at", "ttfv_days", "triggers", "ready", "readiness",
      "next_tier", "owner", "price", "value_proposition", "checkin", "expansions", "offers",
    ]
    var searchStart = json.startIndex
    for key in keys {
      let range = try #require(
        json.range(of: "\"\(key)\":", range: searchStart..<json.endIndex), "key \(key)")
      searchStart = range.upperBound
    }
    #expect(json.contains("\"first_value_at\":null"))
    #expect(json.contains("\"due_on\":\"2024-03-01\""))
    let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
    #expect(object is [String: Any])
  }

  @Test("events before landing are counted and ignored")
  func beforeLanding() throws {
    var timeline = try Timeline("acme")
    try timeline.use("2023-12-30T09:00:00Z", "api_calls", 90_000)
    try timeline.reach("2023-12-31T09:00:00Z", "first_value")
    let notLanded = try timeline.project(at: "2023-12-31T12:00:00Z")
    #expect(notLanded.status == "not_landed")
    #expect(notLanded.tier == nil)
    #expect(notLanded.checkin == nil)
    #expect(!notLanded.ready)

    try timeline.land("2024-01-01T09:00:00Z")
    let landed = try timeline.project(at: "2024-01-02T00:00:00Z")
    #expect(landed.eventsBeforeLanding == 2)
    #expect(landed.firstValueAt == nil)
    #expect(!(try landed.trigger("usage").fired))
  }

  @Test("churn and reactivation")
  func churnAndReactivation() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    try timeline.use("2024-01-15T09:00:00Z", "api_calls", 90_000)
    try timeline.add("2024-02-01T09:00:00Z", .accountChurned(AccountChurned(reason: "budget")))
    try timeline.use("2024-02-10T09:00:00Z", "api_calls", 10)
    let churned = try timeline.project(at: "2024-02-15T00:00:00Z")
    #expect(churned.status == "churned")
    #expect(churned.tier == nil)
    #expect(churned.acv == nil)
    #expect(!churned.ready)
    #expect(churned.nextTier == nil)
    #expect(churned.eventsIgnored == 1)

    try timeline.land("2024-06-01T09:00:00Z", acv: "5000.00")
    let back = try timeline.project(at: "2024-06-02T00:00:00Z")
    #expect(back.status == "active")
    #expect(back.tier == "starter")
    #expect(back.acv == "5000.00")
    #expect(back.reactivations == ["2024-06-01T09:00:00Z"])
    #expect(back.landedAt == "2024-06-01T09:00:00Z")
    #expect(back.checkin?.dueOn == "2024-07-31")
    #expect(!(try back.trigger("usage").fired))
  }

  @Test("tier change after churn is a reactivation, not an expansion")
  func reactivationByTierChange() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    try timeline.add("2024-02-01T09:00:00Z", .accountChurned(AccountChurned()))
    try timeline.change("2024-03-01T09:00:00Z", to: "growth", acv: "18000.00")
    let projection = try timeline.project(at: "2024-03-02T00:00:00Z")
    #expect(projection.status == "active")
    #expect(projection.tier == "growth")
    #expect(projection.expansions.isEmpty)
    #expect(projection.reactivations == ["2024-03-01T09:00:00Z"])
    #expect(projection.landedAt == "2024-01-01T09:00:00Z")
  }

  @Test("last applied tracks time and position")
  func lastApplied() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    try timeline.use("2024-01-02T09:00:00Z", "api_calls", 1)
    let state = timeline.fold()
    let last = try #require(state.lastApplied)
    #expect(last.occurredAt == (try instant("2024-01-02T09:00:00Z")))
    #expect(last.position == 2)
    #expect(AccountState(account: timeline.account, playbook: .builtInDefault).lastApplied == nil)
  }

  @Test("usage by number matches by name")
  func usageByMetricNumber() throws {
    // In the second playbook the growth tier drops `api_calls`, so a tier change moves
    // each remaining metric to another tracker.
    var text = String(decoding: try defaultPlaybookBytes(), as: UTF8.self)
    let growthAPICalls = #"{"metric": "api_calls", "limit": "500000", "aggregation": "sum"},"#
    #expect(text.contains(growthAPICalls))
    text = text.replacingOccurrences(of: growthAPICalls, with: "")
    let reordered = try Playbook(json: Array(text.utf8))
    for playbook in [Playbook.builtInDefault, reordered] {
      try checkUsageByMetricNumber(playbook)
    }
  }

  private func checkUsageByMetricNumber(_ playbook: Playbook) throws {
    // One list of names for every account, in first-appearance order, as a replay makes
    // it. "logins" is a metric that no tier tracks.
    var names: [String] = []
    for seed in 1...8 {
      let timeline = try Self.generatedTimeline(seed: UInt64(seed))
      var byName = AccountState(account: timeline.account, playbook: playbook)
      var byNumber = byName
      var numberedEvents = 0
      for (index, event) in timeline.events.enumerated() {
        let position = UInt64(index + 1)
        byName.apply(event, position: position)
        guard case .usageRecorded(let usage) = event.payload else {
          byNumber.apply(event, position: position)
          continue
        }
        if !names.contains(usage.metric) { names.append(usage.metric) }
        let metric = try #require(names.firstIndex(of: usage.metric))
        byNumber.applyUsage(
          metric: metric, of: names, millionths: usage.quantity.millionths,
          occurredAt: event.occurredAt.microseconds, position: position)
        numberedEvents += 1
        if index == timeline.events.count / 2 {
          // A checkpoint drops the remembered trackers, which the fold then looks up again.
          let data = try JSONEncoder().encode(byNumber)
          byNumber = try JSONDecoder().decode(AccountState.self, from: data)
        }
      }
      #expect(numberedEvents > 0, "account \(timeline.account.value)")
      let asOf = try #require(timeline.events.last).occurredAt
      let expected = ProjectionJSON.encode(
        byName.projection(asOf: asOf, knownAt: asOf, rulesVersion: playbook.version))
      let actual = ProjectionJSON.encode(
        byNumber.projection(asOf: asOf, knownAt: asOf, rulesVersion: playbook.version))
      #expect(actual == expected, "account \(timeline.account.value)")
      #expect(byNumber == byName, "account \(timeline.account.value)")
    }
    #expect(names.contains("logins"))
  }

  /// Generates a seeded account history of 50 to 80 events of every type.
  static func generatedTimeline(seed: UInt64) throws -> Timeline {
    var random = SplitMix(state: seed)
    var timeline = try Timeline("account-\(seed)")
    let zones = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney"]
    let zone = zones[Int(random.next() % UInt64(zones.count))]
    var time = try instant("2024-01-01T00:00:00Z").microseconds
    func advance() -> String {
      time += Int64(random.next() % 172_800) * 1_000_000 + 1
      return Timestamp(microseconds: time).rfc3339
    }

    try timeline.use(advance(), "api_calls", 5)
    try timeline.land(advance(), zone: zone)
    let tiers = ["starter", "growth", "scale"]
    let metrics = ["api_calls", "seats", "workflow_runs", "data_gb", "logins"]
    let milestones = ["first_value", "integration_live", "workflows_automated"]
    let count = 50 + Int(random.next() % 30)
    for _ in 0..<count {
      let roll = random.next() % 100
      switch roll {
      case 0..<55:
        let metric = metrics[Int(random.next() % UInt64(metrics.count))]
        try timeline.use(advance(), metric, Int64(random.next() % 30_000))
      case 55..<65:
        try timeline.reach(advance(), milestones[Int(random.next() % 3)])
      case 65..<72:
        try timeline.offer(advance(), to: tiers[Int(random.next() % 3)])
      case 72..<78:
        let tier = tiers[Int(random.next() % 3)]
        try timeline.change(advance(), to: tier, acv: "\(random.next() % 40_000).\(roll)")
      case 78..<85:
        try timeline.add(
          advance(), .orgChanged(OrgChanged(headcount: Int64(50 + random.next() % 100))))
      case 85..<90:
        try timeline.add(
          advance(),
          .checkinCompleted(
            CheckinCompleted(
              kind: "onboarding_60d", valueDelivered: true,
              approachingCapacity: false)))
      case 90..<94:
        try timeline.add(advance(), .accountChurned(AccountChurned()))
      default:
        try timeline.land(advance(), zone: zone)
      }
    }
    return timeline
  }
}

/// The SplitMix64 generator: a small, seeded source of test data.
struct SplitMix {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
