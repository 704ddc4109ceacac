import Testing
import TierlineEvents
import TierlineProjections

@Suite("Condition texts")
struct ConditionTextTests {
  @Test("each value formats as printed")
  func formatting() throws {
    let month = UsageMonth(containing: try #require(CivilDate(year: 2024, month: 3, day: 12)))
    let instant = try #require(Timestamp(rfc3339: "2024-03-12T08:00:00.5Z"))
    #expect(ConditionText.text("none").formatted == "none")
    #expect(ConditionText.quantity(80_000_000_000).formatted == "80000")
    #expect(ConditionText.quantity(1_500_000).formatted == "1.5")
    #expect(ConditionText.quantity(0).formatted == "0")
    #expect(ConditionText.count(12).formatted == "12")
    #expect(
      ConditionText.instant(instant.microseconds, before: "ends ", after: "!").formatted
        == "ends 2024-03-12T08:00:00.5Z!")
    #expect(
      ConditionText.usage(metric: "api_calls", month: month).formatted == "api_calls in 2024-03")
  }

  @Test("equal texts are equal values")
  func equality() throws {
    let count: ConditionText = .count(2)
    let text: ConditionText = "2"
    #expect(count == text)
    #expect(count.hashValue == text.hashValue)
    #expect(ConditionText.quantity(2_000_000) == text)
    #expect(ConditionText.count(3) != text)

    let typed = Condition(
      name: "seats", actual: .count(2), required: .quantity(8_000_000), met: false)
    let finished = Condition(name: "seats", actual: "2", required: "8", met: false)
    #expect(typed == finished)
    #expect(typed.actual == "2")
    #expect(typed.required == "8")
  }
}
