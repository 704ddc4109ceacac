#define _GNU_SOURCE
#include "tierline_files.h"

#include <errno.h>
#include <fcntl.h>

int tierline_open_nameless(const char *directory) {
#ifdef O_TMPFILE
  return open(directory, O_TMPFILE | O_RDWR, 0600);
#else
  errno = EOPNOTSUPP;
  return -1;
#endif
}

int tierline_punch_hole(int descriptor, off_t length) {
#if defined(FALLOC_FL_PUNCH_HOLE) && defined(FALLOC_FL_KEEP_SIZE)
  return fallocate(descriptor, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, length);
#else
  (void)descriptor;
  (void)length;
  errno = EOPNOTSUPP;
  return -1;
#endif
}
