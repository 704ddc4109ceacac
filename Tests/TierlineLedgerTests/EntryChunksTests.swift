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
}
