import Testing
import TierlineEvents

@Suite("Account ids")
struct AccountIDTests {
  @Test("NFC and NFD spellings are one account")
  func normalization() throws {
    let composed = try AccountID("Caf\u{E9}")
    let decomposed = try AccountID("Cafe\u{301}")
    #expect(composed == decomposed)
    #expect(decomposed.value.unicodeScalars.count == 4)
  }

  @Test("over-long id is rejected")
  func tooLong() throws {
    #expect(throws: AccountIDError.tooLong(bytes: 201)) {
      try AccountID(String(repeating: "a", count: 201))
    }
    let longest = try AccountID(String(repeating: "\u{E9}", count: 100))
    #expect(longest.value.utf8.count == 200)
    #expect(throws: AccountIDError.tooLong(bytes: 202)) {
      try AccountID(String(repeating: "e\u{301}", count: 101))
    }
  }

  @Test("empty and control characters are rejected")
  func invalid() {
    #expect(throws: AccountIDError.empty) { try AccountID("") }
    #expect(throws: AccountIDError.controlCharacter) { try AccountID("acme\ncorp") }
  }
}
