#!/usr/bin/env python3
"""Added latency of Ward's OpenAI-compatible proxy and of Portkey's gateway, same fake, same run.

Starts one fast fake provider (fake_provider.mjs: a fixed Chat Completions reply, streamed and
not), the real `ward serve` (port 0, temp dir, audit log on disk) with authentication, a grant,
a token budget and recording on (one durable `model_call` record and a sealed cassette per
call), and Portkey's open-source gateway (`@portkey-ai/gateway`, pinned in package-lock.json)
pointed at the same fake. load.mjs then sends the same Chat Completions request to the fake
directly, through Ward and through Portkey, open loop at a fixed rate (default 200 requests/s),
in blocks that rotate between the three so that load on the machine falls on all of them, and
prints p50/p99 of each path and the added latency (path percentile - direct percentile):
non-streamed (whole response) and streamed (time to first body byte), and each proxy's CPU time
per request (user + system of the whole process, less sensitive to a loaded machine). Then it holds STREAMS
concurrent streams open through each proxy (the fake sends a chunk a second) and reports errors
and resident memory per open stream (RSS delta / streams).

Usage: WARD_BIN=build/ward python3 bench/proxy_bench/run.py [--requests N] [--rate R]
           [--streams S] [--tmp DIR] [--smoke]
  --requests  measured requests per path and mode (default 2000, in blocks of 200)
  --streams   concurrent held streams per proxy (default 200; 0: none)
  --tmp       where Ward's data dir goes (default the system temp dir; /dev/shm: tmpfs, to see
              the proxy's cost without the disk's fsync latency)
  --smoke     a tiny run for CTest (keeps the bench working; no figure means anything):
              20 requests per path and mode, 5 held streams of 2 s
Portkey is left out (and said so) when bench/proxy_bench/node_modules is absent
(`npm ci` in bench/proxy_bench). Exit 77 when node is missing; 1 on any error in any path.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from harness import start_server, stop_processes  # noqa: E402
from harness import ward_ok as ward  # noqa: E402

sys.path.insert(0, os.path.join(HERE, ".."))
from peer_util import free_port, pct, wait_port  # noqa: E402

PORTKEY = os.path.join(HERE, "node_modules", "@portkey-ai", "gateway", "build",
                       "start-server.js")
UPSTREAM_KEY = "bench-upstream-key"
MESSAGES = [{"role": "user", "content": "Hi"}]



def cpu_s(pid):
    """User + system CPU seconds the process used so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(job):
    proc = subprocess.run(["node", os.path.join(HERE, "load.mjs"), json.dumps(job)],
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"load.mjs failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def start_ward(tmp, fake_base):
    data = os.path.join(tmp, "data")
    ward(data, "init")
    with open(os.path.join(data, "ward.toml"), "a") as f:
        for name in ("bench", "slow"):
            f.write(f'\n[[models]]\nname = "{name}"\nprovider = "openai"\n'
                    f'base_url = "{fake_base}/v1"\nmodel = "{name}"\n'
                    f'api_key_secret = "upstream_key"\nallow = ["group:ml"]\n'
                    f'allow_private = true\n')
        # A budget that applies to every call (checked and settled on each) but never refuses.
        f.write('\n[[model_budgets]]\nsubject = "tenant"\ntokens_per_minute = 1000000000000\n'
                'tokens_per_day = 1000000000000\n')
    ward(data, "secrets", "set", "upstream_key", stdin=UPSTREAM_KEY + "\n")
    ward(data, "group", "add", "ml")
    ward(data, "user", "add", "alice", "--groups", "ml")
    key = ward(data, "key", "create", "alice")
    server, base = start_server(data)
    return server, base, key


def targets(fake_base, ward_base, ward_key, portkey_base, stream, model="bench"):
    body = {"model": model, "messages": MESSAGES, "stream": stream}
    out = [{"name": "direct", "url": f"{fake_base}/v1/chat/completions",
            "headers": {"authorization": "Bearer " + UPSTREAM_KEY}, "body": body},
           {"name": "ward", "url": f"{ward_base}/v1/chat/completions",
            "headers": {"authorization": "Bearer " + ward_key}, "body": body}]
    if portkey_base:
        out.append({"name": "portkey", "url": f"{portkey_base}/v1/chat/completions",
                    "headers": {"authorization": "Bearer " + UPSTREAM_KEY,
                                "x-portkey-provider": "openai",
                                "x-portkey-custom-host": f"{fake_base}/v1"},
                    "body": body})
    return out


def report(label, result, metric):
    """Prints one table; returns the number of failed requests."""
    direct = result["direct"][metric]
    d50, d99 = pct(direct, 50), pct(direct, 99)
    print(f"{label}")
    print(f"  {'path':8s} {'n':>6s} {'errors':>6s} {'p50 ms':>8s} {'p99 ms':>8s} "
          f"{'added p50':>10s} {'added p99':>10s}")
    errors = 0
    for name, r in result.items():
        v = r[metric]
        p50, p99 = pct(v, 50), pct(v, 99)
        added = "" if name == "direct" else f"{p50 - d50:10.3f} {p99 - d99:10.3f}"
        print(f"  {name:8s} {len(v):6d} {r['errors']:6d} {p50:8.3f} {p99:8.3f} {added}")
        if r["errors"]:
            print(f"    first error: {r['error']}")
        errors += r["errors"]
    return errors


def hold(name, target, n, pid):
    r = load({"kind": "hold", "n": n, "pid": pid, "target": target})
    delta = r["rss_open_kb"] - r["rss_before_kb"]
    print(f"  {name:8s} {n} concurrent streams: {r['errors']} errors; RSS {r['rss_before_kb']} kB "
          f"-> {r['rss_open_kb']} kB with all open: {delta / n:.1f} kB per open stream")
    if r["errors"]:
        print(f"    first error: {r['error']}")
    return r["errors"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--streams", type=int, default=200)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--tmp", default=None,
                    help="where Ward's data dir goes (default: the system temp dir, on disk; "
                         "/dev/shm puts the audit log on tmpfs, where fsync costs nothing)")
    args = ap.parse_args()
    if shutil.which("node") is None:
        print("skipped: node is not installed")
        return 77
    block = 200
    if args.smoke:
        args.requests, args.streams, block = 20, 5, 10
    rounds = max(1, args.requests // block)
    slow_seconds = 2 if args.smoke else 20
    use_portkey = os.path.exists(PORTKEY)
    tmp = tempfile.mkdtemp(prefix="ward_proxy_bench_", dir=args.tmp)
    fake = server = portkey = None
    failed = 0
    try:
        env = dict(os.environ, SLOW_SECONDS=str(slow_seconds))
        fake = subprocess.Popen(["node", os.path.join(HERE, "fake_provider.mjs")],
                                stdout=subprocess.PIPE, text=True, env=env)
        fake_base = fake.stdout.readline().strip().split(" ")[-1]
        server, ward_base, key = start_ward(tmp, fake_base)
        portkey_base = None
        if use_portkey:
            port = free_port()
            portkey = subprocess.Popen(["node", PORTKEY, f"--port={port}", "--headless"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       env=dict(os.environ, NODE_ENV="production"), cwd=tmp)
            wait_port(port, portkey, "the Portkey gateway")
            portkey_base = f"http://127.0.0.1:{port}"
        else:
            print("Portkey left out: run `npm ci` in bench/proxy_bench")
        load1 = os.getloadavg()
        print(f"{os.cpu_count()} CPUs, load average {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f} "
              f"at start; {rounds} rounds x {block} requests per path and mode at "
              f"{args.rate:g} requests/s, open loop; Ward's data dir (audit log) in {tmp}")
        for stream in (False, True):
            job = {"kind": "latency", "rate": args.rate, "rounds": rounds, "block": block,
                   "warmup": min(block, 50), "stream": stream,
                   "targets": targets(fake_base, ward_base, key, portkey_base, stream)}
            procs = {"ward": server, "portkey": portkey}
            before = {n: cpu_s(p.pid) for n, p in procs.items() if p}
            result = load(job)
            sent = job["warmup"] + rounds * block
            cpu = ", ".join(f"{n} {(cpu_s(p.pid) - before[n]) * 1000 / sent:.2f}"
                            for n, p in procs.items() if p)
            print(f"CPU per request ({'streamed' if stream else 'non-streamed'}, ms, user + "
                  f"system, whole process): {cpu}")
            if stream:
                failed += report("streamed, time to first byte", result, "ttfb")
                report("streamed, to the end ([DONE])", result, "total")
            else:
                failed += report("non-streamed, whole response", result, "total")
        if args.streams > 0:
            print(f"held streams (the fake sends a chunk a second for {slow_seconds} s)")
            held = targets(fake_base, ward_base, key, portkey_base, True, model="slow")
            failed += hold("ward", held[1], args.streams, server.pid)
            if portkey:
                failed += hold("portkey", held[2], args.streams, portkey.pid)
        load2 = os.getloadavg()
        print(f"load average {load2[0]:.2f} {load2[1]:.2f} {load2[2]:.2f} at the end")
    finally:
        stop_processes(server, fake, portkey)
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
