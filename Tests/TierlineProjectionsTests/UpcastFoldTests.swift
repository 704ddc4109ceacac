import Testing
import TierlineEvents
import TierlinePlaybook
import TierlineProjections

@Suite("Upcast fold")
struct UpcastFoldTests {
  /// Folds events after a round trip through the binary codec, as replay reads them.
  func foldStored(_ events: [Event], asOf: Timestamp) throws -> [UInt8] {
    let playbook = Playbook.builtInDefault
    var state = AccountState(account: try AccountID("acme"), playbook: playbook)
    for (index, event) in events.enumerated() {
      let stored = try EventCodec.decode(EventCodec.encode(event))
      state.apply(stored, position: UInt64(index + 1))
    }
    return ProjectionJSON.encode(
      state.projection(asOf: asOf, knownAt: asOf, rulesVersion: playbook.version))
  }

  /// A landing and heavy usage, with every usage event given `unit`.
  func timeline(unit: String?) throws -> [Event] {
    var timeline = try Timeline("acme")
    try timeline.land("2025-01-10T09:00:00Z")
    for day in 11...20 {
      try timeline.use("2025-01-\(day)T09:00:00Z", "api_calls", 90_000)
    }
    return timeline.events.map { event in
      guard case .usageRecorded(var usage) = event.payload else { return event }
      usage.unit = unit
      var changed = event
      changed.payload = .usageRecorded(usage)
      return changed
    }
  }

  @Test("version 1 and 2 usage fold identically")
  func versionsFoldIdentically() throws {
    let asOf = try instant("2025-03-01T00:00:00Z")
    let versionOne = try timeline(unit: nil)
    let versionTwo = try timeline(unit: "calls")
    #expect(EventCodec.encode(versionOne[1])[2] == 1)
    #expect(EventCodec.encode(versionTwo[1])[2] == 2)

    let foldedOne = try foldStored(versionOne, asOf: asOf)
    let foldedTwo = try foldStored(versionTwo, asOf: asOf)
    #expect(foldedOne == foldedTwo)

    // The usage matters to the fold, so identical output is not trivially true.
    let landingOnly = try foldStored(Array(versionOne.prefix(1)), asOf: asOf)
    #expect(landingOnly != foldedOne)
  }
}
