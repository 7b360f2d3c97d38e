#!/usr/bin/env python3
"""Latency of upstream resources and prompts through Ward's /mcp (docs/design/mcp.md).

Runs the real `ward serve` (port 0, temp dir) with `@modelcontextprotocol/server-everything`
(stdio) as an upstream whose resources and prompts are visible to alice, and two documents.
Over one 2025-11-25 session per principal, it times N sequential requests of each kind and
prints p50/p95/p99 in microseconds, client-side (HTTP round trip included):

- resources/list as alice (Ward's documents + the upstream's resources) and as bob (documents
  only: the cost of the upstream part is the difference);
- resources/read of an upstream resource vs of a document;
- prompts/get of an upstream prompt (Ward re-lists the upstream's prompts to check the pin,
  then forwards the get);
- completion/complete of document ids.

Usage (after `npm ci` in tests/upstream):
  WARD_BIN=build/ward python3 bench/upstream_content_latency.py [N]
"""
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from harness import REPO, WARD_BIN, start_server, stop_server  # noqa: E402
from harness import ward_ok as ward  # noqa: E402

EVERYTHING = os.path.join(REPO, "tests", "upstream", "node_modules", "@modelcontextprotocol",
                          "server-everything", "dist", "index.js")


class Session:
    def __init__(self, base, key):
        self.base, self.key, self.sid, self.next_id = base, key, None, 1
        self.call("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                 "clientInfo": {"name": "bench", "version": "1"}})

    def call(self, method, params):
        body = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
        self.next_id += 1
        req = urllib.request.Request(self.base + "/mcp", data=json.dumps(body).encode(),
                                     method="POST")
        req.add_header("Content-Type", "application/json")
        req.add_header("Accept", "application/json, text/event-stream")
        req.add_header("Authorization", "Bearer " + self.key)
        if self.sid:
            req.add_header("Mcp-Session-Id", self.sid)
            req.add_header("MCP-Protocol-Version", "2025-11-25")
        with urllib.request.urlopen(req, timeout=60) as resp:
            self.sid = self.sid or resp.headers.get("Mcp-Session-Id")
            text = resp.read().decode()
        if text.startswith("event:") or text.startswith("data:"):
            text = [l[5:] for l in text.splitlines() if l.startswith("data:")][-1]
        reply = json.loads(text)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]


def measure(name, n, fn):
    fn()  # warm-up (connects the upstream on first use)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e6)
    times.sort()
    pct = lambda p: times[min(len(times) - 1, int(p * len(times)))]  # noqa: E731
    print(f"{name:58s} n={n}  p50 {pct(0.50):8.0f} us  p95 {pct(0.95):8.0f} us  "
          f"p99 {pct(0.99):8.0f} us")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    tmp = tempfile.mkdtemp(prefix="ward_uc_bench_")
    server = None
    try:
        data = os.path.join(tmp, "data")
        ward(data, "init")
        with open(os.path.join(data, "ward.toml"), "a") as f:
            f.write(f"""
[[upstreams]]
name = "everything"
transport = "stdio"
command = "{shutil.which('node')}"
args = ["{EVERYTHING}", "stdio"]
resources_for = ["principal:alice"]
prompts_for = ["principal:alice"]
""")
        ward(data, "user", "add", "alice")
        ward(data, "user", "add", "bob")
        keys = {u: ward(data, "key", "create", u) for u in ("alice", "bob")}
        doc = os.path.join(tmp, "open.md")
        open(doc, "w").write("# Travel\nTrains are fine.\n")
        ward(data, "ingest", doc, "--public")
        server, base = start_server(data)
        alice, bob = Session(base, keys["alice"]), Session(base, keys["bob"])
        up_uri = "ward://upstreams/everything/" + urllib.parse.quote(
            "demo://resource/dynamic/text/1", safe="")
        doc_uri = "ward://documents/" + urllib.parse.quote("files:open.md", safe="")
        listed = alice.call("resources/list", {})["resources"]
        print(f"alice lists {len(listed)} resources, bob "
              f"{len(bob.call('resources/list', {})['resources'])}")
        measure("resources/list, alice (documents + upstream)", n,
                lambda: alice.call("resources/list", {}))
        measure("resources/list, bob (documents only)", n, lambda: bob.call("resources/list", {}))
        measure("resources/read, upstream resource", n,
                lambda: alice.call("resources/read", {"uri": up_uri}))
        measure("resources/read, document", n, lambda: alice.call("resources/read", {"uri": doc_uri}))
        measure("prompts/get, upstream prompt (pin check + get)", n,
                lambda: alice.call("prompts/get", {"name": "everything.simple-prompt"}))
        measure("completion/complete, document ids", n,
                lambda: alice.call("completion/complete", {
                    "ref": {"type": "ref/prompt", "name": "ward_summarize_document"},
                    "argument": {"name": "id", "value": tmp}}))
    finally:
        if server:
            stop_server(server)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if not WARD_BIN:
        sys.exit("set WARD_BIN")
    main()
