#!/usr/bin/env python3
"""Ingest beside SQLite FTS5, from the same file in the same run (issue 22's ingest target).

Usage: python3 bench/ingest_peers.py [--ward build/ward[,OTHER_WARD...]] [--docs 50000]
                                     [--rounds 2] [--keep DIR]

Generates the synthetic corpus (`gen_corpus.py`, seed 1, 100 groups) once, then for each round
and each Ward binary given (alternated, so that a before/after pair shares the machine's load):
* Ward: `ward ingest --jsonl FILE` into a fresh data dir, process start to exit (open, parse,
  chunk, store, index, the final index checkpoint), wall and CPU (user+sys of the process and
  its threads); then `ward status --json`'s resident index memory against the raw text;
* SQLite FTS5: the same records INSERTed into an `fts5(title, text, grp UNINDEXED, doc_id
  UNINDEXED, tokenize='porter unicode61')` table in one transaction (WAL), as `search_peers.py`
  does, timed around the INSERTs only (the JSON is read before), wall and CPU of this process.
MB/s is of title + text, as in `search_peers.py`. Target: Ward >= FTS5, 40 MB/s, index memory
<= raw text.
"""
import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def ward_ingest(ward_bin, corpus, data):
    subprocess.run([ward_bin, "--data", data, "init"], check=True, capture_output=True)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run([ward_bin, "--data", data, "ingest", "--jsonl", corpus], capture_output=True,
                       text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"ward ingest failed: {p.stderr[-2000:]}")
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    st = subprocess.run([ward_bin, "--data", data, "status", "--json"], capture_output=True,
                        text=True, check=True)
    memory = json.loads(st.stdout).get("index", {}).get("memory_bytes", 0)
    return wall, cpu, memory


def fts5_ingest(docs, path):
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(title, text, grp UNINDEXED, doc_id UNINDEXED, "
                "tokenize='porter unicode61')")
    c0 = time.process_time()
    t0 = time.perf_counter()
    with con:
        con.executemany("INSERT INTO docs(title, text, grp, doc_id) VALUES (?, ?, ?, ?)",
                        ((t, x, g, i) for i, t, x, g in docs))
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    con.close()
    return wall, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ward", default=os.environ.get("WARD_BIN", os.path.join(REPO, "build", "ward")),
                    help="one or more ward binaries, comma-separated (alternated)")
    ap.add_argument("--docs", type=int, default=50000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--keep", help="work directory to keep (default: a temporary one, removed)")
    args = ap.parse_args()
    bins = [os.path.abspath(b) for b in args.ward.split(",")]
    work = args.keep or tempfile.mkdtemp(prefix="ward_ingest_peers_")
    os.makedirs(work, exist_ok=True)
    try:
        corpus = os.path.join(work, f"synthetic-{args.docs}.jsonl")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), "--docs",
                        str(args.docs), "--groups", "100", "--seed", "1", "--out", corpus],
                       check=True, stderr=subprocess.DEVNULL)
        docs = []
        with open(corpus) as f:
            for line in f:
                d = json.loads(line)
                docs.append((d["id"], d["title"], d["text"], d["acl"]["groups"][0]))
        raw = sum(len(t.encode()) + len(x.encode()) for _, t, x, _ in docs)
        print(f"ingest_peers: {args.docs} documents, {raw / 1e6:.1f} MB of text")
        print(f"{'engine':<24} {'load':>5} {'wall s':>7} {'cpu s':>7} {'MB/s':>6} "
              f"{'index memory / text':>20}")
        for r in range(args.rounds):
            for b in bins:
                data = os.path.join(work, "ward-data")
                shutil.rmtree(data, ignore_errors=True)
                load = os.getloadavg()[0]
                wall, cpu, memory = ward_ingest(b, corpus, data)
                name = "Ward " + os.path.basename(b)
                print(f"{name[:24]:<24} {load:5.1f} {wall:7.2f} {cpu:7.2f} {raw / 1e6 / wall:6.1f} "
                      f"{memory / raw:20.2f}", flush=True)
            path = os.path.join(work, "fts5.db")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            load = os.getloadavg()[0]
            wall, cpu = fts5_ingest(docs, path)
            print(f"{'SQLite FTS5':<24} {load:5.1f} {wall:7.2f} {cpu:7.2f} {raw / 1e6 / wall:6.1f} "
                  f"{'-':>20}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
