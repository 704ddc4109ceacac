import Testing
import TierlineEvents
import TierlinePlaybook
import TierlineProjections

@Suite("Expansion attribution")
struct AttributionTests {
  @Test("expansion credits the trigger and the offer")
  func attributed() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    try timeline.use("2024-02-01T09:00:00Z", "api_calls", 85_000)
    try timeline.offer("2024-02-05T09:00:00Z", to: "growth", by: "cs")
    try timeline.change("2024-02-20T09:00:00Z", to: "growth", acv: "18000.00")
    let projection = try timeline.project(at: "2024-03-01T00:00:00Z")
    let expansion = try #require(projection.expansions.first)
    #expect(projection.expansions.count == 1)
    #expect(expansion.at == "2024-02-20T09:00:00Z")
    #expect(expansion.from == "starter")
    #expect(expansion.to == "growth")
    #expect(expansion.acvDelta == "12000.00")
    #expect(expansion.attributedTo == ["usage"])
    #expect(expansion.offer?.at == "2024-02-05T09:00:00Z")
    #expect(expansion.offer?.by == "cs")
    #expect(projection.offers.first?.open == false)
    #expect(projection.tier == "growth")
    #expect(projection.acv == "18000.00")
  }

  @Test("expansion without triggers is unattributed")
  func unattributed() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    try timeline.change("2024-01-20T09:00:00Z", to: "growth", acv: "18000.00")
    let expansion = try #require(try timeline.project(at: "2024-02-01T00:00:00Z").expansions.first)
    #expect(expansion.attributedTo.isEmpty)
    #expect(expansion.offer == nil)
  }

  @Test("trigger before the window earns nothing")
  func outsideWindow() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z")
    try timeline.use("2024-01-02T09:00:00Z", "api_calls", 85_000)
    try timeline.offer("2024-01-03T09:00:00Z", to: "growth")
    try timeline.change("2024-05-01T09:00:00Z", to: "growth", acv: "18000.00")
    let expansion = try #require(try timeline.project(at: "2024-05-02T00:00:00Z").expansions.first)
    #expect(expansion.attributedTo.isEmpty)
    #expect(expansion.offer == nil)
  }

  @Test("time trigger credited only as a fallback")
  func timeFallback() throws {
    var quiet = try Timeline("quiet")
    try quiet.land("2024-01-01T09:00:00Z")
    try quiet.change("2024-04-01T09:00:00Z", to: "growth", acv: "18000.00")
    let quietExpansion = try #require(
      try quiet.project(at: "2024-04-02T00:00:00Z").expansions.first)
    #expect(quietExpansion.attributedTo == ["time"])

    var busy = try Timeline("busy")
    try busy.land("2024-01-01T09:00:00Z")
    try busy.reach("2024-02-01T09:00:00Z", "first_value")
    try busy.reach("2024-02-10T09:00:00Z", "integration_live")
    try busy.add("2024-03-01T09:00:00Z", .orgChanged(OrgChanged(departmentAdded: "finance")))
    try busy.change("2024-04-01T09:00:00Z", to: "growth", acv: "18000.00")
    let busyExpansion = try #require(
      try busy.project(at: "2024-04-02T00:00:00Z").expansions.first)
    #expect(busyExpansion.attributedTo == ["milestone", "organizational"])
  }

  @Test("contraction is not an expansion")
  func contraction() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z", tier: "growth", acv: "18000.00")
    try timeline.change("2024-02-01T09:00:00Z", to: "starter", acv: "6000.00")
    let projection = try timeline.project(at: "2024-02-02T00:00:00Z")
    #expect(projection.expansions.isEmpty)
    #expect(projection.tier == "starter")
    #expect(projection.acv == "6000.00")
  }

  @Test("money stays exact through the fold")
  func exactMoney() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-01T09:00:00Z", acv: "144.20")
    #expect(try timeline.project(at: "2024-01-02T00:00:00Z").acv == "144.20")
    try timeline.change("2024-02-01T09:00:00Z", to: "growth", acv: "1000.05")
    let projection = try timeline.project(at: "2024-02-02T00:00:00Z")
    #expect(projection.acv == "1000.05")
    #expect(projection.expansions.first?.acvDelta == "855.85")
    let json = String(decoding: ProjectionJSON.encode(projection), as: UTF8.self)
    #expect(json.contains("\"acv\":\"1000.05\""))
    #expect(json.contains("\"acv_delta\":\"855.85\""))
  }
}
