import Testing
import TierlineImport

@Suite("Decimal text")
struct DecimalTextTests {
  @Test(
    "accepted numbers",
    arguments: [
      ("1234.50", DecimalSeparator.point, "1234.50"), ("-3", .point, "-3"),
      ("1.234", .point, "1.234"), ("9,99", .comma, "9.99"), ("1,234", .comma, "1.234"),
      (" 42 ", .point, "42"),
    ])
  func accepted(text: String, separator: DecimalSeparator, expected: String) throws {
    #expect(try DecimalText.normalize(text, separator: separator) == expected)
  }

  @Test(
    "ambiguous or malformed numbers are rejected",
    arguments: [
      ("12.000,50", DecimalSeparator.point), ("12.000,50", .comma), ("9,99", .point),
      ("1,234", .point), ("1.234", .comma), ("1,234,567", .point), ("$12", .point),
      ("1.2.3", .point), ("12.", .point), ("", .point), ("1 234", .point),
    ])
  func rejected(text: String, separator: DecimalSeparator) {
    #expect(throws: DecimalTextError.self) {
      try DecimalText.normalize(text, separator: separator)
    }
  }

  @Test("rejection suggests the other separator")
  func suggestion() throws {
    let error = #expect(throws: DecimalTextError.self) {
      try DecimalText.normalize("9,99", separator: .point)
    }
    #expect(error?.reason.contains("--decimal-separator ,") == true)
  }
}
