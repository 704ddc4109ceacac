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
  @inline(__always)
  mutating func localMonth(_ microseconds: Int64) -> UsageMonth {
    refreshCache(microseconds)
    return cache.month
  }

  @inline(__always)
  private mutating func refreshCache(_ microseconds: Int64) {
    guard !cache.window.contains(microseconds) else { return }
    let calendar = self.calendar
    cache.calendar = calendar
    cache.window = calendar.dayWindow(containing: Timestamp(microseconds: microseconds))
    cache.month = UsageMonth(containing: CivilDate(daysSinceEpoch: cache.window.daysSinceEpoch))
  }

  /// Returns the local date of an instant in µs without touching the cache.
  func localDate(_ microseconds: Int64) -> CivilDate {
    calendar.localDate(of: Timestamp(microseconds: microseconds))
  }

  /// Returns the first instant (µs) of a local day given as days since 1970-01-01.
  func startOfDay(_ day: Int) -> Int64 {
    calendar.startOfDay(CivilDate(daysSinceEpoch: day)).microseconds
  }
}
