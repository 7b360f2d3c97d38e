#!/usr/bin/env python3
"""Three `ward serve` nodes on one PostgreSQL database (issue 17's feed-lag and search targets).

Usage: python3 bench/pg_nodes_bench.py [--ward build/ward] [--seconds 30] [--rate 100]
                                       [--docs 5000] [--queries 400] [--keep DIR]

1. Feed lag. A throwaway cluster (`tests/scripts/pg_cluster.sh`: Unix socket, fsync=off) and
   three nodes on it. One pusher POSTs one document at a time to node 1 (`POST /v1/documents`),
   paced at --rate documents/s for --seconds; a checker, as soon as node 1 acknowledges a
   document, searches node 3 for the document's own token until node 3 finds it. Lag is
   "acknowledged on node 1" to "found by a search on node 3" (p50 / p99 / max), so it includes
   the checker's own search round trips; the pushed rate achieved is printed.
2. Search latency. The same corpus (`gen_corpus.py --docs N`, seed 1) ingested by `ward ingest
   --jsonl` into a SQLite data dir and into a PostgreSQL-backed one; both served at once; the
   same --queries queries (two title words of random documents, seed 1) sent alternately to
   both over HTTP by one client, latency measured at the client (p50 / p99 / mean).
The load average (1 min) is printed with each figure.
"""
import argparse
import json
import os
import queue
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CLUSTER = os.path.join(REPO, "tests", "scripts", "pg_cluster.sh")
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from harness import stop_processes  # noqa: E402


def request(base, method, path, body=None, key=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if key:
        req.add_header("Authorization", "Bearer " + key)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def ward(bin_, data, *args, env=None):
    p = subprocess.run([bin_, "--data", data, *args], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"ward {' '.join(args)} failed: {p.stderr[-2000:]}")
    return p.stdout.strip()


def serve(bin_, data, env, log):
    proc = subprocess.Popen([bin_, "--data", data, "serve", "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=open(log, "w"), text=True, env=env)
    line = proc.stdout.readline().strip()
    m = re.match(r"^listening on (http://127\.0\.0\.1:\d+)$", line)
    if not m:
        proc.kill()
        sys.exit(f"ward serve did not start: {line!r}")
    return proc, m.group(1)


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))] if s else float("nan")


def feed_lag(args, work, url, env_base):
    env = dict(env_base, WARD_STORE_URL=url)
    nodes = [os.path.join(work, f"node{i + 1}") for i in range(3)]
    for d in nodes:
        ward(args.ward, d, "init", env=env)
    key = ward(args.ward, nodes[0], "key", "create", "admin", env=env)
    procs, bases = [], []
    try:
        for i, d in enumerate(nodes):
            p, b = serve(args.ward, d, env, os.path.join(work, f"serve{i + 1}.err"))
            procs.append(p)
            bases.append(b)
        acked = queue.Queue()
        lags = []
        total = int(args.seconds * args.rate)

        def checker():
            while True:
                item = acked.get()
                if item is None:
                    return
                token, t_ack = item
                while True:
                    st, body = request(bases[2], "POST", "/v1/search", {"query": token, "k": 1}, key)
                    if st == 200 and body.get("hits"):
                        lags.append(time.perf_counter() - t_ack)
                        break
                    time.sleep(0.002)

        th = threading.Thread(target=checker)
        th.start()
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        for k in range(total):
            due = t0 + k / args.rate
            now = time.perf_counter()
            if due > now:
                time.sleep(due - now)
            token = f"lagtoken{k}x"
            st, body = request(bases[0], "POST", "/v1/documents",
                               {"records": [{"id": f"lag/{k}", "title": f"Lag {k}",
                                             "text": f"Feed lag probe {token} pushed on node one.",
                                             "acl": {"public": True}}], "source": "lag"}, key)
            if st not in (200, 201):
                sys.exit(f"node 1 refused a document: {st} {body}")
            acked.put((token, time.perf_counter()))
        pushed = time.perf_counter() - t0
        acked.put(None)
        th.join()
        ms = [x * 1000 for x in lags]
        print(f"feed lag node1 -> node3: {total} documents pushed in {pushed:.1f} s "
              f"({total / pushed:.1f}/s, target {args.rate:g}/s), load {load:.1f} at start, "
              f"{os.getloadavg()[0]:.1f} at end")
        print(f"  acknowledged on node 1 -> found by a search on node 3: p50 {pct(ms, 50):.1f} ms, "
              f"p99 {pct(ms, 99):.1f} ms, max {max(ms):.1f} ms")
    finally:
        stop_processes(*procs)


