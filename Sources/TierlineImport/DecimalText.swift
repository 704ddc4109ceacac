/// The character that separates the integer part of a number from its fraction.
public enum DecimalSeparator: String, Sendable, CaseIterable {
  /// `1234.50`.
  case point = "."
  /// `1234,50`.
  case comma = ","
}

/// Reads numbers written in a spreadsheet's locale into plain decimals (`1234.50`).
///
/// Only digits, one optional leading `-` and at most one declared decimal separator are
/// accepted. Digit-group separators are rejected, never guessed: `1,234` could be 1234
/// or 1.234, and `12.000,50` only makes sense with `,` as the decimal separator. The
/// rejection suggests the other separator when that one alone would read the number.
public enum DecimalText {
  /// Returns `text` as a plain decimal with `.` as the separator.
  /// - Throws: `DecimalTextError` with the reason, such as a group separator.
  public static func normalize(
    _ text: String, separator: DecimalSeparator
  ) throws(DecimalTextError) -> String {
    let trimmed = text.trimmingSpaces()
    guard !trimmed.isEmpty else { throw DecimalTextError(reason: "is empty; expected a number") }
    let other: Character = separator == .point ? "," : "."
    let declared = Character(separator.rawValue)
    let body = trimmed.hasPrefix("-") ? trimmed.dropFirst() : Substring(trimmed)

    let declaredCount = body.filter { $0 == declared }.count
    let otherCount = body.filter { $0 == other }.count
    guard body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == declared || $0 == other) })
    else {
      throw DecimalTextError(
        reason: "\(quoted(trimmed)) is not a number: only digits, a leading minus sign and "
          + "the decimal separator \(quoted(separator.rawValue)) are accepted")
    }
    guard otherCount == 0 else {
      let hint =
        declaredCount == 0 && otherCount == 1
        ? "; if \(quoted(String(other))) is the decimal separator, import with "
          + "--decimal-separator \(other)"
        : ""
      throw DecimalTextError(
        reason: "\(quoted(trimmed)) contains \(quoted(String(other))), which is ambiguous "
          + "with the decimal separator \(quoted(separator.rawValue)): digit-group "
          + "separators are not accepted" + hint)
    }
    guard declaredCount <= 1 else {
      throw DecimalTextError(
        reason: "\(quoted(trimmed)) has more than one decimal separator "
          + "\(quoted(separator.rawValue))")
    }
    let parts = body.split(separator: declared, omittingEmptySubsequences: false)
    guard parts.allSatisfy({ !$0.isEmpty }) else {
      throw DecimalTextError(
        reason: "\(quoted(trimmed)) needs digits on both sides of the decimal separator")
    }
    let sign = trimmed.hasPrefix("-") ? "-" : ""
    return sign + parts.joined(separator: ".")
  }
}

/// The reason a number in a spreadsheet cell was rejected.
public struct DecimalTextError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The problem in plain words, naming the text.
  public var reason: String

  public var description: String { reason }
}

private func quoted(_ text: some StringProtocol) -> String {
  "\"" + text + "\""
}

extension String {
  /// The text without leading and trailing spaces and tabs.
  func trimmingSpaces() -> String {
    var slice = Substring(self)
    while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
    return String(slice)
  }
}
