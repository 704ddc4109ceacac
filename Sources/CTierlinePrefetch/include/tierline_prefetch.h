#ifndef TIERLINE_PREFETCH_H
#define TIERLINE_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

/// Prefetches every 64-byte line of the `count` bytes at `start` with the given
/// locality, which `__builtin_prefetch` requires to be a constant, hence a macro.
#define TIERLINE_PREFETCH_LINES(start, count, locality)                          \
  do {                                                                           \
    const char *tierline_line = (const char *)((uintptr_t)(start) & ~(uintptr_t)63); \
    const char *tierline_end = (const char *)(start) + (count);                 \
    for (; tierline_line < tierline_end; tierline_line += 64) {                  \
      __builtin_prefetch(tierline_line, 0, locality);                            \
    }                                                                            \
  } while (0)

/// Requests that the processor load the `count` bytes at `start` into its caches for
/// reading once, one 64-byte line at a time. The range may reach past mapped memory,
/// because a data prefetch of an invalid address does not fault (GCC's
/// `__builtin_prefetch` documentation).
static inline void tierline_prefetch(const void *start, size_t count) {
  TIERLINE_PREFETCH_LINES(start, count, 0);
}

/// Like `tierline_prefetch`, but requests that the lines stay in every cache level, for
/// bytes read some time after the request rather than right away.
static inline void tierline_prefetch_to_keep(const void *start, size_t count) {
  TIERLINE_PREFETCH_LINES(start, count, 3);
}

#endif
