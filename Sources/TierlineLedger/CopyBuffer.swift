#if canImport(Glibc)
  import Glibc
#endif

/// Bytes appended one after another in one allocation, which grows in place where it
/// can, and which the owner frees with `deallocate()`.
///
/// A scan of the log copies each event other than usage here. The fold reads every copy
/// where its scan wrote it, through its address, so the buffers of several threads' scans
/// are never copied into one.
struct CopyBuffer {
  /// The first byte, nil until something is appended.
  private(set) var base: UnsafeMutableRawPointer?
  /// The number of bytes appended.
  private(set) var count = 0
  private var capacity = 0

  /// The capacity of the first allocation, in bytes.
  private static let initialCapacity = 64 << 10

  /// Appends `bytes` and returns their offset from `base`.
  mutating func append(_ bytes: UnsafeRawBufferPointer) -> Int {
    let offset = count
    guard let source = bytes.baseAddress, bytes.count > 0 else { return offset }
    if bytes.count > capacity - count { grow(toHold: count + bytes.count) }
    (base! + offset).copyMemory(from: source, byteCount: bytes.count)
    count += bytes.count
    return offset
  }

  /// Frees the bytes. The buffer is empty afterwards.
  mutating func deallocate() {
    free(base)
    self = CopyBuffer()
  }

  /// Doubles the capacity, or more when `needed` requires it. `realloc` moves a large
  /// allocation by remapping its pages, without copying them.
  private mutating func grow(toHold needed: Int) {
    let grown = max(needed, 2 * capacity, Self.initialCapacity)
    guard let moved = realloc(base, grown) else {
      fatalError("could not allocate \(grown) bytes for the copies of events")
    }
    base = moved
    capacity = grown
  }
}
