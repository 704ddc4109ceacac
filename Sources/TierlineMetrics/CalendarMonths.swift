import TierlineEvents

extension CivilDate {
  /// Returns the date `count` calendar months later, or earlier when `count` is negative.
  /// A day past the end of the target month becomes its last day, so 31 January plus one
  /// month is 28 or 29 February.
  public func adding(months count: Int) -> CivilDate {
    let index = year * 12 + (month - 1) + count
    let newYear = index >= 0 ? index / 12 : (index - 11) / 12
    let newMonth = index - newYear * 12 + 1
    let newDay = min(day, CivilDate.daysInMonth(year: newYear, month: newMonth))
    return CivilDate(year: newYear, month: newMonth, day: newDay) ?? self
  }
}
