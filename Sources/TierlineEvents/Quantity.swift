/// An exact, non-negative usage quantity with up to six fractional digits.
///
/// Stored as millionths so that sums and threshold comparisons stay exact:
/// 12.5 API calls of a metered unit is 12_500_000.
public struct Quantity: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The quantity in millionths of a unit.
  public var millionths: Int64

  /// Creates a quantity from millionths of a unit.
  public init(millionths: Int64) {
    self.millionths = millionths
  }

  /// Creates a whole-unit quantity.
  public init(units: Int64) {
    self.millionths = units * 1_000_000
  }

  /// Fractional digits that a quantity can carry.
  public static let maximumFractionDigits = 6

  /// The largest quantity: about 9.2 trillion units.
  public static let maximum = Quantity(millionths: Int64.max)

  /// Parses a plain decimal such as `1200` or `29.33`; returns nil for anything else,
  /// a negative value, more than six fractional digits or a value above `maximum`.
  public init?(decimal text: some StringProtocol) {
    let bytes = Array(text.utf8)
    var index = 0
    var whole: Int64 = 0
    var digits = 0
    while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
      let (shifted, overflow1) = whole.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = shifted.addingReportingOverflow(Int64(bytes[index] - 48))
      guard !overflow1, !overflow2 else { return nil }
      whole = sum
      digits += 1
      index += 1
    }
    guard digits > 0 else { return nil }
    var fraction: Int64 = 0
    var fractionDigits = 0
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      while index < bytes.count, bytes[index] >= UInt8(ascii: "0"),
        bytes[index] <= UInt8(ascii: "9")
      {
        fraction = fraction * 10 + Int64(bytes[index] - 48)
        fractionDigits += 1
        index += 1
        guard fractionDigits <= Quantity.maximumFractionDigits else { return nil }
      }
      guard fractionDigits > 0 else { return nil }
    }
    guard index == bytes.count else { return nil }
    for _ in fractionDigits..<Quantity.maximumFractionDigits { fraction *= 10 }
    let (scaled, overflow1) = whole.multipliedReportingOverflow(by: 1_000_000)
    let (total, overflow2) = scaled.addingReportingOverflow(fraction)
    guard !overflow1, !overflow2 else { return nil }
    self.init(millionths: total)
  }

  /// The quantity as the shortest exact decimal: `1200`, `29.33`.
  public var description: String {
    let whole = millionths / 1_000_000
    var fraction = millionths % 1_000_000
    guard fraction != 0 else { return String(whole) }
    var digits = 6
    while fraction % 10 == 0 {
      fraction /= 10
      digits -= 1
    }
    let fractionText = String(fraction)
    return String(whole) + "." + String(repeating: "0", count: digits - fractionText.count)
      + fractionText
  }

  public static func < (lhs: Quantity, rhs: Quantity) -> Bool {
    lhs.millionths < rhs.millionths
  }
}
