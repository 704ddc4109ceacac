#include "tierline_memory.h"

// Any header of the C library defines __GLIBC__ under glibc.
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int tierline_keep_freed_memory(size_t trim_threshold) {
#if defined(__GLIBC__)
  return mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1;
#else
  (void)trim_threshold;
  return 0;
#endif
}
