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
      let bounds = targets[slot].sortBySlot(into: scratch, firstSlot: slot, slotCount: 1)
      #expect(bounds == [0, expected.count])
      #expect(scratch.map(\.position) == expected)
      targets[slot].deallocate()
    }
    pool.deallocate()
  }
}
