import TierlineEvents

/// Parses a point-in-time option: RFC 3339 with an offset, or a date `YYYY-MM-DD`,
/// which means the last microsecond of that day in UTC.
func parseTimeOption(_ text: String, option: String) throws(UsageError) -> Timestamp {
  if let timestamp = Timestamp(rfc3339: text) { return timestamp }
  if let date = CivilDate(iso: text) {
    let nextDay = Int64(date.daysSinceEpoch + 1) * 86_400 * 1_000_000
    return Timestamp(microseconds: nextDay - 1)
  }
  // A date that does not exist, or a longer text with a specific problem, gets that
  // problem named. Anything else gets only the accepted forms, which show examples.
  var problem = impossibleDateProblem(text)
  if problem.isEmpty, text.utf8.count > 10 {
    let reason = Timestamp.rfc3339Problem(text)
    if !reason.hasPrefix("is not an RFC 3339 timestamp") { problem = "it " + reason + "; " }
  }
  throw UsageError(
    "invalid time for --\(option) (\(text)): \(problem)use RFC 3339 such as "
      + "2025-03-01T12:00:00Z or a date such as 2025-03-01")
}

/// Parses a date option `YYYY-MM-DD`.
func parseDateOption(_ text: String, option: String) throws(UsageError) -> CivilDate {
  guard let date = CivilDate(iso: text) else {
    let problem = impossibleDateProblem(text)
    throw UsageError("invalid date for --\(option) (\(text)): \(problem)use YYYY-MM-DD")
  }
  return date
}

/// Returns why `text`, in the form `YYYY-MM-DD`, names no date the ledger stores, as the
/// start of a message ("it names a date that does not exist; "), or "" for other text.
private func impossibleDateProblem(_ text: String) -> String {
  guard CivilDate.hasISOForm(text) else { return "" }
  // The timestamp check names the problem: a day or month that does not exist, or year 0.
  return "it " + Timestamp.rfc3339Problem(text + "T00:00:00Z") + "; "
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

/// Writes a note to standard error when `text`, the value given to `--effective`, is a
/// date alone. Such a date means the last microsecond of that day, as everywhere, which
/// is easy to mistake for the start of the day when rules change "on" a date. The note
/// gives the start-of-day form; an activation, once stored, stays.
func noteBareEffectiveDate(_ text: String?, effective: Timestamp) throws(UsageError) {
  guard let text, CivilDate(iso: text) != nil else { return }
  let startOfDay = try parseTimeOption(text + "T00:00:00Z", option: "effective")
  writeToStandardError(
    "note: --effective \(text) is the end of that day in UTC, \(effective.rfc3339); "
      + "for the start of the day give --effective \(startOfDay.rfc3339)\n")
}

/// Validates a point-in-time option as `parseTimeOption` reads it, for `OptionSpec.validate`.
func validateTimeOption(_ text: String, option: String) throws(UsageError) {
  _ = try parseTimeOption(text, option: option)
}

/// Validates a date option as `parseDateOption` reads it, for `OptionSpec.validate`.
func validateDateOption(_ text: String, option: String) throws(UsageError) {
  _ = try parseDateOption(text, option: option)
}

/// Returns a validator of whole numbers within `range`, as `parseIntegerOption` reads
/// them, for `OptionSpec.validate`.
func integerOptionValidator(_ range: ClosedRange<Int>) -> OptionValidator {
  { text, option throws(UsageError) in
    _ = try parseIntegerOption(text, option: option, range: range)
  }
}
