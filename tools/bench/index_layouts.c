/*
 * Compares account-index layouts for Tierline's LMDB store: what each costs in
 * batched appends and in reading one account's records.
 *
 * Usage: index_layouts [--time-ordered-ids] [--loads COUNT] [--fanout COUNT] LAYOUT
 *                      EVENTS.ndjson DIR [RECORD_BYTES]
 *
 * RECORD_BYTES is the size of each log record, header included: 17 to 495,
 * default 166. A record is a 16-byte header (big-endian position, sortable
 * occurred time) followed by RECORD_BYTES - 16 filler bytes. The maximum keeps
 * a dupcopy value (16-byte entry and record) within 511 bytes, the limit LMDB
 * puts on each sorted duplicate when built with the default MDB_MAXKEYSIZE.
 *
 * LAYOUT is one of:
 *   log       only the log: big-endian u64 position -> record, written with
 *             MDB_APPEND
 *   none      log, plus event_ids: event id -> big-endian position, written
 *             after an mdb_get duplicate check with MDB_NOOVERWRITE
 *   dupsort   log, event_ids, plus originators (MDB_DUPSORT|MDB_DUPFIXED):
 *             account -> 16-byte entry (sortable occurred time, position)
 *   dupcopy   log, event_ids, plus originators (MDB_DUPSORT only): account ->
 *             the 16-byte entry of dupsort followed by a copy of the record
 *   flat      log, event_ids, plus streams: key (account length byte, account,
 *             sortable occurred time, position) -> empty value
 *   covering  like flat, but the streams value is a copy of the record
 *   runs      log, plus both indexes as sorted runs that later merge. Each
 *             batch writes its event ids and its covering entries, each sorted,
 *             into two new databases of its own. The database runs lists every
 *             live run with a Bloom filter over its ids. The comment before
 *             struct Run describes the merges, the duplicate check and the reads
 *   packed    like runs, with each run's entries packed into blocks of up to
 *             4,080 bytes, one LMDB value per block
 *
 * --fanout COUNT (runs and packed, 2 to 16, default 8) merges COUNT runs of one
 * level into one run of the next level.
 *
 * --time-ordered-ids replaces each event's id, in the event_ids key only, with
 * a 16-byte UUIDv7 (RFC 9562, section 5.7), so that ids sort in input order as
 * ids minted at append time would. Its 48-bit millisecond time is the event's
 * occurred time, held at the previous id's time where the input goes back in
 * time. Next come a 42-bit counter that restarts at 0 in each new millisecond
 * and 32 bits from a fixed-seed SplitMix64, in the bits that RFC 9562 leaves
 * to the generator. The ids are generated before the timed load.
 *
 * --loads COUNT (default 1) loads the whole file COUNT times into the same
 * environment to show the append rate as the trees grow. Load k (from 1)
 * shifts every occurred time by k - 1 times the input's time span plus one
 * second and continues the positions, so each load looks like a later period.
 * Its input ids get a 0 byte and the big-endian 32-bit load number appended,
 * which keeps them unique because a parsed id never contains a 0 byte.
 *
 * Reads every event of EVENTS.ndjson into memory first. Then creates a fresh
 * environment in DIR, which must not exist yet. The environment is opened with
 * MDB_NOTLS and full commit sync, as Tierline opens its store. Every event is
 * written in write transactions of 1,000 events. Each load is measured by wall
 * clock and by three write counters:
 *   write_bytes        from /proc/self/io. NOTE: on Linux 6.18 with ext4 it
 *                      read 1.6 to 16 times wchar, likely because the kernel
 *                      counts whole page-cache folios as they become dirty.
 *   wchar              from /proc/self/io: bytes passed to write system calls.
 *   device_bytes       sectors written to the block device of DIR, from
 *                      /sys/dev/block. This counts every process and the file
 *                      system journal, so it is only meaningful on an idle
 *                      machine.
 *
 * The runs and packed load lines add the fanout, the live runs at the end of
 * the load and at their peak so far, and the load's merges and seconds spent
 * merging. They also give, per event of the load, the entries merged, the
 * filter probes and the maybes: probes that a filter did not rule out. Their database lines list log and runs, then
 * one run line per live run.
 *
 * For every layout but log and none it then times 2,000 one-account reads,
 * after 200 warm-up reads, of accounts chosen by a fixed-seed SplitMix64. Each
 * read is its own read transaction that walks the account's index entries in
 * order and sums every byte of each record. Dupsort and flat fetch each record
 * from log by position. Dupcopy and covering sum the record copy in the index
 * and read nothing from log. Runs and packed seek the account in every live
 * run and sort what they find by time and position. The page cache contains
 * the environment during the reads, so they measure hot reads.
 *
 * Prints one JSON object per measurement on stdout. A load line has an ids
 * field only with --time-ordered-ids, and load and prior_events fields only
 * with --loads above 1, so that default output keeps its earlier form. Its
 * file_bytes_per_event divides the file size by every event in the
 * environment. Any LMDB error is printed on stderr and ends the run with exit
 * status 1.
 *
 * Build: cc -O2 -Wall -Wextra -o index_layouts index_layouts.c -llmdb
 */
#include <errno.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "lmdb_common.h"

enum { BATCH_EVENTS = 1000 };
enum { RECORD_HEADER_BYTES = 16, ENTRY_BYTES = 16 };
enum { DEFAULT_RECORD_BYTES = 166, MIN_RECORD_BYTES = 17, MAX_RECORD_BYTES = 495 };
enum { MAX_DATABASES = 8, MAX_RUNS_LAYOUT_DATABASES = 512 };
enum { QUERY_COUNT = 2000, WARMUP_COUNT = 200 };
static const size_t MAP_SIZE = (size_t)64 << 30;
static const uint64_t QUERY_SEED = 0x1d5a0c3e9b7f2468ULL;
static const uint64_t TIME_ORDERED_ID_SEED = 0x6a09e667f3bcc908ULL;
enum { TIME_ORDERED_ID_BYTES = 16, TIME_ORDERED_COUNTER_BITS = 42 };
/* Bytes appended to an input id from the second load on: a 0 byte and the load number. */
enum { LOAD_SUFFIX_BYTES = 5 };

enum Layout {
  LAYOUT_LOG,
  LAYOUT_NONE,
  LAYOUT_DUPSORT,
  LAYOUT_DUPCOPY,
  LAYOUT_FLAT,
  LAYOUT_COVERING,
  LAYOUT_RUNS,
  LAYOUT_PACKED
};
static const char *const LAYOUT_NAMES[] = {"log",  "none",     "dupsort", "dupcopy",
                                           "flat", "covering", "runs",    "packed"};

static int is_run_layout(enum Layout layout) {
  return layout == LAYOUT_RUNS || layout == LAYOUT_PACKED;
}

/* One parsed event. Offsets point into the text arena. */
struct Event {
  uint64_t id_offset;
  uint64_t account_offset;
  int64_t occurred_us;
  uint8_t id_length;
  uint8_t account_length;
};

/* One distinct account: its first event and its number of events. */
struct Account {
  uint32_t first_event;
  uint32_t event_count;
};

struct Input {
  struct Event *events;
  size_t event_count;
  char *arena;
  size_t arena_length;
  struct Account *accounts;
  size_t account_count;
};

struct RunSet;

struct Store {
  MDB_env *env;
  MDB_dbi log;
  MDB_dbi event_ids;
  MDB_dbi index;
  /* Size of every log record, header included. */
  size_t record_bytes;
  /* The live runs of the runs layout, NULL for every other layout. */
  struct RunSet *runs;
};


static void check_at(int rc, const char *call, uint64_t position) {
  if (rc != MDB_SUCCESS) {
    fprintf(stderr, "error: %s failed at position %llu: %s\n", call,
            (unsigned long long)position, mdb_strerror(rc));
    exit(1);
  }
}

static void *allocate(size_t bytes) {
  void *memory = malloc(bytes);
  if (memory == NULL) {
    fprintf(stderr, "error: could not allocate %zu bytes\n", bytes);
    exit(1);
  }
  return memory;
}

static void put_big_endian(unsigned char *out, uint64_t value) {
  for (int i = 7; i >= 0; i--) {
    out[i] = (unsigned char)(value & 0xff);
    value >>= 8;
  }
}

static uint64_t get_big_endian(const unsigned char *in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; i++) {
    value = (value << 8) | in[i];
  }
  return value;
}

/* Writes a signed time so that unsigned byte order matches numeric order. */
static void put_sortable_time(unsigned char *out, int64_t microseconds) {
  put_big_endian(out, (uint64_t)microseconds ^ (UINT64_C(1) << 63));
}

static uint64_t next_splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/*
 * State of the UUIDv7 generator behind --time-ordered-ids. It persists across
 * loads so that every id sorts after the ids before it.
 */
struct TimeOrderedIdGenerator {
  uint64_t last_milliseconds;
  uint64_t counter;
  uint64_t random_state;
};

/*
 * Writes the next 16-byte UUIDv7 for an event that occurred at microseconds.
 * The millisecond time never goes below the previous id's, and the 42-bit
 * counter orders ids within one millisecond. When the counter would overflow,
 * the time moves on by one millisecond, so every id still sorts after the last.
 */
static void next_time_ordered_id(struct TimeOrderedIdGenerator *generator, int64_t microseconds,
                                 unsigned char *out) {
  /* A time before 1970 has no UUIDv7 form, so such an event gets the previous id's time. */
  uint64_t milliseconds = microseconds < 0 ? 0 : (uint64_t)(microseconds / 1000);
  if (milliseconds > generator->last_milliseconds) {
    generator->last_milliseconds = milliseconds;
    generator->counter = 0;
  } else if (generator->counter + 1 < (UINT64_C(1) << TIME_ORDERED_COUNTER_BITS)) {
    generator->counter++;
  } else {
    generator->last_milliseconds++;
    generator->counter = 0;
  }
  if (generator->last_milliseconds >> 48 != 0) {
    fprintf(stderr,
            "error: occurred time %lld us is past the 48-bit millisecond time of UUIDv7\n",
            (long long)microseconds);
    exit(1);
  }
  uint64_t counter = generator->counter;
  uint64_t random_bits = next_splitmix64(&generator->random_state);

  unsigned char time_bytes[8];
  put_big_endian(time_bytes, generator->last_milliseconds);
  memcpy(out, time_bytes + 2, 6);
  /* Version 7 in the high nibble of byte 6, then the counter's top 12 bits as rand_a. */
  out[6] = (unsigned char)(0x70 | ((counter >> 38) & 0x0f));
  out[7] = (unsigned char)((counter >> 30) & 0xff);
  /*
   * Variant 0b10 in the top 2 bits of byte 8. The counter's low 30 bits and 32
   * random bits follow as rand_b.
   */
  out[8] = (unsigned char)(0x80 | ((counter >> 24) & 0x3f));
  out[9] = (unsigned char)((counter >> 16) & 0xff);
  out[10] = (unsigned char)((counter >> 8) & 0xff);
  out[11] = (unsigned char)(counter & 0xff);
  out[12] = (unsigned char)(random_bits >> 24);
  out[13] = (unsigned char)(random_bits >> 16);
  out[14] = (unsigned char)(random_bits >> 8);
  out[15] = (unsigned char)random_bits;
}

