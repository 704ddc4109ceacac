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
    while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9")
    {
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

  /// Explains why `text` is not accepted by `init(decimal:)`, for error messages that show
  /// the value as `jsonText`, its JSON form.
  ///
  /// A minus sign, an exponent or too many fractional digits is named only when the text
  /// is otherwise a well-formed number. Other text gets the accepted form with an example.
  static func decimalProblem(_ text: String, jsonText: String) -> String {
    let example = "such as 1200.5"
    guard let form = DecimalForm(text) else {
      return "\(jsonText) is not a non-negative decimal \(example)"
    }
    if form.isNegative {
      return form.isZero ? "\(jsonText) is negative zero; write 0" : "\(jsonText) is negative"
    }
    if form.hasExponent {
      return "\(jsonText) has an exponent; write a plain decimal \(example)"
    }
    if form.fractionDigits > maximumFractionDigits {
      return "has \(form.fractionDigits) decimal places; the maximum is \(maximumFractionDigits)"
    }
    return "\(jsonText) is larger than the maximum \(Quantity.maximum)"
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

/// The parts of a number in the JSON number grammar: an optional `-`, ASCII digits, an
/// optional fraction and an optional exponent. Unlike JSON, it allows leading zeros, as
/// `Quantity.init(decimal:)` does.
private struct DecimalForm {
  var isNegative = false
  var isZero = true
  var fractionDigits = 0
  var hasExponent = false

  /// Reads the parts of `text`, or returns nil when it is not written in this form.
  init?(_ text: String) {
    let bytes = Array(text.utf8)
    var index = 0
    func skipDigits() -> Int {
      let start = index
      while index < bytes.count, bytes[index] >= UInt8(ascii: "0"),
        bytes[index] <= UInt8(ascii: "9")
      {
        index += 1
      }
      return index - start
    }
    func containsNonZeroDigit(_ range: Range<Int>) -> Bool {
      bytes[range].contains { $0 != UInt8(ascii: "0") }
    }

    if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
      isNegative = true
      index += 1
    }
    let wholeStart = index
    guard skipDigits() > 0 else { return nil }
    if containsNonZeroDigit(wholeStart..<index) { isZero = false }

    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      let fractionStart = index
      fractionDigits = skipDigits()
      guard fractionDigits > 0 else { return nil }
      if containsNonZeroDigit(fractionStart..<index) { isZero = false }
    }

    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      hasExponent = true
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
      {
        index += 1
      }
      guard skipDigits() > 0 else { return nil }
    }
    guard index == bytes.count else { return nil }
  }
}
