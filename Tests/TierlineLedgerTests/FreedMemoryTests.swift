import Testing

@testable import TierlineLedger

@Suite("Allocator settings")
struct FreedMemoryTests {
  @Test("glibc takes the settings")
  func settingsTakeEffect() {
    #if canImport(Glibc)
      #expect(keepFreedMemoryForReuse())
    #else
      #expect(!keepFreedMemoryForReuse())
    #endif
  }
}