/* Returns days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2;
  int64_t era = (year >= 0 ? year : year - 399) / 400;
  int64_t year_of_era = year - era * 400;
  int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

static int parse_digits(const char *text, int count, int64_t *value) {
  *value = 0;
  for (int i = 0; i < count; i++) {
    if (text[i] < '0' || text[i] > '9') {
      return 0;
    }
    *value = *value * 10 + (text[i] - '0');
  }
  return 1;
}

/*
 * Parses "YYYY-MM-DDTHH:MM:SSZ" into microseconds since the Unix epoch.
 * Returns 0 on any other form, including fractional seconds and offsets.
 */
static int parse_utc_time(const char *text, size_t length, int64_t *microseconds) {
  int64_t year, month, day, hour, minute, second;
  if (length != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
    return 0;
  }
  if (!parse_digits(text, 4, &year) || !parse_digits(text + 5, 2, &month) ||
      !parse_digits(text + 8, 2, &day) || !parse_digits(text + 11, 2, &hour) ||
      !parse_digits(text + 14, 2, &minute) || !parse_digits(text + 17, 2, &second)) {
    return 0;
  }
  int64_t days = days_from_civil(year, month, day);
  int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second;
  *microseconds = seconds * 1000000;
  return 1;
}

/*
 * Finds the string value of the first `"name":"` in line. The first match is
 * the top-level field because the input writes id, type, account and
 * occurred_at before data. Rejects values with escapes, which these fields
 * never contain.
 */
static int find_string_field(const char *line, const char *pattern, const char **value,
                             size_t *length) {
  const char *start = strstr(line, pattern);
  if (start == NULL) {
    return 0;
  }
  start += strlen(pattern);
  const char *end = start;
  while (*end != '"' && *end != '\0') {
    if (*end == '\\') {
      return 0;
    }
    end++;
  }
  if (*end != '"') {
    return 0;
  }
  *value = start;
  *length = (size_t)(end - start);
  return 1;
}

static uint64_t hash_bytes(const char *bytes, size_t length) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < length; i++) {
    hash = (hash ^ (unsigned char)bytes[i]) * 0x100000001b3ULL;
  }
  return hash;
}

/*
 * Groups events by account with an open-addressing table of account indexes.
 * The table has at least twice as many slots as events, so it never fills.
 */
static void collect_accounts(struct Input *input) {
  size_t slot_count = 1;
  while (slot_count < input->event_count * 2) {
    slot_count <<= 1;
  }
  uint32_t *slots = allocate(slot_count * sizeof(uint32_t));
  memset(slots, 0xff, slot_count * sizeof(uint32_t));
  input->accounts = allocate(input->event_count * sizeof(struct Account));
  input->account_count = 0;

  for (size_t i = 0; i < input->event_count; i++) {
    const struct Event *event = &input->events[i];
    const char *account = input->arena + event->account_offset;
    size_t slot = hash_bytes(account, event->account_length) & (slot_count - 1);
    for (;;) {
      uint32_t found = slots[slot];
      if (found == UINT32_MAX) {
        slots[slot] = (uint32_t)input->account_count;
        input->accounts[input->account_count].first_event = (uint32_t)i;
        input->accounts[input->account_count].event_count = 1;
        input->account_count++;
        break;
      }
      const struct Event *first = &input->events[input->accounts[found].first_event];
      if (first->account_length == event->account_length &&
          memcmp(input->arena + first->account_offset, account, event->account_length) == 0) {
        input->accounts[found].event_count++;
        break;
      }
      slot = (slot + 1) & (slot_count - 1);
    }
  }
  free(slots);
}

static void append_to_arena(struct Input *input, size_t *capacity, const char *bytes,
                            size_t length) {
  if (input->arena_length + length > *capacity) {
    while (input->arena_length + length > *capacity) {
      *capacity *= 2;
    }
    char *grown = realloc(input->arena, *capacity);
    if (grown == NULL) {
      fprintf(stderr, "error: could not grow the text arena to %zu bytes\n", *capacity);
      exit(1);
    }
    input->arena = grown;
  }
  memcpy(input->arena + input->arena_length, bytes, length);
  input->arena_length += length;
}

/* Reads the id, account and occurred time of every line of the NDJSON file. */
static void read_events(const char *path, struct Input *input) {
  FILE *file = fopen(path, "r");
  if (file == NULL) {
    fprintf(stderr, "error: could not open %s: %s\n", path, strerror(errno));
    exit(1);
  }
  size_t event_capacity = 1 << 20;
  size_t arena_capacity = (size_t)1 << 24;
  input->events = allocate(event_capacity * sizeof(struct Event));
  input->arena = allocate(arena_capacity);
  input->event_count = 0;
  input->arena_length = 0;

  char *line = NULL;
  size_t line_capacity = 0;
  size_t line_number = 0;
  while (getline(&line, &line_capacity, file) != -1) {
    line_number++;
    const char *id, *account, *occurred_at;
    size_t id_length, account_length, occurred_at_length;
    struct Event event;
    if (!find_string_field(line, "\"id\":\"", &id, &id_length) ||
        !find_string_field(line, "\"account\":\"", &account, &account_length) ||
        !find_string_field(line, "\"occurred_at\":\"", &occurred_at, &occurred_at_length) ||
        !parse_utc_time(occurred_at, occurred_at_length, &event.occurred_us)) {
      fprintf(stderr, "error: %s line %zu: missing or invalid id, account or occurred_at\n",
              path, line_number);
      exit(1);
    }
    if (id_length == 0 || id_length > 255 || account_length == 0 || account_length > 255) {
      fprintf(stderr, "error: %s line %zu: id and account must be 1 to 255 bytes\n", path,
              line_number);
      exit(1);
    }
    if (input->event_count == UINT32_MAX) {
      fprintf(stderr, "error: %s has more than %u events\n", path, UINT32_MAX);
      exit(1);
    }
    if (input->event_count == event_capacity) {
      event_capacity *= 2;
      struct Event *grown = realloc(input->events, event_capacity * sizeof(struct Event));
      if (grown == NULL) {
        fprintf(stderr, "error: could not grow the event array to %zu events\n",
                event_capacity);
        exit(1);
      }
      input->events = grown;
    }
    event.id_offset = input->arena_length;
    event.id_length = (uint8_t)id_length;
    append_to_arena(input, &arena_capacity, id, id_length);
    event.account_offset = input->arena_length;
    event.account_length = (uint8_t)account_length;
    append_to_arena(input, &arena_capacity, account, account_length);
    input->events[input->event_count++] = event;
  }
  if (ferror(file)) {
    fprintf(stderr, "error: could not read %s: %s\n", path, strerror(errno));
    exit(1);
  }
  free(line);
  fclose(file);
  if (input->event_count == 0) {
    fprintf(stderr, "error: %s has no events\n", path);
    exit(1);
  }
  collect_accounts(input);
}

/* Returns the counter called name ("write_bytes" or "wchar") from /proc/self/io. */
static uint64_t read_io_counter(const char *name) {
  FILE *file = fopen("/proc/self/io", "r");
  if (file == NULL) {
    fprintf(stderr, "error: could not open /proc/self/io: %s\n", strerror(errno));
    exit(1);
  }
  char line[256];
  size_t name_length = strlen(name);
  unsigned long long value = 0;
  int found = 0;
  while (fgets(line, sizeof line, file) != NULL) {
    if (strncmp(line, name, name_length) == 0 && line[name_length] == ':' &&
        sscanf(line + name_length + 1, "%llu", &value) == 1) {
      found = 1;
      break;
    }
  }
  fclose(file);
  if (!found) {
    fprintf(stderr, "error: /proc/self/io has no %s line\n", name);
    exit(1);
  }
  return value;
}

/*
 * Reads into *bytes the total written so far to the block device of dir.
 * Returns 0 when the device has no /sys/dev/block entry, as for tmpfs.
 */
static int read_device_bytes(const char *dir, uint64_t *bytes) {
  struct stat info;
  if (stat(dir, &info) != 0) {
    fprintf(stderr, "error: could not stat %s: %s\n", dir, strerror(errno));
    exit(1);
  }
  char path[128];
  snprintf(path, sizeof path, "/sys/dev/block/%u:%u/stat", major(info.st_dev),
           minor(info.st_dev));
  FILE *file = fopen(path, "r");
  if (file == NULL) {
    return 0;
  }
  /* The seventh field of a block device's stat file is sectors written, in 512-byte units. */
  unsigned long long fields[7];
  int parsed = fscanf(file, "%llu %llu %llu %llu %llu %llu %llu", &fields[0], &fields[1],
                      &fields[2], &fields[3], &fields[4], &fields[5], &fields[6]);
  fclose(file);
  if (parsed != 7) {
    fprintf(stderr, "error: %s has fewer than 7 fields\n", path);
    exit(1);
  }
  *bytes = (uint64_t)fields[6] * 512;
  return 1;
}

static void read_load_average(char *out, size_t size) {
  FILE *file = fopen("/proc/loadavg", "r");
  if (file == NULL || fgets(out, (int)size, file) == NULL) {
    fprintf(stderr, "error: could not read /proc/loadavg\n");
    exit(1);
  }
  fclose(file);
  out[strcspn(out, "\n")] = '\0';
}

/* Fills a log record: position and sortable time, then a body derived from the position. */
static void fill_record(unsigned char *record, size_t record_bytes, uint64_t position,
                        int64_t occurred_us) {
  put_big_endian(record, position);
  put_sortable_time(record + 8, occurred_us);
  for (size_t i = 0; i < record_bytes - RECORD_HEADER_BYTES; i++) {
    record[RECORD_HEADER_BYTES + i] = (unsigned char)((position * 131 + (uint64_t)i * 7) >> 1);
  }
}

/* Writes the flat or covering index key and returns its length. */
static size_t fill_stream_key(unsigned char *key, const char *account, uint8_t account_length,
                              int64_t occurred_us, uint64_t position) {
  key[0] = account_length;
  memcpy(key + 1, account, account_length);
  put_sortable_time(key + 1 + account_length, occurred_us);
  put_big_endian(key + 9 + account_length, position);
  return (size_t)account_length + 17;
}

