#!/bin/sh
# Times the CDNOW import and the main queries over it with hyperfine and prints a
# Markdown table of medians. Needs tools/cdnow/run.sh to have produced the events and a
# release build (swift build -c release --static-swift-stdlib --product tierline).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tierline="$root/.build/release/tierline"
events="$here/work/cdnow.ndjson"
playbook="$here/playbook.json"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
runs="${RUNS:-5}"

[ -x "$tierline" ] || { echo "error: build first: swift build -c release --static-swift-stdlib --product tierline" >&2; exit 1; }
[ -f "$events" ] || { echo "error: convert first: bash tools/cdnow/run.sh" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "error: install hyperfine: apt-get install -y hyperfine" >&2; exit 1; }

store="$scratch/append.ledger"
hyperfine -N --runs "$runs" --export-json "$scratch/append.json" \
  --prepare "sh -c 'rm -rf $store; $tierline --store $store init --playbook $playbook'" \
  -n "append all events (one batch)" "$tierline --store $store append $events" >&2

store="$scratch/query.ledger"
"$tierline" --store "$store" init --playbook "$playbook" >/dev/null
"$tierline" --store "$store" append "$events" >/dev/null
hyperfine -N --warmup 1 --runs "$runs" --export-json "$scratch/query.json" \
  -n "replay --json, every account, as of 1998-06-30" \
  "$tierline --store $store replay --json --as-of 1998-06-30" \
  -n "why cdnow-00003 --at 1997-06-30" "$tierline --store $store why cdnow-00003 --at 1997-06-30" \
  -n "due --on 1997-06-01" "$tierline --store $store due --on 1997-06-01" \
  -n "verify --projections" "$tierline --store $store verify --projections" >&2

python3 "$root/tools/hyperfine-medians.py" "$scratch/append.json" "$scratch/query.json"
