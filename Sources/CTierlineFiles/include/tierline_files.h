#ifndef TIERLINE_FILES_H
#define TIERLINE_FILES_H

#include <sys/types.h>

/// Creates a file without a name in `directory` (Linux's O_TMPFILE), open for reading and
/// writing with mode 0600. Returns the descriptor, or -1 with errno set; errno is
/// EOPNOTSUPP, EISDIR or EINVAL where the kernel or the file system lacks O_TMPFILE.
int tierline_open_nameless(const char *directory);

/// Frees the disk space of the first `length` bytes of the file open as `descriptor`,
/// keeping its size, so later reads of that range return zeros (fallocate with
/// FALLOC_FL_PUNCH_HOLE). Returns 0, or -1 with errno set where the file system cannot
/// do it.
int tierline_punch_hole(int descriptor, off_t length);

#endif