/*
 * The runs layout keeps both indexes as sorted runs, as log-structured merge
 * trees do, so that a commit changes each index page once rather than once per
 * event. Each batch writes one run: a database of its event ids (id ->
 * big-endian position) and one of its account entries (the flat key: account
 * length byte, account, sortable occurred time, position -> record copy), each
 * filled in key order with MDB_APPEND. The database runs lists the live runs:
 * big-endian run number -> level, entry count, filter block count and a blocked
 * Bloom filter over the run's event ids. When fanout runs share a level, one
 * merge in the same transaction rewrites them as one run of the next level and
 * drops them, so every entry is written once per level it passes through.
 *
 * The duplicate check probes every live run's filter and looks an id up only in
 * the runs whose filter does not rule it out. A one-account read lists the live runs
 * from the runs database, seeks the account in each and sorts what it finds by
 * time and position. Run databases are opened once by the loading process and
 * their handles reused by the reads, so the reads do not include mdb_dbi_open.
 */
enum { MAX_LIVE_RUNS = 240, DEFAULT_FANOUT = 8, MAX_FANOUT = 16 };
enum { BLOOM_BLOCK_BYTES = 64, BLOOM_BITS_PER_ENTRY = 10, BLOOM_PROBES = 7 };
/* A run's directory value: level, entries and filter blocks, each big-endian u64, then the filter. */
enum { RUN_HEADER_BYTES = 24 };

struct Run {
  uint64_t number;
  uint64_t level;
  uint64_t entries;
  MDB_dbi ids;
  MDB_dbi accounts;
};

struct RunSet {
  /* Live runs in increasing run number. */
  struct Run runs[MAX_LIVE_RUNS];
  size_t count;
  uint64_t next_number;
  uint32_t fanout;
  /* Whether runs keep their entries in packed blocks (layout packed) or one per key. */
  int packed;
  MDB_dbi directory;
  /* Totals over the process, for the load lines. */
  uint64_t merges;
  uint64_t merged_entries;
  double merge_seconds;
  uint64_t filter_probes;
  uint64_t filter_maybes;
  uint64_t peak_live_runs;
};

/* One event of the batch being written. */
struct BatchItem {
  MDB_val id;
  uint64_t id_hash;
  uint64_t id_bits;
  uint64_t position;
  int64_t occurred_us;
  const struct Event *event;
  const unsigned char *record;
};

static void print_id(const MDB_val *id);

static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Hashes an id eight bytes at a time. */
static uint64_t hash_id(const MDB_val *id) {
  const unsigned char *bytes = id->mv_data;
  uint64_t hash = 0x243f6a8885a308d3ULL ^ id->mv_size;
  size_t offset = 0;
  for (; offset + 8 <= id->mv_size; offset += 8) {
    uint64_t word;
    memcpy(&word, bytes + offset, 8);
    hash = mix64(hash ^ word);
  }
  uint64_t tail = 0;
  memcpy(&tail, bytes + offset, id->mv_size - offset);
  return mix64(hash ^ tail);
}

static uint64_t filter_blocks(uint64_t entries) {
  uint64_t bits = entries * BLOOM_BITS_PER_ENTRY;
  uint64_t blocks = (bits + BLOOM_BLOCK_BYTES * 8 - 1) / (BLOOM_BLOCK_BYTES * 8);
  return blocks == 0 ? 1 : blocks;
}

/*
 * Returns the filter block of hash: the high half of hash times the block
 * count, so every block is equally likely without a division.
 */
static const unsigned char *filter_block(const unsigned char *filter, uint64_t blocks,
                                         uint64_t hash) {
  uint64_t block = (uint64_t)(((unsigned __int128)hash * blocks) >> 64);
  return filter + block * BLOOM_BLOCK_BYTES;
}

/* The bits inside a block come from a second mix of the hash, 9 bits per probe. */
static uint64_t filter_bits(uint64_t hash) {
  return mix64(hash ^ 0x5851f42d4c957f2dULL);
}

static void filter_add(unsigned char *filter, uint64_t blocks, uint64_t hash) {
  unsigned char *block = (unsigned char *)filter_block(filter, blocks, hash);
  uint64_t bits = filter_bits(hash);
  for (int probe = 0; probe < BLOOM_PROBES; probe++) {
    unsigned bit = (unsigned)(bits >> (9 * probe)) & (BLOOM_BLOCK_BYTES * 8 - 1);
    block[bit >> 3] |= (unsigned char)(1u << (bit & 7));
  }
}

/* Takes the hash and its filter_bits, which one id's checks against every run share. */
static int filter_may_contain(const unsigned char *filter, uint64_t blocks, uint64_t hash,
                              uint64_t bits) {
  const unsigned char *block = filter_block(filter, blocks, hash);
  for (int probe = 0; probe < BLOOM_PROBES; probe++) {
    unsigned bit = (unsigned)(bits >> (9 * probe)) & (BLOOM_BLOCK_BYTES * 8 - 1);
    if ((block[bit >> 3] & (1u << (bit & 7))) == 0) {
      return 0;
    }
  }
  return 1;
}

/*
 * Compares two keys as LMDB's default comparison does: bytes, then the shorter
 * first. Compares eight bytes at a time as big-endian words, because the keys
 * of one index share long prefixes.
 */
static int compare_keys(const MDB_val *a, const MDB_val *b) {
  size_t common = a->mv_size < b->mv_size ? a->mv_size : b->mv_size;
  const unsigned char *left = a->mv_data;
  const unsigned char *right = b->mv_data;
  size_t offset = 0;
  for (; offset + 8 <= common; offset += 8) {
    uint64_t x, y;
    memcpy(&x, left + offset, 8);
    memcpy(&y, right + offset, 8);
    if (x != y) {
      x = __builtin_bswap64(x);
      y = __builtin_bswap64(y);
      return x < y ? -1 : 1;
    }
  }
  for (; offset < common; offset++) {
    if (left[offset] != right[offset]) {
      return left[offset] < right[offset] ? -1 : 1;
    }
  }
  return (a->mv_size > b->mv_size) - (a->mv_size < b->mv_size);
}

/*
 * Writes a run's entries in key order. Unpacked, each entry is one LMDB key
 * and value. Packed, entries are gathered into blocks of at most
 * PACKED_BLOCK_BYTES, each stored under its last entry's key, so that
 * MDB_SET_RANGE with any key finds the one block that may contain it. A block
 * is a sequence of entries: big-endian u16 key length, big-endian u16 value
 * length, the key, the value. PACKED_BLOCK_BYTES and LMDB's 16-byte page header
 * fill one 4,096-byte overflow page.
 */
enum { PACKED_BLOCK_BYTES = 4080, PACKED_ENTRY_HEADER_BYTES = 4 };

struct RunWriter {
  MDB_cursor *cursor;
  int packed;
  size_t length;
  size_t last_key_length;
  unsigned char last_key[PACKED_BLOCK_BYTES];
  unsigned char block[PACKED_BLOCK_BYTES];
};

static void open_run_writer(struct RunWriter *writer, MDB_txn *txn, MDB_dbi dbi, int packed) {
  check(mdb_cursor_open(txn, dbi, &writer->cursor), "mdb_cursor_open");
  writer->packed = packed;
  writer->length = 0;
  writer->last_key_length = 0;
}

static void flush_run_block(struct RunWriter *writer) {
  if (writer->length == 0) {
    return;
  }
  MDB_val key = {writer->last_key_length, writer->last_key};
  MDB_val value = {writer->length, writer->block};
  check(mdb_cursor_put(writer->cursor, &key, &value, MDB_APPEND), "mdb_cursor_put run block");
  writer->length = 0;
}

static void add_run_entry(struct RunWriter *writer, const MDB_val *key, const MDB_val *value) {
  if (!writer->packed) {
    MDB_val value_copy = *value;
    check(mdb_cursor_put(writer->cursor, (MDB_val *)key, &value_copy, MDB_APPEND),
          "mdb_cursor_put run entry");
    return;
  }
  size_t entry_bytes = PACKED_ENTRY_HEADER_BYTES + key->mv_size + value->mv_size;
  if (writer->length + entry_bytes > PACKED_BLOCK_BYTES) {
    flush_run_block(writer);
  }
  unsigned char *out = writer->block + writer->length;
  out[0] = (unsigned char)(key->mv_size >> 8);
  out[1] = (unsigned char)key->mv_size;
  out[2] = (unsigned char)(value->mv_size >> 8);
  out[3] = (unsigned char)value->mv_size;
  memcpy(out + PACKED_ENTRY_HEADER_BYTES, key->mv_data, key->mv_size);
  memcpy(out + PACKED_ENTRY_HEADER_BYTES + key->mv_size, value->mv_data, value->mv_size);
  writer->length += entry_bytes;
  memcpy(writer->last_key, key->mv_data, key->mv_size);
  writer->last_key_length = key->mv_size;
}

static void close_run_writer(struct RunWriter *writer) {
  if (writer->packed) {
    flush_run_block(writer);
  }
  mdb_cursor_close(writer->cursor);
}

/* Reads a run's entries in key order, from its first entry or from a seek. */
struct RunReader {
  MDB_cursor *cursor;
  int packed;
  const unsigned char *block;
  size_t block_length;
  size_t offset;
  MDB_val key;
  MDB_val value;
};

/* Decodes the packed entry at the reader's offset. Returns 0 at the block's end. */
static int decode_packed_entry(struct RunReader *reader) {
  if (reader->offset == reader->block_length) {
    return 0;
  }
  const unsigned char *entry = reader->block + reader->offset;
  size_t key_length = ((size_t)entry[0] << 8) | entry[1];
  size_t value_length = ((size_t)entry[2] << 8) | entry[3];
  size_t entry_bytes = PACKED_ENTRY_HEADER_BYTES + key_length + value_length;
  if (entry_bytes > reader->block_length - reader->offset) {
    fprintf(stderr, "error: a packed entry runs past the end of its block\n");
    exit(1);
  }
  reader->key.mv_size = key_length;
  reader->key.mv_data = (void *)(entry + PACKED_ENTRY_HEADER_BYTES);
  reader->value.mv_size = value_length;
  reader->value.mv_data = (void *)(entry + PACKED_ENTRY_HEADER_BYTES + key_length);
  reader->offset += entry_bytes;
  return 1;
}

/* Moves the cursor with op and, packed, takes the block it lands on. Returns 0 past the end. */
static int step_run_cursor(struct RunReader *reader, MDB_val *key, MDB_cursor_op op) {
  MDB_val value;
  int rc = mdb_cursor_get(reader->cursor, key, &value, op);
  if (rc == MDB_NOTFOUND) {
    return 0;
  }
  check(rc, "mdb_cursor_get run");
  if (!reader->packed) {
    reader->key = *key;
    reader->value = value;
    return 1;
  }
  reader->block = value.mv_data;
  reader->block_length = value.mv_size;
  reader->offset = 0;
  return decode_packed_entry(reader);
}

