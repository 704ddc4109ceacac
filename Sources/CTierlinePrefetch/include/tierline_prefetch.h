#ifndef TIERLINE_PREFETCH_H
#define TIERLINE_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

/// Requests that the processor load the `count` bytes at `start` into its caches for
/// reading once, one 64-byte line at a time. The range may reach past mapped memory, because a
/// data prefetch of an invalid address does not fault (GCC's `__builtin_prefetch`
/// documentation).
static inline void tierline_prefetch(const void *start, size_t count) {
  const char *line = (const char *)((uintptr_t)start & ~(uintptr_t)63);
  const char *end = (const char *)start + count;
  for (; line < end; line += 64) {
    __builtin_prefetch(line, 0, 0);
  }
}

/// Like `tierline_prefetch`, but requests that the lines stay in every cache level, for
/// bytes read some time after the request rather than right away.
static inline void tierline_prefetch_to_keep(const void *start, size_t count) {
  const char *line = (const char *)((uintptr_t)start & ~(uintptr_t)63);
  const char *end = (const char *)start + count;
  for (; line < end; line += 64) {
    __builtin_prefetch(line, 0, 3);
  }
}

#endif
