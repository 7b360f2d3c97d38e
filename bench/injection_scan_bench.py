#!/usr/bin/env python3
"""Detection and false-positive rates of the ingest-time injection scanner, through the real
binary (docs/design/ingest.md, "Injection scanner").

Each corpus is ingested with `ward ingest --jsonl` (or a folder) into its own data folder; the
report's `flagged` over `created` is the rate, and `ward trace list --kind ingest.flagged` gives
the rules that fired.

- clean: SciFact's 5,183 abstracts (title + text) and the example company's documents
  (examples/company): every flag is a false positive;
- attacks: Tensor Trust's 776 hijacking and 570 extraction attacks (the `attack` text alone, as a
  document body): the share flagged is the detection rate;
- Tensor Trust's 115 `label=0` model outputs of extraction-detection (outputs that leak nothing;
  many still quote the attacker's prompt, so this is not a clean corpus: printed for reference).

No peer publishes a comparable figure for an ingest-time scanner on these sets.

Usage: python3 bench/injection_scan_bench.py --ward build/ward [--datasets ../shared/datasets]
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def run(ward, data, *args):
    p = subprocess.run([ward, "--data", data, *args], capture_output=True, text=True,
                       timeout=3600)
    if p.returncode != 0 and "ingest" not in args:
        sys.exit(f"ward {' '.join(args)} failed: {p.stderr}")
    return p


def rules_fired(ward, data):
    p = run(ward, data, "trace", "list", "--kind", "ingest.flagged", "--json", "--limit", "1000")
    counts = collections.Counter()
    for line in p.stdout.splitlines():
        if not line.strip():
            continue
        j = json.loads(line)
        events = j if isinstance(j, list) else j.get("events", [j])
        for e in events:
            for f in e.get("attributes", e).get("flags", []):
                counts[f.split(":", 1)[1]] += 1
    return counts


def measure(ward, tmp, name, ingest_args):
    data = os.path.join(tmp, name)
    run(ward, data, "init")
    t0 = time.monotonic()
    p = run(ward, data, "ingest", *ingest_args, "--json")
    secs = time.monotonic() - t0
    try:
        report = json.loads(p.stdout)
    except ValueError:
        sys.exit(f"{name}: no JSON report: {p.stderr}")
    docs = report["created"] + report["updated"]
    flagged = report["flagged"]
    fired = rules_fired(ward, data)
    rate = 100.0 * flagged / docs if docs else 0.0
    print(f"{name:28s} {docs:6d} docs  {flagged:5d} flagged  {rate:6.2f} %  "
          f"({secs:.1f} s ingest)  rules: {dict(fired.most_common())}")
    return docs, flagged


def write_jsonl(path, records):
    with open(path, "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ward", required=True)
    ap.add_argument("--datasets", default=os.path.join(REPO, "..", "shared", "datasets"))
    args = ap.parse_args()
    ward = os.path.abspath(args.ward)
    ds = os.path.abspath(args.datasets)
    tmp = tempfile.mkdtemp(prefix="ward-injbench-")
    try:
        print(f"load average: {os.getloadavg()[0]:.1f}")
        measure(ward, tmp, "scifact (clean)",
                ["--jsonl", os.path.join(ds, "scifact", "corpus.jsonl"), "--source", "scifact"])
        measure(ward, tmp, "example company (clean)",
                [os.path.join(REPO, "examples", "company"), "--source", "company"])
        tt = os.path.join(ds, "tensor-trust")
        for name, fname in (("tensor-trust hijacking", "hijacking-robustness.jsonl"),
                            ("tensor-trust extraction", "extraction-robustness.jsonl")):
            rows = [json.loads(l) for l in open(os.path.join(tt, fname)) if l.strip()]
            path = os.path.join(tmp, fname)
            write_jsonl(path, [{"id": f"a{i}", "text": r["attack"]}
                               for i, r in enumerate(rows) if r["attack"].strip()])
            measure(ward, tmp, name, ["--jsonl", path, "--source", "attacks"])
        rows = [json.loads(l) for l in open(os.path.join(tt, "extraction-detection.jsonl"))]
        path = os.path.join(tmp, "benign-outputs.jsonl")
        write_jsonl(path, [{"id": f"o{i}", "text": r["llm_output"]}
                           for i, r in enumerate(rows) if r["label"] == 0 and
                           r["llm_output"].strip()])
        measure(ward, tmp, "tensor-trust label=0 outputs", ["--jsonl", path, "--source", "outs"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
