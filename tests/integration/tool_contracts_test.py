#!/usr/bin/env python3
"""Tools as public APIs (issue 18): a tool definition's examples run by `ward tools test` through
the whole stage chain against a real loopback backend (and, with --recorded, without it), with a
JUnit report a CI reads; examples checked against the schemas when the tool is added; a breaking
change under the same major version refused on the CLI and over REST, and recorded; `ward tools
diff` classifying versions. The real `ward` binary; Python standard library only.

Usage: WARD_BIN=build/ward WARD_REPO=. python3 tests/integration/tool_contracts_test.py
"""

import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET

from harness import (check, error_message, http_request as request, run_ward, start_server,
                     stop_processes, summary, ward_ok as ward)

STATE = {"broken": False, "calls": 0}


class Billing(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):  # quiet
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        STATE["calls"] += 1
        out = {"refund_id": 42 if STATE["broken"] else "r_" + body.get("invoice", "")}
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def definition(url, version="1.0.0", input_extra=None, required=("invoice", "amount"),
               examples=None):
    props = {"invoice": {"type": "string"}, "amount": {"type": "number", "maximum": 1000}}
    props.update(input_extra or {})
    d = {"name": "refund", "version": version, "description": "Refund an invoice.",
         "risk": "write",
         "input_schema": {"type": "object", "properties": props, "required": list(required)},
         "output_schema": {"type": "object", "properties": {"refund_id": {"type": "string"}},
                           "required": ["refund_id"]},
         "backend": {"type": "http", "method": "POST", "url": url, "allow_private": True}}
    if examples is not None:
        d["examples"] = examples
    return d


EXAMPLES = [
    {"name": "small refund", "arguments": {"invoice": "inv_1", "amount": 5},
     "expect": {"subset": {"refund_id": "r_inv_1"}}, "recorded": {"refund_id": "r_inv_1"}},
    {"name": "amount missing", "arguments": {"invoice": "inv_1"},
     "expect": {"decision": "invalid"}},
    {"name": "live only", "arguments": {"invoice": "inv_2", "amount": 7},
     "expect": {"schema": {"type": "object", "required": ["refund_id"]}}},
]


def write(tmp, name, d):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        json.dump(d, f)
    return path


def test_examples(tmp, data, url):
    bad = dict(definition(url, examples=[{"name": "typo", "arguments": {"invoice": "inv_1",
                                                                        "amount": "5"}}]))
    r = run_ward(data, "tools", "add", write(tmp, "bad.json", bad))
    check("an example whose arguments break the input schema is refused at add",
          r.returncode != 0 and "examples[0].arguments" in r.stderr, r.stderr)
    r = run_ward(data, "tools", "add", write(tmp, "v1.json", definition(url, examples=EXAMPLES)))
    check("a definition with examples is added", r.returncode == 0, r.stderr)
    ward(data, "grants", "add", "--tool", "refund", "--principal", "alice")

    junit = os.path.join(tmp, "refund.xml")
    r = run_ward(data, "tools", "test", "refund", "--as", "alice", "--junit", junit, "--json")
    run = json.loads(r.stdout) if r.returncode == 0 else {}
    check("ward tools test passes every example against the backend",
          run.get("passed") == 3 and run.get("failed") == 0, r.stdout + r.stderr)
    check("the examples reached the real backend (the invalid one did not)",
          STATE["calls"] == 2, STATE)
    suite = ET.parse(junit).getroot().find("testsuite")
    check("the JUnit report lists the three examples, no failures",
          suite is not None and suite.get("tests") == "3" and suite.get("failures") == "0",
          open(junit).read())

    r = run_ward(data, "trace", "list", "--kind", "tool_call", "--json")
    events = [json.loads(ln) for ln in r.stdout.splitlines() if ln.strip()]
    via = [e["attributes"].get("via", {}) for e in events]
    check("each example run is a recorded call saying it came from tools test",
          sum(1 for v in via if v.get("front_door") == "tools_test") == 3, via)

    before = STATE["calls"]
    r = run_ward(data, "tools", "test", "refund", "--as", "alice", "--recorded", "--json")
    run = json.loads(r.stdout) if r.returncode == 0 else {}
    check("--recorded answers from the recorded response; the example without one is skipped",
          run.get("passed") == 2 and run.get("skipped") == 1 and run.get("failed") == 0,
          r.stdout + r.stderr)
    check("--recorded never contacts the backend", STATE["calls"] == before, STATE)

    STATE["broken"] = True
    r = run_ward(data, "tools", "test", "refund", "--as", "alice", "--junit", junit)
    check("a backend that breaks its contract fails ward tools test (exit 1)",
          r.returncode == 1 and "failed\tsmall refund" in r.stdout, r.stdout + r.stderr)
    suite = ET.parse(junit).getroot().find("testsuite")
    failed = [tc.get("name") for tc in suite.iter("testcase") if tc.find("failure") is not None]
    check("the JUnit report names the failing examples",
          sorted(failed) == ["live only", "small refund"], open(junit).read())
    STATE["broken"] = False

    r = run_ward(data, "tools", "test", "refund", "--as", "bob")
    check("examples run with the caller's grants: bob has none, every executed example fails",
          r.returncode == 1 and "decision 'denied'" in r.stdout, r.stdout + r.stderr)


