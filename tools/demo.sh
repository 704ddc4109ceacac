#!/usr/bin/env bash
# Builds Tierline, fills a ledger with a generated sample portfolio and prints what it
# computes. The ledger goes to $1 (default: a new temporary directory).
set -euo pipefail
# An exported CDPATH would turn the script's own `cd` into a search that prints where it
# went.
unset CDPATH
# A relative ledger path names a place in the caller's directory, so it is made absolute
# before the script moves to the repository root. The script never changes into it,
# because CDPATH or a name such as "-" would send `cd` elsewhere.
if [ $# -gt 0 ]; then
  if [ -z "$1" ]; then
    echo "usage: bash tools/demo.sh [PATH]: PATH must not be empty" >&2
    exit 64
  fi
  # `realpath -ms` makes the path absolute and drops `.` and `..` by their names alone,
  # without following symbolic links or needing the path to exist.
  store=$(realpath -ms -- "$1")
  while [ "$store" != "/" ] && [ "${store%/}" != "$store" ]; do store="${store%/}"; done
  if [ -e "$store" ] && { [ ! -d "$store" ] || [ -n "$(ls -A "$store")" ]; }; then
    # `tierline init` would reject it after the build, so the check comes first.
    echo "error: $store exists and is not an empty directory; name a new or empty one" >&2
    exit 64
  fi
  if [ -d "$store" ]; then
    # An existing empty directory: only the ledger's two files go when done.
    remove=""
  else
    # `tierline init` creates every missing directory of the path, so the topmost of
    # them is the one to remove.
    remove="$store"
    parent="${store%/*}"
    while [ -n "$parent" ] && [ ! -e "$parent" ]; do
      remove="$parent"
      parent="${parent%/*}"
    done
  fi
fi
cd "$(dirname "$0")/.."
# A toolchain unpacked under /opt/swift works even when a login profile did not add it.
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
# The README runs tools/setup.sh first; running it again here costs a check of two
# packages and lets this script work alone.
bash tools/setup.sh
# The build's progress goes to standard error, so standard output holds only the demo.
swift build -c release --static-swift-stdlib --product tierline >&2
tierline=".build/release/tierline"
if [ $# -eq 0 ]; then
  remove="$(mktemp -d)"
  store="$remove/demo.ledger"
fi

# Prints each command before its output, on standard output, so the two stay in order.
show() {
  echo
  echo "\$ $*"
}

show tierline init
"$tierline" --store "$store" init
show "tierline generate --accounts 200 --seed 1 | tierline append -"
"$tierline" generate --accounts 200 --seed 1 | "$tierline" --store "$store" append -
show "tierline replay --as-of 2025-06-30   (the first 25 lines; accounts that land later are left out)"
"$tierline" --store "$store" replay --as-of 2025-06-30 | head -n 25
show tierline why acct-000001 --at 2025-06-30
"$tierline" --store "$store" why acct-000001 --at 2025-06-30
show "tierline due --on 2024-06-01   (the first 20 lines)"
"$tierline" --store "$store" due --on 2024-06-01 | head -n 20
echo
# Each path is in single quotes, which every POSIX shell reads the same way, so the line
# can be copied even when a path contains spaces. The quoting is a parameter expansion,
# since a command substitution would drop a path's trailing line breaks.
quoted() {
  local text="${1//\'/\'\\\'\'}"
  printf "'%s'" "$text"
}
if [ -n "$remove" ]; then
  cleanup="remove $(quoted "$remove") when done"
else
  cleanup="remove $(quoted "$store/data.mdb") and $(quoted "$store/lock.mdb") when done"
fi
echo "The demo ledger is $(quoted "$store"); try more commands with --store $(quoted "$store"), and $cleanup."
