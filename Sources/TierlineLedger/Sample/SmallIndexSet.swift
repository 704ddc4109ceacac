/// A set of small indexes (0 to 7) stored in one byte, such as the metrics that an
/// account reports. It keeps per-account state inline instead of in heap arrays.
struct SmallIndexSet: Equatable {
  private var bits: UInt8 = 0

  /// Creates an empty set.
  init() {}

  /// Returns whether `index` is in the set.
  func contains(_ index: Int) -> Bool {
    bits & (1 << UInt8(index)) != 0
  }

  /// Adds `index` to the set.
  mutating func insert(_ index: Int) {
    bits |= 1 << UInt8(index)
  }

  /// Whether the set has no members.
  var isEmpty: Bool { bits == 0 }
}
