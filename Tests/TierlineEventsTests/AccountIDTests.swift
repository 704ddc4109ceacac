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
    #expect(throws: AccountIDError.tooLong(bytes: 201, given: 201)) {
      try AccountID(String(repeating: "a", count: 201))
    }
    #expect(
      AccountIDError.tooLong(bytes: 201, given: 201).reason
        == "is 201 bytes of UTF-8, more than the maximum of 200")
    let longest = try AccountID(String(repeating: "\u{E9}", count: 100))
    #expect(longest.value.utf8.count == 200)
    #expect(throws: AccountIDError.tooLong(bytes: 202, given: 303)) {
      try AccountID(String(repeating: "e\u{301}", count: 101))
    }
    // NFC lengthens U+0958 (3 bytes) into two code points of 3 bytes each.
    let lengthened = #expect(throws: AccountIDError.self) {
      try AccountID(String(repeating: "\u{958}", count: 66))
    }
    #expect(lengthened == .tooLong(bytes: 396, given: 198))
    #expect(
      lengthened?.reason
        == "is 396 bytes of UTF-8 in NFC, the form the ledger stores (198 as given), more "
        + "than the maximum of 200")
  }

  @Test("empty and control characters are rejected")
  func invalid() {
    #expect(throws: AccountIDError.empty) { try AccountID("") }
    #expect(throws: AccountIDError.controlCharacter) { try AccountID("acme\ncorp") }
  }
}
