import Testing
import TierlineEvents
import TierlinePlaybook

@testable import TierlineProjections

/// Tests that an account's local dates and starts of days, which come from its cached
/// offset span when it covers them, equal the zone calendar's.
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
}
