#!/usr/bin/env bash
# Lints docs/api/openapi.yaml with the pinned @redocly/cli (recommended rules): any error fails.
# Exit 77 (CTest: skipped) when `npm ci` has not installed the linter (scripts/test.sh does).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
linter="$here/node_modules/.bin/redocly"
if [ ! -x "$linter" ]; then
  echo "skipped: $linter is missing (run npm ci in tests/docs)"
  exit 77
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
exec "$linter" lint --format=stylish "$here/../../docs/api/openapi.yaml"
