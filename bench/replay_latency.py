#!/usr/bin/env python3
"""Replay of a 20-step recorded trace (issue 13's target: under 100 ms; docs/design/audit.md
"Replay").

Records one trace of STEPS (default 20) model calls through the real `ward serve` in front of
the fake OpenAI upstream (tests/models/fake_openai_upstream.py): every call carries the same
`traceparent`, so all 20 `model_call` events (each with its sealed cassette) and their
`response_sent` digests are one trace; odd steps are streamed, even ones not, alternating the
fake's `tool` and `text` scenarios. Then it stops the server AND the fake (no network) and runs
`ward replay TRACE --as rita --json` N times (default 30), reporting p50/p99 of:

- `replay_us`: Ward's own replay time inside the command (read the trace, read and unseal 20
  cassettes, decode each again through its adapter, render the client bytes again, compare);
- the whole command's wall time (process start, opening the data dir, the trace read's scan of
  the audit log, the `replay` record).

There is no peer to compare with: no other tool replays a whole recorded trace offline
(research: models-anchors.md section 5.1), so only Ward's figures are printed.

Usage: WARD_BIN=build/ward [KEEP_DATA=1] python3 bench/replay_latency.py [N] [STEPS]
(KEEP_DATA keeps the temp data dir and prints it, for profiling one replay by hand.)
"""
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from harness import REPO, WARD_BIN, start_server, stop_processes  # noqa: E402
from harness import ward_ok as ward  # noqa: E402
from models_test import model_block  # noqa: E402

FAKE = os.path.join(REPO, "tests", "models", "fake_openai_upstream.py")


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def call(base, key, traceparent, model, stream):
    body = {"model": model, "messages": [{"role": "user", "content": "Weather in Paris?"}],
            "stream": stream}
    req = urllib.request.Request(base + "/v1/chat/completions", data=json.dumps(body).encode(),
                                 method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("Authorization", "Bearer " + key)
    req.add_header("traceparent", traceparent)
    with urllib.request.urlopen(req, timeout=60) as resp:
        resp.read()
        return resp.status


def main():
    if not WARD_BIN:
        print("set WARD_BIN to the ward binary")
        return 2
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    tmp = tempfile.mkdtemp(prefix="ward_replay_bench_")
    data = os.path.join(tmp, "data")
    fake = server = None
    try:
        fake = subprocess.Popen([sys.executable, FAKE], stdout=subprocess.PIPE, text=True)
        fake_base = fake.stdout.readline().strip().split(" ")[-1]
        ward(data, "init")
        with open(os.path.join(data, "ward.toml"), "a") as f:
            f.write(model_block("m-tool", "tool", fake_base, ["group:ml"]))
            f.write(model_block("m-text", "text", fake_base, ["group:ml"]))
        ward(data, "secrets", "set", "upstream_key", stdin="test-upstream-key\n")
        for g in ("ml", "auditors"):
            ward(data, "group", "add", g)
        ward(data, "user", "add", "alice", "--groups", "ml")
        ward(data, "user", "add", "rita", "--groups", "auditors")
        key = ward(data, "key", "create", "alice")
        server, base = start_server(data)
        trace = secrets.token_hex(16)
        for i in range(steps):
            parent = f"00-{trace}-{secrets.token_hex(8)}-01"
            st = call(base, key, parent, "m-tool" if i % 2 == 0 else "m-text", i % 2 == 1)
            if st != 200:
                print(f"step {i}: HTTP {st}")
                return 1
        stop_processes(server, fake)  # the replay runs with no upstream and no server
        if os.environ.get("KEEP_DATA"):
            print("data", data, "trace", trace)
        server = fake = None

        replay_us, wall_ms = [], []
        for i in range(n + 1):
            t = time.monotonic()
            r = subprocess.run([WARD_BIN, "--data", data, "replay", trace, "--as", "rita",
                                "--json"], capture_output=True, text=True, timeout=120)
            took = (time.monotonic() - t) * 1000
            out = json.loads(r.stdout) if r.stdout.strip() else {}
            if r.returncode != 0 or not out.get("identical") or len(out["steps"]) != steps:
                print("replay failed:", r.returncode, r.stdout[:400], r.stderr[:400])
                return 1
            if i == 0:
                continue  # warms the page cache
            replay_us.append(out["replay_us"])
            wall_ms.append(took)
        ms = [u / 1000 for u in replay_us]
        print(f"ward replay of a {steps}-step recorded trace (half streamed), offline, "
              f"{n} runs, identical every time:")
        print(f"  replay_us (in-process): p50 {pct(ms, 50):.1f} ms  p99 {pct(ms, 99):.1f} ms  "
              f"(target < 100 ms)")
        print(f"  whole command (wall):   p50 {pct(wall_ms, 50):.1f} ms  p99 {pct(wall_ms, 99):.1f} ms")
        print("  peer: none (no other tool replays a whole recorded trace offline; "
              "models-anchors.md 5.1)")
    finally:
        stop_processes(server, fake)
        if not os.environ.get("KEEP_DATA"):
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
