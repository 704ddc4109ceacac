#if canImport(Glibc)
  import Glibc
#endif

/// The range of map addresses a scan has read since its pages were last released.
struct MappedSpan {
  private var low = UInt.max
  private var high: UInt = 0
  private var active = false

  /// The number of bytes from the lowest to the highest address read, or 0 when empty.
  var width: UInt { active ? high - low : 0 }

  /// Widens the span to cover `bytes`, which point into the map.
  @inline(__always)
  mutating func include(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress else { return }
    let start = UInt(bitPattern: base)
    low = min(low, start)
    high = max(high, start + UInt(bytes.count))
    active = true
  }

  /// Unmaps the whole pages inside the span from this process and empties the span.
  ///
  /// Every address between two addresses of one mapping belongs to it, so the range
  /// stays inside LMDB's map.
  mutating func release() {
    guard active else { return }
    #if canImport(Glibc)
      let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
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
    active = false
  }
}
