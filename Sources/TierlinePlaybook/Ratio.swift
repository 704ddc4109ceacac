/// An exact ratio between 0 and 1 with up to six fractional digits, such as 0.80.
public struct Ratio: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The ratio in millionths: 0.8 is 800_000.
  public var millionths: Int64

  /// One whole, in millionths.
  public static let scale: Int64 = 1_000_000

  /// Creates a ratio from millionths.
  public init(millionths: Int64) {
    self.millionths = millionths
  }

  /// Parses a decimal string such as `"0.80"` or `"1"`.
  ///
  /// Returns nil outside 0...1, for more than six fractional digits, and for any text
  /// that is not a plain decimal.
  public init?(decimal text: String) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, let wholeText = parts.first, !wholeText.isEmpty,
      wholeText.utf8.count <= 1, let whole = Int64(wholeText), whole >= 0
    else { return nil }
    var fraction: Int64 = 0
    if parts.count == 2 {
      let fractionText = parts[1]
      guard (1...6).contains(fractionText.utf8.count),
        fractionText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
        let digits = Int64(fractionText)
      else { return nil }
      fraction = digits
      for _ in fractionText.utf8.count..<6 { fraction *= 10 }
    }
    let total = whole * Ratio.scale + fraction
    guard total <= Ratio.scale else { return nil }
    self.millionths = total
  }

  /// The ratio as the shortest exact decimal with at least one fractional digit: `0.8`.
  public var description: String {
    let whole = millionths / Ratio.scale
    var fraction = millionths % Ratio.scale
    guard fraction != 0 else { return String(whole) + ".0" }
    var digits = 6
    while fraction % 10 == 0 {
      fraction /= 10
      digits -= 1
    }
    let fractionText = String(fraction)
    return String(whole) + "." + String(repeating: "0", count: digits - fractionText.count)
      + fractionText
  }

  public static func < (lhs: Ratio, rhs: Ratio) -> Bool {
    lhs.millionths < rhs.millionths
  }
}
