#!/usr/bin/env bash
# Builds the libFuzzer targets with swiftc and runs each for a bounded time.
#
# Usage: tools/fuzz/run.sh [SECONDS_PER_TARGET]   (default 60)
#
# The event and playbook modules are compiled from ../../Sources with coverage for the
# fuzzer and AddressSanitizer. Crashing inputs are written to tools/fuzz/build/crashes;
# the corpus of each target grows in tools/fuzz/build/corpus/TARGET. Exits non-zero
# when a target finds a crash.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
root="$(cd ../.. && pwd)"
build="build"
mkdir -p "$build/crashes"

sanitize=(-sanitize=fuzzer,address -parse-as-library -O -g)
echo "building TierlineEvents and TierlinePlaybook with fuzzer coverage" >&2
swiftc "${sanitize[@]}" -module-name TierlineEvents -emit-module -emit-library -static \
  -emit-module-path "$build/TierlineEvents.swiftmodule" \
  -o "$build/libTierlineEvents.a" "$root"/Sources/TierlineEvents/*.swift
swiftc "${sanitize[@]}" -module-name TierlinePlaybook -emit-module -emit-library -static \
  -I "$build" -emit-module-path "$build/TierlinePlaybook.swiftmodule" \
  -o "$build/libTierlinePlaybook.a" "$root"/Sources/TierlinePlaybook/*.swift

status=0
for target in EventJSON EventRecord Playbook; do
  echo "building $target" >&2
  # ld.gold prints one warning per ASan helper symbol; keep them out of the way.
  if ! swiftc -sanitize=fuzzer,address -parse-as-library -O -g -I "$build" -L "$build" \
    "$target"Target.swift -lTierlinePlaybook -lTierlineEvents -o "$build/$target" \
    2> "$build/$target.link.log"; then
    cat "$build/$target.link.log" >&2
    exit 1
  fi
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  if [ -d "seeds/$target" ]; then cp -n seeds/"$target"/* "$corpus"/ 2>/dev/null || true; fi
  echo "running $target for $seconds s" >&2
  if ! "$build/$target" -max_total_time="$seconds" -max_len=4096 \
    -artifact_prefix="$build/crashes/$target-" "$corpus" 2> "$build/$target.log"; then
    echo "$target: crash found; see $build/$target.log and $build/crashes" >&2
    status=1
  fi
  grep -E '^(#[0-9]+|Done|stat::)' "$build/$target.log" | tail -2 >&2 || true
done
exit "$status"
