/// An instant on the UTC time line, in whole microseconds since 1970-01-01T00:00:00Z.
///
/// Both event times use it: `occurred_at` (valid time, from the source) and
/// `recorded_at` (transaction time, stamped by the ledger). Microseconds keep every
/// RFC 3339 timestamp with up to six fractional digits exact.
public struct Timestamp: Hashable, Comparable, Sendable {
  /// Microseconds since the Unix epoch; negative before 1970.
  public var microseconds: Int64

  /// Creates a timestamp from microseconds since the Unix epoch.
  public init(microseconds: Int64) {
    self.microseconds = microseconds
  }

  /// Creates a timestamp from whole seconds since the Unix epoch.
  ///
  /// - Precondition: `seconds` lies within about ±292,000 years of the epoch
  ///   (`Int64.max / 1_000_000`), so the microseconds fit. The multiplication traps
  ///   beyond that. Callers that take seconds from input check them against `minimum`
  ///   and `maximum` first.
  public init(seconds: Int64) {
    self.microseconds = seconds * 1_000_000
  }

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    lhs.microseconds < rhs.microseconds
  }

  /// The earliest instant that RFC 3339 text can name here: 0001-01-01T00:00:00Z.
  public static let minimum = Timestamp(microseconds: minimumMicroseconds)

  /// The latest instant that RFC 3339 text can name here: 9999-12-31T23:59:59.999999Z.
  public static let maximum = Timestamp(microseconds: maximumMicroseconds)

  /// `minimum` in microseconds, for code inlined into other modules. There, reading a
  /// `static let` calls its accessor, which checks that the value is initialized.
  @inlinable
  static var minimumMicroseconds: Int64 { -62_135_596_800_000_000 }

  /// `maximum` in microseconds, for code inlined into other modules.
  @inlinable
  static var maximumMicroseconds: Int64 { 253_402_300_799_999_999 }
}

extension Timestamp {
  /// Whole seconds since the epoch, rounded toward negative infinity.
  public var epochSeconds: Int64 {
    microseconds >= 0 ? microseconds / 1_000_000 : -((-microseconds + 999_999) / 1_000_000)
  }

  /// The microseconds past `epochSeconds`, in 0..<1_000_000.
  public var subsecondMicroseconds: Int64 {
    microseconds - epochSeconds * 1_000_000
  }
}
