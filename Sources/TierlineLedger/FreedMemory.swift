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
/// defaults and 53,500 with up to 512 MiB kept.
///
/// Only the trim threshold is set. Serving requests of up to 32 MiB from the heap as
/// well took those rebuilds to 49,900 page faults. But it raised the peak resident set
/// of `replay --json` on 300,000 accounts with 3 events each from 147 MB to 159 MB on
/// one thread, where the trim threshold alone gave 141 MB. Returns whether the setting
/// took effect, which it does under glibc only.
@discardableResult
public func keepFreedMemoryForReuse() -> Bool {
  tierline_keep_freed_memory(512 << 20) == 1
}
