import TierlineEvents

extension AccountState {
  /// The account's zone calendar; UTC when the landing named a zone Foundation lacks.
  var calendar: ZoneCalendar {
    if let calendar = cache.calendar { return calendar }
    return ZoneCalendar(identifier: zoneIdentifier) ?? ZoneCalendar.utc
  }

  /// Returns the local day (days since 1970-01-01) of an instant in µs, through the cache.
  mutating func localDay(_ microseconds: Int64) -> Int {
    refreshCache(microseconds)
    return cache.window.daysSinceEpoch
  }

  /// Returns the local month of an instant in µs, through the cache.
  ///
  /// The cached month lasts until the local month or the zone offset changes, so most
  /// usage events of a month skip the day computation.
  @inline(__always)
  mutating func localMonth(_ microseconds: Int64) -> UsageMonth {
    if microseconds >= cache.window.start, microseconds < cache.monthEnd {
      return cache.month
    }
    refreshCache(microseconds)
    return cache.month
  }

  @inline(__always)
  private mutating func refreshCache(_ microseconds: Int64) {
    guard !cache.window.contains(microseconds) else { return }
    if microseconds < cache.offsetStart || microseconds >= cache.offsetEnd {
      // Foundation is asked only when the instant leaves the span of the cached offset,
      // which lasts until the zone's next offset change. The calendar is copied only
      // here: every copy retains its zone, which all accounts in that zone share.
      let calendar = self.calendar
      cache.calendar = calendar
      let span = calendar.offsetSpan(containing: Timestamp(microseconds: microseconds))
      cache.offsetStart = span.start
      cache.offsetEnd = span.end
      cache.offset = span.offset
    }
    let seconds = Timestamp(microseconds: microseconds).epochSeconds
    let day = floorDivide(seconds + cache.offset, 86_400)
    let nextMidnight = ((day + 1) * 86_400 - cache.offset) * 1_000_000
    cache.window = LocalDayWindow(
      start: microseconds, end: min(nextMidnight, cache.offsetEnd), daysSinceEpoch: Int(day))
    let date = CivilDate(daysSinceEpoch: cache.window.daysSinceEpoch)
    cache.month = UsageMonth(containing: date)
    // Counts on from this day to the first day of the next month. When that month lies
    // past the years that `CivilDate` covers (1 to 9999), the month ends with the day.
    let nextMonthYear = date.month == 12 ? date.year + 1 : date.year
    var nextMonthStart = cache.window.end
    if (1...9999).contains(nextMonthYear) {
      let daysLeft = CivilDate.daysInMonth(year: date.year, month: date.month) - date.day + 1
      let nextMonthDay = Int64(cache.window.daysSinceEpoch + daysLeft)
      nextMonthStart = (nextMonthDay * 86_400 - cache.offset) * 1_000_000
    }
    cache.monthEnd = min(nextMonthStart, cache.offsetEnd)
  }

  /// Returns the local date of an instant in µs without touching the cache.
  func localDate(_ microseconds: Int64) -> CivilDate {
    calendar.localDate(of: Timestamp(microseconds: microseconds))
  }

  /// Returns the first instant (µs) of a local day given as days since 1970-01-01.
  func startOfDay(_ day: Int) -> Int64 {
    calendar.startOfDay(daysSinceEpoch: day).microseconds
  }
}
