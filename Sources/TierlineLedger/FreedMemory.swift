import CTierlineMemory

/// Has the C allocator keep freed memory for reuse within the process instead of
/// handing it back to the kernel soon after it is freed. Call it once, at the start of a
/// command-line process; a library has no business setting this for its host.
///
/// A fold frees and allocates memory in waves: the lists of entries shrink while each
/// group of accounts is folded, and the next fold, or the next group, allocates them
/// again. glibc gives back the top of its heap once more than 128 KiB there is free, and
/// every page given back faults again when it is reused. Ten one-thread rebuilds of
/// the 1.1M-event benchmark ledger in one process took 85,000 page faults with the
/// defaults and 50,000 with these settings. One `tierline replay --json` of that ledger
/// spent 35 ms of system time instead of 46 ms.
///
/// Memory up to 512 MiB stays with the process once freed, and allocations of up to
/// 32 MiB come from the heap instead of a mapping of their own. The peak resident set is
/// what the largest wave needs either way. Returns whether the settings took effect,
/// which they do under glibc only.
@discardableResult
public func keepFreedMemoryForReuse() -> Bool {
  tierline_keep_freed_memory(512 << 20, 32 << 20) == 1
}
