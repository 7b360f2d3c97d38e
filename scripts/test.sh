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
# The MCP tests' npm packages (tests/mcp/package-lock.json, pinned): installed only when missing
# or older than the lock file, so an offline run with them present is fine; without them the MCP
# client and conformance tests report "skipped".
if [ ! -d tests/mcp/node_modules ] || [ tests/mcp/package-lock.json -nt tests/mcp/node_modules ]; then
  if command -v npm >/dev/null; then
    (cd tests/mcp && npm ci --no-audit --no-fund) || echo "warning: npm ci in tests/mcp failed"
  else
    echo "warning: npm not found; the MCP client and conformance tests will be skipped"
  fi
fi
cd "$BUILD_DIR"
ctest --output-on-failure -j2 --timeout 600
