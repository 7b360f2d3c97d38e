#!/usr/bin/env bash
# Installs dependencies, builds Ward and its tests, and runs every test: the GoogleTest suites
# through CTest, which also runs the integration tests against the real `ward` binary.
# Usage: scripts/test.sh [--sanitize]   (--sanitize: ASan+UBSan build in build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=build
EXTRA=()
if [ "${1:-}" = "--sanitize" ]; then
  BUILD_DIR=build-asan
  EXTRA=(-DWARD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
bash scripts/build.sh "$BUILD_DIR" "${EXTRA[@]}"
# Real MCP servers for tests/integration/upstream_test.py, pinned by package-lock.json;
# reinstalled only when the lock file changed.
if command -v npm > /dev/null; then
  LOCK_SUM=$(sha256sum tests/upstream/package-lock.json | cut -d' ' -f1)
  if [ "$(cat tests/upstream/node_modules/.ward-lock-sha256 2> /dev/null)" != "$LOCK_SUM" ]; then
    (cd tests/upstream && npm ci --no-audit --no-fund)
    echo "$LOCK_SUM" > tests/upstream/node_modules/.ward-lock-sha256
  fi
fi
cd "$BUILD_DIR"
ctest --output-on-failure -j2 --timeout 600
