#if canImport(Glibc)
  import Glibc
#endif

/// The range of map addresses a scan has read since its pages were last released, and
/// a bound on how much of it the process has mapped.
struct MappedSpan {
  private var low = UInt.max
  private var high: UInt = 0
  /// The page of the last record read, or 0 before the first.
  private var page: UInt = 0
  /// The fault-around window of the last byte read.
  private var window = UInt.max
  /// The number of times the reads entered another fault-around window.
  private var windowsEntered = 0
  /// The page size, read once per scan. A static constant would cost a call per record
  /// to check that it is initialized.
  private let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))

  /// The bytes that a page fault maps at most: the faulting page and the cached pages
  /// around it, in the aligned window of Linux's default `fault_around_bytes` (64 KiB,
  /// `mm/memory.c`).
  static let faultAroundBytes = 64 << 10

  /// An upper bound on the bytes of the span that reading it mapped: one fault-around
  /// window for each window the reads entered.
  ///
  /// Where the log's pages lie scattered between other pages, the span's width grows
  /// far faster than this. On a ledger of 1.1M events appended in batches of 1,000, a
  /// scan that released the span at each 128 MiB of width did so 116 times. Most
  /// releases came a few pages after the one before.
  var mappedBound: Int { windowsEntered &* Self.faultAroundBytes }

  /// Widens the span to cover `bytes`, which point into the map.
  ///
  /// Only a record on another page than the last one is counted: a page's later
  /// records lie inside it, and a page is released only when the span covers it whole.
  @inline(__always)
  mutating func include(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress else { return }
    let start = UInt(bitPattern: base)
    guard start & ~(pageSize &- 1) != page else { return }
    page = start & ~(pageSize &- 1)
    let end = start &+ UInt(max(bytes.count, 1))
    low = min(low, start)
    high = max(high, end)
    let shift = UInt(Self.faultAroundBytes.trailingZeroBitCount)
    let first = start >> shift
    let last = (end &- 1) >> shift
    if first != window { windowsEntered &+= 1 }
    windowsEntered &+= Int(last &- first)
    window = last
  }

  /// Unmaps the whole pages inside the span from this process and empties the span.
  ///
  /// Every address between two addresses of one mapping belongs to it, so the range
  /// stays inside LMDB's map.
  mutating func release() {
    guard high > low else { return }
    #if canImport(Glibc)
      // Only pages wholly inside the span: a partial page at either end may hold data a
      // caller still reads, which stays valid but would fault in again.
      let start = (low + pageSize - 1) / pageSize * pageSize
      let end = high / pageSize * pageSize
      if end > start, let address = UnsafeMutableRawPointer(bitPattern: start) {
        _ = madvise(address, Int(end - start), MADV_DONTNEED)
      }
    #endif
    low = .max
    high = 0
    page = 0
    window = .max
    windowsEntered = 0
  }
}
