#!/usr/bin/env bash
# Installs what Tierline needs to build on a Debian machine that already has Swift 6:
# LMDB's headers and library (liblmdb-dev) and pkg-config, which finds them.
set -euo pipefail

missing=()
dpkg -s liblmdb-dev >/dev/null 2>&1 || missing+=(liblmdb-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null 2>&1 || [ -x /opt/swift/usr/bin/swift ] || {
  echo "error: swift not found: install a Swift 6 toolchain and put it on PATH" >&2
  exit 1
}
