/*
 * A plain SQLite event store as a peer for Tierline: append the same events,
 * then read each account's events in occurred order and fold them.
 *
 * Usage: sqlite_peer DB EVENTS_TSV BATCH REBUILDS
 *
 * EVENTS_TSV holds one event per line, as written by peer_input.py:
 * id, account, type, occurred_at (µs since the epoch), data (compact JSON),
 * separated by tabs. The whole file is read into memory before timing starts.
 *
 * The table keeps the full event, a unique event id (idempotency) and an
 * index on (account, occurred_at, position). The database uses WAL with
 * synchronous=FULL, so every commit is durable, as LMDB's commits are.
 * Appends run in transactions of BATCH events; the rebuild reads every
 * account's events through the index and folds them (see fold.h).
 * Prints one JSON object per measurement on stdout.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fold.h"

typedef struct {
  char *id;
  char *account;
  char *type;
  int64_t occurred_at;
  char *data;
} input_event;

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void check(sqlite3 *db, int rc, int expected, const char *what) {
  if (rc != expected) {
    fprintf(stderr, "error: %s failed: %s\n", what, sqlite3_errmsg(db));
    exit(1);
  }
}

static void exec(sqlite3 *db, const char *sql) {
  char *message = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
    fprintf(stderr, "error: %s failed: %s\n", sql, message ? message : "unknown");
    exit(1);
  }
}

/* Splits the tab-separated lines of `text` in place into events. */
static input_event *parse_events(char *text, long *count) {
  long capacity = 1024;
  long n = 0;
  input_event *events = malloc(sizeof(input_event) * (size_t)capacity);
  char *line = text;
  while (events != NULL && *line != '\0') {
    char *end = strchr(line, '\n');
    if (end != NULL) *end = '\0';
    char *fields[5];
    char *cursor = line;
    for (int f = 0; f < 5; f++) {
      fields[f] = cursor;
      char *tab = f < 4 ? strchr(cursor, '\t') : NULL;
      if (f < 4 && tab == NULL) {
        fprintf(stderr, "error: input line %ld has fewer than 5 fields\n", n + 1);
        exit(65);
      }
      if (tab != NULL) {
        *tab = '\0';
        cursor = tab + 1;
      }
    }
    if (n == capacity) {
      capacity *= 2;
      events = realloc(events, sizeof(input_event) * (size_t)capacity);
      if (events == NULL) break;
    }
    events[n].id = fields[0];
    events[n].account = fields[1];
    events[n].type = fields[2];
    events[n].occurred_at = strtoll(fields[3], NULL, 10);
    events[n].data = fields[4];
    n++;
    if (end == NULL) break;
    line = end + 1;
  }
  if (events == NULL) {
    fprintf(stderr, "error: out of memory\n");
    exit(1);
  }
  *count = n;
  return events;
}

static char *read_file(const char *path) {
  FILE *file = fopen(path, "rb");
  if (file == NULL) {
    perror(path);
    exit(1);
  }
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *text = malloc((size_t)size + 1);
  if (text == NULL || fread(text, 1, (size_t)size, file) != (size_t)size) {
    fprintf(stderr, "error: could not read %s\n", path);
    exit(1);
  }
  text[size] = '\0';
  fclose(file);
  return text;
}

static void append_all(sqlite3 *db, input_event *events, long count, long batch) {
  sqlite3_stmt *insert;
  check(db,
        sqlite3_prepare_v2(db,
                           "INSERT INTO events (id, account, type, occurred_at, "
                           "recorded_at, data) VALUES (?, ?, ?, ?, ?, ?)",
                           -1, &insert, NULL),
        SQLITE_OK, "prepare insert");
  for (long start = 0; start < count; start += batch) {
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    int64_t recorded_at = (int64_t)wall.tv_sec * 1000000 + wall.tv_nsec / 1000;
    exec(db, "BEGIN");
    for (long i = start; i < start + batch && i < count; i++) {
      sqlite3_bind_text(insert, 1, events[i].id, -1, SQLITE_STATIC);
      sqlite3_bind_text(insert, 2, events[i].account, -1, SQLITE_STATIC);
      sqlite3_bind_text(insert, 3, events[i].type, -1, SQLITE_STATIC);
      sqlite3_bind_int64(insert, 4, events[i].occurred_at);
      sqlite3_bind_int64(insert, 5, recorded_at);
      sqlite3_bind_text(insert, 6, events[i].data, -1, SQLITE_STATIC);
      check(db, sqlite3_step(insert), SQLITE_DONE, "insert");
      sqlite3_reset(insert);
    }
    exec(db, "COMMIT");
  }
  sqlite3_finalize(insert);
}

