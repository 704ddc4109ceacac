import Testing
import TierlineEvents

@Suite("Name suggestions")
struct NameSuggestionTests {
  let fields = ["occurred_at", "expected_version", "quantity", "metric", "unit"]

  @Test("one edit or a swap finds the name")
  func edits() {
    #expect(suggestedNames(for: "occured_at", among: fields) == ["occurred_at"])
    #expect(suggestedNames(for: "quantitty", among: fields) == ["quantity"])
    #expect(suggestedNames(for: "metirc", among: fields) == ["metric"])
    #expect(suggestedNames(for: "mood", among: fields).isEmpty)
  }

  @Test("short prefixes guess only when allowed")
  func prefixes() {
    #expect(suggestedNames(for: "e", among: fields) == ["expected_version"])
    #expect(suggestedNames(for: "e", among: fields, minimumPrefix: 3).isEmpty)
    #expect(suggestedNames(for: "quant", among: fields, minimumPrefix: 3) == ["quantity"])
  }

  @Test("case is ignored on both sides")
  func letterCase() {
    let tiers = ["Starter", "GROWTH", "Scale"]
    #expect(suggestedNames(for: "growth", among: tiers) == ["GROWTH"])
    #expect(suggestedNames(for: "Grow", among: tiers, minimumPrefix: 3) == ["GROWTH"])
    #expect(suggestedNames(for: "start", among: tiers, minimumPrefix: 3) == ["Starter"])
    #expect(suggestedNames(for: "Sclae", among: tiers) == ["Scale"])
  }

  @Test("long inputs and names get no guess")
  func longInputs() {
    let long = String(repeating: "x", count: 65_000)
    #expect(suggestedNames(for: long, among: fields).isEmpty)
    #expect(suggestedNames(for: "occurred_at" + long, among: fields).isEmpty)
    let longNames = ["t" + String(repeating: "a", count: 3_000)]
    #expect(suggestedNames(for: String(repeating: "t", count: 64_000), among: longNames).isEmpty)
    #expect(
      suggestedNames(for: "t" + String(repeating: "a", count: 2_999), among: longNames).isEmpty)
    // A prefix of a long name gets no guess either.
    #expect(suggestedNames(for: "taa", among: longNames).isEmpty)
    // Names up to 100 characters are still guessed.
    let hundred = [String(repeating: "a", count: 99) + "b"]
    #expect(suggestedNames(for: String(repeating: "a", count: 99) + "c", among: hundred) == hundred)
  }
}