def search_latency(args, work, url, env_base):
    corpus = os.path.join(work, f"synthetic-{args.docs}.jsonl")
    subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), "--docs", str(args.docs),
                    "--groups", "100", "--seed", "1", "--out", corpus], check=True,
                   stderr=subprocess.DEVNULL)
    titles = [json.loads(line)["title"] for line in open(corpus)]
    rng = random.Random(1)
    queries = []
    while len(queries) < args.queries:
        words = re.findall(r"[a-z]{5,}", rng.choice(titles).lower())
        if len(words) >= 2:
            queries.append(" ".join(rng.sample(words, 2)))
    env_pg = dict(env_base, WARD_STORE_URL=url.replace("/ward_test?", "/ward_search?"))
    subprocess.run(["psql", "-X", "-q", url, "-c", "CREATE DATABASE ward_search"], check=True,
                   capture_output=True)
    dirs = {"SQLite": (os.path.join(work, "sqlite"), env_base),
            "PostgreSQL": (os.path.join(work, "pgnode"), env_pg)}
    procs, bases, keys = [], {}, {}
    try:
        for name, (d, env) in dirs.items():
            ward(args.ward, d, "init", env=env)
            ward(args.ward, d, "ingest", "--jsonl", corpus, env=env)
            keys[name] = ward(args.ward, d, "key", "create", "admin", env=env)
            p, b = serve(args.ward, d, env, os.path.join(work, f"search-{name}.err"))
            procs.append(p)
            bases[name] = b
        times = {name: [] for name in dirs}
        for name in dirs:  # warm both once
            request(bases[name], "POST", "/v1/search", {"query": queries[0]}, keys[name])
        load = os.getloadavg()[0]
        skipped = 0
        for i, q in enumerate(queries):
            order = list(dirs) if i % 2 == 0 else list(dirs)[::-1]
            got = {}
            for name in order:
                t = time.perf_counter()
                st, body = request(bases[name], "POST", "/v1/search", {"query": q}, keys[name])
                got[name] = ((time.perf_counter() - t) * 1000, st, body)
            if all(st == 400 for _, st, _ in got.values()):
                skipped += 1  # only stop words: refused by both, not timed
                continue
            for name, (ms, st, body) in got.items():
                if st != 200:
                    sys.exit(f"search on the {name} node failed: {st} {body}")
                times[name].append(ms)
        print(f"search latency, {args.docs} documents, {len(queries) - skipped} queries each "
              f"({skipped} of only stop words left out), alternated, "
              f"load {load:.1f} at start, {os.getloadavg()[0]:.1f} at end")
        for name, ms in times.items():
            print(f"  {name:<11} p50 {pct(ms, 50):6.2f} ms  p99 {pct(ms, 99):6.2f} ms  "
                  f"mean {sum(ms) / len(ms):6.2f} ms")
    finally:
        stop_processes(*procs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ward", default=os.environ.get("WARD_BIN", os.path.join(REPO, "build", "ward")))
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--rate", type=float, default=100)
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--skip-lag", action="store_true")
    ap.add_argument("--skip-search", action="store_true")
    ap.add_argument("--keep", help="work directory to keep (default: a temporary one, removed)")
    args = ap.parse_args()
    args.ward = os.path.abspath(args.ward)
    work = args.keep or tempfile.mkdtemp(prefix="ward_pg_nodes_bench_")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)  # the cluster's directory lives under it (its owner may be `postgres`)
    cluster = os.path.join(work, "pg")
    env_base = {k: v for k, v in os.environ.items() if k != "WARD_STORE_URL"}
    url = subprocess.run(["bash", CLUSTER, "start", cluster], check=True, text=True,
                         capture_output=True).stdout.strip()
    try:
        if not args.skip_lag:
            feed_lag(args, work, url, env_base)
        if not args.skip_search:
            search_latency(args, work, url, env_base)
    finally:
        subprocess.run(["bash", CLUSTER, "stop", cluster], check=False)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
