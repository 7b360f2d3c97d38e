#!/usr/bin/env bash
# Builds Ward, loads the example company (people, groups, documents with ACLs) into ./ward-data,
# shows the same searches as different users, then serves the REST API.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build
WARD="./build/ward"
export WARD_DATA="${WARD_DATA:-./ward-data}"
bash scripts/load-examples.sh "$WARD" examples/company

show() {
  echo
  echo "=== ward search \"$1\" --as $2"
  "$WARD" search "$1" --as "$2" --k 3
}
show "termination notice" dave
show "termination notice" bob
show "INV-2024-0042" carol
show "INV-2024-0042" alice
show "ERR_TIMEOUT" erin
echo
"$WARD" status
echo
echo "An admin API key (keep it): $("$WARD" key create admin)"
exec "$WARD" serve
