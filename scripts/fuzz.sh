#!/usr/bin/env bash
# Builds the libFuzzer configuration (build-fuzz/: clang, the whole tree instrumented with
# -fsanitize=fuzzer-no-link,address,undefined, WARD_FUZZ=ON) and runs each fuzz target of
# tests/fuzz for a fixed time over its corpus (docs/design/testing.md, "Fuzzing").
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS  per target (default 60); TARGET: json_schema, document, ... (default: all)
# Each run has -rss_limit_mb (WARD_FUZZ_RSS_MB, default 2048) and a per-input -timeout
# (WARD_FUZZ_TIMEOUT_S, default 25). New coverage goes to a scratch corpus (build-fuzz/corpus/),
# never into the repository. On a crash, leak, timeout or OOM the input is copied into
# tests/fuzz/corpus/<target>/ (where fuzz_replay_<target> replays it in every build) and the script
# exits 1 after running the remaining targets.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-60}"
shift || true
BUILD_DIR="${WARD_FUZZ_BUILD_DIR:-build-fuzz}"
RSS_MB="${WARD_FUZZ_RSS_MB:-2048}"
TIMEOUT_S="${WARD_FUZZ_TIMEOUT_S:-25}"
if [ "$#" -gt 0 ]; then
  TARGETS=("$@")
else
  TARGETS=()
  for f in tests/fuzz/*_fuzz.cc; do
    n="$(basename "$f" _fuzz.cc)"
    TARGETS+=("$n")
  done
fi

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_BASEDIR="$PWD"
export CCACHE_NOHASHDIR=1
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  # Clang's warnings are the tidy gate's business; this build must not stop on them.
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DWARD_FUZZ=ON -DWARD_WERROR=OFF \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
    >/dev/null
fi
BINARIES=()
for t in "${TARGETS[@]}"; do BINARIES+=("${t}_fuzz"); done
ninja -C "$BUILD_DIR" -j"$(nproc)" "${BINARIES[@]}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
for t in "${TARGETS[@]}"; do
  seeds="tests/fuzz/corpus/$t"
  scratch="$BUILD_DIR/corpus/$t"
  artifacts="$BUILD_DIR/artifacts/$t"
  mkdir -p "$scratch" "$artifacts"
  echo "== fuzz $t for ${SECS}s"
  rc=0
  # libFuzzer's -timeout handler can deadlock when the alarm lands inside ASan's allocator (seen
  # here on a yaml-cpp hang): an outer kill bounds the run, and the unit it was working on is
  # taken from the hex dump the handler printed.
  timeout -s KILL $((SECS + 2 * TIMEOUT_S + 120)) \
    "$BUILD_DIR/tests/fuzz/${t}_fuzz" "$scratch" "$seeds" -max_total_time="$SECS" \
    -rss_limit_mb="$RSS_MB" -timeout="$TIMEOUT_S" -artifact_prefix="$artifacts/" \
    -print_final_stats=1 >"$artifacts/log.txt" 2>&1 || rc=$?
  tail -n 15 "$artifacts/log.txt"
  if [ "$rc" -eq 137 ] && grep -q '^ALARM: working on the last Unit' "$artifacts/log.txt"; then
    hex="$(grep -A3 '^ALARM: working on the last Unit' "$artifacts/log.txt" | grep -m1 '^0x' || true)"
    if [ -n "$hex" ]; then
      python3 -c 'import sys; sys.stdout.buffer.write(bytes(int(x, 16) for x in sys.argv[1].strip(",").split(",")))' \
        "$hex" >"$artifacts/timeout-killed-$(date +%s)"
    fi
  fi
  if [ "$rc" -ne 0 ]; then
    for a in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-* \
             "$artifacts"/slow-unit-*; do
      [ -f "$a" ] || continue
      cp "$a" "$seeds/"
      echo "fuzz: $t: $(basename "$a") copied to $seeds/ (log: $artifacts/log.txt)" >&2
    done
    failed+=("$t")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#TARGETS[@]} targets, ${SECS}s each, no crash"
