/*
 * The simple fold the peers run over each account's events, in the order
 * their store returns them:
 *   - the current tier: `tier` of account.landed, then `to` of each tier.changed;
 *   - a count per event type;
 *   - the sum of usage.recorded `quantity` per calendar month (UTC), over all
 *     metrics.
 * `data` is the event's compact JSON object; the fold finds the few fields it
 * needs by their quoted key instead of parsing the whole object.
 * Totals over all accounts are printed so runs of different peers can be
 * compared.
 */
#ifndef TIERLINE_BENCH_FOLD_H
#define TIERLINE_BENCH_FOLD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FOLD_TYPES = 8, FOLD_MONTHS = 64, FOLD_TIER_BYTES = 32 };

static const char *const fold_type_names[FOLD_TYPES] = {
    "account.landed",    "usage.recorded", "milestone.reached", "checkin.completed",
    "tier.changed",      "org.changed",    "expansion.offered", "account.churned"};

typedef struct {
  char tier[FOLD_TIER_BYTES];
  int64_t counts[FOLD_TYPES];
  int months;
  int64_t month_keys[FOLD_MONTHS];
  double month_sums[FOLD_MONTHS];
} fold_state;

typedef struct {
  int64_t accounts;
  int64_t events;
  int64_t counts[FOLD_TYPES];
  int64_t month_buckets;
  double usage_sum;
  int64_t tier_starter;
  int64_t tier_growth;
  int64_t tier_scale;
} fold_totals;

static void fold_reset(fold_state *state) {
  memset(state->tier, 0, sizeof state->tier);
  memset(state->counts, 0, sizeof state->counts);
  state->months = 0;
}

/* The calendar month of a UTC instant as year * 12 + month - 1. */
static int64_t fold_month(int64_t microseconds) {
  int64_t days = microseconds / 86400000000LL;
  if (microseconds % 86400000000LL < 0) days -= 1;
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t day_of_era = days - era * 146097;
  int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int64_t month_index = (5 * day_of_year + 2) / 153;
  int64_t month = month_index < 10 ? month_index + 3 : month_index - 9;
  int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  return year * 12 + month - 1;
}

/* Copies the string value of `"key":"value"` in `data` into `out`. */
static void fold_string_field(const char *data, const char *key, char *out) {
  const char *found = strstr(data, key);
  if (found == NULL) return;
  found += strlen(key);
  size_t n = 0;
  while (found[n] != '"' && found[n] != '\0' && n + 1 < FOLD_TIER_BYTES) {
    out[n] = found[n];
    n++;
  }
  out[n] = '\0';
}

static void fold_apply(fold_state *state, const char *type, int64_t occurred_at,
                       const char *data) {
  int kind = 0;
  while (kind < FOLD_TYPES && strcmp(type, fold_type_names[kind]) != 0) kind++;
  if (kind == FOLD_TYPES) return;
  state->counts[kind]++;
  if (kind == 0) fold_string_field(data, "\"tier\":\"", state->tier);
  if (kind == 4) fold_string_field(data, "\"to\":\"", state->tier);
  if (kind != 1) return;

  const char *quantity = strstr(data, "\"quantity\":");
  if (quantity == NULL) return;
  double value = strtod(quantity + strlen("\"quantity\":"), NULL);
  int64_t month = fold_month(occurred_at);
  for (int i = state->months - 1; i >= 0; i--) {
    if (state->month_keys[i] == month) {
      state->month_sums[i] += value;
      return;
    }
  }
  if (state->months == FOLD_MONTHS) return;
  state->month_keys[state->months] = month;
  state->month_sums[state->months] = value;
  state->months++;
}

static void fold_finish(const fold_state *state, fold_totals *totals) {
  totals->accounts++;
  for (int i = 0; i < FOLD_TYPES; i++) {
    totals->counts[i] += state->counts[i];
    totals->events += state->counts[i];
  }
  totals->month_buckets += state->months;
  for (int i = 0; i < state->months; i++) totals->usage_sum += state->month_sums[i];
  if (strcmp(state->tier, "starter") == 0) totals->tier_starter++;
  if (strcmp(state->tier, "growth") == 0) totals->tier_growth++;
  if (strcmp(state->tier, "scale") == 0) totals->tier_scale++;
}

/* Prints the totals as JSON fields, without braces. */
static void fold_print_totals(const fold_totals *totals) {
  printf("\"month_buckets\":%lld,\"usage_sum\":%.1f,\"tiers\":[%lld,%lld,%lld]",
         (long long)totals->month_buckets, totals->usage_sum,
         (long long)totals->tier_starter, (long long)totals->tier_growth,
         (long long)totals->tier_scale);
}

#endif
