import Dispatch
import Foundation
import Testing
import TierlineEvents
import TierlinePlaybook

@testable import TierlineProjections

/// Tests of the local dates and starts of days that an account computes from its cached
/// offset span, against the zone calendar's.
@Suite("account calendar")
struct AccountCalendarTests {
  @Test(
    "cached span matches zone calendar",
    arguments: [
      "America/New_York", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Apia",
      "America/Sao_Paulo", "America/Havana", "Europe/London", "Asia/Kolkata",
    ])
  func matchesZoneCalendar(zone: String) throws {
    let calendar = try #require(ZoneCalendar(identifier: zone))
    var random = SplitMix(state: 0xCA1E_DA75)
    let landing = try instant("2010-03-01T12:00:00Z").microseconds
    var state = AccountState(account: try AccountID("calendar"), playbook: .builtInDefault)
    state.apply(
      .accountLanded(
        AccountLanded(tier: "starter", acv: try usd("6000.00"), timeZone: zone)),
      occurredAt: landing, position: 1)
    let day: Int64 = 86_400_000_000
    var now = landing
    var checkedInSpan = 0

    // Usage events over about four years move the cached span across offset changes and
    // 366-day periods. After each, dates from two days before to 88 days after it are
    // compared.
    for position in 2...400 {
      now += Int64(random.next() % UInt64(8 * day))
      state.apply(
        .usageRecorded(UsageRecorded(metric: "api_calls", quantity: Quantity(units: 1))),
        occurredAt: now, position: UInt64(position))
      for _ in 0..<20 {
        let probe = now - 2 * day + Int64(random.next() % UInt64(90 * day))
        if probe >= state.cache.offsetStart, probe < state.cache.offsetEnd {
          checkedInSpan += 1
        }

        #expect(
          state.localDate(probe) == calendar.localDate(of: Timestamp(microseconds: probe)),
          "\(zone) \(probe)")
        let probeDay = Int(floorDivide(probe, day))
        #expect(
          state.startOfDay(probeDay)
            == calendar.startOfDay(daysSinceEpoch: probeDay).microseconds,
          "\(zone) day \(probeDay)")
      }
    }
    // Most probes fall in the cached span, so the direct path was the one compared.
    #expect(checkedInSpan > 4_000, "\(zone)")
  }

  @Test("offsets from several threads match Foundation")
  func offsetsOnThreads() throws {
    let zones = ["Europe/Berlin", "America/Chicago", "Australia/Adelaide", "Africa/Cairo"]
    let calendars = try zones.map { try #require(ZoneCalendar(identifier: $0)) }
    let foundationZones = try zones.map { try #require(TimeZone(identifier: $0)) }
    let mismatches = Mismatches()
    // Each thread looks up random instants from 1950 to 2050 in every zone, so the
    // threads add spans to the shared table and to their own copies at the same time.
    DispatchQueue.concurrentPerform(iterations: 4) { thread in
      var random = SplitMix(state: 0x7A11 + UInt64(thread))
      for _ in 0..<3_000 {
        let seconds = -631_152_000 + Int64(random.next() % 3_155_760_000)
        let zone = Int(random.next() % UInt64(zones.count))
        let offset = calendars[zone].offsetSeconds(at: Timestamp(seconds: seconds))
        let expected = foundationZones[zone].secondsFromGMT(
          for: Date(timeIntervalSince1970: Double(seconds)))
        if offset != Int64(expected) { mismatches.add("\(zones[zone]) \(seconds)") }
      }
    }
    #expect(mismatches.all.isEmpty)
  }
}

/// Instants whose offsets differed from Foundation's, collected from several threads.
private final class Mismatches: @unchecked Sendable {
  private let lock = NSLock()
  private var found: [String] = []

  func add(_ text: String) {
    lock.withLock { found.append(text) }
  }

  var all: [String] {
    lock.withLock { found }
  }
}
