#!/usr/bin/env python3
"""Added latency of Ward's OpenAI-compatible proxy on loopback (docs/design/models.md).

Runs the fake OpenAI upstream (tests/models/fake_openai_upstream.py) and the real `ward serve`
(port 0, temp dir) with one [[models]] entry pointing at it, auth + grants + recording on (the
audit log fsyncs every call). For N paired requests it times the same Chat Completions request
sent directly to the fake and through Ward, alternating, each over its own keep-alive
connection, and reports p50/p90/p99 of the direct time, the proxied time and the added time
(proxied - direct of the same pair), in milliseconds:

- non-streamed: until the whole response is read;
- streamed: time to first byte of the body (TTFB) and until [DONE].

Then it holds STREAMS (default 200) concurrent streams open through Ward (the fake sends a
chunk a second) and reports errors and Ward's resident memory per open stream.

Usage: WARD_BIN=build/ward [STREAMS=200] python3 bench/models_proxy_latency.py [N]  (N=500)
"""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from harness import REPO, start_server, stop_processes  # noqa: E402
from harness import ward_ok as ward  # noqa: E402

FAKE = os.path.join(REPO, "tests", "models", "fake_openai_upstream.py")


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


class Conn(http.client.HTTPConnection):
    """Keep-alive connection without Nagle: headers and body go out as separate writes."""

    def connect(self):
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def timed(conn, path, body, key, stream):
    """(ttfb_s, total_s) of one POST over `conn` (a fresh one when the server closed it)."""
    data = json.dumps(body)
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + key}
    start = time.perf_counter()
    conn.request("POST", path, data, headers)
    resp = conn.getresponse()
    first = None
    if stream:
        chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(1)
        first = time.perf_counter() - start
        rest = resp.read()
        text = chunk + rest
        assert b"[DONE]" in text, text[-200:]
    else:
        payload = resp.read()
        assert resp.status == 200, payload[:300]
    total = time.perf_counter() - start
    if resp.getheader("Connection", "").lower() == "close" or stream:
        conn.close()
    return first if first is not None else total, total


def run(n, stream, fake_port, ward_port, key):
    direct, proxied = [], []
    dconn = Conn("127.0.0.1", fake_port)
    wconn = Conn("127.0.0.1", ward_port)
    body_d = {"model": "text", "messages": [{"role": "user", "content": "Hi"}], "stream": stream}
    body_w = dict(body_d, model="bench")
    for _ in range(20):  # warm-up: connections, caches
        timed(dconn, "/v1/chat/completions", body_d, "test-upstream-key", stream)
        timed(wconn, "/v1/chat/completions", body_w, key, stream)
    for _ in range(n):
        direct.append(timed(dconn, "/v1/chat/completions", body_d, "test-upstream-key", stream))
        proxied.append(timed(wconn, "/v1/chat/completions", body_w, key, stream))
    kinds = [("ttfb", 0), ("total", 1)] if stream else [("total", 1)]
    for label, i in kinds:
        d = [x[i] * 1000 for x in direct]
        p = [x[i] * 1000 for x in proxied]
        added = [b - a for a, b in zip(d, p)]
        name = ("streamed " if stream else "non-streamed ") + label
        print(f"{name:22s} direct p50 {pct(d, 50):6.3f} p99 {pct(d, 99):6.3f} | via Ward p50 "
              f"{pct(p, 50):6.3f} p99 {pct(p, 99):6.3f} | added p50 {pct(added, 50):6.3f} "
              f"p90 {pct(added, 90):6.3f} p99 {pct(added, 99):6.3f} ms")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def held_streams(n, ward_port, key, server_pid):
    """n concurrent streams held open (the fake's "slow" scenario: a chunk a second); errors and
    Ward's resident memory per open stream."""
    import threading
    errors, started = [], threading.Barrier(n + 1, timeout=120)
    body = {"model": "slow", "messages": [{"role": "user", "content": "Hi"}], "stream": True}

    def one():
        try:
            conn = Conn("127.0.0.1", ward_port, timeout=120)
            conn.request("POST", "/v1/chat/completions", json.dumps(body),
                         {"Content-Type": "application/json", "Authorization": "Bearer " + key})
            resp = conn.getresponse()
            first = resp.read1(65536)
            started.wait()
            rest = resp.read()
            if resp.status != 200 or b"[DONE]" not in first + rest:
                errors.append(resp.status)
        except Exception as e:  # noqa: BLE001 - counted, reported
            errors.append(repr(e))
            try:
                started.abort()
            except Exception:  # noqa: BLE001
                pass
    before = rss_kb(server_pid)
    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    try:
        started.wait()
        during = rss_kb(server_pid)
    except threading.BrokenBarrierError:
        during = rss_kb(server_pid)
    for t in threads:
        t.join()
    print(f"{n} concurrent held streams: {len(errors)} errors {errors[:3]}; Ward RSS {before} kB "
          f"idle -> {during} kB with all open: {(during - before) / n:.1f} kB per open stream")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    tmp = tempfile.mkdtemp(prefix="ward_models_bench_")
    data = os.path.join(tmp, "data")
    fake = server = None
    try:
        fake = subprocess.Popen([sys.executable, FAKE], stdout=subprocess.PIPE, text=True)
        fake_base = fake.stdout.readline().strip().split(" ")[-1]
        fake_port = int(fake_base.rsplit(":", 1)[1])
        ward(data, "init")
        with open(os.path.join(data, "ward.toml"), "a") as f:
            f.write(f'\n[[models]]\nname = "bench"\nprovider = "openai"\n'
                    f'base_url = "{fake_base}/v1"\nmodel = "text"\n'
                    f'api_key_secret = "upstream_key"\nallow = ["group:ml"]\n'
                    f'allow_private = true\n'
                    f'\n[[models]]\nname = "slow"\nprovider = "openai"\n'
                    f'base_url = "{fake_base}/v1"\nmodel = "slow"\n'
                    f'api_key_secret = "upstream_key"\nallow = ["group:ml"]\n'
                    f'allow_private = true\n')
        ward(data, "secrets", "set", "upstream_key", stdin="test-upstream-key\n")
        ward(data, "group", "add", "ml")
        ward(data, "user", "add", "alice", "--groups", "ml")
        key = ward(data, "key", "create", "alice")
        server, base = start_server(data)
        ward_port = int(base.rsplit(":", 1)[1])
        print(f"N={n} sequential paired requests, loopback, fake upstream in Python")
        run(n, False, fake_port, ward_port, key)
        run(n, True, fake_port, ward_port, key)
        held_streams(int(os.environ.get("STREAMS", "200")), ward_port, key, server.pid)
    finally:
        stop_processes(server, fake)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