static void open_run_reader(struct RunReader *reader, MDB_txn *txn, MDB_dbi dbi, int packed) {
  check(mdb_cursor_open(txn, dbi, &reader->cursor), "mdb_cursor_open");
  reader->packed = packed;
  reader->block = NULL;
  reader->block_length = 0;
  reader->offset = 0;
}

static int first_run_entry(struct RunReader *reader) {
  MDB_val key;
  return step_run_cursor(reader, &key, MDB_FIRST);
}

static int next_run_entry(struct RunReader *reader) {
  if (reader->packed && decode_packed_entry(reader)) {
    return 1;
  }
  MDB_val key;
  return step_run_cursor(reader, &key, MDB_NEXT);
}

/* Moves to the first entry whose key is at least target. Returns 0 when there is none. */
static int seek_run_entry(struct RunReader *reader, const MDB_val *target) {
  MDB_val key = *target;
  if (!step_run_cursor(reader, &key, MDB_SET_RANGE)) {
    return 0;
  }
  while (compare_keys(&reader->key, target) < 0) {
    if (!next_run_entry(reader)) {
      return 0;
    }
  }
  return 1;
}

static void close_run_reader(struct RunReader *reader) {
  mdb_cursor_close(reader->cursor);
}

/* The sorts order pointers to items, which move less memory than the items. */
static int compare_items_by_id(const void *left, const void *right) {
  return compare_keys(&(*(struct BatchItem *const *)left)->id,
                      &(*(struct BatchItem *const *)right)->id);
}

/* Orders items as their flat account keys sort: account length, account, time, position. */
static int compare_items_by_account(const void *left, const void *right,
                                    const struct Input *input) {
  const struct BatchItem *a = left;
  const struct BatchItem *b = right;
  if (a->event->account_length != b->event->account_length) {
    return a->event->account_length < b->event->account_length ? -1 : 1;
  }
  int order = memcmp(input->arena + a->event->account_offset,
                     input->arena + b->event->account_offset, a->event->account_length);
  if (order != 0) {
    return order;
  }
  if (a->occurred_us != b->occurred_us) {
    return a->occurred_us < b->occurred_us ? -1 : 1;
  }
  return (a->position > b->position) - (a->position < b->position);
}

/* qsort passes no context, and only the loading thread sorts, so the input is kept here. */
static const struct Input *sorting_input;

static int compare_items_by_account_of_input(const void *left, const void *right) {
  return compare_items_by_account(*(struct BatchItem *const *)left,
                                  *(struct BatchItem *const *)right, sorting_input);
}

static struct RunSet *create_run_set(MDB_txn *txn, int packed) {
  struct RunSet *set = allocate(sizeof *set);
  memset(set, 0, sizeof *set);
  set->packed = packed;
  set->next_number = 1;
  set->fanout = DEFAULT_FANOUT;
  check(mdb_dbi_open(txn, "runs", MDB_CREATE, &set->directory), "mdb_dbi_open runs");
  return set;
}

static MDB_dbi open_run_database(MDB_txn *txn, const char *kind, uint64_t number) {
  char name[32];
  snprintf(name, sizeof name, "%s.%016llx", kind, (unsigned long long)number);
  MDB_dbi dbi;
  check(mdb_dbi_open(txn, name, MDB_CREATE, &dbi), "mdb_dbi_open run");
  return dbi;
}

static struct Run start_run(MDB_txn *txn, struct RunSet *set, uint64_t level,
                            uint64_t entries) {
  if (set->count == MAX_LIVE_RUNS) {
    fprintf(stderr, "error: more than %d live runs; choose a larger --fanout\n",
            MAX_LIVE_RUNS);
    exit(1);
  }
  struct Run run = {set->next_number++, level, entries, 0, 0};
  run.ids = open_run_database(txn, "ids", run.number);
  run.accounts = open_run_database(txn, "accounts", run.number);
  return run;
}

/* Stores the run's directory entry with its filter and adds it to the live runs. */
static void finish_run(MDB_txn *txn, struct RunSet *set, const struct Run *run,
                       const unsigned char *filter, uint64_t blocks) {
  unsigned char number_bytes[8];
  put_big_endian(number_bytes, run->number);
  MDB_val key = {sizeof number_bytes, number_bytes};
  MDB_val value = {RUN_HEADER_BYTES + blocks * BLOOM_BLOCK_BYTES, NULL};
  check(mdb_put(txn, set->directory, &key, &value, MDB_RESERVE), "mdb_put runs");
  unsigned char *out = value.mv_data;
  put_big_endian(out, run->level);
  put_big_endian(out + 8, run->entries);
  put_big_endian(out + 16, blocks);
  memcpy(out + RUN_HEADER_BYTES, filter, blocks * BLOOM_BLOCK_BYTES);
  set->runs[set->count++] = *run;
  if (set->count > set->peak_live_runs) {
    set->peak_live_runs = set->count;
  }
}

/* Reads a run's filter from its directory entry; the pointer lives as long as the transaction. */
static const unsigned char *read_filter(MDB_txn *txn, const struct RunSet *set,
                                        const struct Run *run, uint64_t *blocks) {
  unsigned char number_bytes[8];
  put_big_endian(number_bytes, run->number);
  MDB_val key = {sizeof number_bytes, number_bytes};
  MDB_val value;
  check(mdb_get(txn, set->directory, &key, &value), "mdb_get runs");
  const unsigned char *bytes = value.mv_data;
  *blocks = get_big_endian(bytes + 16);
  if (value.mv_size != RUN_HEADER_BYTES + *blocks * BLOOM_BLOCK_BYTES) {
    fprintf(stderr, "error: run %llu has a directory value of %zu bytes\n",
            (unsigned long long)run->number, value.mv_size);
    exit(1);
  }
  return bytes + RUN_HEADER_BYTES;
}

/* Fails the load when any item's id is stored in a live run. */
static void check_duplicates(MDB_txn *txn, struct RunSet *set, const struct BatchItem *items,
                             size_t count) {
  for (size_t r = 0; r < set->count; r++) {
    const struct Run *run = &set->runs[r];
    uint64_t blocks;
    const unsigned char *filter = read_filter(txn, set, run, &blocks);
    for (size_t i = 0; i < count; i++) {
      set->filter_probes++;
      if (!filter_may_contain(filter, blocks, items[i].id_hash, items[i].id_bits)) {
        continue;
      }
      set->filter_maybes++;
      struct RunReader reader;
      open_run_reader(&reader, txn, run->ids, set->packed);
      int stored = seek_run_entry(&reader, &items[i].id) &&
                   compare_keys(&reader.key, &items[i].id) == 0;
      close_run_reader(&reader);
      if (stored) {
        fprintf(stderr, "error: event id ");
        print_id(&items[i].id);
        fprintf(stderr, " at position %llu is a duplicate\n",
                (unsigned long long)items[i].position);
        exit(1);
      }
    }
  }
}

/* Writes the account key of flat and covering and returns its length. */
static size_t fill_item_account_key(unsigned char *key, const struct Input *input,
                                    const struct BatchItem *item) {
  return fill_stream_key(key, input->arena + item->event->account_offset,
                         item->event->account_length, item->occurred_us, item->position);
}

/* Writes a batch's items as a new run of level 0. Sorts the pointers in order. */
static void write_batch_run(MDB_txn *txn, struct RunSet *set, const struct Input *input,
                            struct BatchItem **order, size_t count, size_t record_bytes) {
  qsort(order, count, sizeof *order, compare_items_by_id);
  for (size_t i = 1; i < count; i++) {
    if (compare_keys(&order[i - 1]->id, &order[i]->id) == 0) {
      fprintf(stderr, "error: event id ");
      print_id(&order[i]->id);
      fprintf(stderr, " is given twice in one batch\n");
      exit(1);
    }
  }
  struct Run run = start_run(txn, set, 0, count);
  uint64_t blocks = filter_blocks(count);
  unsigned char *filter = allocate(blocks * BLOOM_BLOCK_BYTES);
  memset(filter, 0, blocks * BLOOM_BLOCK_BYTES);
  static struct RunWriter writer;
  open_run_writer(&writer, txn, run.ids, set->packed);
  for (size_t i = 0; i < count; i++) {
    unsigned char position_bytes[8];
    put_big_endian(position_bytes, order[i]->position);
    MDB_val value = {sizeof position_bytes, position_bytes};
    add_run_entry(&writer, &order[i]->id, &value);
    filter_add(filter, blocks, order[i]->id_hash);
  }
  close_run_writer(&writer);

  sorting_input = input;
  qsort(order, count, sizeof *order, compare_items_by_account_of_input);
  unsigned char key_bytes[1 + 255 + 16];
  open_run_writer(&writer, txn, run.accounts, set->packed);
  for (size_t i = 0; i < count; i++) {
    MDB_val key = {fill_item_account_key(key_bytes, input, order[i]), key_bytes};
    MDB_val value = {record_bytes, (void *)order[i]->record};
    add_run_entry(&writer, &key, &value);
  }
  close_run_writer(&writer);
  finish_run(txn, set, &run, filter, blocks);
  free(filter);
}

/* Whether source a's entry comes before source b's; a source past its end or count comes last. */
static int source_wins(const struct RunReader *readers, const int *live, size_t count, size_t a,
                       size_t b) {
  int a_live = a < count && live[a];
  int b_live = b < count && live[b];
  if (!a_live || !b_live) {
    return a_live || !b_live;
  }
  return compare_keys(&readers[a].key, &readers[b].key) < 0;
}

/*
 * Copies every entry of sources into target in key order, by a k-way merge
 * over one reader per source. When filter is not NULL, adds each key's hash
 * to it.
 */
