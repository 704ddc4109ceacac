import TierlineEvents

/// Checks of source times against the instants an event may have: 0001-01-01T00:00:00Z
/// through 9999-12-31T23:59:59.999999Z (`Timestamp.minimum...Timestamp.maximum`).
enum ImportTime {
  /// The reason given for a time before year 1 or after year 9999.
  static let outsideYears = "lies outside the years 0001 to 9999 that event times may have"

  /// The Unix seconds of `Timestamp.minimum`.
  static let minimumSeconds = Timestamp.minimum.epochSeconds
  /// The Unix seconds of `Timestamp.maximum`.
  static let maximumSeconds = Timestamp.maximum.epochSeconds

  /// Returns the instant `seconds` after the Unix epoch, or nil when it lies outside the
  /// years 0001 to 9999. The check comes first, so the microseconds cannot overflow.
  static func timestamp(unixSeconds seconds: Int64) -> Timestamp? {
    guard (minimumSeconds...maximumSeconds).contains(seconds) else { return nil }
    return Timestamp(seconds: seconds)
  }

  /// Returns whether an event may have `instant` as its time.
  static func isInRange(_ instant: Timestamp) -> Bool {
    (Timestamp.minimum...Timestamp.maximum).contains(instant)
  }

  /// Explains why `text` is not an RFC 3339 time that an event may have.
  ///
  /// A time or date in year 0000 is reported as out of range, because the proleptic
  /// Gregorian calendar has that year, only the ledger does not.
  static func rfc3339Problem(_ text: String) -> String {
    if text.hasPrefix("0000-") {
      let shifted = "2000" + text.dropFirst(4)
      // A time, or a date as the CSV importer accepts them.
      if Timestamp(rfc3339: shifted) != nil || CivilDate(iso: shifted) != nil {
        return outsideYears
      }
    }
    // A date in the right form that no calendar has, such as 2024-02-30, is no misspelt
    // timestamp.
    if CivilDate.hasISOForm(text) { return "names a date that does not exist" }
    return Timestamp.rfc3339Problem(text)
  }
}
