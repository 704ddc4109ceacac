import Testing

@testable import TierlineStore

@Suite("Merging ascending stretches")
struct AscendingStretchesTests {
  /// A value sorted by `key` alone, with `origin` telling equal keys apart.
  private struct Tagged: Equatable {
    var key: Int
    var origin: Int
  }

  @Test("merge matches stable sort")
  func mergesLikeStableSort() {
    var state: UInt64 = 0x9e37_79b9_7f4a_7c15
    func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
    // Each case repeats with other lengths: a merge moves the smaller of its two parts
    // aside, so both the left and the right part must sometimes be the smaller.
    for stretchCount in [0, 1, 2, 3, 5, 8, 12, 31] + Array(repeating: 7, count: 40) {
      var values: [Tagged] = []
      for _ in 0..<stretchCount {
        // Small keys, so equal keys meet both within and across stretches.
        let keys = (0..<next(40)).map { _ in next(25) }.sorted()
        values += keys.map { Tagged(key: $0, origin: 0) }
      }
      for index in values.indices { values[index].origin = index }
      var merged = values
      mergeAscendingStretches(&merged) { $0.key < $1.key }
      // Sorting by (key, origin) is the stable sort by key, as origins rise.
      let expected = values.sorted { ($0.key, $0.origin) < ($1.key, $1.origin) }
      #expect(merged == expected, "with \(stretchCount) stretches")
    }
  }

  @Test("sorted and reversed input")
  func sortedInputUnchanged() {
    var values = [1, 1, 2, 5, 9]
    mergeAscendingStretches(&values, by: <)
    #expect(values == [1, 1, 2, 5, 9])
    var descending = [4, 3, 2, 1]
    mergeAscendingStretches(&descending, by: <)
    #expect(descending == [1, 2, 3, 4])
  }
}
