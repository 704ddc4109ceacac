/// An exact rational number, kept in lowest terms with a positive denominator.
///
/// Metrics compute shares, money and months with fractions and round only when they
/// format a result, half to even at the requested number of decimals. Arithmetic traps on
/// overflow of `Int128`, which lies far beyond any portfolio's money in minor units.
public struct Fraction: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The numerator; its sign is the fraction's sign.
  public let numerator: Int128
  /// The denominator; always positive.
  public let denominator: Int128

  /// Creates `numerator / denominator` in lowest terms.
  /// - Precondition: `denominator` is not zero.
  public init(_ numerator: Int128, _ denominator: Int128 = 1) {
    precondition(denominator != 0, "a fraction needs a non-zero denominator")
    let divisor = Fraction.greatestCommonDivisor(numerator, denominator)
    let sign: Int128 = denominator < 0 ? -1 : 1
    self.numerator = sign * numerator / divisor
    self.denominator = sign * denominator / divisor
  }

  /// Parses a plain decimal such as `0.8`, `18` or `-1.25`; nil for anything else,
  /// exponents and more than 18 fractional digits included.
  public init?(decimal text: String) {
    var digits = Substring(text)
    var negative = false
    if digits.first == "-" {
      negative = true
      digits = digits.dropFirst()
    }
    let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, let whole = parts.first, !whole.isEmpty,
      whole.allSatisfy(\.isASCIIDigit), whole.count <= 18
    else { return nil }
    let fractional = parts.count == 2 ? parts[1] : ""
    guard fractional.allSatisfy(\.isASCIIDigit), fractional.count <= 18,
      parts.count == 1 || !fractional.isEmpty,
      let wholeValue = Int128(whole)
    else { return nil }
    var scale: Int128 = 1
    for _ in 0..<fractional.count { scale *= 10 }
    let fractionValue = Int128(fractional.isEmpty ? "0" : String(fractional)) ?? 0
    let magnitude = wholeValue * scale + fractionValue
    self.init(negative ? -magnitude : magnitude, scale)
  }

  /// Zero.
  public static let zero = Fraction(0)

  /// Whether the value is zero.
  public var isZero: Bool { numerator == 0 }

  /// Returns the value scaled by 10^`digits` and rounded half to even to an integer.
  public func scaled(toDigits digits: Int) -> Int128 {
    var scale: Int128 = 1
    for _ in 0..<digits { scale *= 10 }
    let scaled = numerator * scale
    var quotient = scaled / denominator
    var remainder = scaled % denominator
    if remainder < 0 {
      quotient -= 1
      remainder += denominator
    }
    // Compare twice the remainder with the denominator: above half rounds up, exactly half
    // rounds to the even neighbour.
    let twice = remainder * 2
    if twice > denominator || (twice == denominator && quotient % 2 != 0) {
      quotient += 1
    }
    return quotient
  }

  /// Formats the value with exactly `digits` decimals, rounded half to even.
  public func decimalString(digits: Int) -> String {
    let scaled = scaled(toDigits: digits)
    let negative = scaled < 0
    let magnitude = String(negative ? -scaled : scaled)
    let padded = String(repeating: "0", count: max(0, digits + 1 - magnitude.count)) + magnitude
    var text = negative ? "-" : ""
    if digits == 0 {
      text += padded
    } else {
      text += padded.dropLast(digits) + "." + padded.suffix(digits)
    }
    return text
  }

  /// The exact value as `numerator/denominator`, or the integer when the denominator is 1.
  public var description: String {
    denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)"
  }

  public static func + (lhs: Fraction, rhs: Fraction) -> Fraction {
    Fraction(
      lhs.numerator * rhs.denominator + rhs.numerator * lhs.denominator,
      lhs.denominator * rhs.denominator)
  }

  public static func - (lhs: Fraction, rhs: Fraction) -> Fraction {
    lhs + Fraction(-rhs.numerator, rhs.denominator)
  }

  public static func * (lhs: Fraction, rhs: Fraction) -> Fraction {
    Fraction(lhs.numerator * rhs.numerator, lhs.denominator * rhs.denominator)
  }

  /// Divides; nil when `rhs` is zero.
  public func divided(by rhs: Fraction) -> Fraction? {
    guard !rhs.isZero else { return nil }
    return Fraction(numerator * rhs.denominator, denominator * rhs.numerator)
  }

  public static func < (lhs: Fraction, rhs: Fraction) -> Bool {
    lhs.numerator * rhs.denominator < rhs.numerator * lhs.denominator
  }

  private static func greatestCommonDivisor(_ a: Int128, _ b: Int128) -> Int128 {
    var x = a < 0 ? -a : a
    var y = b < 0 ? -b : b
    while y != 0 { (x, y) = (y, x % y) }
    return x == 0 ? 1 : x
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
