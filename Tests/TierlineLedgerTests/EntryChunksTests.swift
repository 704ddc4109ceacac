import Testing

@testable import TierlineLedger

@Suite("Entry chunks")
struct EntryChunksTests {
  private func entry(_ number: Int, slot: Int) -> FoldEntry {
    FoldEntry(occurredAt: Int64(number), position: UInt64(number), slot: Int32(slot))
  }

  @Test("pooled chunks keep entry order")
  func drainRefillsFromPool() {
    let count = EntryChunks.chunkSize * 5 + 17
    var source = EntryChunks()
    for number in 0..<count { source.append(entry(number, slot: number % 3)) }

    // Entries move into three lists by slot, filling the chunks the source hands back.
    let pool = ChunkPool()
    var targets = [EntryChunks(), EntryChunks(), EntryChunks()]
    source.drain(into: pool) { moved in
      targets[Int(moved.slot)].append(moved, reusing: pool)
    }
    #expect(source.count == 0)

    for slot in 0..<3 {
      let expected = stride(from: slot, to: count, by: 3).map(UInt64.init)
      let scratch = UnsafeMutableBufferPointer<FoldEntry>.allocate(capacity: expected.count)
      defer { scratch.deallocate() }
      let bounds = withUnsafeMutablePointer(to: &targets[slot]) { list in
        EntryChunks.sortBySlot([list], into: scratch, firstSlot: slot, slotCount: 1)
      }
      #expect(bounds == [0, expected.count])
      #expect(scratch.map(\.position) == expected)
      targets[slot].deallocate()
    }
    pool.deallocate()
  }

  @Test("several lists sort in list order")
  func sortAcrossLists() {
    // Two parts of a log: the first has positions 0..<3000, the second 3000..<5000,
    // spread over slots 10 through 13.
    var first = EntryChunks()
    var second = EntryChunks()
    for number in 0..<3000 { first.append(entry(number, slot: 10 + number % 4)) }
    for number in 3000..<5000 { second.append(entry(number, slot: 10 + (number / 7) % 4)) }
    defer {
      first.deallocate()
      second.deallocate()
    }
    let scratch = UnsafeMutableBufferPointer<FoldEntry>.allocate(capacity: 5000)
    defer { scratch.deallocate() }
    let bounds = withUnsafeMutablePointer(to: &first) { firstList in
      withUnsafeMutablePointer(to: &second) { secondList in
        EntryChunks.sortBySlot(
          [firstList, secondList], into: scratch, firstSlot: 10, slotCount: 4)
      }
    }
    #expect(bounds.count == 5)
    #expect(bounds.first == 0)
    #expect(bounds.last == 5000)
    for local in 0..<4 {
      let positions = scratch[bounds[local]..<bounds[local + 1]].map(\.position)
      let expected =
        (0..<3000).filter { $0 % 4 == local } + (3000..<5000).filter { ($0 / 7) % 4 == local }
      #expect(positions == expected.map(UInt64.init))
      #expect(scratch[bounds[local]..<bounds[local + 1]].allSatisfy { $0.slot == 10 + local })
    }
  }

  /// Sorts entries given as (occurred time, position) pairs with `sortLate` and returns
  /// the positions in the order it leaves them.
  private func sortedLate(_ pairs: [(Int64, UInt64)]) -> [UInt64] {
    let buffer = UnsafeMutableBufferPointer<FoldEntry>.allocate(capacity: pairs.count)
    defer { buffer.deallocate() }
    for (index, pair) in pairs.enumerated() {
      buffer[index] = FoldEntry(occurredAt: pair.0, position: pair.1, slot: 0)
    }
    var entries = buffer
    FoldEntry.sortLate(&entries)
    return entries.map(\.position)
  }

  private func expectedOrder(_ pairs: [(Int64, UInt64)]) -> [UInt64] {
    pairs.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.1)
  }

  @Test("late entries move back in time")
  func sortLateFewLateEntries() {
    // Positions 1...8 in log order. Position 5 occurred before 2, and 8 ties with 3, so
    // it follows 3.
    let pairs: [(Int64, UInt64)] = [
      (100, 1), (200, 2), (300, 3), (400, 4), (150, 5), (500, 6), (600, 7), (300, 8),
    ]
    #expect(sortedLate(pairs) == [1, 5, 2, 3, 8, 4, 6, 7])
    #expect(sortedLate([]) == [])
    #expect(sortedLate([(7, 1)]) == [1])
    let inOrder = (1...50).map { (Int64($0) * 10, UInt64($0)) }
    #expect(sortedLate(inOrder) == Array(1...50))
  }

  @Test("reversed and random entries sort")
  func sortLateManyLateEntries() {
    // Reverse order needs far more moves than the insertion budget allows, so the full
    // sort finishes it.
    let reversed = (1...300).map { (Int64(1000 - $0), UInt64($0)) }
    #expect(sortedLate(reversed) == expectedOrder(reversed))

    var generator = SplitMix64(state: 11)
    for count in [2, 3, 17, 64, 500] {
      for spread in [1, 5, 1000] {
        // Times in a window of `spread` units around each position: a small window makes
        // short moves and many ties, a large one many long moves.
        let pairs = (1...count).map { position in
          (Int64(position) + Int64(generator.next() % UInt64(spread)), UInt64(position))
        }
        #expect(sortedLate(pairs) == expectedOrder(pairs), "count \(count), spread \(spread)")
      }
    }
  }
}
