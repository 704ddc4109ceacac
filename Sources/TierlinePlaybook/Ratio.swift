import TierlineEvents

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
    // A ratio has one whole digit; Quantity reads the rest exactly, in millionths.
    let point = text.firstIndex(of: ".") ?? text.endIndex
    guard text.distance(from: text.startIndex, to: point) == 1,
      let quantity = Quantity(decimal: text), quantity.millionths <= Ratio.scale
    else { return nil }
    self.millionths = quantity.millionths
  }

  /// The ratio as the shortest exact decimal with at least one fractional digit: `0.8`.
  public var description: String {
    let text = Quantity(millionths: millionths).description
    return text.contains(".") ? text : text + ".0"
  }

  public static func < (lhs: Ratio, rhs: Ratio) -> Bool {
    lhs.millionths < rhs.millionths
  }
}
