#!/bin/sh
# Downloads the CDNOW master file, which ships inside the lifetimes 0.11.3 wheel
# on PyPI, into tools/cdnow/work/. The file is one header line followed by
# 69,659 purchase rows; the script stops with an error when the row count differs.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
work="$here/work"
target="$work/CDNOW_master.txt"
expected_rows=69659

mkdir -p "$work"

if [ ! -f "$target" ]; then
  pip download --no-deps --dest "$work" lifetimes==0.11.3
  wheel=$(ls "$work"/[Ll]ifetimes-0.11.3-*.whl)
  unzip -o -j -d "$work" "$wheel" lifetimes/datasets/CDNOW_master.txt
fi

# Every line, the last included, ends in CRLF, so wc -l counts them all.
lines=$(wc -l < "$target" | tr -d ' ')
rows=$((lines - 1))
if [ "$rows" -ne "$expected_rows" ]; then
  echo "error: $target has $rows purchase rows, expected $expected_rows:" \
    "delete tools/cdnow/work/ and run fetch.sh again" >&2
  exit 1
fi
echo "CDNOW_master.txt: 1 header line and $rows purchase rows" >&2
