#ifndef TIERLINE_MEMORY_H
#define TIERLINE_MEMORY_H

#include <stddef.h>

/// Sets glibc's allocator to keep up to `trim_threshold` bytes of free memory at the top
/// of its heap before handing any back to the kernel (mallopt's M_TRIM_THRESHOLD). Also
/// serves requests of up to `mmap_threshold` bytes from the heap instead of a mapping of
/// their own (M_MMAP_THRESHOLD). Returns 1 when both took effect, and 0 otherwise, as on
/// a C library other than glibc.
int tierline_keep_freed_memory(size_t trim_threshold, size_t mmap_threshold);

#endif
