#!/usr/bin/env bash
# Measure Tierline against raw LMDB, plain SQLite and the Python eventsourcing library,
# then write docs/benchmarks.md (tools/bench/work/benchmarks-quick.md with --quick).
#
# Usage: tools/bench/run.sh [--quick] [--no-large] [--no-python]
#   --quick      one size of 1,000 accounts (about 110,000 events), for trying the harness
#   --no-large   skip the 100,000-account ledger (about 11 million events)
#   --no-python  skip the eventsourcing peer
#
# A full run takes about 13 minutes and 10 GB of disk the first time, and about 8
# minutes once its ledgers are loaded; --quick takes about a minute after the build.
# Scratch data, the peers' venv and raw results go to tools/bench/work/ (git-ignored).
# Needs: swift, cc, hyperfine, liblmdb-dev, libsqlite3-dev, python3-venv, perf
# (optional), /usr/bin/time. Missing Debian packages among them are installed with
# apt-get, except perf, whose package name depends on the kernel.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bench="$root/tools/bench"
work="$bench/work"
quick=0
large=1
python_peer=1
for argument in "$@"; do
  case "$argument" in
    --quick) quick=1; large=0 ;;
    --no-large) large=0 ;;
    --no-python) python_peer=0 ;;
    -h|--help)
      # Prints the comment block at the top of this script, without its leading "# ".
      sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"
      exit 0 ;;
    *) echo "error: unknown option $argument; run $0 --help for the options" >&2; exit 64 ;;
  esac
done

batch=1000
if [ "$quick" = 1 ]; then
  sizes=(1000)
  runs=3
else
  sizes=(10000)
  runs=2
fi
[ "$large" = 1 ] && sizes+=(100000)

mkdir -p "$work"
results="$work/results"
[ "$quick" = 1 ] && results="$work/results-quick"
rm -rf "$results"
mkdir -p "$results"

log() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

missing=()
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
command -v cc >/dev/null 2>&1 || missing+=(gcc)
[ -x /usr/bin/time ] || missing+=(time)
dpkg -s liblmdb-dev >/dev/null 2>&1 || missing+=(liblmdb-dev)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || missing+=(libsqlite3-dev)
if [ "$python_peer" -eq 1 ]; then
  python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Appends the step name and the load averages to results/load.txt.
note_load() { printf '%s\t%s\n' "$1" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$results/load.txt"; }

log "building (swift build -c release --static-swift-stdlib)"
(cd "$root" && swift build -c release --static-swift-stdlib >/dev/null)
tierline="$root/.build/release/tierline"
tierline_bench="$root/.build/release/tierline-bench"
cc -O2 -Wall -Wextra -pthread -o "$work/lmdb_limit" "$bench/lmdb_limit.c" -llmdb
cc -O2 -Wall -Wextra -o "$work/sqlite_peer" "$bench/sqlite_peer.c" -lsqlite3
cc -O2 -Wall -Wextra -o "$work/index_layouts" "$bench/index_layouts.c" -llmdb
# The storage format of new ledgers, as `verify` names it, keys the reuse of a loaded
# ledger below.
rm -rf "$work/format-probe"
"$tierline" --store "$work/format-probe" init >/dev/null
storage_format=$("$tierline" --store "$work/format-probe" verify | grep -o 'storage format [0-9]*')
rm -rf "$work/format-probe"
if [ "$python_peer" = 1 ] && [ ! -x "$work/venv/bin/python" ]; then
  log "installing eventsourcing into $work/venv"
  python3 -m venv "$work/venv"
  # The version the recorded runs used; a newer release may change the peer's speed.
  "$work/venv/bin/pip" install --quiet 'eventsourcing==9.5.6'
fi

{
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|Socket)'
  grep MemTotal /proc/meminfo
  uname -sr
  swift --version 2>&1 | head -1
  echo "LMDB $(pkg-config --modversion lmdb), SQLite $(pkg-config --modversion sqlite3)"
  echo "hyperfine $(hyperfine --version | cut -d' ' -f2)"
  if [ -x "$work/venv/bin/python" ]; then
    echo "eventsourcing $("$work/venv/bin/pip" show eventsourcing | sed -n 's/^Version: //p')," \
      "$("$work/venv/bin/python" --version)"
  fi
  echo "commit $(git -C "$root" rev-parse --short HEAD)"
} >"$results/machine.txt"

