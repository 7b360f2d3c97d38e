#!/usr/bin/env python3
"""Two `ward` binaries alternated against the same fake provider: CPU and added latency per request.

For comparing a change on a shared machine, where one run after another says little: both
binaries serve at once (each its own data dir, same configuration as run.py: authentication, a
grant, a token budget, recording on), and ROUNDS rounds each send a block of REQUESTS requests per
binary and mode (non-streamed, streamed) at RATE per second, the binaries' order alternating
every round, the fake measured directly in the same block. Per round and binary it prints the CPU
time per request (user + system of the whole `ward serve` process / requests sent) and the added
p50 / p99 (Ward's percentile minus the direct path's in the same block: non-streamed whole
response; streamed first byte and [DONE]); then the median over the rounds. The load average is
printed at the start and the end: say it with any figure.

Usage: python3 bench/proxy_bench/ab.py BASE_BIN NEW_BIN [--rounds 3] [--requests 600]
           [--rate 200] [--tmp /dev/shm]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
import harness  # noqa: E402
from harness import stop_processes  # noqa: E402

sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import run  # noqa: E402
from peer_util import pct  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=600)
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--tmp", default=None)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ward_proxy_ab_", dir=args.tmp)
    fake = None
    servers = {}
    try:
        fake = subprocess.Popen(["node", os.path.join(HERE, "fake_provider.mjs")],
                                stdout=subprocess.PIPE, text=True)
        fake_base = fake.stdout.readline().strip().split(" ")[-1]
        for name, binary in (("base", args.base), ("new", args.new)):
            harness.WARD_BIN = os.path.abspath(binary)
            d = os.path.join(tmp, name)
            os.makedirs(d)
            servers[name] = run.start_ward(d, fake_base)
        l1 = os.getloadavg()
        print(f"{os.cpu_count()} CPUs, load average {l1[0]:.2f} {l1[1]:.2f} {l1[2]:.2f} at start; "
              f"{args.rounds} rounds x {args.requests} requests per binary and mode at "
              f"{args.rate:g}/s; data dirs in {tmp}")
        rows = {(n, s): [] for n in servers for s in (False, True)}
        for rnd in range(args.rounds):
            order = list(servers) if rnd % 2 == 0 else list(reversed(servers))
            for name in order:
                proc, base, key = servers[name]
                for stream in (False, True):
                    tg = run.targets(fake_base, base, key, None, stream)
                    job = {"kind": "latency", "rate": args.rate, "rounds": 1,
                           "block": args.requests, "warmup": 50, "stream": stream,
                           "targets": tg}
                    before = run.cpu_s(proc.pid)
                    res = run.load(job)
                    cpu = (run.cpu_s(proc.pid) - before) * 1000 / (args.requests + 50)
                    d, w = res["direct"], res["ward"]
                    if w["errors"]:
                        print(f"  {name}: {w['errors']} errors, first: {w['error']}")
                    row = {"cpu": cpu,
                           "p50": pct(w["ttfb" if stream else "total"], 50)
                           - pct(d["ttfb" if stream else "total"], 50),
                           "p99": pct(w["ttfb" if stream else "total"], 99)
                           - pct(d["ttfb" if stream else "total"], 99),
                           "done50": pct(w["total"], 50) - pct(d["total"], 50)}
                    rows[(name, stream)].append(row)
                    mode = "streamed" if stream else "non-streamed"
                    extra = f", to [DONE] p50 {row['done50']:.3f}" if stream else ""
                    print(f"round {rnd + 1} {name:4s} {mode:12s}: CPU {cpu:.3f} ms/request, added "
                          f"p50 {row['p50']:.3f} p99 {row['p99']:.3f} ms{extra}")
        print("medians over the rounds (ms):")
        for (name, stream), rs in rows.items():
            med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
            mode = "streamed (first byte)" if stream else "non-streamed"
            extra = f", to [DONE] p50 {med['done50']:.3f}" if stream else ""
            print(f"  {name:4s} {mode:22s} CPU {med['cpu']:.3f}, added p50 {med['p50']:.3f} "
                  f"p99 {med['p99']:.3f}{extra}")
        l2 = os.getloadavg()
        print(f"load average {l2[0]:.2f} {l2[1]:.2f} {l2[2]:.2f} at the end")
    finally:
        stop_processes(*(s[0] for s in servers.values()), fake)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
