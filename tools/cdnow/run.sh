#!/bin/sh
# Downloads the CDNOW data when needed, converts it to tools/cdnow/work/cdnow.ndjson
# and prints the counts: events by type, accounts, rejected rows and how often the
# playbook's usage trigger is reached.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
work="$here/work"

"$here/fetch.sh"
python3 "$here/convert.py" "$work/CDNOW_master.txt" --rejects "$work/rejects.tsv" \
  > "$work/cdnow.ndjson" 2> "$work/summary.json"
cat "$work/summary.json"
echo "rejected rows listed in $work/rejects.tsv"
python3 "$here/thresholds.py" "$work/cdnow.ndjson" "$here/playbook.json"