def test_breaking_changes(tmp, data, url, base, admin_key):
    breaking = definition(url, version="1.1.0", input_extra={"reason": {"type": "string"}},
                          required=("invoice", "amount", "reason"))
    r = run_ward(data, "tools", "add", write(tmp, "v11.json", breaking))
    check("a required input property added under 1.x is refused on the CLI",
          r.returncode != 0 and "required_added" in r.stderr and "/required" in r.stderr,
          r.stderr)
    st, _, body = request(base, "POST", "/v1/tools", breaking, admin_key)
    check("and over REST (409 naming the rule)",
          st == 409 and "required_added" in error_message(body), (st, body))
    narrowed = definition(url, version="1.1.0")
    narrowed["input_schema"]["properties"]["amount"]["maximum"] = 500
    st, _, body = request(base, "POST", "/v1/tools", narrowed, admin_key)
    check("a tightened maximum under 1.x is refused", st == 409 and
          "maximum_tightened" in error_message(body), (st, body))
    r = run_ward(data, "trace", "list", "--kind", "tool_registry", "--json")
    refused = [json.loads(ln) for ln in r.stdout.splitlines() if ln.strip()]
    refused = [e for e in refused if e["attributes"].get("outcome") == "refused"]
    check("every refusal is recorded with its diff", len(refused) == 3 and all(
        e["attributes"]["diff"]["classification"] == "breaking" for e in refused), refused)

    compatible = definition(url, version="1.1.0", input_extra={"note": {"type": "string"}})
    r = run_ward(data, "tools", "add", write(tmp, "v11ok.json", compatible))
    check("an optional property added under 1.x is accepted", r.returncode == 0, r.stderr)
    r = run_ward(data, "tools", "add", write(tmp, "v2.json", dict(breaking, version="2.0.0")))
    check("the breaking change is accepted as 2.0.0", r.returncode == 0, r.stderr)

    r = run_ward(data, "tools", "diff", "refund", "1.0.0", "1.1.0")
    check("tools diff 1.0.0 -> 1.1.0 is compatible (exit 0)",
          r.returncode == 0 and "compatible" in r.stdout.splitlines()[0] and
          "property_added" in r.stdout, r.stdout + r.stderr)
    r = run_ward(data, "tools", "diff", "refund", "1.1.0", "2.0.0", "--json")
    out = json.loads(r.stdout) if r.stdout.strip() else {}
    rules = [c["rule"] for c in out.get("changes", []) if c["breaking"]]
    check("tools diff 1.1.0 -> 2.0.0 is breaking (exit 1) and lists the rule",
          r.returncode == 1 and out.get("classification") == "breaking" and
          rules == ["required_added"] and out.get("breaking_allowed") is True,
          r.stdout + r.stderr)
    r = run_ward(data, "tools", "diff", "refund", "1.0.0", "9.0.0")
    check("tools diff of an unknown version exits non-zero naming it",
          r.returncode not in (0, 1) and "9.0.0" in r.stderr, r.stderr)


def main():
    tmp = tempfile.mkdtemp(prefix="ward-contracts-")
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Billing)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{backend.server_address[1]}/refunds"
    data = os.path.join(tmp, "data")
    server = None
    try:
        ward(data, "init")
        ward(data, "user", "add", "alice")
        ward(data, "user", "add", "bob")
        admin_key = ward(data, "key", "create", "admin")
        test_examples(tmp, data, url)
        server, base = start_server(data)
        test_breaking_changes(tmp, data, url, base, admin_key)
    finally:
        if server:
            stop_processes(server)
        backend.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
