#!/usr/bin/env python3
"""MCP `tools/call` through Ward beside two MCP gateways, same server, same client, same run.

Every gateway fronts the same stdio MCP server (echo_server.mjs: the official SDK's low-level
server, one `echo` tool) and is driven by the official SDK client over Streamable HTTP
(client.mjs):
  - direct:       the SDK client over stdio straight to the server (the floor, no HTTP);
  - supergateway: `supergateway --stdio ... --outputTransport streamableHttp --stateful` (4.0.0);
  - mcp-proxy:    `mcp-proxy --server stream -- node echo_server.mjs` (6.7.19);
  - ward:         `ward serve` with the server as an `[[upstreams]]` entry, a user with an API key
                  and a grant on `echo.echo`: authentication, the grant check, argument
                  validation, redaction and a durable, hash-chained audit record per call.
                  Run twice: data dir on disk (the system temp dir) and on tmpfs (/dev/shm).
Each path runs sequential calls from one client, then CONC clients calling at once, in rounds
that rotate between the paths so that load on the machine falls on all of them; it prints
p50 / p99 latency and calls/s per path and mode. Versions are pinned in package-lock.json here.

Usage: WARD_BIN=build/ward python3 bench/mcp_peers/run.py [--calls N] [--concurrent C]
           [--rounds R] [--smoke]
  --calls       sequential calls per path and round (default 500)
  --concurrent  clients in the concurrent mode (default 16), each making calls/10 calls
  --rounds      rounds (default 3)
  --smoke       a tiny run (keeps the bench working; no figure means anything)
Exit 77 when node or node_modules (`npm ci` here) is missing; 1 on any failed call.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from harness import http_request, start_server, stop_processes  # noqa: E402
from harness import ward_ok as ward  # noqa: E402

sys.path.insert(0, os.path.join(HERE, ".."))
from peer_util import free_port, pct, wait_port  # noqa: E402

BIN = os.path.join(HERE, "node_modules", ".bin")
NODE = shutil.which("node") or "node"
SERVER = [NODE, os.path.join(HERE, "echo_server.mjs")]



def start_ward(parent):
    data = tempfile.mkdtemp(prefix="ward-mcp-peers-", dir=parent)
    ward(data, "init")
    with open(os.path.join(data, "ward.toml"), "a") as f:
        f.write('\n[[upstreams]]\nname = "echo"\ntransport = "stdio"\n'
                f'command = {json.dumps(SERVER[0])}\nargs = {json.dumps(SERVER[1:])}\n'
                'read_only_tools = ["echo"]\n')
    ward(data, "user", "add", "alice")
    admin_key = ward(data, "key", "create", "admin")
    key = ward(data, "key", "create", "alice")
    server, base = start_server(data)
    status, _, body = http_request(base, "POST", "/v1/upstreams/echo/sync", key=admin_key)
    if status != 200:
        raise RuntimeError(f"upstream sync: {status} {body}")
    status, _, body = http_request(base, "POST", "/v1/grants",
                                {"subject_kind": "principal", "subject": "alice",
                                 "tool": "echo.echo"}, key=admin_key)
    if status not in (200, 201):
        raise RuntimeError(f"grant: {status} {body}")
    return server, data, {"url": f"{base}/mcp", "key": key, "tool": "echo.echo"}


def start_supergateway():
    port = free_port()
    proc = subprocess.Popen(
        [NODE, os.path.join(BIN, "supergateway"), "--stdio", " ".join(SERVER),
         "--outputTransport", "streamableHttp", "--stateful", "--port", str(port),
         "--logLevel", "none"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, proc, "supergateway")
    return proc, {"url": f"http://127.0.0.1:{port}/mcp", "tool": "echo"}


def start_mcp_proxy():
    port = free_port()
    proc = subprocess.Popen(
        [NODE, os.path.join(BIN, "mcp-proxy"), "--port", str(port), "--host", "127.0.0.1",
         "--server", "stream", "--", *SERVER], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    wait_port(port, proc, "mcp-proxy")
    return proc, {"url": f"http://127.0.0.1:{port}/mcp", "tool": "echo"}


def drive(spec, clients, calls, warmup, tmp):
    path = os.path.join(tmp, "spec.json")
    with open(path, "w") as f:
        json.dump({**spec, "clients": clients, "calls": calls, "warmup": warmup}, f)
    p = subprocess.run([NODE, os.path.join(HERE, "client.mjs"), path], capture_output=True,
                       text=True, timeout=1800)
    if p.returncode != 0:
        raise RuntimeError(f"client.mjs failed: {p.stderr[-2000:]}")
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=500)
    ap.add_argument("--concurrent", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    if args.smoke:
        args.calls, args.concurrent, args.rounds = 20, 4, 1
    if not shutil.which("node") or not os.path.isdir(os.path.join(HERE, "node_modules")):
        print("node or bench/mcp_peers/node_modules missing (npm ci there): skipped")
        return 77
    if not os.environ.get("WARD_BIN"):
        print("set WARD_BIN")
        return 2
    tmp = tempfile.mkdtemp(prefix="ward-mcp-peers-")
    procs = []
    results = {}
    try:
        paths = {"direct": {"command": SERVER[0], "args": SERVER[1:], "tool": "echo"}}
        proc, paths["supergateway"] = start_supergateway()
        procs.append(proc)
        proc, paths["mcp-proxy"] = start_mcp_proxy()
        procs.append(proc)
        proc, _, paths["ward (disk)"] = start_ward(tmp)
        procs.append(proc)
        shm = "/dev/shm" if os.path.isdir("/dev/shm") else tmp
        shm_dir = tempfile.mkdtemp(prefix="ward-mcp-peers-", dir=shm)
        proc, _, paths["ward (tmpfs)"] = start_ward(shm_dir)
        procs.append(proc)
        conc_calls = max(1, args.calls // 10)
        for r in range(args.rounds):
            for name, spec in paths.items():
                for mode, clients, calls in (("sequential", 1, args.calls),
                                             (f"{args.concurrent} clients", args.concurrent,
                                              conc_calls)):
                    out = drive(spec, clients, calls, 10, tmp)
                    agg = results.setdefault((name, mode), {"lat": [], "errors": 0, "calls": 0,
                                                            "wall": 0.0})
                    agg["lat"] += out["latencies_us"]
                    agg["errors"] += out["errors"]
                    agg["calls"] += len(out["latencies_us"])
                    agg["wall"] += out["wall_s"]
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
        load = os.getloadavg()
        print(f"MCP tools/call, {args.rounds} rounds, load average {load[0]:.1f} {load[1]:.1f}")
        print(f"  {'path':14s} {'mode':12s} {'calls':>6s} {'errors':>6s} {'p50 ms':>8s} "
              f"{'p99 ms':>8s} {'calls/s':>8s}")
        errors = 0
        for (name, mode), agg in results.items():
            print(f"  {name:14s} {mode:12s} {agg['calls']:6d} {agg['errors']:6d} "
                  f"{pct(agg['lat'], 50) / 1000:8.3f} {pct(agg['lat'], 99) / 1000:8.3f} "
                  f"{agg['calls'] / agg['wall']:8.0f}")
            errors += agg["errors"]
        shutil.rmtree(shm_dir, ignore_errors=True)
        return 1 if errors else 0
    finally:
        stop_processes(*procs)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