static uint64_t merge_databases(MDB_txn *txn, const MDB_dbi *sources, size_t source_count,
                                MDB_dbi target, int packed, unsigned char *filter,
                                uint64_t blocks) {
  static struct RunReader readers[MAX_FANOUT];
  int live[MAX_FANOUT];
  for (size_t s = 0; s < source_count; s++) {
    open_run_reader(&readers[s], txn, sources[s], packed);
    live[s] = first_run_entry(&readers[s]);
  }
  static struct RunWriter writer;
  open_run_writer(&writer, txn, target, packed);
  uint64_t written = 0;
  /*
   * A tournament tree over the sources: leaves are sources, every inner node
   * keeps the source that lost there, and winner is the smallest live entry. A
   * step replays only the path from the advanced source to the root, one
   * comparison per level.
   */
  size_t leaves = 1;
  while (leaves < source_count) {
    leaves <<= 1;
  }
  size_t losers[MAX_FANOUT];
  size_t winners[2 * MAX_FANOUT];
  for (size_t leaf = 0; leaf < leaves; leaf++) {
    winners[leaves + leaf] = leaf;
  }
  for (size_t node = leaves - 1; node >= 1; node--) {
    size_t left = winners[2 * node];
    size_t right = winners[2 * node + 1];
    int left_first = source_wins(readers, live, source_count, left, right);
    winners[node] = left_first ? left : right;
    losers[node] = left_first ? right : left;
  }
  size_t winner = winners[1];
  while (winner < source_count && live[winner]) {
    add_run_entry(&writer, &readers[winner].key, &readers[winner].value);
    if (filter != NULL) {
      filter_add(filter, blocks, hash_id(&readers[winner].key));
    }
    written++;
    live[winner] = next_run_entry(&readers[winner]);
    for (size_t node = (leaves + winner) / 2; node >= 1; node /= 2) {
      if (!source_wins(readers, live, source_count, winner, losers[node])) {
        size_t loser = winner;
        winner = losers[node];
        losers[node] = loser;
      }
    }
  }
  close_run_writer(&writer);
  for (size_t s = 0; s < source_count; s++) {
    close_run_reader(&readers[s]);
  }
  return written;
}

/* Merges the first fanout live runs of level into one run of the next level. */
static void merge_level(MDB_txn *txn, struct RunSet *set, uint64_t level) {
  double start = now_seconds();
  size_t chosen[MAX_LIVE_RUNS];
  size_t chosen_count = 0;
  uint64_t entries = 0;
  for (size_t r = 0; r < set->count && chosen_count < set->fanout; r++) {
    if (set->runs[r].level == level) {
      chosen[chosen_count++] = r;
      entries += set->runs[r].entries;
    }
  }
  MDB_dbi id_sources[MAX_LIVE_RUNS];
  MDB_dbi account_sources[MAX_LIVE_RUNS];
  for (size_t c = 0; c < chosen_count; c++) {
    id_sources[c] = set->runs[chosen[c]].ids;
    account_sources[c] = set->runs[chosen[c]].accounts;
  }
  struct Run merged = start_run(txn, set, level + 1, entries);
  uint64_t blocks = filter_blocks(entries);
  unsigned char *filter = allocate(blocks * BLOOM_BLOCK_BYTES);
  memset(filter, 0, blocks * BLOOM_BLOCK_BYTES);
  uint64_t ids = merge_databases(txn, id_sources, chosen_count, merged.ids, set->packed, filter,
                                 blocks);
  uint64_t accounts = merge_databases(txn, account_sources, chosen_count, merged.accounts,
                                      set->packed, NULL, 0);
  if (ids != entries || accounts != entries) {
    fprintf(stderr, "error: merging %llu entries wrote %llu ids and %llu account entries\n",
            (unsigned long long)entries, (unsigned long long)ids,
            (unsigned long long)accounts);
    exit(1);
  }

  /* Drops the sources, newest first, so the remaining indexes stay valid. */
  for (size_t c = chosen_count; c-- > 0;) {
    struct Run *source = &set->runs[chosen[c]];
    check(mdb_drop(txn, source->ids, 1), "mdb_drop run ids");
    check(mdb_drop(txn, source->accounts, 1), "mdb_drop run accounts");
    unsigned char number_bytes[8];
    put_big_endian(number_bytes, source->number);
    MDB_val key = {sizeof number_bytes, number_bytes};
    check(mdb_del(txn, set->directory, &key, NULL), "mdb_del runs");
    memmove(source, source + 1, (set->count - chosen[c] - 1) * sizeof *source);
    set->count--;
  }
  finish_run(txn, set, &merged, filter, blocks);
  free(filter);
  set->merges++;
  set->merged_entries += entries;
  set->merge_seconds += now_seconds() - start;
}

/* Merges while some level has fanout live runs, lowest level first. */
static void compact_runs(MDB_txn *txn, struct RunSet *set) {
  for (;;) {
    uint64_t counts[64] = {0};
    int merged = 0;
    for (size_t r = 0; r < set->count; r++) {
      if (set->runs[r].level < 64) {
        counts[set->runs[r].level]++;
      }
    }
    for (uint64_t level = 0; level < 64; level++) {
      if (counts[level] >= set->fanout) {
        merge_level(txn, set, level);
        merged = 1;
        break;
      }
    }
    if (!merged) {
      return;
    }
  }
}

static struct Store open_store(const char *dir, enum Layout layout, size_t record_bytes) {
  struct Store store = {NULL, 0, 0, 0, record_bytes, NULL};
  check(mdb_env_create(&store.env), "mdb_env_create");
  /* The limit is MDB_MAXKEYSIZE of the linked LMDB build (511 unless changed). */
  int max_value_bytes = mdb_env_get_maxkeysize(store.env);
  if (layout == LAYOUT_DUPCOPY && ENTRY_BYTES + record_bytes > (size_t)max_value_bytes) {
    fprintf(stderr,
            "error: a dupcopy value of %zu bytes exceeds this LMDB build's limit of %d bytes "
            "per sorted duplicate. Choose RECORD_BYTES of at most %d\n",
            ENTRY_BYTES + record_bytes, max_value_bytes, max_value_bytes - ENTRY_BYTES);
    exit(1);
  }
  if (mkdir(dir, 0755) != 0) {
    fprintf(stderr, "error: could not create %s: %s (remove it or choose a new directory)\n",
            dir, strerror(errno));
    exit(1);
  }
  check(mdb_env_set_maxdbs(store.env,
                           is_run_layout(layout) ? MAX_RUNS_LAYOUT_DATABASES : MAX_DATABASES),
        "mdb_env_set_maxdbs");
  check(mdb_env_set_mapsize(store.env, MAP_SIZE), "mdb_env_set_mapsize");
  check(mdb_env_open(store.env, dir, MDB_NOTLS, 0644), "mdb_env_open");

  MDB_txn *txn;
  check(mdb_txn_begin(store.env, NULL, 0, &txn), "mdb_txn_begin");
  check(mdb_dbi_open(txn, "log", MDB_CREATE, &store.log), "mdb_dbi_open log");
  if (is_run_layout(layout)) {
    store.runs = create_run_set(txn, layout == LAYOUT_PACKED);
  } else if (layout != LAYOUT_LOG) {
    check(mdb_dbi_open(txn, "event_ids", MDB_CREATE, &store.event_ids),
          "mdb_dbi_open event_ids");
  }
  if (layout == LAYOUT_DUPSORT) {
    check(mdb_dbi_open(txn, "originators", MDB_CREATE | MDB_DUPSORT | MDB_DUPFIXED,
                       &store.index),
          "mdb_dbi_open originators");
  } else if (layout == LAYOUT_DUPCOPY) {
    check(mdb_dbi_open(txn, "originators", MDB_CREATE | MDB_DUPSORT, &store.index),
          "mdb_dbi_open originators");
  } else if (layout == LAYOUT_FLAT || layout == LAYOUT_COVERING) {
    check(mdb_dbi_open(txn, "streams", MDB_CREATE, &store.index), "mdb_dbi_open streams");
  }
  check(mdb_txn_commit(txn), "mdb_txn_commit");
  return store;
}

/*
 * Writes id to stderr, with every byte outside printable ASCII as \xHH,
 * because time-ordered and later-load ids are binary.
 */
static void print_id(const MDB_val *id) {
  const unsigned char *bytes = id->mv_data;
  for (size_t i = 0; i < id->mv_size; i++) {
    if (bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '\\') {
      fputc(bytes[i], stderr);
    } else {
      fprintf(stderr, "\\x%02x", bytes[i]);
    }
  }
}

/*
 * Writes the event at position into every database of the layout, with id as
 * its event_ids key and its occurred time moved by time_offset_us.
 */
static void write_event(MDB_txn *txn, const struct Store *store, enum Layout layout,
                        const struct Input *input, const struct Event *event, MDB_val *id,
                        int64_t time_offset_us, uint64_t position) {
  /*
   * The record is filled right after room for the 16-byte index entry, so the
   * dupcopy value (entry, then record) needs no second copy of the record.
   */
  unsigned char entry_and_record[ENTRY_BYTES + MAX_RECORD_BYTES];
  unsigned char *entry = entry_and_record;
  unsigned char *record = entry_and_record + ENTRY_BYTES;
  unsigned char position_bytes[8];
  unsigned char stream_key[1 + 255 + 16];
  int64_t occurred_us = event->occurred_us + time_offset_us;
  fill_record(record, store->record_bytes, position, occurred_us);
  put_big_endian(position_bytes, position);

  MDB_val key = {sizeof position_bytes, position_bytes};
  MDB_val value = {store->record_bytes, record};
  check_at(mdb_put(txn, store->log, &key, &value, MDB_APPEND), "mdb_put log", position);
  if (layout == LAYOUT_LOG) {
    return;
  }

  const char *account = input->arena + event->account_offset;
  MDB_val stored;
  int rc = mdb_get(txn, store->event_ids, id, &stored);
  if (rc == MDB_SUCCESS) {
    fprintf(stderr, "error: event id ");
    print_id(id);
    fprintf(stderr, " at position %llu is a duplicate\n", (unsigned long long)position);
    exit(1);
  }
  if (rc != MDB_NOTFOUND) {
    check_at(rc, "mdb_get event_ids", position);
  }
  MDB_val position_value = {sizeof position_bytes, position_bytes};
  check_at(mdb_put(txn, store->event_ids, id, &position_value, MDB_NOOVERWRITE),
           "mdb_put event_ids", position);

  if (layout == LAYOUT_DUPSORT || layout == LAYOUT_DUPCOPY) {
    put_sortable_time(entry, occurred_us);
    put_big_endian(entry + 8, position);
    MDB_val account_key = {event->account_length, (void *)account};
    size_t entry_value_bytes = ENTRY_BYTES;
    if (layout == LAYOUT_DUPCOPY) {
      entry_value_bytes += store->record_bytes;
    }
    MDB_val entry_value = {entry_value_bytes, entry};
    check_at(mdb_put(txn, store->index, &account_key, &entry_value, 0),
             "mdb_put originators", position);
  } else if (layout == LAYOUT_FLAT || layout == LAYOUT_COVERING) {
    size_t key_length =
        fill_stream_key(stream_key, account, event->account_length, occurred_us, position);
    MDB_val stream = {key_length, stream_key};
    MDB_val stream_value = {0, NULL};
    if (layout == LAYOUT_COVERING) {
      stream_value = value;
    }
    check_at(mdb_put(txn, store->index, &stream, &stream_value, 0), "mdb_put streams",
             position);
  }
}