for accounts in "${sizes[@]}"; do
  out="$results/$accounts"
  mkdir -p "$out"
  events="$work/events-$accounts.ndjson"
  tsv="$work/events-$accounts.tsv"
  ledger="$work/ledger-$accounts.ledger"
  if [ ! -s "$events" ]; then
    log "generating $accounts accounts"
    "$tierline" generate --accounts "$accounts" --seed 1 >"$events"
  fi
  if [ "$accounts" -le 10000 ] && [ ! -s "$tsv" ]; then
    python3 "$bench/peer_input.py" "$events" "$tsv"
  fi
  count=$(wc -l <"$events")
  echo "$count" >"$out/events.txt"

  if [ "$accounts" -le 10000 ]; then
    log "$accounts accounts: tierline append --batch-size $batch ($runs runs)"
    note_load "$accounts append process"
    hyperfine --runs "$runs" --export-json "$out/append-process.json" \
      --prepare "rm -rf '$ledger' && '$tierline' --store '$ledger' init" \
      "'$tierline' --store '$ledger' append --batch-size $batch '$events'" >/dev/null

    log "$accounts accounts: in-process append ($runs runs)"
    note_load "$accounts append in-process"
    for run in $(seq "$runs"); do
      rm -rf "$ledger"
      "$tierline_bench" ingest --events "$events" --store "$ledger" --batch-size "$batch" \
        >>"$out/ingest.jsonl"
    done

    log "$accounts accounts: reading and decoding the input alone"
    note_load "$accounts decode"
    "$tierline_bench" decode --events "$events" --repeat 3 >"$out/decode.jsonl"
  else
    # Appending 11 million events in batches of 1,000 takes longer than one sitting on
    # two shared cores, so the large ledger is bulk-loaded and its load time reported
    # as such.
    # A ledger loaded by an earlier run is reused when its marker names the same event
    # count and storage format; the marker's directory keeps the load's timing.
    marker="$count events in $storage_format, runs merged at the end of the append"
    if [ "$(cat "$ledger.loaded" 2>/dev/null)" != "$marker" ]; then
      log "$accounts accounts: bulk load with --batch-size 100000"
      note_load "$accounts bulk load"
      rm -rf "$ledger" "$ledger.loaded"
      cut -d' ' -f1-3 /proc/loadavg >"$ledger.load.avg"
      "$tierline" --store "$ledger" init >/dev/null
      /usr/bin/time -v -o "$ledger.load.time" \
        "$tierline" --store "$ledger" append --batch-size 100000 "$events" >/dev/null
      echo "$marker" >"$ledger.loaded"
    fi
    cp "$ledger.load.time" "$out/bulk-load.time"
    printf '%s\t%s\n' "$accounts bulk load (started $(date -u -r "$ledger.load.avg" +%FT%TZ))" \
      "$(cat "$ledger.load.avg")" >>"$results/load.txt"
  fi
  # The same events appended with --no-merge keep the index runs their batches left, as
  # a ledger grown by many small appends does. Such a ledger is reused like the large one.
  unmerged="$work/unmerged-$accounts.ledger"
  unmerged_batch=$batch
  [ "$accounts" -gt 10000 ] && unmerged_batch=100000
  marker="$count events in $storage_format with --no-merge --batch-size $unmerged_batch"
  if [ "$(cat "$unmerged.loaded" 2>/dev/null)" != "$marker" ]; then
    log "$accounts accounts: append --no-merge --batch-size $unmerged_batch"
    rm -rf "$unmerged" "$unmerged.loaded"
    "$tierline" --store "$unmerged" init >/dev/null
    /usr/bin/time -v -o "$unmerged.load.time" \
      "$tierline" --store "$unmerged" append --no-merge --batch-size "$unmerged_batch" \
      "$events" >/dev/null
    echo "$marker" >"$unmerged.loaded"
  fi
  if [ -f "$unmerged.load.time" ]; then cp "$unmerged.load.time" "$out/unmerged-load.time"; fi

  repeats=5
  [ "$accounts" -gt 10000 ] && repeats=3

  log "$accounts accounts: log scan and record size"
  note_load "$accounts scan"
  "$tierline_bench" scan --store "$ledger" --repeat 3 >"$out/scan.json"
  du -B1 "$ledger/data.mdb" | cut -f1 >"$out/disk-bytes.txt"
  record_bytes=$(python3 -c "import json,sys; \
print(round(json.load(open(sys.argv[1]))['mean_record_bytes']))" "$out/scan.json")

  log "$accounts accounts: raw LMDB, $count records of $record_bytes bytes"
  note_load "$accounts lmdb limit"
  rm -rf "$work/limit" && mkdir -p "$work/limit"
  "$work/lmdb_limit" "$work/limit" "$count" "$record_bytes" "$batch" 5 >"$out/limit.jsonl"
  rm -rf "$work/limit"

  # The raw append again, with records sized so that it writes about as many bytes per
  # event as Tierline's in-process append did: what LMDB alone reaches when each commit
  # carries that much. LMDB writes whole pages, so match_written.py tries sizes.
  written=$(python3 -c "import json,statistics,sys; \
values = [json.loads(l).get('written_bytes_per_event') for l in open(sys.argv[1])]; \
values = [v for v in values if isinstance(v, (int, float)) and v > 0]; \
print(round(statistics.median(values)) if values else -1)" "$out/ingest.jsonl" 2>/dev/null \
  || echo -1)
  if [ "$written" -le 0 ] && [ -s "$out/ingest.jsonl" ]; then
    log "$accounts accounts: the ingest measured no bytes written; left out the raw" \
      "append at that volume"
  fi
  if [ "$written" -gt 0 ]; then
    # Without a size near Tierline's bytes, the step is left out and the page lacks its rows.
    if ! sized_bytes=$(python3 "$bench/match_written.py" "$work/lmdb_limit" "$work" \
      "$written" "$batch"); then
      log "$accounts accounts: match_written.py failed (above); left out the raw append" \
        "sized to $written bytes per event"
      sized_bytes=""
    fi
    if [ -n "$sized_bytes" ]; then
      log "$accounts accounts: raw LMDB append of $sized_bytes-byte records (3 runs)"
      note_load "$accounts lmdb limit, Tierline's bytes"
      for run in 1 2 3; do
        rm -rf "$work/limit" && mkdir -p "$work/limit"
        "$work/lmdb_limit" "$work/limit" "$count" "$sized_bytes" "$batch" 0 \
          >>"$out/limit-written.jsonl"
      done
      rm -rf "$work/limit"
    fi
  fi

  # The same events written by C under five account-index layouts. They are none, the
  # 16-byte entries of storage format 1 (dupsort) and the entries with a record copy of
  # format 2 (dupcopy). Then both indexes as merged sorted runs, one entry per key (runs)
  # or packed into blocks (packed). index_layouts accepts records of at most 495 bytes.
  if [ "$accounts" -le 10000 ] && [ "$record_bytes" -le 495 ]; then
    log "$accounts accounts: C index layouts none, dupsort, dupcopy, runs and packed, then" \
      "none and dupcopy with time-ordered ids, $record_bytes-byte records"
    note_load "$accounts index layouts"
    for layout in none dupsort dupcopy runs packed; do
      rm -rf "$work/layouts"
      "$work/index_layouts" "$layout" "$events" "$work/layouts" "$record_bytes" \
        >>"$out/layouts.jsonl"
      rm -rf "$work/layouts"
    done
    # The same two layouts with event ids that sort by time, as UUIDv7 ids do: what the
    # event-id index costs when its inserts land at its end, and what the account index
    # still costs then.
    for layout in none dupcopy; do
      rm -rf "$work/layouts"
      "$work/index_layouts" --time-ordered-ids "$layout" "$events" "$work/layouts" \
        "$record_bytes" >>"$out/layouts.jsonl"
      rm -rf "$work/layouts"
    done
  elif [ "$accounts" -le 10000 ]; then
    log "$accounts accounts: skipping the C index layouts, because $record_bytes-byte" \
      "records exceed the 495 bytes index_layouts accepts"
  fi

  # The kernel may have dropped parts of data.mdb from the page cache since the load
  # (this machine runs DAMON-based reclaim), so the file is read once before timing and
  # every step below measures a warm cache. The steps before wrote gigabytes, so `sync`
  # first lets their write-back finish outside the timed rebuilds.
  sync
  cat "$ledger/data.mdb" >/dev/null

  log "$accounts accounts: rebuild on 1 and 2 threads"
  note_load "$accounts rebuild"
  # One process alternates the thread counts from one repetition to the next, so a slow
  # spell of the shared machine falls on both counts instead of on one of them.
  "$tierline_bench" rebuild --store "$ledger" --threads 1,2 --repeat "$repeats" \
    >"$out/rebuild.jsonl"
  /usr/bin/time -v -o "$out/rebuild-rss.time" \
    "$tierline_bench" rebuild --store "$ledger" --threads 1 --repeat 1 >/dev/null
  /usr/bin/time -v -o "$out/replay-rss.time" \
    "$tierline" --store "$ledger" replay --json >/dev/null

  log "$accounts accounts: point queries"
  note_load "$accounts query"
  cat "$ledger/data.mdb" >/dev/null
  # By hand, the first pass of queries over a large copy ran up to twice as slow as the
  # next ones, although `cat` had read the file. So one unrecorded pass of the same
  # seeded queries reads their pages through the map before the recorded one.
  "$tierline_bench" query --store "$ledger" --samples 2000 >/dev/null
  "$tierline_bench" query --store "$ledger" --samples 2000 >"$out/query.json"
  account=$(printf 'acct-%06d' $((accounts / 3)))
  hyperfine --warmup 3 --runs 30 --export-json "$out/query-process.json" \
    "'$tierline' --store '$ledger' replay --account $account --json" >/dev/null

  # The same queries on the ledger appended with --no-merge, and after `tierline compact`
  # merges its index runs into one, on a copy, so that the next run still finds the
  # ledger as the appends left it.
  log "$accounts accounts: point queries with the runs of --no-merge"
  note_load "$accounts query unmerged"
  cat "$unmerged/data.mdb" >/dev/null
  "$tierline_bench" query --store "$unmerged" --samples 2000 >/dev/null
  "$tierline_bench" query --store "$unmerged" --samples 2000 >"$out/query-unmerged.json"
  log "$accounts accounts: compact a copy of that ledger, then point queries on it"
  note_load "$accounts compact"
  # The copy stays until the alternating rounds at the end have queried it.
  compacted="$work/compacted-$accounts.ledger"
  rm -rf "$compacted" && mkdir -p "$compacted"
  cp "$unmerged/data.mdb" "$compacted/data.mdb"
  du -B1 "$unmerged/data.mdb" | cut -f1 >"$out/unmerged-disk-bytes.txt"
  # The copy's dirty pages are written out first, so that their write-back does not
  # overlap the merge or the queries.
  sync
  /usr/bin/time -v -o "$out/compact.time" \
    "$tierline" --store "$compacted" compact --json >"$out/compact.json"
  du -B1 "$compacted/data.mdb" | cut -f1 >"$out/compact-disk-bytes.txt"
  cat "$compacted/data.mdb" >/dev/null
  "$tierline_bench" query --store "$compacted" --samples 2000 >/dev/null
  "$tierline_bench" query --store "$compacted" --samples 2000 >"$out/query-compacted.json"

  if command -v perf >/dev/null; then
    log "$accounts accounts: profile of one rebuild"
    perf record -q -o "$work/perf.data" \
      "$tierline_bench" rebuild --store "$ledger" --threads 1 --repeat 1 >/dev/null 2>&1 || true
    perf report -i "$work/perf.data" --no-children --sort dso --stdio 2>/dev/null \
      | grep -E '^ +[0-9]' | head -8 >"$out/profile-dso.txt" || true
    perf report -i "$work/perf.data" --no-children --sort dso,sym --stdio 2>/dev/null \
      | grep -E '^ +[0-9]' | head -15 >"$out/profile-symbols.txt" || true
  fi

  if [ "$accounts" -le 10000 ]; then
    log "$accounts accounts: plain SQLite peer"
    note_load "$accounts sqlite"
    rm -f "$work/sqlite.db" "$work/sqlite.db-wal" "$work/sqlite.db-shm"
    "$work/sqlite_peer" "$work/sqlite.db" "$tsv" "$batch" 3 >"$out/sqlite.jsonl"
    rm -f "$work/sqlite.db" "$work/sqlite.db-wal" "$work/sqlite.db-shm"

    if [ "$python_peer" = 1 ]; then
      log "$accounts accounts: eventsourcing peer"
      note_load "$accounts eventsourcing"
      rm -f "$work/eventsourcing.db"*
      "$work/venv/bin/python" -W ignore "$bench/eventsourcing_peer.py" \
        "$work/eventsourcing.db" "$tsv" "$batch" >"$out/eventsourcing.jsonl"
      rm -f "$work/eventsourcing.db"*
    fi
  fi
