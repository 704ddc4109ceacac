import Testing
import TierlineEvents

@Suite("RFC 3339 timestamps")
struct TimestampTests {
  @Test("UTC instant parses to epoch microseconds")
  func utcInstant() throws {
    let stamp = try #require(Timestamp(rfc3339: "2024-01-15T09:30:00Z"))
    #expect(stamp.microseconds == 1_705_311_000_000_000)
  }

  @Test("offsets name the same instant")
  func offsets() throws {
    let utc = try #require(Timestamp(rfc3339: "2024-03-01T12:00:00Z"))
    let east = try #require(Timestamp(rfc3339: "2024-03-01T13:30:00+01:30"))
    let west = try #require(Timestamp(rfc3339: "2024-03-01T07:00:00-05:00"))
    #expect(east == utc)
    #expect(west == utc)
  }

  @Test("fractions are exact to the microsecond")
  func fractions() throws {
    let stamp = try #require(Timestamp(rfc3339: "1970-01-01T00:00:00.000123Z"))
    #expect(stamp.microseconds == 123)
    let half = try #require(Timestamp(rfc3339: "1970-01-01T00:00:01.5Z"))
    #expect(half.microseconds == 1_500_000)
    #expect(Timestamp(rfc3339: "1970-01-01T00:00:00.1234567Z") == nil)
    #expect(Timestamp(rfc3339: "1970-01-01T00:00:00.Z") == nil)
  }

  @Test("leap day exists only in leap years")
  func leapDay() {
    #expect(Timestamp(rfc3339: "2024-02-29T00:00:00Z") != nil)
    #expect(Timestamp(rfc3339: "2000-02-29T00:00:00Z") != nil)
    #expect(Timestamp(rfc3339: "2023-02-29T00:00:00Z") == nil)
    #expect(Timestamp(rfc3339: "1900-02-29T00:00:00Z") == nil)
  }

  @Test(
    "malformed timestamps are rejected",
    arguments: [
      "2024-01-15T09:30:00",
      "2024-01-15",
      "2024-13-01T00:00:00Z",
      "2024-04-31T00:00:00Z",
      "2024-01-15T24:00:00Z",
      "2024-01-15T23:60:00Z",
      "2024-01-15T23:59:60Z",
      "2024-01-15T09:30:00+0100",
      "2024-01-15T09:30:00+01:00x",
      "2024-01-15X09:30:00Z",
      "",
    ])
  func rejects(text: String) {
    #expect(Timestamp(rfc3339: text) == nil)
  }

  @Test("offsets cannot leave years 1 to 9999")
  func rangeLimits() {
    #expect(Timestamp(rfc3339: "0001-01-01T00:00:00+01:00") == nil)
    #expect(Timestamp(rfc3339: "9999-12-31T23:00:00-01:00") == nil)
    #expect(Timestamp(rfc3339: "0001-01-01T00:00:00-01:00") != nil)
    #expect(Timestamp(rfc3339: "9999-12-31T23:59:59.999999Z") == Timestamp.maximum)
  }

  @Test(
    "malformed layout is a syntax problem",
    arguments: [
      "abcd-02-03T12:00:00Z",
      "\u{662}\u{660}\u{662}\u{665}-02-03T12:00:00Z",
      "\u{FF12}\u{FF10}\u{FF12}\u{FF15}-02-03T12:00:00Z",
      "\u{E9}025-02-03T12:00:00Z",
      "2025/02/30T12:00:00Z",
      "2025-02-03X25:00:00Z",
      "2025-02-03T25.00.00Z",
      "xxxxxxxxxxxxxxxxx60Z",
      "2025-02-03T12:00:00+25x00",
    ])
  func malformedLayoutProblem(text: String) {
    #expect(
      Timestamp.rfc3339Problem(text)
        == "is not an RFC 3339 timestamp with an offset, such as 2024-03-01T09:30:00Z")
  }

  @Test(
    "out-of-range fields are named",
    arguments: [
      ("0001-01-01T00:00:00+01:00", "lies outside the years 0001 to 9999 once its offset"),
      ("9999-12-31T23:00:00-01:00", "lies outside the years 0001 to 9999 once its offset"),
      ("0000-02-03T12:00:00Z", "lies before the year 0001"),
      ("2023-02-29T12:00:00Z", "names a date that does not exist"),
      ("2024-06-30T23:59:60Z", "has a leap second"),
      ("2024-06-30 25:00:00Z", "has a time of day out of range"),
      ("2024-06-30t12:00:00+24:00", "has an offset out of range"),
      ("2024-06-30T12:00:00", "has no offset"),
      ("2024-06-30T12:00:00.1234567Z", "has more than 6 fractional digits"),
    ])
  func rangeProblem(text: String, reason: String) {
    #expect(Timestamp.rfc3339Problem(text).hasPrefix(reason))
  }

  @Test("formatting is UTC with trimmed fraction")
  func formatting() throws {
    let stamp = try #require(Timestamp(rfc3339: "2024-02-29T23:59:59.50+01:00"))
    #expect(stamp.rfc3339 == "2024-02-29T22:59:59.5Z")
    #expect(Timestamp(microseconds: -1).rfc3339 == "1969-12-31T23:59:59.999999Z")
    #expect(Timestamp.minimum.rfc3339 == "0001-01-01T00:00:00Z")
    #expect(Timestamp.maximum.rfc3339 == "9999-12-31T23:59:59.999999Z")
  }
}
