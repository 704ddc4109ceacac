#!/bin/sh
# Times `metrics`, `missed`, `report` and `rules diff` over the CDNOW ledger with
# hyperfine, prints the figures of `metrics --json` and a Markdown table of medians.
# Needs tools/cdnow/run.sh to have produced the events and a release build
# (swift build -c release --static-swift-stdlib --product tierline).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tierline="$root/.build/release/tierline"
events="$here/work/cdnow.ndjson"
playbook="$here/playbook.json"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
runs="${RUNS:-5}"
as_of=1998-06-30

[ -x "$tierline" ] || { echo "error: build first: swift build -c release --static-swift-stdlib --product tierline" >&2; exit 1; }
[ -f "$events" ] || { echo "error: convert first: bash tools/cdnow/run.sh" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "error: install hyperfine: apt-get install -y hyperfine" >&2; exit 1; }

store="$scratch/query.ledger"
"$tierline" --store "$store" init --playbook "$playbook" >/dev/null
"$tierline" --store "$store" append "$events" >/dev/null

# The candidate for `rules diff` lowers the usage threshold from 0.80 to 0.50.
candidate="$scratch/candidate.json"
sed 's/"threshold": "0.80"/"threshold": "0.50"/' "$playbook" >"$candidate"
cmp -s "$playbook" "$candidate" && { echo "error: the candidate equals the playbook" >&2; exit 1; }

"$tierline" --store "$store" metrics --as-of "$as_of" --known-at 2100-01-01 --json
"$tierline" --store "$store" rules diff "$candidate" --as-of "$as_of" --json |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({k: d[k] for k in ("accounts", "accounts_changed", "trigger_firings")}))'

hyperfine -N --warmup 1 --runs "$runs" --export-json "$scratch/metrics.json" \
  -n "metrics --json, as of $as_of" "$tierline --store $store metrics --json --as-of $as_of" \
  -n "missed --json, as of $as_of" "$tierline --store $store missed --json --as-of $as_of" \
  -n "report --html, as of $as_of" \
  "$tierline --store $store report --html $scratch/report.html --as-of $as_of" \
  -n "rules diff (usage threshold 0.50), as of $as_of" \
  "$tierline --store $store rules diff $candidate --json --as-of $as_of" >&2

python3 "$root/tools/hyperfine-medians.py" "$scratch/metrics.json"
