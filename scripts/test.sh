#!/usr/bin/env bash
# Installs dependencies, builds Ward and its tests, and runs every test: the GoogleTest suites
# through CTest, which also runs the integration tests against the real `ward` binary.
# Usage: scripts/test.sh [--sanitize | --tsan]
#   --sanitize: ASan+UBSan build in build-asan/; --tsan: ThreadSanitizer build in build-tsan/
#   (unit and integration suites: the integration tests drive that build's `ward`), with
#   tests/tsan.supp, which names third-party code only (docs/design/testing.md).
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
elif [ "${1:-}" = "--tsan" ]; then
  BUILD_DIR=build-tsan
  EXTRA=(-DWARD_TSAN=ON)
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:history_size=4:suppressions=$PWD/tests/tsan.supp"
fi
bash scripts/build.sh "$BUILD_DIR" "${EXTRA[@]}"
# The engineering gates (clang-tidy with thread-safety; docs/design/engineering.md), when
# WARD_GATES=1: not on by default until a whole-tree tidy run has come back clean (that page,
# "In CI"). The sanitizer build skips them: its TUs are the same code.
if [ "$BUILD_DIR" = build ] && [ "${WARD_GATES:-0}" = 1 ]; then
  bash scripts/gates.sh "$BUILD_DIR"
fi
# npm packages for the tests that drive Ward with real MCP software (tests/mcp: the official SDK
# clients and conformance suite; tests/upstream: reference servers; tests/models: the openai
# client; tests/docs: the OpenAPI linter; tests/eval: a JUnit consumer; bench/proxy_bench: the
# Portkey gateway the proxy bench measures beside Ward; bench/mcp_peers: supergateway and mcp-proxy),
# pinned by each folder's
# package-lock.json. `npm ci`
# runs only when the lock file changed since the last install, so a run with them present works
# offline; without them those tests report "skipped".
npm_ci() {
  local dir="$1" sum
  sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$dir/node_modules/.ward-lock-sha256" 2>/dev/null)" != "$sum" ]; then
    if (cd "$dir" && npm ci --no-audit --no-fund); then
      echo "$sum" > "$dir/node_modules/.ward-lock-sha256"
    else
      echo "warning: npm ci in $dir failed; its tests will be skipped" >&2
    fi
  fi
}
if command -v npm >/dev/null; then
  npm_ci tests/mcp
  npm_ci tests/upstream
  npm_ci tests/models
  npm_ci tests/docs
  npm_ci tests/eval
  npm_ci bench/proxy_bench
  npm_ci bench/mcp_peers
else
  echo "warning: npm not found; the MCP client, conformance and upstream tests will be skipped" >&2
fi
cd "$BUILD_DIR"
ctest --output-on-failure -j2 --timeout 600