static void rebuild(sqlite3 *db, fold_totals *totals) {
  sqlite3_stmt *accounts;
  sqlite3_stmt *events;
  check(db,
        sqlite3_prepare_v2(db, "SELECT DISTINCT account FROM events ORDER BY account", -1,
                           &accounts, NULL),
        SQLITE_OK, "prepare accounts");
  check(db,
        sqlite3_prepare_v2(db,
                           "SELECT type, occurred_at, data FROM events WHERE account = ? "
                           "ORDER BY occurred_at, position",
                           -1, &events, NULL),
        SQLITE_OK, "prepare events");
  exec(db, "BEGIN");
  fold_state state;
  while (sqlite3_step(accounts) == SQLITE_ROW) {
    fold_reset(&state);
    sqlite3_bind_text(events, 1, (const char *)sqlite3_column_text(accounts, 0), -1,
                      SQLITE_TRANSIENT);
    while (sqlite3_step(events) == SQLITE_ROW) {
      fold_apply(&state, (const char *)sqlite3_column_text(events, 0),
                 sqlite3_column_int64(events, 1),
                 (const char *)sqlite3_column_text(events, 2));
    }
    sqlite3_reset(events);
    fold_finish(&state, totals);
  }
  exec(db, "COMMIT");
  sqlite3_finalize(accounts);
  sqlite3_finalize(events);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: sqlite_peer DB EVENTS_TSV BATCH REBUILDS\n");
    return 64;
  }
  long batch = strtol(argv[3], NULL, 10);
  long rebuilds = strtol(argv[4], NULL, 10);
  if (batch < 1 || rebuilds < 0) {
    fprintf(stderr, "error: BATCH must be positive and REBUILDS non-negative\n");
    return 64;
  }
  long count = 0;
  input_event *input = parse_events(read_file(argv[2]), &count);

  sqlite3 *db;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
    fprintf(stderr, "error: could not open %s: %s\n", argv[1], sqlite3_errmsg(db));
    return 1;
  }
  exec(db, "PRAGMA journal_mode=WAL");
  exec(db, "PRAGMA synchronous=FULL");
  exec(db,
       "CREATE TABLE events (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
       "account TEXT NOT NULL, type TEXT NOT NULL, occurred_at INTEGER NOT NULL, "
       "recorded_at INTEGER NOT NULL, data TEXT NOT NULL)");
  exec(db, "CREATE INDEX events_by_account ON events (account, occurred_at, position)");

  double start = now_seconds();
  append_all(db, input, count, batch);
  double seconds = now_seconds() - start;
  printf("{\"benchmark\":\"sqlite_append\",\"events\":%ld,\"batch\":%ld,"
         "\"seconds\":%.6f,\"events_per_second\":%.0f}\n",
         count, batch, seconds, (double)count / seconds);
  exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");

  for (long r = 0; r < rebuilds; r++) {
    fold_totals totals = {0};
    start = now_seconds();
    rebuild(db, &totals);
    seconds = now_seconds() - start;
    printf("{\"benchmark\":\"sqlite_rebuild\",\"events\":%lld,\"accounts\":%lld,"
           "\"seconds\":%.6f,\"events_per_second\":%.0f,",
           (long long)totals.events, (long long)totals.accounts, seconds,
           (double)totals.events / seconds);
    fold_print_totals(&totals);
    printf("}\n");
  }
  sqlite3_close(db);
  return 0;
}
