/// A SplitMix64 generator. It expands one 64-bit seed into the state of `SampleRandom`,
/// because xoshiro256** must not start from an all-zero state, and serves wherever a
/// small seeded sequence or a 64-bit mix is enough.
public struct SplitMix64 {
  /// The running state; advanced by the golden-ratio increment on every draw.
  public var state: UInt64

  /// Creates a generator whose first draw mixes `state` plus the increment.
  public init(state: UInt64) {
    self.state = state
  }

  /// Returns the next 64 pseudo-random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    return mixed ^ (mixed >> 31)
  }
}

/// The xoshiro256** pseudo-random generator: fast, 256 bits of state, and the same
/// sequence for the same seed on every platform and in every process.
struct SampleRandom {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64

  /// Creates a generator whose state is four SplitMix64 draws from `seed`.
  init(seed: UInt64) {
    var expander = SplitMix64(state: seed)
    s0 = expander.next()
    s1 = expander.next()
    s2 = expander.next()
    s3 = expander.next()
  }

  /// Returns the next 64 pseudo-random bits.
  mutating func next() -> UInt64 {
    let result = rotateLeft(s1 &* 5, by: 7) &* 9
    let shifted = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= shifted
    s3 = rotateLeft(s3, by: 45)
    return result
  }

  /// Returns a uniformly distributed integer in `0..<bound`; `bound` must be positive.
  ///
  /// Uses the multiply-high method and rejects the few draws that would bias it.
  mutating func below(_ bound: UInt64) -> UInt64 {
    precondition(bound > 0, "the bound of a random draw must be positive")
    var product = next().multipliedFullWidth(by: bound)
    if product.low < bound {
      let threshold = (0 &- bound) % bound
      while product.low < threshold {
        product = next().multipliedFullWidth(by: bound)
      }
    }
    return product.high
  }

  /// Returns a uniformly distributed integer in `range`.
  mutating func int(in range: ClosedRange<Int>) -> Int {
    let width = UInt64(range.upperBound - range.lowerBound) + 1
    return range.lowerBound + Int(below(width))
  }

  /// Returns a uniformly distributed value in `0..<1` with 53 random bits.
  mutating func unit() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// Returns a uniformly distributed value in `range`.
  mutating func double(in range: Range<Double>) -> Double {
    range.lowerBound + unit() * (range.upperBound - range.lowerBound)
  }

  /// Returns true with probability `probability`.
  mutating func chance(_ probability: Double) -> Bool {
    unit() < probability
  }

  /// Returns the index of a weighted choice; `weights` must have a positive sum.
  mutating func pick(weights: [Int]) -> Int {
    var total = 0
    for weight in weights { total += weight }
    var draw = Int(below(UInt64(total)))
    for (index, weight) in weights.enumerated() {
      if draw < weight { return index }
      draw -= weight
    }
    return weights.count - 1
  }
}

private func rotateLeft(_ value: UInt64, by count: UInt64) -> UInt64 {
  (value << count) | (value >> (64 - count))
}