/* Prints one database's mdb_stat as a database line. */
static void print_database_line(MDB_txn *txn, const char *layout_name, const char *name,
                                MDB_dbi dbi) {
  MDB_stat stat;
  check(mdb_stat(txn, dbi, &stat), "mdb_stat");
  size_t pages = stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages;
  printf("{\"measurement\":\"database\",\"layout\":\"%s\",\"database\":\"%s\","
         "\"entries\":%zu,\"depth\":%u,\"branch_pages\":%zu,\"leaf_pages\":%zu,"
         "\"overflow_pages\":%zu,\"bytes\":%zu}\n",
         layout_name, name, stat.ms_entries, stat.ms_depth, stat.ms_branch_pages,
         stat.ms_leaf_pages, stat.ms_overflow_pages, pages * stat.ms_psize);
}

/* Prints mdb_stat of log and runs, and of the ids and accounts databases of each live run. */
static void print_run_stats(MDB_txn *txn, const struct Store *store) {
  const struct RunSet *set = store->runs;
  MDB_dbi fixed[2] = {store->log, set->directory};
  const char *fixed_names[2] = {"log", "runs"};
  for (int i = 0; i < 2; i++) {
    print_database_line(txn, set->packed ? "packed" : "runs", fixed_names[i], fixed[i]);
  }
  for (size_t r = 0; r < set->count; r++) {
    const struct Run *run = &set->runs[r];
    MDB_stat ids;
    MDB_stat accounts;
    check(mdb_stat(txn, run->ids, &ids), "mdb_stat");
    check(mdb_stat(txn, run->accounts, &accounts), "mdb_stat");
    /* A packed run has one key per block, so only an unpacked run's key count is its entries. */
    if (!set->packed && (ids.ms_entries != run->entries || accounts.ms_entries != run->entries)) {
      fprintf(stderr,
              "error: run %llu lists %llu entries but contains %zu ids and %zu account "
              "entries\n",
              (unsigned long long)run->number, (unsigned long long)run->entries,
              ids.ms_entries, accounts.ms_entries);
      exit(1);
    }
    size_t id_pages = ids.ms_branch_pages + ids.ms_leaf_pages + ids.ms_overflow_pages;
    size_t account_pages =
        accounts.ms_branch_pages + accounts.ms_leaf_pages + accounts.ms_overflow_pages;
    printf("{\"measurement\":\"run\",\"layout\":\"%s\",\"run\":%llu,\"level\":%llu,"
           "\"entries\":%llu,\"id_bytes\":%zu,\"account_bytes\":%zu}\n",
           set->packed ? "packed" : "runs", (unsigned long long)run->number, (unsigned long long)run->level,
           (unsigned long long)run->entries, id_pages * ids.ms_psize,
           account_pages * accounts.ms_psize);
  }
}

/*
 * Prints mdb_stat of each database of the layout.
 * NOTE: for originators (MDB_DUPSORT), LMDB 0.9.24 counts every duplicate in
 * entries but only the main tree's pages, not the sub-databases that store an
 * account's duplicates, so bytes understates that index. The load line's
 * file_bytes counts every page.
 */
static void print_database_stats(const struct Store *store, enum Layout layout) {
  MDB_txn *txn;
  check(mdb_txn_begin(store->env, NULL, MDB_RDONLY, &txn), "mdb_txn_begin");
  if (is_run_layout(layout)) {
    print_run_stats(txn, store);
    mdb_txn_abort(txn);
    return;
  }
  const char *names[3] = {"log", "event_ids", NULL};
  MDB_dbi handles[3] = {store->log, store->event_ids, store->index};
  int count = layout == LAYOUT_LOG ? 1 : 2;
  if (layout == LAYOUT_DUPSORT || layout == LAYOUT_DUPCOPY) {
    names[count++] = "originators";
  } else if (layout == LAYOUT_FLAT || layout == LAYOUT_COVERING) {
    names[count++] = "streams";
  }
  for (int i = 0; i < count; i++) {
    print_database_line(txn, LAYOUT_NAMES[layout], names[i], handles[i]);
  }
  mdb_txn_abort(txn);
}

/* Event ids, occurred times and positions of one load of the input. */
struct LoadPlan {
  /* This load's number, from 1, and the number of loads in the run. */
  uint32_t number;
  uint32_t count;
  /* 16 bytes per event in input order, or NULL to use the input ids. */
  const unsigned char *time_ordered_ids;
  /* Added to every occurred time of this load. */
  int64_t time_offset_us;
};

/*
 * Returns the event_ids key of the event at index. A later-load input id is
 * built in buffer, which must have room for 255 + LOAD_SUFFIX_BYTES bytes.
 */
static MDB_val select_event_id(const struct Input *input, const struct LoadPlan *plan,
                               size_t index, unsigned char *buffer) {
  if (plan->time_ordered_ids != NULL) {
    MDB_val id = {TIME_ORDERED_ID_BYTES,
                  (void *)(plan->time_ordered_ids + index * TIME_ORDERED_ID_BYTES)};
    return id;
  }
  const struct Event *event = &input->events[index];
  const char *text = input->arena + event->id_offset;
  if (plan->number == 1) {
    MDB_val id = {event->id_length, (void *)text};
    return id;
  }
  memcpy(buffer, text, event->id_length);
  unsigned char *suffix = buffer + event->id_length;
  suffix[0] = 0;
  suffix[1] = (unsigned char)(plan->number >> 24);
  suffix[2] = (unsigned char)(plan->number >> 16);
  suffix[3] = (unsigned char)(plan->number >> 8);
  suffix[4] = (unsigned char)plan->number;
  MDB_val id = {(size_t)event->id_length + LOAD_SUFFIX_BYTES, buffer};
  return id;
}

/*
 * Writes the events first to first + count - 1 of one batch in the runs
 * layout: each record to log, then the duplicate check against every live
 * run, the batch's own run and any merges it completes.
 */
static void write_batch_runs(MDB_txn *txn, const struct Store *store, const struct Input *input,
                             const struct LoadPlan *plan, size_t first, size_t count,
                             uint64_t first_position) {
  static struct BatchItem items[BATCH_EVENTS];
  static struct BatchItem *order[BATCH_EVENTS];
  static unsigned char records[BATCH_EVENTS][MAX_RECORD_BYTES];
  static unsigned char id_buffers[BATCH_EVENTS][255 + LOAD_SUFFIX_BYTES];
  for (size_t i = 0; i < count; i++) {
    const struct Event *event = &input->events[first + i];
    struct BatchItem *item = &items[i];
    item->event = event;
    item->position = first_position + i;
    item->occurred_us = event->occurred_us + plan->time_offset_us;
    item->id = select_event_id(input, plan, first + i, id_buffers[i]);
    item->id_hash = hash_id(&item->id);
    item->id_bits = filter_bits(item->id_hash);
    item->record = records[i];
    order[i] = item;
    fill_record(records[i], store->record_bytes, item->position, item->occurred_us);
    unsigned char position_bytes[8];
    put_big_endian(position_bytes, item->position);
    MDB_val key = {sizeof position_bytes, position_bytes};
    MDB_val value = {store->record_bytes, records[i]};
    check_at(mdb_put(txn, store->log, &key, &value, MDB_APPEND), "mdb_put log",
             item->position);
  }
  check_duplicates(txn, store->runs, items, count);
  write_batch_run(txn, store->runs, input, order, count, store->record_bytes);
  compact_runs(txn, store->runs);
}

static void load(const struct Store *store, enum Layout layout, const struct Input *input,
                 const char *dir, const char *input_path, const struct LoadPlan *plan) {
  char load_average[128];
  read_load_average(load_average, sizeof load_average);
  uint64_t write_bytes_before = read_io_counter("write_bytes");
  uint64_t wchar_before = read_io_counter("wchar");
  uint64_t device_bytes_before = 0;
  int has_device = read_device_bytes(dir, &device_bytes_before);
  /* The run counters cover the whole process, so the load line reports this load's share. */
  struct RunSet runs_before;
  memset(&runs_before, 0, sizeof runs_before);
  if (store->runs != NULL) {
    runs_before = *store->runs;
  }
  double start = now_seconds();

  uint64_t prior_events = (uint64_t)(plan->number - 1) * input->event_count;
  unsigned char id_buffer[255 + LOAD_SUFFIX_BYTES];
  MDB_txn *txn = NULL;
  for (size_t first = 0; is_run_layout(layout) && first < input->event_count;
       first += BATCH_EVENTS) {
    size_t count = input->event_count - first < BATCH_EVENTS ? input->event_count - first
                                                            : BATCH_EVENTS;
    check(mdb_txn_begin(store->env, NULL, 0, &txn), "mdb_txn_begin");
    write_batch_runs(txn, store, input, plan, first, count, prior_events + first + 1);
    check_at(mdb_txn_commit(txn), "mdb_txn_commit", prior_events + first + count);
    txn = NULL;
  }
  for (size_t i = 0; !is_run_layout(layout) && i < input->event_count; i++) {
    if (txn == NULL) {
      check(mdb_txn_begin(store->env, NULL, 0, &txn), "mdb_txn_begin");
    }
    uint64_t position = prior_events + i + 1;
    MDB_val id = select_event_id(input, plan, i, id_buffer);
    write_event(txn, store, layout, input, &input->events[i], &id, plan->time_offset_us,
                position);
    if ((i + 1) % BATCH_EVENTS == 0 || i + 1 == input->event_count) {
      check_at(mdb_txn_commit(txn), "mdb_txn_commit", position);
      txn = NULL;
    }
  }

  double seconds = now_seconds() - start;
  uint64_t write_bytes = read_io_counter("write_bytes") - write_bytes_before;
  uint64_t wchar = read_io_counter("wchar") - wchar_before;
  char device_per_event[32] = "null";
  uint64_t device_bytes_after = 0;
  if (has_device && read_device_bytes(dir, &device_bytes_after)) {
    snprintf(device_per_event, sizeof device_per_event, "%.1f",
             (double)(device_bytes_after - device_bytes_before) / (double)input->event_count);
  }
  char data_path[4096];
  snprintf(data_path, sizeof data_path, "%s/data.mdb", dir);
  struct stat file;
  if (stat(data_path, &file) != 0) {
    fprintf(stderr, "error: could not stat %s: %s\n", data_path, strerror(errno));
    exit(1);
  }
  double events = (double)input->event_count;
  double stored_events = (double)(prior_events + input->event_count);
  /* Fields beyond the default form, so that a default run prints what earlier versions did. */
  char extra_fields[512] = "";
  size_t extra_length = 0;
  if (plan->time_ordered_ids != NULL) {
    extra_length += (size_t)snprintf(extra_fields, sizeof extra_fields,
                                     ",\"ids\":\"time-ordered\"");
  }
  if (plan->count > 1) {
    extra_length += (size_t)snprintf(extra_fields + extra_length,
                                     sizeof extra_fields - extra_length,
                                     ",\"load\":%u,\"prior_events\":%llu", plan->number,
                                     (unsigned long long)prior_events);
  }
  if (is_run_layout(layout)) {
    const struct RunSet *set = store->runs;
    snprintf(extra_fields + extra_length, sizeof extra_fields - extra_length,
             ",\"fanout\":%u,\"live_runs\":%zu,\"peak_live_runs\":%llu,\"merges\":%llu,"
             "\"merged_entries_per_event\":%.2f,\"merge_seconds\":%.3f,"
             "\"filter_probes_per_event\":%.1f,\"filter_maybes_per_event\":%.4f",
             set->fanout, set->count, (unsigned long long)set->peak_live_runs,
             (unsigned long long)(set->merges - runs_before.merges),
             (double)(set->merged_entries - runs_before.merged_entries) / events,
             set->merge_seconds - runs_before.merge_seconds,
             (double)(set->filter_probes - runs_before.filter_probes) / events,
             (double)(set->filter_maybes - runs_before.filter_maybes) / events);
  }
  printf("{\"measurement\":\"load\",\"layout\":\"%s\",\"input\":\"%s\",\"events\":%zu,"
         "\"accounts\":%zu,\"batch\":%d,\"record_bytes\":%zu,\"seconds\":%.3f,"
         "\"events_per_second\":%.0f,\"write_bytes\":%llu,\"write_bytes_per_event\":%.1f,"
         "\"wchar_per_event\":%.1f,"
         "\"device_bytes_per_event\":%s,\"file_bytes\":%lld,"
         "\"file_bytes_per_event\":%.1f%s,\"loadavg_before\":\"%s\"}\n",
         LAYOUT_NAMES[layout], input_path, input->event_count, input->account_count,
         BATCH_EVENTS, store->record_bytes, seconds, events / seconds,
         (unsigned long long)write_bytes, (double)write_bytes / events, (double)wchar / events,
         device_per_event, (long long)file.st_size, (double)file.st_size / stored_events,
         extra_fields, load_average);
  fflush(stdout);
}

