import Foundation
import Testing
import TierlineEvents
import TierlinePlaybook
import TierlineProjections

@Suite("Check-in and calendar")
struct CheckinTests {
  @Test(
    "due date counts local calendar days",
    arguments: [
      // A daylight saving change (2024-03-10) lies between landing and due date.
      ("2024-02-20T10:00:00-05:00", "America/New_York", "2024-04-20"),
      // Late evening: the UTC date is already 2024-02-21.
      ("2024-02-20T23:30:00-05:00", "America/New_York", "2024-04-20"),
      // Leap years.
      ("2024-01-15T12:00:00Z", "UTC", "2024-03-15"),
      ("2023-12-31T09:00:00Z", "UTC", "2024-02-29"),
      // Late evening west of UTC, at a month end.
      ("2024-03-31T22:00:00-07:00", "America/Los_Angeles", "2024-05-30"),
      // Early morning east of UTC: the UTC date is still the previous day.
      ("2024-01-01T01:00:00+09:00", "Asia/Tokyo", "2024-03-01"),
    ])
  func dueDate(landing: String, zone: String, dueOn: String) throws {
    var timeline = try Timeline("acme")
    try timeline.land(landing, zone: zone)
    let projection = try timeline.project(at: landing)
    #expect(projection.checkin?.dueOn == dueOn)
    #expect(projection.checkin?.status == "upcoming")
  }

