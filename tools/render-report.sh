#!/usr/bin/env bash
# Renders an HTML report to a PNG with headless Chromium (Debian package `chromium`).
#
#   tools/render-report.sh REPORT.html [OUT.png] [WIDTH] [HEIGHT]
#
# Installs chromium with apt-get when it is missing. The page loads nothing from the
# network; --no-sandbox is needed when running as root in a container.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 REPORT.html [OUT.png] [WIDTH] [HEIGHT]" >&2
  exit 64
fi
input=$1
output=${2:-${input%.html}.png}
width=${3:-1100}
height=${4:-3200}

if [ ! -f "$input" ]; then
  echo "error: report not found ($input): run tierline report --html FILE first" >&2
  exit 1
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium is missing: installing it with apt-get" >&2
  sudo_prefix=""
  if [ "$(id -u)" -ne 0 ]; then sudo_prefix="sudo"; fi
  $sudo_prefix apt-get update -qq
  $sudo_prefix apt-get install -y --no-install-recommends chromium
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$profile" --no-first-run --disable-background-networking \
  --window-size="$width,$height" --screenshot="$output" \
  "file://$(realpath "$input")" 2>/dev/null
echo "Wrote $output"