static uint64_t sum_bytes(const unsigned char *bytes, size_t length) {
  uint64_t sum = 0;
  for (size_t i = 0; i < length; i++) {
    sum += bytes[i];
  }
  return sum;
}

/* Fetches the record at position from log and returns the sum of its bytes. */
static uint64_t sum_log_record(MDB_txn *txn, const struct Store *store, uint64_t position) {
  unsigned char position_bytes[8];
  put_big_endian(position_bytes, position);
  MDB_val key = {sizeof position_bytes, position_bytes};
  MDB_val record;
  check_at(mdb_get(txn, store->log, &key, &record), "mdb_get log", position);
  return sum_bytes(record.mv_data, record.mv_size);
}

/*
 * Walks one account's originators entries with MDB_GET_MULTIPLE, as Tierline read
 * its account index before storage format 2.
 */
static size_t read_dupsort_account(MDB_cursor *cursor, MDB_txn *txn, const struct Store *store,
                                   MDB_val *account, uint64_t *checksum) {
  MDB_val value;
  check(mdb_cursor_get(cursor, account, &value, MDB_SET_KEY), "mdb_cursor_get MDB_SET_KEY");
  size_t count;
  check(mdb_cursor_count(cursor, &count), "mdb_cursor_count");
  if (count > 1) {
    /* A key with one value has no duplicate subtree, so GET_MULTIPLE would not fill value. */
    check(mdb_cursor_get(cursor, account, &value, MDB_GET_MULTIPLE),
          "mdb_cursor_get MDB_GET_MULTIPLE");
  }
  size_t entries = 0;
  for (;;) {
    const unsigned char *page = value.mv_data;
    for (size_t offset = 0; offset + 16 <= value.mv_size; offset += 16) {
      *checksum += sum_log_record(txn, store, get_big_endian(page + offset + 8));
      entries++;
    }
    if (count == 1) {
      break;
    }
    int rc = mdb_cursor_get(cursor, account, &value, MDB_NEXT_MULTIPLE);
    if (rc == MDB_NOTFOUND) {
      break;
    }
    check(rc, "mdb_cursor_get MDB_NEXT_MULTIPLE");
  }
  return entries;
}

/*
 * Walks one account's originators values with MDB_SET and MDB_NEXT_DUP, as Tierline
 * does, and sums the record copy after each 16-byte entry.
 */
static size_t read_dupcopy_account(MDB_cursor *cursor, const struct Store *store,
                                   MDB_val *account, uint64_t *checksum) {
  /* MDB_SET also returns the account's first duplicate in value. */
  MDB_val value = {0, NULL};
  check(mdb_cursor_get(cursor, account, &value, MDB_SET), "mdb_cursor_get MDB_SET");
  size_t entries = 0;
  int rc = MDB_SUCCESS;
  while (rc == MDB_SUCCESS) {
    if (value.mv_size != ENTRY_BYTES + store->record_bytes) {
      fprintf(stderr, "error: an originators value is %zu bytes, expected %zu\n",
              value.mv_size, ENTRY_BYTES + store->record_bytes);
      exit(1);
    }
    const unsigned char *bytes = value.mv_data;
    *checksum += sum_bytes(bytes + ENTRY_BYTES, value.mv_size - ENTRY_BYTES);
    entries++;
    rc = mdb_cursor_get(cursor, account, &value, MDB_NEXT_DUP);
  }
  if (rc != MDB_NOTFOUND) {
    check(rc, "mdb_cursor_get MDB_NEXT_DUP");
  }
  return entries;
}

/* Walks one account's streams keys from its prefix with MDB_SET_RANGE and MDB_NEXT. */
static size_t read_stream_account(MDB_cursor *cursor, MDB_txn *txn, const struct Store *store,
                                  enum Layout layout, const unsigned char *prefix,
                                  size_t prefix_length, uint64_t *checksum) {
  MDB_val key = {prefix_length, (void *)prefix};
  MDB_val value;
  size_t entries = 0;
  int rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);
  while (rc == MDB_SUCCESS && key.mv_size == prefix_length + 16 &&
         memcmp(key.mv_data, prefix, prefix_length) == 0) {
    if (layout == LAYOUT_COVERING) {
      *checksum += sum_bytes(value.mv_data, value.mv_size);
    } else {
      const unsigned char *bytes = key.mv_data;
      *checksum += sum_log_record(txn, store, get_big_endian(bytes + prefix_length + 8));
    }
    entries++;
    rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
  }
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
    check(rc, "mdb_cursor_get MDB_NEXT");
  }
  return entries;
}

/* One account entry found in a run: its key's time and position, and the record copy. */
struct FoundEntry {
  const unsigned char *order;
  const unsigned char *record;
  size_t record_bytes;
};

static int compare_found_entries(const void *left, const void *right) {
  return memcmp(((const struct FoundEntry *)left)->order,
                ((const struct FoundEntry *)right)->order, 16);
}

/*
 * Reads one account in the runs layout: lists the live runs from the runs
 * database, seeks the account's prefix in each run's accounts database, then
 * sorts the entries by time and position and sums every record copy in that
 * order.
 */
static size_t read_runs_account(MDB_txn *txn, const struct Store *store,
                                const unsigned char *prefix, size_t prefix_length,
                                struct FoundEntry *found, size_t capacity, uint64_t *checksum) {
  const struct RunSet *set = store->runs;
  MDB_cursor *directory;
  check(mdb_cursor_open(txn, set->directory, &directory), "mdb_cursor_open");
  MDB_val number_key;
  MDB_val run_value;
  size_t entries = 0;
  size_t run_index = 0;
  int rc = mdb_cursor_get(directory, &number_key, &run_value, MDB_FIRST);
  while (rc == MDB_SUCCESS) {
    uint64_t number = get_big_endian(number_key.mv_data);
    while (run_index < set->count && set->runs[run_index].number < number) {
      run_index++;
    }
    if (run_index == set->count || set->runs[run_index].number != number) {
      fprintf(stderr, "error: run %llu is listed but was not opened\n",
              (unsigned long long)number);
      exit(1);
    }
    struct RunReader reader;
    open_run_reader(&reader, txn, set->runs[run_index].accounts, set->packed);
    MDB_val target = {prefix_length, (void *)prefix};
    int more = seek_run_entry(&reader, &target);
    while (more && reader.key.mv_size == prefix_length + 16 &&
           memcmp(reader.key.mv_data, prefix, prefix_length) == 0) {
      if (entries == capacity) {
        fprintf(stderr, "error: an account has more than %zu entries\n", capacity);
        exit(1);
      }
      found[entries].order = (const unsigned char *)reader.key.mv_data + prefix_length;
      found[entries].record = reader.value.mv_data;
      found[entries].record_bytes = reader.value.mv_size;
      entries++;
      more = next_run_entry(&reader);
    }
    close_run_reader(&reader);
    rc = mdb_cursor_get(directory, &number_key, &run_value, MDB_NEXT);
  }
  if (rc != MDB_NOTFOUND) {
    check(rc, "mdb_cursor_get runs");
  }
  mdb_cursor_close(directory);
  qsort(found, entries, sizeof *found, compare_found_entries);
  for (size_t i = 0; i < entries; i++) {
    *checksum += sum_bytes(found[i].record, found[i].record_bytes);
  }
  return entries;
}

static int compare_doubles(const void *left, const void *right) {
  double a = *(const double *)left;
  double b = *(const double *)right;
  return (a > b) - (a < b);
}

/* Returns the nearest-rank percentile of sorted values. */
static double percentile(const double *sorted, size_t count, double percent) {
  size_t rank = (size_t)((percent / 100.0) * (double)count + 0.999999);
  if (rank < 1) {
    rank = 1;
  }
  return sorted[rank - 1];
}

/*
 * Times one-account reads. After load_count loads, each account has load_count
 * times its input events.
 */