  @Test("status follows the local due date and window")
  func statusOverTime() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-02-20T23:30:00-05:00", zone: "America/New_York")
    let cases = [
      ("2024-04-19T23:59:59-04:00", "upcoming"),
      ("2024-04-20T00:00:00-04:00", "due"),
      ("2024-04-27T23:59:59-04:00", "due"),
      ("2024-04-28T00:00:00-04:00", "overdue"),
    ]
    for (asOf, status) in cases {
      #expect(try timeline.project(at: asOf).checkin?.status == status, "at \(asOf)")
    }
  }

  @Test("completed check-in is done")
  func completed() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-15T12:00:00Z")
    try timeline.add(
      "2024-03-20T12:00:00Z",
      .checkinCompleted(
        CheckinCompleted(kind: "onboarding_60d", valueDelivered: true, approachingCapacity: false)
      ))
    let projection = try timeline.project(at: "2024-06-01T00:00:00Z")
    #expect(projection.checkin?.status == "done")
    #expect(projection.checkin?.completedAt == "2024-03-20T12:00:00Z")
  }

  @Test("check-in of another kind does not count")
  func otherKind() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-01-15T12:00:00Z")
    try timeline.add(
      "2024-03-20T12:00:00Z",
      .checkinCompleted(
        CheckinCompleted(kind: "quarterly", valueDelivered: true, approachingCapacity: true)))
    let projection = try timeline.project(at: "2024-06-01T00:00:00Z")
    #expect(projection.checkin?.status == "overdue")
    #expect(projection.checkin?.completedAt == nil)
  }

  @Test("start of day across daylight saving changes")
  func startOfDay() throws {
    let newYork = try #require(ZoneCalendar(identifier: "America/New_York"))
    let spring = try #require(CivilDate(year: 2024, month: 3, day: 10))
    #expect(newYork.startOfDay(spring) == (try instant("2024-03-10T05:00:00Z")))
    let dayAfter = try #require(CivilDate(year: 2024, month: 3, day: 11))
    #expect(newYork.startOfDay(dayAfter) == (try instant("2024-03-11T04:00:00Z")))

    // São Paulo skipped midnight on 2018-11-04: the day began at 01:00 local.
    let saoPaulo = try #require(ZoneCalendar(identifier: "America/Sao_Paulo"))
    let gapDay = try #require(CivilDate(year: 2018, month: 11, day: 4))
    #expect(saoPaulo.startOfDay(gapDay) == (try instant("2018-11-04T03:00:00Z")))
  }

  @Test("end of day after a repeated midnight")
  func endOfDay() throws {
    // St. John's set its clocks back from 00:01 to 23:01 on 1 November 2009, so the last
    // hour of 31 October came twice and that day ended at the second midnight.
    let stJohns = try #require(ZoneCalendar(identifier: "America/St_Johns"))
    let repeated = try #require(CivilDate(year: 2009, month: 10, day: 31))
    #expect(stJohns.endOfDay(repeated).rfc3339 == "2009-11-01T03:29:59.999999Z")
    let utc = ZoneCalendar.utc
    let plain = try #require(CivilDate(year: 2024, month: 6, day: 30))
    #expect(utc.endOfDay(plain).rfc3339 == "2024-06-30T23:59:59.999999Z")
    // Samoa skipped 2011-12-30: the instant before 2011-12-31 began is still 29 December.
    let apia = try #require(ZoneCalendar(identifier: "Pacific/Apia"))
    let skipped = try #require(CivilDate(year: 2011, month: 12, day: 30))
    #expect(apia.endOfDay(skipped).rfc3339 == "2011-12-30T09:59:59.999999Z")
  }

  @Test(
    "start of day is the first local instant",
    arguments: [
      "America/New_York", "America/Sao_Paulo", "Australia/Lord_Howe", "Europe/London",
      "Asia/Kolkata", "Pacific/Apia",
    ])
  func startOfDayProperty(zone: String) throws {
    let calendar = try #require(ZoneCalendar(identifier: zone))
    let first = try #require(CivilDate(year: 2010, month: 1, day: 1))
    for offset in stride(from: 0, to: 3_000, by: 1) {
      let date = first.adding(days: offset)
      let start = calendar.startOfDay(date)
      // Samoa skipped 2011-12-30, so that date starts where 2011-12-31 starts.
      #expect(calendar.localDate(of: start) >= date, "\(zone) \(date)")
      let before = Timestamp(seconds: start.epochSeconds - 1)
      #expect(calendar.localDate(of: before) < date, "\(zone) \(date)")
    }
  }

  @Test(
    "cached offsets match Foundation",
    arguments: [
      "America/New_York", "America/Sao_Paulo", "Australia/Lord_Howe", "Europe/London",
      "Asia/Kolkata", "Pacific/Apia", "Africa/Casablanca",
    ])
  func cachedOffsets(zone: String) throws {
    let calendar = try #require(ZoneCalendar(identifier: zone))
    let foundationZone = try #require(TimeZone(identifier: zone))
    var random = SplitMix(state: 0x0FF5E7)
    // 1900 to 2100, in random order, so that queries fall before, inside and after the
    // spans cached so far.
    let first: Int64 = -2_208_988_800
    let last: Int64 = 4_102_444_800
    for _ in 0..<5_000 {
      let seconds = first + Int64(random.next() % UInt64(last - first))
      let date = Date(timeIntervalSince1970: Double(seconds))
      #expect(
        calendar.offsetSeconds(at: Timestamp(seconds: seconds))
          == Int64(foundationZone.secondsFromGMT(for: date)), "\(zone) \(seconds)")
    }
  }

  @Test("skipped date starts with the next date")
  func skippedDate() throws {
    let apia = try #require(ZoneCalendar(identifier: "Pacific/Apia"))
    let skipped = try #require(CivilDate(year: 2011, month: 12, day: 30))
    let next = try #require(CivilDate(year: 2011, month: 12, day: 31))
    #expect(apia.startOfDay(skipped) == apia.startOfDay(next))
    #expect(apia.startOfDay(next) == (try instant("2011-12-30T10:00:00Z")))
  }

  @Test("local date uses the offset at the instant")
  func localDate() throws {
    let newYork = try #require(ZoneCalendar(identifier: "America/New_York"))
    let lateEvening = try instant("2024-07-04T03:30:00Z")
    #expect(newYork.localDate(of: lateEvening).description == "2024-07-03")
    let winter = try instant("2024-01-04T04:30:00Z")
    #expect(newYork.localDate(of: winter).description == "2024-01-03")
    let afterMidnight = try instant("2024-01-04T05:00:00Z")
    #expect(newYork.localDate(of: afterMidnight).description == "2024-01-04")
  }

  @Test("day window ends at the next midnight or offset change")
  func dayWindow() throws {
    let newYork = try #require(ZoneCalendar(identifier: "America/New_York"))
    let beforeChange = try instant("2024-03-10T06:00:00Z")
    let window = newYork.dayWindow(containing: beforeChange)
    #expect(window.end == (try instant("2024-03-10T07:00:00Z")).microseconds)
    let evening = try instant("2024-03-11T01:00:00Z")
    let eveningWindow = newYork.dayWindow(containing: evening)
    #expect(eveningWindow.end == (try instant("2024-03-11T04:00:00Z")).microseconds)
    #expect(CivilDate(daysSinceEpoch: eveningWindow.daysSinceEpoch).description == "2024-03-10")
  }

  @Test("TTFV counts local calendar days")
  func ttfv() throws {
    var timeline = try Timeline("acme")
    try timeline.land("2024-02-20T23:30:00-05:00", zone: "America/New_York")
    try timeline.reach("2024-03-21T00:15:00-04:00", "first_value")
    let projection = try timeline.project(at: "2024-04-01T00:00:00Z")
    #expect(projection.firstValueAt == "2024-03-21T04:15:00Z")
    #expect(projection.ttfvDays == 30)
  }
}
