/// A calendar date in the proleptic Gregorian calendar, with no time zone attached.
///
/// Calendar-day rules (the 60-day check-in, time-based triggers, TTFV) count in
/// these dates after converting an instant to the account's local date.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var year: Int
  public var month: Int
  public var day: Int

  /// Creates a date; returns nil when the month or day does not exist in that year.
  public init?(year: Int, month: Int, day: Int) {
    guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
    guard day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else { return nil }
    self.year = year
    self.month = month
    self.day = day
  }

  /// Creates the date that lies `days` days after 1970-01-01 (negative: before it).
  public init(daysSinceEpoch days: Int) {
    // Civil-from-days conversion over 400-year eras of 146,097 days.
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthPrime = (5 * dayOfYear + 2) / 153
    self.day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
    self.month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
    self.year = yearOfEra + era * 400 + (self.month <= 2 ? 1 : 0)
  }

  /// Days from 1970-01-01 to this date.
  public var daysSinceEpoch: Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let monthPrime = month > 2 ? month - 3 : month + 9
    let dayOfYear = (153 * monthPrime + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// Returns the date `count` calendar days later (earlier when negative).
  public func adding(days count: Int) -> CivilDate {
    CivilDate(daysSinceEpoch: daysSinceEpoch + count)
  }

  /// Calendar days from this date to `other`; negative when `other` is earlier.
  public func days(until other: CivilDate) -> Int {
    other.daysSinceEpoch - daysSinceEpoch
  }

  /// Returns whether `year` has a 29 February.
  public static func isLeapYear(_ year: Int) -> Bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
  }

  /// Returns the number of days in a month of a year.
  public static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return isLeapYear(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
    (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
  }

  /// The date as `YYYY-MM-DD`.
  public var description: String {
    if (0...9999).contains(year) {
      return String(unsafeUninitializedCapacity: 10) { buffer in
        var writer = DigitWriter(buffer)
        writer.date(self)
        return writer.count
      }
    }
    let yearText = String(year)
    let monthText = String(month)
    let dayText = String(day)
    return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-"
      + (month < 10 ? "0" : "") + monthText + "-" + (day < 10 ? "0" : "") + dayText
  }

  /// Parses `YYYY-MM-DD`; returns nil for any other text or a date that does not exist.
  public init?(iso text: some StringProtocol) {
    let bytes = Array(text.utf8)
    guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-")
    else { return nil }
    guard let year = parseDigits(bytes[0..<4]), let month = parseDigits(bytes[5..<7]),
      let day = parseDigits(bytes[8..<10])
    else { return nil }
    self.init(year: year, month: month, day: day)
  }

  /// Returns whether `text` has the form `YYYY-MM-DD` in ASCII digits, whether or not the
  /// date exists. Error messages use it to tell 2025-02-30 from text of another form.
  public static func hasISOForm(_ text: some StringProtocol) -> Bool {
    let bytes = Array(text.utf8)
    guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-")
    else { return false }
    return parseDigits(bytes[0..<4]) != nil && parseDigits(bytes[5..<7]) != nil
      && parseDigits(bytes[8..<10]) != nil
  }
}

/// Returns whether every character of `text` is an ASCII digit; true for empty text.
public func isASCIIDigits(_ text: some StringProtocol) -> Bool {
  text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
}

/// Parses a run of ASCII digits; returns nil when any byte is not a digit.
func parseDigits(_ bytes: ArraySlice<UInt8>) -> Int? {
  var value = 0
  for byte in bytes {
    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
    value = value * 10 + Int(byte - UInt8(ascii: "0"))
  }
  return bytes.isEmpty ? nil : value
}
