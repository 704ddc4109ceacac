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
  ///
  /// An instant in the cached offset span is shifted by its offset directly. Otherwise the
  /// zone calendar computes it from its table of offset spans.
  func localDate(_ microseconds: Int64) -> CivilDate {
    if microseconds >= cache.offsetStart, microseconds < cache.offsetEnd {
      let local = Timestamp(microseconds: microseconds).epochSeconds + cache.offset
      return CivilDate(daysSinceEpoch: Int(floorDivide(local, 86_400)))
    }
    return calendar.localDate(of: Timestamp(microseconds: microseconds))
  }

  /// Returns the first instant (µs) of a local day given as days since 1970-01-01.
  ///
  /// When local midnight and the second before it both lie in the cached offset span,
  /// midnight is the first instant of the day, as in `ZoneCalendar.startOfDay`.
  func startOfDay(_ day: Int) -> Int64 {
    if cache.offsetStart < cache.offsetEnd,
      let midnight = Self.midnight(of: day, shiftedBy: cache.offset),
      midnight - 1_000_000 >= cache.offsetStart, midnight < cache.offsetEnd
    {
      return midnight
    }
    return calendar.startOfDay(daysSinceEpoch: day).microseconds
  }

  /// Returns the instant (µs) of local midnight starting `day` under a zone `offset` in
  /// seconds, or nil when it or the second before it lies outside the range of `Int64`.
  private static func midnight(of day: Int, shiftedBy offset: Int64) -> Int64? {
    let nominal = Int64(day).multipliedReportingOverflow(by: 86_400)
    guard !nominal.overflow else { return nil }
    let midnight = nominal.partialValue.subtractingReportingOverflow(offset)
    guard !midnight.overflow, midnight.partialValue > Int64.min / 1_000_000 + 1 else {
      return nil
    }
    let scaled = midnight.partialValue.multipliedReportingOverflow(by: 1_000_000)
    return scaled.overflow ? nil : scaled.partialValue
  }
}
