#!/usr/bin/env bash
# Runs an SDK-driven test script (default sdk_clients_test.mjs) with the pinned Node 22 from
# tests/mcp/node_modules.
# Usage: tests/mcp/run_sdk_clients.sh WARD_BIN [SCRIPT]   (77 = skipped: npm packages not installed)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
NODE="$HERE/node_modules/.bin/node"
if [ ! -x "$NODE" ] || [ ! -d "$HERE/node_modules/@modelcontextprotocol/client" ]; then
  echo "skipped: tests/mcp/node_modules is missing (scripts/test.sh runs npm ci there)"
  exit 77
fi
cd "$HERE"
WARD_BIN="$1" WARD_REPO="$(cd "$HERE/../.." && pwd)" exec "$NODE" "${2:-sdk_clients_test.mjs}"
