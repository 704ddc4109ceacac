import Testing
import TierlineEvents

@Suite("Money")
struct MoneyTests {
  private let usd = Currency.usd

  @Test("decimal string is exact to the cent")
  func exactCents() throws {
    #expect(try Money(decimal: "144.20", currency: usd).minorUnits == 14420)
    #expect(try Money(decimal: "6000", currency: usd).minorUnits == 600_000)
    #expect(try Money(decimal: "0.07", currency: usd).minorUnits == 7)
  }

  @Test("tenths add up exactly")
  func sumsExactly() throws {
    let a = try Money(decimal: "0.1", currency: usd)
    let b = try Money(decimal: "0.2", currency: usd)
    let c = try Money(decimal: "0.3", currency: usd)
    #expect(a.minorUnits + b.minorUnits == c.minorUnits)
    #expect(Money(minorUnits: a.minorUnits + b.minorUnits, currency: usd).decimalString == "0.30")
  }

  @Test("extra decimals are rejected, not rounded")
  func extraDecimals() throws {
    #expect(throws: MoneyError.tooManyDecimals(allowed: 2)) {
      try Money(decimal: "1.005", currency: Currency.usd)
    }
    let yen = try #require(Currency(code: "JPY"))
    #expect(throws: MoneyError.tooManyDecimals(allowed: 0)) {
      try Money(decimal: "100.5", currency: yen)
    }
  }

  @Test("three-decimal currencies keep three")
  func kuwaitiDinar() throws {
    let dinar = try #require(Currency(code: "KWD"))
    let amount = try Money(decimal: "1.005", currency: dinar)
    #expect(amount.minorUnits == 1005)
    #expect(amount.decimalString == "1.005")
  }

  @Test(
    "minor units format with their digits",
    arguments: [
      (600_000, 2, "6000.00"), (5, 2, "0.05"), (-5, 2, "-0.05"), (0, 2, "0.00"), (0, 0, "0"),
      (-1_800_000, 2, "-18000.00"), (1005, 3, "1.005"), (7, 3, "0.007"), (100, 0, "100"),
      (-100, 0, "-100"), (Int64.max, 2, "92233720368547758.07"),
      (Int64.min, 2, "-92233720368547758.08"), (Int64.min, 0, "-9223372036854775808"),
    ] as [(Int64, Int, String)])
  func formatting(minorUnits: Int64, digits: Int, text: String) {
    #expect(Money.format(minorUnits: minorUnits, digits: digits) == text)
  }

  @Test(
    "currency codes take their minor digits",
    arguments: [
      ("USD", 2), ("EUR", 2), ("JPY", 0), ("XPF", 0), ("BIF", 0), ("KWD", 3), ("TND", 3),
      ("BHD", 3), ("ZZZ", 2),
    ])
  func currencyDigits(code: String, digits: Int) throws {
    let currency = try #require(Currency(code: code))
    #expect(currency.code == code)
    #expect(currency.minorUnitDigits == digits)
  }

  @Test("invalid currency codes are rejected", arguments: ["", "US", "USDD", "usd", "U$D", "ÜSD"])
  func invalidCurrency(code: String) {
    #expect(Currency(code: code) == nil)
  }

  @Test("malformed amounts are rejected", arguments: ["", "1.", ".5", "1,000", "1e3", "+5", " 5"])
  func malformed(text: String) {
    #expect(throws: MoneyError.notDecimal) { try Money(decimal: text, currency: Currency.usd) }
  }
}
