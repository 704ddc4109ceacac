import Testing
import TierlineEvents
import TierlineImport

@Suite("Segment importer")
struct SegmentImporterTests {
  func plan() throws -> ImportPlan {
    let mapping = try SegmentMapping(json: try ImportFixtures.bytes("segment-mapping.json"))
    return SegmentImporter.plan(try ImportFixtures.bytes("segment-calls.ndjson"), mapping: mapping)
  }

  @Test("calls become usage, milestones and headcount in time order")
  func calls() throws {
    let plan = try plan()
    let events = plan.events.map(\.incoming.event)
    #expect(
      events.map(\.id) == [
        "segment:m-1", "segment:m-2", "segment:m-5", "segment:m-4", "segment:m-6",
        "segment:m-9",
      ])
    #expect(events[0].payload == .orgChanged(OrgChanged(headcount: 40)))
    #expect(
      events[1].payload
        == .usageRecorded(UsageRecorded(metric: "api_calls", quantity: Quantity(units: 1200))))
    #expect(events[1].occurredAt.rfc3339 == "2024-03-02T10:00:00.123Z")
    #expect(events[2].payload == .milestoneReached(MilestoneReached(milestone: "first_value")))
    #expect(events[2].occurredAt.rfc3339 == "2024-03-04T11:00:00Z")
    #expect(events[3].payload == .orgChanged(OrgChanged(headcount: 41)))
    #expect(events[4].payload == .orgChanged(OrgChanged(headcount: 42)))
    #expect(events[5].account.value == "beta")
    #expect(
      events[5].payload
        == .usageRecorded(
          UsageRecorded(metric: "api_calls", quantity: Quantity(millionths: 12_500_000))))
    // beta's added user (m-10) has no employees trait to count from.
    #expect(plan.warnings.count == 1)
  }

  @Test("unmapped calls are ignored and a call without group is rejected")
  func ignoredAndRejected() throws {
    let plan = try plan()
    #expect(plan.ignored == 3)
    #expect(plan.rejections.map(\.line) == [8])
    #expect(plan.rejections.first?.field == "context.groupId")
  }

  @Test("repeated message counts once")
  func repeatedMessage() throws {
    let group =
      #"{"type":"group","messageId":"g","groupId":"a","traits":{"employees":40},"#
      + #""timestamp":"2024-01-01T00:00:00Z"}"#
    let line =
      #"{"type":"track","messageId":"m","event":"Account Added User","#
      + #""context":{"groupId":"a"},"timestamp":"2024-01-02T00:00:00Z"}"#
    let plan = SegmentImporter.plan(
      Array([group, line, line].map { $0 + "\n" }.joined().utf8),
      mapping: SegmentMapping(events: [:]))
    #expect(
      plan.events.map(\.incoming.event.payload) == [
        .orgChanged(OrgChanged(headcount: 40)), .orgChanged(OrgChanged(headcount: 41)),
      ])
    #expect(plan.repeatedInInput == 1)
  }

  @Test("retried message counts as a duplicate")
  func retriedMessage() throws {
    let mapping = try SegmentMapping(json: try ImportFixtures.bytes("segment-mapping.json"))
    let calls = [
      #"{"type":"group","messageId":"g","groupId":"a","traits":{"employees":40},"#
        + #""timestamp":"2024-01-01T00:00:00Z"}"#,
      #"{"type":"track","messageId":"u","event":"API Call","properties":{"count":5},"#
        + #""context":{"groupId":"a"},"timestamp":"2024-01-02T00:00:00Z","#
        + #""sentAt":"2024-01-02T00:00:01Z","receivedAt":"2024-01-02T00:00:02Z"}"#,
      #"{"messageId":"u","type":"track","timestamp":"2024-01-02T00:00:00Z","#
        + #""context":{"groupId":"a"},"properties":{"count":5},"event":"API Call","#
        + #""sentAt":"2024-01-02T00:05:00Z","receivedAt":"2024-01-02T00:05:09Z"}"#,
      #"{"type":"track","messageId":"n","event":"Account Added User","#
        + #""context":{"groupId":"a"},"timestamp":"2024-01-03T00:00:00Z","#
        + #""receivedAt":"2024-01-03T00:00:02Z"}"#,
      #"{"context":{"groupId":"a"},"event":"Account Added User","messageId":"n","#
        + #""type":"track","timestamp":"2024-01-03T00:00:00Z","#
        + #""receivedAt":"2024-01-03T01:00:00Z"}"#,
    ]
    let plan = SegmentImporter.plan(Array(calls.map { $0 + "\n" }.joined().utf8), mapping: mapping)
    #expect(plan.rejections.isEmpty)
    #expect(plan.repeatedInInput == 2)
    #expect(plan.events.map(\.incoming.event.id) == ["segment:g", "segment:u", "segment:n"])
    #expect(plan.events.last?.incoming.event.payload == .orgChanged(OrgChanged(headcount: 41)))
  }

  @Test("message id with another quantity is rejected")
  func messageWithOtherContent() throws {
    let mapping = try SegmentMapping(json: try ImportFixtures.bytes("segment-mapping.json"))
    let calls = [
      #"{"type":"track","messageId":"u","event":"API Call","properties":{"count":5},"#
        + #""context":{"groupId":"a"},"timestamp":"2024-01-02T00:00:00Z"}"#,
      #"{"type":"track","messageId":"u","event":"API Call","properties":{"count":6},"#
        + #""context":{"groupId":"a"},"timestamp":"2024-01-02T00:00:00Z"}"#,
    ]
    let plan = SegmentImporter.plan(Array(calls.map { $0 + "\n" }.joined().utf8), mapping: mapping)
    #expect(plan.events.count == 1)
    #expect(plan.repeatedInInput == 0)
    #expect(plan.rejections.map(\.line) == [2])
    #expect(plan.rejections.first?.field == "messageId")
    #expect(plan.rejections.first?.reason.contains("already used by line 1") == true)
  }

  @Test("group id of another type is named")
  func groupIDOfAnotherType() throws {
    let mapping = try SegmentMapping(json: try ImportFixtures.bytes("segment-mapping.json"))
    let calls = [
      #"{"type":"track","messageId":"n","event":"API Call","properties":{"count":5},"#
        + #""context":{"groupId":123},"timestamp":"2024-01-02T00:00:00Z"}"#,
      #"{"type":"track","messageId":"t","event":"API Call","properties":{"count":5},"#
        + #""groupId":true,"timestamp":"2024-01-02T00:00:00Z"}"#,
    ]
    let plan = SegmentImporter.plan(Array(calls.map { $0 + "\n" }.joined().utf8), mapping: mapping)
    #expect(plan.events.isEmpty)
    #expect(plan.rejections.map(\.field) == ["context.groupId", "groupId"])
    #expect(plan.rejections.map(\.reason) == ["is not a string", "is not a string"])

    // A null in context leaves the top-level id, and a string in context decides alone.
    let fallbacks = [
      #"{"type":"track","messageId":"z","event":"API Call","properties":{"count":5},"#
        + #""context":{"groupId":null},"groupId":"acme","timestamp":"2024-01-02T00:00:00Z"}"#,
      #"{"type":"track","messageId":"s","event":"API Call","properties":{"count":5},"#
        + #""context":{"groupId":"acme"},"groupId":7,"timestamp":"2024-01-03T00:00:00Z"}"#,
    ]
    let accepted = SegmentImporter.plan(
      Array(fallbacks.map { $0 + "\n" }.joined().utf8), mapping: mapping)
    #expect(accepted.rejections.isEmpty)
    #expect(accepted.events.map(\.incoming.event.account.value) == ["acme", "acme"])
  }

  @Test("added user before any group trait is ignored")
  func addedUserBeforeBaseline() throws {
    let calls = [
      #"{"type":"track","messageId":"t1","event":"Account Added User","#
        + #""context":{"groupId":"a"},"timestamp":"2024-01-01T00:00:00Z"}"#,
      #"{"type":"group","messageId":"g1","groupId":"a","traits":{"employees":40},"#
        + #""timestamp":"2024-01-02T00:00:00Z"}"#,
      #"{"type":"track","messageId":"t2","event":"Account Added User","#
        + #""context":{"groupId":"a"},"timestamp":"2024-01-03T00:00:00Z"}"#,
    ]
    let plan = SegmentImporter.plan(
      Array(calls.map { $0 + "\n" }.joined().utf8), mapping: SegmentMapping(events: [:]))
    #expect(plan.rejections.isEmpty)
    #expect(plan.events.map(\.incoming.event.id) == ["segment:g1", "segment:t2"])
    #expect(
      plan.events.map(\.incoming.event.payload) == [
        .orgChanged(OrgChanged(headcount: 40)), .orgChanged(OrgChanged(headcount: 41)),
      ])
    #expect(plan.ignored == 1)
    #expect(plan.warnings.count == 1)
    #expect(plan.warnings.first?.hasPrefix("ignored 1 call of \"Account Added User\"") == true)
  }

  @Test("mapping entry needs usage or milestone")
  func invalidMapping() {
    let text = #"{"version":1,"events":{"X":{"usage":"a","milestone":"b"}}}"#
    #expect(throws: ImportSetupError.self) { try SegmentMapping(json: Array(text.utf8)) }
  }
}
