#if canImport(Glibc)
  import Glibc
#endif
import CTierlinePrefetch

/// Loads the map page after the one a scan reads into the processor's caches, so the
/// scan does not wait on memory when it reaches that page.
///
/// The log is appended with `MDB_APPEND`, which takes new pages from the end of the
/// file, so the next leaf of the log usually lies right after the current one. When
/// it does not, as in ledgers whose log pages lie between index pages, the prefetch
/// loads a page the scan will not read, which costs little: a prefetch never faults.
struct PagePrefetcher {
  /// The page size, read once per scan. A static constant would cost a call per record
  /// to check that it is initialized.
  private let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
  private var page: UInt = 0

  /// Notes that the scan reads `bytes`, and prefetches the next page when they lie on a
  /// page not seen before.
  @inline(__always)
  mutating func record(at bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress else { return }
    let current = UInt(bitPattern: base) & ~(pageSize - 1)
    guard current != page else { return }
    page = current
    tierline_prefetch(UnsafeRawPointer(bitPattern: current &+ pageSize), Int(pageSize))
  }
}
