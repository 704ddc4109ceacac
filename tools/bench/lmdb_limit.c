/*
 * The physical limit for Tierline's log: raw LMDB appends and cursor scans of
 * fixed-size records, with nothing else written or decoded.
 *
 * Usage: lmdb_limit DIR RECORDS RECORD_BYTES BATCH SCANS
 *
 * Creates a fresh environment in DIR (which must exist and be empty), opened
 * with MDB_NOTLS and full commit sync as Tierline opens its store, and one
 * named database "log". Appends RECORDS values of RECORD_BYTES bytes under
 * big-endian u64 keys from 1 with MDB_APPEND, committing every BATCH records,
 * and reports the bytes the process passed to write calls per record meanwhile,
 * from `wchar` of /proc/self/io, or -1 when that file cannot be read.
 * Then runs SCANS full cursor scans (none when SCANS is 0) that read the
 * first and last 8 bytes of every value. Each is followed by the same scan on
 * two threads, each reading half of the keys in its own read transaction, as a
 * two-thread rebuild splits the log. Each scan repeats for at least 0.2 s.
 * Prints one JSON object per measurement on stdout.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lmdb_common.h"


static void put_big_endian(unsigned char *out, uint64_t value) {
  for (int i = 7; i >= 0; i--) {
    out[i] = (unsigned char)(value & 0xff);
    value >>= 8;
  }
}

/* One thread's share of a two-thread scan: the keys from first through last. */
struct ScanRange {
  MDB_env *env;
  MDB_dbi log;
  uint64_t first;
  uint64_t last;
  long seen;
  uint64_t checksum;
};

/*
 * Reads the first and last 8 bytes of every value from range->first through
 * range->last in a read transaction of its own.
 */
static void scan_range(struct ScanRange *range) {
  MDB_txn *txn;
  MDB_cursor *cursor;
  unsigned char first_key[8];
  put_big_endian(first_key, range->first);
  MDB_val key = {sizeof first_key, first_key};
  MDB_val data;
  check(mdb_txn_begin(range->env, NULL, MDB_RDONLY, &txn), "mdb_txn_begin");
  check(mdb_cursor_open(txn, range->log, &cursor), "mdb_cursor_open");

  /* Counted in locals: the two threads' ranges may share a cache line, and writing
   * it for every record would make the threads wait on each other. */
  long seen = 0;
  uint64_t checksum = 0;
  /* The keys run from 1 without gaps, so the range ends after a count of records,
   * and no key is decoded. */
  uint64_t range_records = range->last >= range->first ? range->last - range->first + 1 : 0;
  int rc = range_records > 0 ? mdb_cursor_get(cursor, &key, &data, MDB_SET_RANGE) : MDB_NOTFOUND;
  while (rc == MDB_SUCCESS) {
    uint64_t head;
    uint64_t tail;
    memcpy(&head, data.mv_data, sizeof head);
    memcpy(&tail, (unsigned char *)data.mv_data + data.mv_size - sizeof tail, sizeof tail);
    checksum += head ^ tail;
    seen++;
    if ((uint64_t)seen == range_records) break;
    rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT);
  }
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) check(rc, "mdb_cursor_get");
  mdb_cursor_close(cursor);
  mdb_txn_abort(txn);

  range->seen = seen;
  range->checksum = checksum;
}

/* The helper thread of the two-thread scans, which it runs `rounds` times. */
struct ScanHelper {
  struct ScanRange range;
  long rounds;
  /* Set by the main thread when a round has run long enough. */
  atomic_int stop;
  /* The records the helper read in the last round, over all its scans. */
  long scanned;
  pthread_barrier_t *barrier;
};

/*
 * Scans the helper's range again and again until the main thread sets `stop`,
 * between two waits at the barrier: one for the start, which the main thread
 * times, and one for the end.
 */
