// The prefetch function is inline in the header, so Swift callers compile it in place.
// A C target needs one source file.
#include "tierline_prefetch.h"
