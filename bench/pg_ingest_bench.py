#!/usr/bin/env python3
"""Ingest through PostgreSQL beside SQLite, the same corpus in the same run (issue 17's target:
>= 20 MB/s of text end to end through PostgreSQL).

Usage: python3 bench/pg_ingest_bench.py [--ward build/ward] [--docs 20000] [--rounds 2]
                                        [--fsync off,on] [--keep DIR]

Generates the synthetic corpus (`gen_corpus.py`, seed 1, 100 groups) once. Each round, in turn:
* SQLite: `ward init` and `ward ingest --jsonl FILE` into a fresh data dir (ward.db);
* PostgreSQL, once per `--fsync` setting: a throwaway cluster started as the tests start theirs
  (`tests/scripts/pg_cluster.sh`: initdb, Unix socket only, `fsync=off` unless
  `WARD_PG_FSYNC=on`; everything else PostgreSQL 15's defaults, so `synchronous_commit=on`),
  then `ward init` and `ward ingest --jsonl FILE` with `WARD_STORE_URL` naming it, into a fresh
  data dir; the cluster is removed afterwards.
The time is the `ward ingest` process, start to exit (open, parse, chunk, store, index, the final
index checkpoint); CPU is the ward process's (user+sys, not the PostgreSQL server's). MB/s is of
title + text. The load average (1 min) is printed beside every figure.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CLUSTER = os.path.join(REPO, "tests", "scripts", "pg_cluster.sh")


def ingest(ward_bin, corpus, data, env):
    subprocess.run([ward_bin, "--data", data, "init"], check=True, capture_output=True, env=env)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run([ward_bin, "--data", data, "ingest", "--jsonl", corpus],
                       capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"ward ingest failed: {p.stderr[-2000:]}")
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ward", default=os.environ.get("WARD_BIN", os.path.join(REPO, "build", "ward")))
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--fsync", default="off,on", help="PostgreSQL fsync settings to run, comma-separated")
    ap.add_argument("--keep", help="work directory to keep (default: a temporary one, removed)")
    args = ap.parse_args()
    ward = os.path.abspath(args.ward)
    work = args.keep or tempfile.mkdtemp(prefix="ward_pg_ingest_")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)  # the cluster's directory lives under it (its owner may be `postgres`)
    try:
        corpus = os.path.join(work, f"synthetic-{args.docs}.jsonl")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), "--docs",
                        str(args.docs), "--groups", "100", "--seed", "1", "--out", corpus],
                       check=True, stderr=subprocess.DEVNULL)
        raw = 0
        with open(corpus) as f:
            for line in f:
                d = json.loads(line)
                raw += len(d["title"].encode()) + len(d["text"].encode())
        print(f"pg_ingest_bench: {args.docs} documents, {raw / 1e6:.1f} MB of text")
        print(f"{'store':<28} {'load':>5} {'wall s':>7} {'cpu s':>7} {'MB/s':>6}")

        def report(name, load, wall, cpu):
            print(f"{name:<28} {load:5.1f} {wall:7.2f} {cpu:7.2f} {raw / 1e6 / wall:6.1f}", flush=True)

        for _ in range(args.rounds):
            data = os.path.join(work, "ward-data")
            shutil.rmtree(data, ignore_errors=True)
            load = os.getloadavg()[0]
            env = {k: v for k, v in os.environ.items() if k != "WARD_STORE_URL"}
            wall, cpu = ingest(ward, corpus, data, env)
            report("SQLite (ward.db)", load, wall, cpu)
            for fsync in args.fsync.split(","):
                cluster = os.path.join(work, "pg")
                url = subprocess.run(["bash", CLUSTER, "start", cluster], check=True, text=True,
                                     capture_output=True,
                                     env=dict(os.environ, WARD_PG_FSYNC=fsync)).stdout.strip()
                try:
                    shutil.rmtree(data, ignore_errors=True)
                    load = os.getloadavg()[0]
                    wall, cpu = ingest(ward, corpus, data, dict(env, WARD_STORE_URL=url))
                    report(f"PostgreSQL 15 fsync={fsync}", load, wall, cpu)
                finally:
                    subprocess.run(["bash", CLUSTER, "stop", cluster], check=False)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
