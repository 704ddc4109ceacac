import TierlineEvents

extension CivilDate {
  /// Returns the date `count` calendar months later, or earlier when `count` is negative.
  /// A day past the end of the target month becomes its last day, so 31 January plus one
  /// month is 28 or 29 February. A result outside years 1 to 9999 becomes the first or
  /// last date of that range.
  public func adding(months count: Int) -> CivilDate {
    let index = year * 12 + (month - 1) + count
    let newYear = index >= 0 ? index / 12 : (index - 11) / 12
    guard newYear <= 9999 else { return CivilDate.last }
    guard newYear >= 1 else { return CivilDate.first }
    let newMonth = index - newYear * 12 + 1
    let newDay = min(day, CivilDate.daysInMonth(year: newYear, month: newMonth))
    return CivilDate(year: newYear, month: newMonth, day: newDay) ?? self
  }

  /// Returns the largest `m` with `adding(months: m) <= other`, or 0 when `other` is
  /// earlier: the whole calendar months from this date to `other`.
  public func wholeMonths(until other: CivilDate) -> Int {
    var months = (other.year * 12 + other.month) - (year * 12 + month)
    // In other's month this date's day falls on min(day, month length); when that is
    // still ahead of other, the last month is not whole.
    if min(day, CivilDate.daysInMonth(year: other.year, month: other.month)) > other.day {
      months -= 1
    }
    return max(0, months)
  }

  /// 0001-01-01, the first date a timestamp can hold.
  static let first = CivilDate(year: 1, month: 1, day: 1)!
  /// 9999-12-31, the last date a timestamp can hold.
  static let last = CivilDate(year: 9999, month: 12, day: 31)!
}
