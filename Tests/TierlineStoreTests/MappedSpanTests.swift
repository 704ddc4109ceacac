import Glibc
import Testing

@testable import TierlineStore

@Suite("Span of map pages a scan releases")
struct MappedSpanTests {
  private let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
  private let window = MappedSpan.faultAroundBytes

  /// Returns a view of `count` bytes at `offset` from `base`. The span only reads
  /// addresses, so the bytes are never loaded.
  private func bytes(_ base: UInt, _ offset: Int, _ count: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: base + UInt(offset)), count: count)
  }

  @Test("one page counts one window")
  func recordsOnOnePage() {
    var span = MappedSpan()
    let base: UInt = 0x7000_0000_0000
    for offset in stride(from: 16, to: 4_000, by: 100) { span.include(bytes(base, offset, 90)) }
    #expect(span.mappedBound == window)
  }

  @Test("each window entered counts once")
  func windowsEntered() {
    var span = MappedSpan()
    let base: UInt = 0x7000_0000_0000
    // Every page of the first window, then one page in each of three distant windows.
    for page in 0..<(window / pageSize) { span.include(bytes(base, page * pageSize + 16, 64)) }
    #expect(span.mappedBound == window)
    for far in [10, 500, 3] { span.include(bytes(base, far * window + 16, 64)) }
    #expect(span.mappedBound == 4 * window)
    // Back to the first window: entered again, so counted again.
    span.include(bytes(base, 32, 64))
    #expect(span.mappedBound == 5 * window)
  }

  @Test("record across windows counts each")
  func recordAcrossWindows() {
    var span = MappedSpan()
    let base: UInt = 0x7000_0000_0000
    // Starts 16 bytes before the end of a window and covers the next two.
    span.include(bytes(base, window - 16, 2 * window))
    #expect(span.mappedBound == 3 * window)
  }

  @Test("scattered reads bounded by windows")
  func scatteredRead() {
    var span = MappedSpan()
    let base: UInt = 0x7000_0000_0000
    // Two records 512 MiB apart.
    span.include(bytes(base, 16, 64))
    span.include(bytes(base, 512 << 20, 64))
    #expect(span.mappedBound == 2 * window)
  }

  @Test("release drops whole pages only")
  func releaseDropsWholePages() throws {
    // A private anonymous mapping reads as zeros once its pages are dropped.
    let length = 8 * pageSize
    let mapped = try #require(
      mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
    #expect(mapped != MAP_FAILED)
    defer { munmap(mapped, length) }
    let memory = mapped.assumingMemoryBound(to: UInt8.self)
    for page in 0..<8 { memory[page * pageSize + 100] = UInt8(page + 1) }

    var span = MappedSpan()
    let base = UInt(bitPattern: mapped)
    // From inside page 1 to inside page 6: pages 2 to 5 lie wholly inside.
    span.include(bytes(base, pageSize + 50, 100))
    span.include(bytes(base, 6 * pageSize + 50, 100))
    span.release()

    let firstBytes = (0..<8).map { memory[$0 * pageSize + 100] }
    #expect(firstBytes == [1, 2, 0, 0, 0, 0, 7, 8])
    #expect(span.mappedBound == 0)
  }
}
