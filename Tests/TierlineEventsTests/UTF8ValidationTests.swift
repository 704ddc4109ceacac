import Testing

@testable import TierlineEvents

@Suite("UTF-8 validation")
struct UTF8ValidationTests {
  /// Returns the offset of the first invalid byte with the validator under test.
  private func firstInvalid(_ bytes: [UInt8]) -> Int? {
    bytes.withUnsafeBytes { firstInvalidUTF8Offset(in: $0) }
  }

  /// Returns the offset of the first invalid byte found by stepping through the bytes one
  /// sequence at a time, without the eight-byte ASCII steps.
  private func expectedFirstInvalid(_ bytes: [UInt8]) -> Int? {
    var offset = 0
    while offset < bytes.count {
      let rest = Array(bytes[offset...])
      let length = rest.withUnsafeBytes { utf8SequenceLength(in: $0, at: 0) }
      guard let length else { return offset }
      offset += length
    }
    return nil
  }

  @Test("invalid bytes found at every place")
  func invalidAtEveryPlace() {
    // A lone continuation byte, a truncated sequence, an overlong form and a surrogate,
    // each at every offset of ASCII runs long enough to take the word path.
    let bad: [[UInt8]] = [[0x80], [0xE2, 0x82], [0xC0, 0xAF], [0xED, 0xA0, 0x80]]
    for sequence in bad {
      for before in 0...20 {
        for after in [0, 1, 7, 8, 9] {
          let bytes =
            [UInt8](repeating: 0x61, count: before) + sequence
            + [UInt8](repeating: 0x62, count: after)
          #expect(firstInvalid(bytes) == before, "\(sequence) after \(before) bytes")
        }
      }
    }
  }

  @Test("valid text of every length passes")
  func validText() {
    let pieces: [[UInt8]] = [
      Array("a".utf8), Array("é".utf8), Array("€".utf8), Array("🚀".utf8), Array("z".utf8),
    ]
    var generator = SplitMix64(seed: 3)
    for length in 0...40 {
      var bytes: [UInt8] = []
      for _ in 0..<length { bytes += pieces[Int(generator.next() % 5)] }
      #expect(firstInvalid(bytes) == nil, "\(bytes)")
      #expect(firstInvalid(bytes) == expectedFirstInvalid(bytes))
      // A stray continuation byte appended is found where it starts.
      #expect(firstInvalid(bytes + [0xBF]) == bytes.count)
    }
  }
}