done

# The point queries of the sizes again, in alternating rounds, so that the cost per
# event of each size is measured close in time to the other's. A slow spell of the
# shared machine during one size's steps then shows in one round, not in the ratio.
if [ ${#sizes[@]} -gt 1 ]; then
  log "point queries of every size in 3 alternating rounds"
  # Later steps may have pushed a ledger's pages out of the cache, so one unrecorded
  # pass per size reads them again first.
  for accounts in "${sizes[@]}"; do
    for kind in ledger unmerged compacted; do
      "$tierline_bench" query --store "$work/$kind-$accounts.ledger" --samples 2000 >/dev/null
    done
  done
  for round in 1 2 3; do
    for accounts in "${sizes[@]}"; do
      note_load "$accounts query round $round"
      "$tierline_bench" query --store "$work/ledger-$accounts.ledger" --samples 2000 \
        >>"$results/$accounts/query-rounds.jsonl"
      "$tierline_bench" query --store "$work/unmerged-$accounts.ledger" --samples 2000 \
        >>"$results/$accounts/query-unmerged-rounds.jsonl"
      "$tierline_bench" query --store "$work/compacted-$accounts.ledger" --samples 2000 \
        >>"$results/$accounts/query-compacted-rounds.jsonl"
    done
  done

  # The one-thread rebuilds likewise, for the cost per event across sizes.
  log "one-thread rebuilds of every size in 3 alternating rounds"
  for round in 1 2 3; do
    for accounts in "${sizes[@]}"; do
      note_load "$accounts rebuild round $round"
      "$tierline_bench" rebuild --store "$work/ledger-$accounts.ledger" --threads 1 --repeat 3 \
        >>"$results/$accounts/rebuild-rounds.jsonl"
    done
  done
fi

for accounts in "${sizes[@]}"; do rm -rf "$work/compacted-$accounts.ledger"; done

# A quick run only tries the harness, so it leaves the recorded page alone.
page="$root/docs/benchmarks.md"
[ "$quick" = 1 ] && page="$work/benchmarks-quick.md"
log "writing $page"
python3 "$bench/summarize.py" "$results" "$page" "$@"
