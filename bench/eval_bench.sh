#!/usr/bin/env bash
# The eval runner's throughput target (issue 14: a 500-case deterministic suite against the
# extractive default in under 60 s): loads the example company into a scratch data dir, writes a
# suite of N cases by cycling the golden suite's cases (examples/evals/cases, every kind) under
# new ids, and times `ward eval run` on it. Prints the wall time and the report's own took_ms.
# Usage: bench/eval_bench.sh [WARD_BIN (default build/ward)] [N (default 500)]
set -euo pipefail
cd "$(dirname "$0")/.."
WARD="$(realpath "${1:-build/ward}")"
N="${2:-500}"
TMP="$(mktemp -d /tmp/ward-eval-bench-XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
export WARD_DATA="$TMP/data"
bash scripts/load-examples.sh "$WARD" examples/company >/dev/null
python3 - "$N" "$TMP" <<'PY'
import json, os, sys, glob
n, tmp = int(sys.argv[1]), sys.argv[2]
golden = []
for path in sorted(glob.glob("examples/evals/cases/*.jsonl")):
    golden += [json.loads(l) for l in open(path) if l.strip()]
with open(os.path.join(tmp, "cases.jsonl"), "w") as f:
    for i in range(n):
        case = dict(golden[i % len(golden)])
        case["id"] = f"{case['id']}-{i}"
        f.write(json.dumps(case) + "\n")
with open(os.path.join(tmp, "suite.toml"), "w") as f:
    f.write('name = "eval-bench"\ncases = ["cases.jsonl"]\n')
PY
START=$(date +%s.%N)
"$WARD" eval run "$TMP/suite.toml" --quiet --json "$TMP/report.json" >/dev/null
END=$(date +%s.%N)
python3 - "$TMP/report.json" "$START" "$END" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
s = r["summary"]
print(f"{s['cases']} cases ({s['passed']} passed, kinds {sorted(r['kinds'])}): "
      f"wall {wall:.1f} s, runner {r['took_ms'] / 1000:.1f} s, "
      f"{s['cases'] / wall:.0f} cases/s")
PY
