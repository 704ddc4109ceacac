/*
 * Helpers shared by the C programs that measure LMDB directly: a monotonic
 * clock and an exit on any LMDB error.
 */
#ifndef TIERLINE_BENCH_LMDB_COMMON_H
#define TIERLINE_BENCH_LMDB_COMMON_H

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Returns the monotonic clock in seconds. */
static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Exits with status 1, naming the call, when an LMDB call failed. */
static void check(int rc, const char *call) {
  if (rc != MDB_SUCCESS) {
    fprintf(stderr, "error: %s failed: %s\n", call, mdb_strerror(rc));
    exit(1);
  }
}

#endif
