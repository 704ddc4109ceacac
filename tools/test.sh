#!/usr/bin/env bash
# Installs what is missing, then builds Tierline and runs every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# A toolchain unpacked under /opt/swift works even when a login profile did not add it.
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
bash tools/setup.sh
swift build --build-tests
swift test --skip-build
