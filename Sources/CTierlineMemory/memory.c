#include "tierline_memory.h"

// Any header of the C library defines __GLIBC__ under glibc.
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int tierline_keep_freed_memory(size_t trim_threshold, size_t mmap_threshold) {
#if defined(__GLIBC__)
  int trim = mallopt(M_TRIM_THRESHOLD, (int)trim_threshold);
  int mmap = mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold);
  return trim == 1 && mmap == 1;
#else
  (void)trim_threshold;
  (void)mmap_threshold;
  return 0;
#endif
}
