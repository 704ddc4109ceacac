#ifndef TIERLINE_MEMORY_H
#define TIERLINE_MEMORY_H

#include <stddef.h>

/// Sets glibc's allocator to keep up to `trim_threshold` bytes of free memory at the top
/// of its heap before handing any back to the kernel (mallopt's M_TRIM_THRESHOLD).
/// Setting it also stops glibc from raising its mmap threshold as large blocks are
/// freed, so requests of 128 KiB or more keep mappings of their own. Returns 1 when the
/// setting took effect, and 0 otherwise, as on a C library other than glibc.
int tierline_keep_freed_memory(size_t trim_threshold);

#endif
