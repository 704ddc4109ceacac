#!/usr/bin/env bash
# Builds Tierline, fills a ledger with a generated sample portfolio and prints what it
# computes. The ledger goes to $1 (default: a new temporary directory).
set -euo pipefail
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
if [ $# -gt 0 ]; then
  store="$1"
  remove="$store"
else
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
echo "The demo ledger is $store; try more commands with --store $store, and remove $remove when done."