static void *run_scan_helper(void *argument) {
  struct ScanHelper *helper = argument;
  for (long round = 0; round < helper->rounds; round++) {
    pthread_barrier_wait(helper->barrier);
    long scanned = 0;
    do {
      scan_range(&helper->range);
      scanned += helper->range.seen;
    } while (!atomic_load(&helper->stop));
    helper->scanned = scanned;
    pthread_barrier_wait(helper->barrier);
  }
  return NULL;
}

static long parse_count(const char *text, const char *name, long minimum) {
  char *end = NULL;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno == ERANGE) {
    fprintf(stderr, "error: %s is out of range (%s)\n", name, text);
    exit(64);
  }
  /* strtol skips leading white space, which a count should not have. */
  if (!isdigit((unsigned char)text[0]) || *end != '\0' || value < minimum) {
    fprintf(stderr, "error: %s must be an integer of at least %ld (%s)\n", name, minimum,
            text);
    exit(64);
  }
  return value;
}

/* Returns the bytes this process has passed to write calls (`wchar` of
 * /proc/self/io), or -1 when the file cannot be read. LMDB commits with
 * pwrite and writev, so the difference over the appends is what they wrote. */
static long long written_bytes(void) {
  FILE *io = fopen("/proc/self/io", "r");
  if (io == NULL) return -1;
  char line[128];
  long long value = -1;
  while (fgets(line, sizeof line, io) != NULL) {
    if (sscanf(line, "wchar: %lld", &value) == 1) break;
  }
  fclose(io);
  return value;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: lmdb_limit DIR RECORDS RECORD_BYTES BATCH SCANS\n");
    return 64;
  }
  const char *dir = argv[1];
  long records = parse_count(argv[2], "RECORDS", 1);
  long record_bytes = parse_count(argv[3], "RECORD_BYTES", 1);
  /* Each record carries its position in its first 8 bytes, and the scans read the
   * first and the last 8. */
  if (record_bytes < 16) {
    fprintf(stderr, "error: RECORD_BYTES must be at least 16 (%ld)\n", record_bytes);
    return 64;
  }
  long batch = parse_count(argv[4], "BATCH", 1);
  long scans = parse_count(argv[5], "SCANS", 0);

  /* An existing log would make the first append fail, and other files would be left
   * beside LMDB's. */
  DIR *listing = opendir(dir);
  if (listing == NULL) {
    fprintf(stderr, "error: cannot open the directory %s: %s\n", dir, strerror(errno));
    return 64;
  }
  struct dirent *entry;
  while ((entry = readdir(listing)) != NULL) {
    if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
      fprintf(stderr, "error: the directory %s is not empty (%s); give an empty one\n", dir,
              entry->d_name);
      closedir(listing);
      return 64;
    }
  }
  closedir(listing);

  MDB_env *env;
  check(mdb_env_create(&env), "mdb_env_create");
  check(mdb_env_set_maxdbs(env, 2), "mdb_env_set_maxdbs");
  size_t map_size;
  if (__builtin_mul_overflow((size_t)records, (size_t)record_bytes + 64, &map_size) ||
      __builtin_mul_overflow(map_size, (size_t)2, &map_size) ||
      __builtin_add_overflow(map_size, (size_t)64 << 20, &map_size)) {
    fprintf(stderr, "error: RECORDS times RECORD_BYTES is too large for a map\n");
    return 64;
  }
  check(mdb_env_set_mapsize(env, map_size), "mdb_env_set_mapsize");
  check(mdb_env_open(env, dir, MDB_NOTLS, 0644), "mdb_env_open");

  MDB_txn *txn;
  MDB_dbi log;
  check(mdb_txn_begin(env, NULL, 0, &txn), "mdb_txn_begin");
  check(mdb_dbi_open(txn, "log", MDB_CREATE, &log), "mdb_dbi_open");
  check(mdb_txn_commit(txn), "mdb_txn_commit");

  /* Values vary by position so that no two records are identical. */
  unsigned char *value = malloc((size_t)record_bytes);
  if (value == NULL) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
  for (long i = 0; i < record_bytes; i++) value[i] = (unsigned char)(i * 31 + 7);

  unsigned char key_bytes[8];
  MDB_val key = {sizeof key_bytes, key_bytes};
  MDB_val data = {(size_t)record_bytes, value};

  long long written_before = written_bytes();
  double start = now_seconds();
  for (long position = 1; position <= records;) {
    check(mdb_txn_begin(env, NULL, 0, &txn), "mdb_txn_begin");
    for (long n = 0; n < batch && position <= records; n++, position++) {
      put_big_endian(key_bytes, (uint64_t)position);
      memcpy(value, &position, sizeof position);
      check(mdb_put(txn, log, &key, &data, MDB_APPEND), "mdb_put");
    }
    check(mdb_txn_commit(txn), "mdb_txn_commit");
  }
  double append_seconds = now_seconds() - start;
  long long written_after = written_bytes();
  double written_per_record = written_before < 0 || written_after < 0
                                  ? -1
                                  : (double)(written_after - written_before) / (double)records;
  printf("{\"benchmark\":\"lmdb_append\",\"records\":%ld,\"record_bytes\":%ld,"
         "\"batch\":%ld,\"seconds\":%.6f,\"records_per_second\":%.0f,"
         "\"written_bytes_per_record\":%.1f}\n",
         records, record_bytes, batch, append_seconds, (double)records / append_seconds,
         written_per_record);

  /* The helper thread lives through every round, as the threads of a rebuild outlive
   * its steps, so no round times the start of a thread. */
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, 2);
  struct ScanHelper helper = {
      {env, log, (uint64_t)records / 2 + 1, (uint64_t)records, 0, 0}, scans, 0, 0, &barrier};
  pthread_t helper_thread;
  if (pthread_create(&helper_thread, NULL, run_scan_helper, &helper) != 0) {
    fprintf(stderr, "error: pthread_create failed\n");
    return 1;
  }
  for (long s = 0; s < scans; s++) {
    /* Each measurement repeats its scans for at least 0.2 s and counts every record
     * read. Both run `scan_range`, so their rates compare. */
    struct ScanRange whole = {env, log, 1, (uint64_t)records, 0, 0};
    long scanned = 0;
    start = now_seconds();
    do {
      scan_range(&whole);
      scanned += whole.seen;
    } while (now_seconds() - start < 0.2);
    double scan_seconds = now_seconds() - start;
    printf("{\"benchmark\":\"lmdb_scan\",\"records\":%ld,\"records_scanned\":%ld,"
           "\"seconds\":%.6f,\"records_per_second\":%.0f,\"checksum\":%llu}\n",
           whole.seen, scanned, scan_seconds, (double)scanned / scan_seconds,
           (unsigned long long)whole.checksum);

    /* The helper's wake-up at the barrier would distort one scan of a small log, which
     * takes a few milliseconds. */
    struct ScanRange first_half = {env, log, 1, (uint64_t)records / 2, 0, 0};
    scanned = 0;
    pthread_barrier_wait(&barrier);
    start = now_seconds();
    do {
      scan_range(&first_half);
      scanned += first_half.seen;
    } while (now_seconds() - start < 0.2);
    atomic_store(&helper.stop, 1);
    pthread_barrier_wait(&barrier);
    scan_seconds = now_seconds() - start;
    atomic_store(&helper.stop, 0);
    scanned += helper.scanned;
    long seen = first_half.seen + helper.range.seen;
    uint64_t checksum = first_half.checksum + helper.range.checksum;
    printf("{\"benchmark\":\"lmdb_scan_threads\",\"threads\":2,\"records\":%ld,"
           "\"records_scanned\":%ld,\"seconds\":%.6f,\"records_per_second\":%.0f,"
           "\"checksum\":%llu}\n",
           seen, scanned, scan_seconds, (double)scanned / scan_seconds,
           (unsigned long long)checksum);
  }

  pthread_join(helper_thread, NULL);
  pthread_barrier_destroy(&barrier);
  free(value);
  mdb_env_close(env);
  return 0;
}
