#!/usr/bin/env bash
# Installs what is missing, then builds Tierline and runs every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
swift build --build-tests
swift test --skip-build
