import TierlineEvents
import Testing

@testable import TierlineMetrics

@Suite("Unit economics")
struct UnitEconomicsTests {
  @Test("expected ACV over three outcomes")
  func expectedACVThreeTiers() {
    let value = UnitEconomics.expectedACV([
      (Fraction(70, 100), Fraction(6000)),
      (Fraction(20, 100), Fraction(18000)),
      (Fraction(10, 100), Fraction(36000)),
    ])
    #expect(value == Fraction(11400))
    #expect(value.decimalString(digits: 2) == "11400.00")
  }

  @Test("expected ACV over two outcomes")
  func expectedACVTwoOutcomes() {
    let value = UnitEconomics.expectedACV([
      (Fraction(40, 100), Fraction(5000)),
      (Fraction(60, 100), Fraction(25000)),
    ])
    #expect(value.decimalString(digits: 2) == "17000.00")
  }

  @Test("maximum CAC for an 18-month payback")
  func maximumCAC() throws {
    let margin = try #require(Fraction(decimal: "0.8"))
    let value = UnitEconomics.maximumCAC(
      acv: Fraction(6000), grossMargin: margin, paybackMonths: 18)
    #expect(value == Fraction(7200))
    #expect(value.decimalString(digits: 2) == "7200.00")
  }

  @Test("payback on landing and expected ACV")
  func paybackMonths() throws {
    let margin = try #require(Fraction(decimal: "0.8"))
    let landing = try #require(
      UnitEconomics.paybackMonths(cac: Fraction(7200), acv: Fraction(6000), grossMargin: margin))
    #expect(landing.decimalString(digits: 2) == "18.00")
    let expected = try #require(
      UnitEconomics.paybackMonths(cac: Fraction(7200), acv: Fraction(11400), grossMargin: margin))
    // 7200 / (11400 × 0.8 / 12) = 7200 / 760 = 9.4736…
    #expect(expected == Fraction(180, 19))
    #expect(expected.decimalString(digits: 2) == "9.47")
  }

  @Test("payback without margin is undefined")
  func paybackZeroMargin() {
    #expect(
      UnitEconomics.paybackMonths(cac: Fraction(100), acv: Fraction(6000), grossMargin: .zero)
        == nil)
  }
}

@Suite("Fraction")
struct FractionTests {
  @Test("rounds half to even")
  func halfEven() {
    #expect(Fraction(125, 1000).decimalString(digits: 2) == "0.12")
    #expect(Fraction(135, 1000).decimalString(digits: 2) == "0.14")
    #expect(Fraction(-125, 1000).decimalString(digits: 2) == "-0.12")
    #expect(Fraction(-135, 1000).decimalString(digits: 2) == "-0.14")
    #expect(Fraction(2, 3).decimalString(digits: 4) == "0.6667")
    #expect(Fraction(5, 2).decimalString(digits: 0) == "2")
    #expect(Fraction(7, 2).decimalString(digits: 0) == "4")
  }

  @Test("parses decimals exactly")
  func parsing() {
    #expect(Fraction(decimal: "144.20") == Fraction(14420, 100))
    #expect(Fraction(decimal: "0.8") == Fraction(4, 5))
    #expect(Fraction(decimal: "-1.25") == Fraction(-5, 4))
    #expect(Fraction(decimal: "18") == Fraction(18))
    #expect(Fraction(decimal: "1e3") == nil)
    #expect(Fraction(decimal: "1.") == nil)
    #expect(Fraction(decimal: ".5") == nil)
    #expect(Fraction(decimal: "") == nil)
  }

  @Test("keeps lowest terms")
  func lowestTerms() {
    let value = Fraction(6, -8)
    #expect(value.numerator == -3)
    #expect(value.denominator == 4)
    #expect(Fraction(1, 3) + Fraction(1, 6) == Fraction(1, 2))
  }
}

@Suite("Calendar months")
struct CalendarMonthsTests {
  @Test("clamps to the end of the month")
  func clamping() throws {
    let january = try #require(CivilDate(year: 2024, month: 1, day: 31))
    #expect(january.adding(months: 1).description == "2024-02-29")
    let leapDay = try #require(CivilDate(year: 2024, month: 2, day: 29))
    #expect(leapDay.adding(months: 12).description == "2025-02-28")
    #expect(leapDay.adding(months: -12).description == "2023-02-28")
    let march = try #require(CivilDate(year: 2024, month: 3, day: 15))
    #expect(march.adding(months: -15).description == "2022-12-15")
  }

  @Test("stops at the ends of years 1 to 9999")
  func rangeEnds() throws {
    let late = try #require(CivilDate(year: 9999, month: 11, day: 15))
    #expect(late.adding(months: 1).description == "9999-12-15")
    #expect(late.adding(months: 2).description == "9999-12-31")
    let early = try #require(CivilDate(year: 1, month: 2, day: 15))
    #expect(early.adding(months: -2).description == "0001-01-01")
  }

  @Test("whole months match counting month by month")
  func wholeMonths() throws {
    let starts = [(2024, 1, 31), (2024, 2, 29), (2023, 3, 30), (2024, 12, 1), (2025, 6, 15)]
    for (year, month, day) in starts {
      let start = try #require(CivilDate(year: year, month: month, day: day))
      for offset in -40...800 {
        let end = start.adding(days: offset)
        var counted = 0
        while start.adding(months: counted + 1) <= end { counted += 1 }
        #expect(start.wholeMonths(until: end) == counted, "\(start) to \(end)")
      }
    }
    let start = try #require(CivilDate(year: 2024, month: 1, day: 1))
    let last = try #require(CivilDate(year: 9999, month: 12, day: 31))
    #expect(start.wholeMonths(until: last) == (9999 - 2024) * 12 + 11)
  }
}
