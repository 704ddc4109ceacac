import Testing

@testable import TierlineLedger

@Suite("Copy buffer of a log scan")
struct CopyBufferTests {
  /// Appends `count` records of varied lengths, each filled with a byte of its own, and
  /// returns their offsets and lengths.
  private func appendRecords(_ count: Int, to buffer: inout CopyBuffer) -> [(Int, Int)] {
    (0..<count).map { index in
      let bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 1 + index % 300)
      let offset = bytes.withUnsafeBytes { buffer.append($0) }
      return (offset, bytes.count)
    }
  }

  @Test("every record reads back at its offset after the buffer grows several times")
  func recordsSurviveGrowth() {
    var buffer = CopyBuffer()
    defer { buffer.deallocate() }
    // About 4.5 MB: the buffer starts at 64 KiB, so it grows about seven times.
    let records = appendRecords(30_000, to: &buffer)
    let total = records.reduce(0) { $0 + $1.1 }
    #expect(buffer.count == total)
    var expectedOffset = 0
    for (index, (offset, length)) in records.enumerated() {
      #expect(offset == expectedOffset)
      expectedOffset += length
      let stored = UnsafeRawBufferPointer(start: buffer.base! + offset, count: length)
      #expect(stored.allSatisfy { $0 == UInt8(truncatingIfNeeded: index) })
    }
  }

  @Test("an empty append allocates nothing and returns the end")
  func emptyAppend() {
    var buffer = CopyBuffer()
    defer { buffer.deallocate() }
    let offset = [UInt8]().withUnsafeBytes { buffer.append($0) }
    #expect(offset == 0)
    #expect(buffer.base == nil)
    _ = appendRecords(3, to: &buffer)
    let end = buffer.count
    #expect([UInt8]().withUnsafeBytes { buffer.append($0) } == end)
    #expect(buffer.count == end)
  }

  @Test("a freed buffer is empty and takes appends again")
  func reuseAfterFree() {
    var buffer = CopyBuffer()
    _ = appendRecords(10, to: &buffer)
    buffer.deallocate()
    #expect(buffer.base == nil)
    #expect(buffer.count == 0)
    let offset = [UInt8](repeating: 7, count: 5).withUnsafeBytes { buffer.append($0) }
    #expect(offset == 0)
    #expect(buffer.count == 5)
    buffer.deallocate()
  }
}