static void query(const struct Store *store, enum Layout layout, const struct Input *input,
                  uint32_t load_count) {
  double *latencies = allocate(QUERY_COUNT * sizeof(double));
  uint64_t state = QUERY_SEED;
  uint64_t checksum = 0;
  uint64_t measured_entries = 0;
  unsigned char prefix[256];
  size_t max_account_events = 0;
  for (size_t a = 0; a < input->account_count; a++) {
    if (input->accounts[a].event_count > max_account_events) {
      max_account_events = input->accounts[a].event_count;
    }
  }
  size_t found_capacity = max_account_events * load_count;
  struct FoundEntry *found = allocate(found_capacity * sizeof *found);

  for (int q = 0; q < WARMUP_COUNT + QUERY_COUNT; q++) {
    const struct Account *account = &input->accounts[next_splitmix64(&state) % input->account_count];
    const struct Event *first = &input->events[account->first_event];
    const char *account_bytes = input->arena + first->account_offset;
    prefix[0] = first->account_length;
    memcpy(prefix + 1, account_bytes, first->account_length);
    MDB_val account_key = {first->account_length, (void *)account_bytes};

    double start = now_seconds();
    MDB_txn *txn;
    check(mdb_txn_begin(store->env, NULL, MDB_RDONLY, &txn), "mdb_txn_begin");
    size_t entries;
    if (is_run_layout(layout)) {
      entries = read_runs_account(txn, store, prefix, (size_t)first->account_length + 1, found,
                                  found_capacity, &checksum);
    } else {
      MDB_cursor *cursor;
      check(mdb_cursor_open(txn, store->index, &cursor), "mdb_cursor_open");
      if (layout == LAYOUT_DUPSORT) {
        entries = read_dupsort_account(cursor, txn, store, &account_key, &checksum);
      } else if (layout == LAYOUT_DUPCOPY) {
        entries = read_dupcopy_account(cursor, store, &account_key, &checksum);
      } else {
        entries = read_stream_account(cursor, txn, store, layout, prefix,
                                      (size_t)first->account_length + 1, &checksum);
      }
      mdb_cursor_close(cursor);
    }
    mdb_txn_abort(txn);
    double elapsed = now_seconds() - start;

    size_t expected_entries = (size_t)account->event_count * load_count;
    if (entries != expected_entries) {
      fprintf(stderr, "error: account %.*s returned %zu index entries, expected %zu\n",
              (int)first->account_length, account_bytes, entries, expected_entries);
      exit(1);
    }
    if (q >= WARMUP_COUNT) {
      latencies[q - WARMUP_COUNT] = elapsed * 1e6;
      measured_entries += entries;
    }
  }

  qsort(latencies, QUERY_COUNT, sizeof(double), compare_doubles);
  double total = 0;
  for (int i = 0; i < QUERY_COUNT; i++) {
    total += latencies[i];
  }
  printf("{\"measurement\":\"query\",\"layout\":\"%s\",\"queries\":%d,\"warmup\":%d,"
         "\"mean_entries\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"mean_us\":%.1f,"
         "\"max_us\":%.1f,\"checksum\":%llu}\n",
         LAYOUT_NAMES[layout], QUERY_COUNT, WARMUP_COUNT,
         (double)measured_entries / QUERY_COUNT, percentile(latencies, QUERY_COUNT, 50),
         percentile(latencies, QUERY_COUNT, 99), total / QUERY_COUNT,
         latencies[QUERY_COUNT - 1], (unsigned long long)checksum);
  fflush(stdout);
  free(latencies);
  free(found);
}

static int parse_layout(const char *name, enum Layout *layout) {
  for (int i = 0; i < (int)(sizeof LAYOUT_NAMES / sizeof LAYOUT_NAMES[0]); i++) {
    if (strcmp(name, LAYOUT_NAMES[i]) == 0) {
      *layout = (enum Layout)i;
      return 1;
    }
  }
  return 0;
}

/* Parses a decimal RECORD_BYTES argument. Returns 0 unless it is 17 to 495. */
static int parse_record_bytes(const char *text, size_t *record_bytes) {
  char *end;
  errno = 0;
  unsigned long value = strtoul(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' ||
      value < MIN_RECORD_BYTES || value > MAX_RECORD_BYTES) {
    return 0;
  }
  *record_bytes = (size_t)value;
  return 1;
}

/* Parses a decimal --loads argument. Returns 0 unless it is 1 to UINT32_MAX. */
static int parse_load_count(const char *text, uint32_t *load_count) {
  char *end;
  errno = 0;
  unsigned long long value = strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value < 1 ||
      value > UINT32_MAX) {
    return 0;
  }
  *load_count = (uint32_t)value;
  return 1;
}

/* Parses a decimal --fanout argument. Returns 0 unless it is 2 to MAX_FANOUT. */
static int parse_fanout(const char *text, uint32_t *fanout) {
  char *end;
  errno = 0;
  unsigned long value = strtoul(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value < 2 ||
      value > MAX_FANOUT) {
    return 0;
  }
  *fanout = (uint32_t)value;
  return 1;
}

static int print_usage(void) {
  fprintf(stderr,
          "usage: index_layouts [--time-ordered-ids] [--loads COUNT] [--fanout COUNT] LAYOUT\n"
          "                     EVENTS.ndjson DIR [RECORD_BYTES]\n"
          "  LAYOUT is log, none, dupsort, dupcopy, flat, covering, runs or packed; DIR\n"
          "  must not exist\n"
          "  RECORD_BYTES is the size of each log record in bytes, 16-byte header\n"
          "  included: %d to %d, default %d\n"
          "  --time-ordered-ids keys event_ids by a UUIDv7 made from each event's\n"
          "  occurred time in input order instead of by the input id\n"
          "  --loads COUNT loads the file COUNT times into the environment, default 1\n"
          "  --fanout COUNT merges the runs of the runs and packed layouts when COUNT\n"
          "  share a level: 2 to %d, default %d\n",
          MIN_RECORD_BYTES, MAX_RECORD_BYTES, DEFAULT_RECORD_BYTES, MAX_FANOUT, DEFAULT_FANOUT);
  return 64;
}

/* Finds the input's earliest and latest occurred times. */
static void find_time_range(const struct Input *input, int64_t *earliest, int64_t *latest) {
  *earliest = input->events[0].occurred_us;
  *latest = *earliest;
  for (size_t i = 1; i < input->event_count; i++) {
    int64_t occurred_us = input->events[i].occurred_us;
    if (occurred_us < *earliest) {
      *earliest = occurred_us;
    }
    if (occurred_us > *latest) {
      *latest = occurred_us;
    }
  }
}

int main(int argc, char **argv) {
  int time_ordered_ids = 0;
  uint32_t load_count = 1;
  uint32_t fanout = DEFAULT_FANOUT;
  int fanout_given = 0;
  int next = 1;
  while (next < argc && strncmp(argv[next], "--", 2) == 0) {
    if (strcmp(argv[next], "--time-ordered-ids") == 0) {
      time_ordered_ids = 1;
      next++;
    } else if (strcmp(argv[next], "--loads") == 0) {
      if (next + 1 == argc) {
        fprintf(stderr, "error: missing COUNT after --loads\n");
        return print_usage();
      }
      if (!parse_load_count(argv[next + 1], &load_count)) {
        fprintf(stderr,
                "error: invalid --loads COUNT %s: expected a whole number from 1 to %u\n",
                argv[next + 1], UINT32_MAX);
        return 64;
      }
      next += 2;
    } else if (strcmp(argv[next], "--fanout") == 0) {
      if (next + 1 == argc) {
        fprintf(stderr, "error: missing COUNT after --fanout\n");
        return print_usage();
      }
      fanout_given = 1;
      if (!parse_fanout(argv[next + 1], &fanout)) {
        fprintf(stderr, "error: invalid --fanout COUNT %s: expected a whole number from 2 to %d\n",
                argv[next + 1], MAX_FANOUT);
        return 64;
      }
      next += 2;
    } else {
      fprintf(stderr, "error: unknown option %s\n", argv[next]);
      return print_usage();
    }
  }
  int positional_count = argc - next;
  enum Layout layout;
  if ((positional_count != 3 && positional_count != 4) || !parse_layout(argv[next], &layout)) {
    return print_usage();
  }
  if (fanout_given && !is_run_layout(layout)) {
    fprintf(stderr, "error: --fanout applies only to the runs and packed layouts, not %s\n",
            LAYOUT_NAMES[layout]);
    return 64;
  }
  const char *input_path = argv[next + 1];
  const char *dir = argv[next + 2];
  size_t record_bytes = DEFAULT_RECORD_BYTES;
  if (positional_count == 4 && !parse_record_bytes(argv[next + 3], &record_bytes)) {
    fprintf(stderr, "error: invalid RECORD_BYTES %s: expected a whole number from %d to %d\n",
            argv[next + 3], MIN_RECORD_BYTES, MAX_RECORD_BYTES);
    return 64;
  }

  struct Input input;
  double parse_start = now_seconds();
  read_events(input_path, &input);
  fprintf(stderr, "read %zu events of %zu accounts from %s in %.1f s\n", input.event_count,
          input.account_count, input_path, now_seconds() - parse_start);

  int64_t earliest_us, latest_us;
  find_time_range(&input, &earliest_us, &latest_us);
  /* One second beyond the span, so a later load's earliest event follows the load before. */
  int64_t load_time_step_us = latest_us - earliest_us + 1000000;
  /* The room above the latest time, capped at INT64_MAX so a time before 1970 cannot overflow. */
  int64_t headroom_us = latest_us >= 0 ? INT64_MAX - latest_us : INT64_MAX;
  if (load_count > 1 && (int64_t)(load_count - 1) > headroom_us / load_time_step_us) {
    fprintf(stderr,
            "error: --loads %u moves occurred times past the 64-bit microsecond range. "
            "Choose a smaller COUNT\n",
            load_count);
    return 64;
  }
  struct Store store = open_store(dir, layout, record_bytes);
  if (store.runs != NULL) {
    store.runs->fanout = fanout;
  }
  struct TimeOrderedIdGenerator generator = {0, 0, TIME_ORDERED_ID_SEED};
  unsigned char *ids = NULL;
  if (time_ordered_ids) {
    ids = allocate(input.event_count * TIME_ORDERED_ID_BYTES);
  }
  /* A 64-bit counter, so that the loop ends when load_count is UINT32_MAX. */
  for (uint64_t number = 1; number <= load_count; number++) {
    struct LoadPlan plan = {(uint32_t)number, load_count, ids,
                            (int64_t)(number - 1) * load_time_step_us};
    if (time_ordered_ids) {
      double generate_start = now_seconds();
      for (size_t i = 0; i < input.event_count; i++) {
        next_time_ordered_id(&generator, input.events[i].occurred_us + plan.time_offset_us,
                             ids + i * TIME_ORDERED_ID_BYTES);
      }
      fprintf(stderr, "generated %zu time-ordered ids for load %u in %.2f s\n",
              input.event_count, plan.number, now_seconds() - generate_start);
    }
    load(&store, layout, &input, dir, input_path, &plan);
  }
  free(ids);
  print_database_stats(&store, layout);
  if (layout != LAYOUT_LOG && layout != LAYOUT_NONE) {
    query(&store, layout, &input, load_count);
  }
  mdb_env_close(store.env);
  return 0;
}
