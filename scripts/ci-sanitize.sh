#!/usr/bin/env bash
# The sanitizer and fuzzing gates for CI (docs/design/testing.md, "In CI"), run by .ci/run when
# WARD_CI_SANITIZE is set:
#   WARD_CI_SANITIZE=1                  every gate: asan, tsan, fuzz
#   WARD_CI_SANITIZE=asan,fuzz          the gates listed (asan, tsan, fuzz)
#   WARD_CI_FUZZ_SECONDS (default 30)   libFuzzer time per target
# asan: scripts/test.sh --sanitize (build-asan/); tsan: scripts/test.sh --tsan (build-tsan/);
# fuzz: scripts/fuzz.sh (build-fuzz/). Each keeps its own build folder, so ccache keeps each warm.
set -euo pipefail
cd "$(dirname "$0")/.."
GATES="${WARD_CI_SANITIZE:-1}"
[ "$GATES" = "1" ] && GATES="asan,tsan,fuzz"
IFS=',' read -r -a list <<<"$GATES"
for gate in "${list[@]}"; do
  start=$(date +%s)
  case "$gate" in
    asan) ./scripts/test.sh --sanitize ;;
    tsan) ./scripts/test.sh --tsan ;;
    fuzz) nice -n 10 ./scripts/fuzz.sh "${WARD_CI_FUZZ_SECONDS:-30}" ;;
    *) echo "ci-sanitize: unknown gate '$gate' (known: asan, tsan, fuzz)" >&2; exit 2 ;;
  esac
  echo "ci-sanitize: $gate passed in $(( $(date +%s) - start ))s"
done
