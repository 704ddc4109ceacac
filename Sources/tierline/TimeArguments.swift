import TierlineEvents

/// Parses a point-in-time option: RFC 3339 with an offset, or a date `YYYY-MM-DD`,
/// which means the last microsecond of that day in UTC.
func parseTimeOption(_ text: String, option: String) throws(UsageError) -> Timestamp {
  if let timestamp = Timestamp(rfc3339: text) { return timestamp }
  if let date = CivilDate(iso: text) {
    let nextDay = Int64(date.daysSinceEpoch + 1) * 86_400 * 1_000_000
    return Timestamp(microseconds: nextDay - 1)
  }
  // A text of at least a date's length names its problem; anything shorter gets the forms.
  let problem =
    text.utf8.count > 10 ? "it " + Timestamp.rfc3339Problem(text) + "; " : ""
  throw UsageError(
    "invalid time for --\(option) (\(text)): \(problem)use RFC 3339 such as "
      + "2025-03-01T12:00:00Z or a date such as 2025-03-01")
}

/// Parses a date option `YYYY-MM-DD`.
func parseDateOption(_ text: String, option: String) throws(UsageError) -> CivilDate {
  guard let date = CivilDate(iso: text) else {
    throw UsageError("invalid date for --\(option) (\(text)): use YYYY-MM-DD")
  }
  return date
}

/// Parses a non-negative integer option within `range`.
func parseIntegerOption(_ text: String, option: String, range: ClosedRange<Int>)
  throws(UsageError) -> Int
{
  // Int("+2") is 2, but a sign is not part of a count.
  guard text.first != "+", let value = Int(text), range.contains(value) else {
    throw UsageError(
      "invalid value for --\(option) (\(text)): use a whole number from "
        + "\(range.lowerBound) to \(range.upperBound)")
  }
  return value
}
