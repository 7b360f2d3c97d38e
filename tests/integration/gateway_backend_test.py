#!/usr/bin/env python3
"""End-to-end test of the gateway's http backend and argument validation against hostile input:
the real `ward` binary on port 0 and a loopback backend (this file, IPv4 and IPv6) that leaks a
secret in its error bodies and answers with redirects and conflicts.

Checks (issue 19): a 26 KB argument checked against an ordinary `pattern`, and `^(a+)+$`, fail
validation without killing or stalling the server (they crashed std::regex); a tool whose pattern
RE2 cannot evaluate is refused at registration; backend error bodies are redacted in the REST
answer, the MCP answer, the trace and the server log; backend 302/403/409 are recorded as
`backend_error` (not `conflict`); a `..` argument cannot climb out of a URL template's path; a
backend at an IPv6 literal is reachable. Python standard library only.

Usage: WARD_BIN=build/ward WARD_REPO=. python3 tests/integration/gateway_backend_test.py
"""

import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

from harness import (WARD_BIN, check, error_message as message, http_request as request,
                     start_server, stop_processes, summary, ward_ok as ward)
from mcp_test import META, post, rpc

SECRET = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key id: the default rules catch it
SEEN = []  # request paths the backend received


class Backend(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):  # quiet
        pass

    def reply(self, code, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        SEEN.append(self.path)
        if self.path == "/leak403":
            self.reply(403, {"error": f"key {SECRET} may not read this"})
        elif self.path == "/leak500":
            self.reply(500, {"error": f"crashed while using {SECRET}"})
        elif self.path == "/moved":
            self.reply(302, {}, [("Location", "http://169.254.169.254/")])
        elif self.path == "/conflict":
            self.reply(409, {"error": "version conflict"})
        else:
            self.reply(200, {"path": self.path})


class Backend6(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def tool(name, url, schema=None):
    return {"name": name, "version": "1.0.0", "description": "backend test tool", "risk": "read",
            "input_schema": schema or {"type": "object"},
            "backend": {"type": "http", "method": "GET", "url": url, "allow_private": True,
                        "timeout_ms": 5000}}


class Env:
    def __init__(self, tmp):
        self.tmp = tmp
        self.data = os.path.join(tmp, "data")
        self.v4 = serve(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend))
        try:
            self.v6 = serve(Backend6(("::1", 0), Backend))
        except OSError:
            self.v6 = None
        ward(self.data, "init")
        ward(self.data, "user", "add", "alice")
        self.keys = {n: ward(self.data, "key", "create", n) for n in ("admin", "alice")}
        self.err = os.path.join(tmp, "serve.err")
        self.server, self.base = start_server(self.data, stderr=open(self.err, "w"))

    def url(self, path):
        return f"http://127.0.0.1:{self.v4.server_address[1]}{path}"

    def add(self, d):
        st, _, body = request(self.base, "POST", "/v1/tools", d, self.keys["admin"])
        if st in (200, 201):
            request(self.base, "POST", "/v1/grants", {"subject_kind": "principal",
                                                      "subject": "alice", "tool": d["name"]},
                    self.keys["admin"])
        return st, body

    def call(self, name, args):
        return request(self.base, "POST", f"/v1/tools/{name}/call", {"args": args},
                       self.keys["alice"])

    def mcp_call(self, name, args):
        st, _, body, _ = post(self.base, rpc(1, "tools/call", {"name": name, "_meta": META,
                                                              "arguments": args}),
                              self.keys["alice"],
                              {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call",
                               "Mcp-Name": name})
        return st, body

    def alive(self):
        st, _, _ = request(self.base, "GET", "/healthz")
        return st == 200 and self.server.poll() is None

    def close(self):
        stop_processes(self.server)
        self.v4.shutdown()
        if self.v6:
            self.v6.shutdown()


def test_patterns(e):
    schema = {"type": "object", "properties": {
        "name": {"type": "string", "pattern": "^[a-zA-Z0-9 ]*$"},
        "evil": {"type": "string", "pattern": "^(a+)+$"}}}
    st, body = e.add(tool("named", e.url("/ok"), schema))
    check("a tool with ordinary patterns registers", st in (200, 201), (st, body))
    st, _, body = e.call("named", {"name": "a" * (26 * 1024) + "!"})
    check("a 26 KB argument failing its pattern is a 400 naming the field",
          st == 400 and "/name" in message(body), (st, message(body)[:300]))
    check("the server survives it", e.alive())
    st, _, body = e.call("named", {"evil": "a" * 30000 + "!"})
    check("^(a+)+$ on 30000 a's and a '!' is a 400", st == 400 and "/evil" in message(body),
          (st, message(body)[:300]))
    st, _, body = e.call("named", {"name": "hello world " * 2000})
    check("a long valid argument passes", st == 200, (st, message(body)[:300]))
    check("the server is still alive", e.alive())
    bad = tool("backref", e.url("/ok"),
               {"type": "object", "properties": {"c": {"type": "string", "pattern": "^(a)\\1$"}}})
    st, body = e.add(bad)
    check("a pattern RE2 cannot evaluate is refused at registration, naming it",
          st == 400 and "/properties/c/pattern" in message(body) and
          "backreferences" in message(body), (st, body))
    st, _, _ = request(e.base, "GET", "/v1/tools/backref", key=e.keys["admin"])
    check("nothing stored for the refused tool", st == 404, st)


def test_redaction(e):
    e.add(tool("leaky", e.url("/leak403")))
    e.add(tool("leaky500", e.url("/leak500")))
    st, _, body = e.call("leaky", {})
    text = json.dumps(body)
    check("REST: a backend error is an error", st >= 400, (st, body))
    check("REST: the backend's error body is redacted",
          SECRET not in text and "[REDACTED:aws_access_key:" in text, text[:400])
    st, _, body = e.call("leaky500", {})
    check("REST: a backend 5xx body is redacted", st == 503 and SECRET not in json.dumps(body),
          (st, body))
    st, body = e.mcp_call("leaky", {})
    text = json.dumps(body)
    check("MCP: the error result is redacted",
          st == 200 and body["result"]["isError"] and SECRET not in text and
          "[REDACTED:aws_access_key:" in text, (st, text[:400]))
    with open(e.err) as f:
        log = f.read()
    check("server log: the 503 is logged, redacted",
          "REDACTED:aws_access_key" in log and SECRET not in log, log[-600:])


def test_decisions(e):
    e.add(tool("moved", e.url("/moved")))
    e.add(tool("conflicted", e.url("/conflict")))
    st, _, body = e.call("moved", {})
    check("a backend redirect is not followed", st == 409 and "302" in message(body), (st, body))
    st, _, body = e.call("conflicted", {})
    check("a backend 409 fails the call", st == 409, (st, body))
    events = [json.loads(line) for line in ward(e.data, "trace", "list", "--json").splitlines()
              if line.strip()]
    calls = {}
    for ev in events:
        a = ev.get("attributes", {})
        if ev["kind"] == "tool_call":
            calls.setdefault(a.get("tool", "").split("@")[0], []).append(a)
    for name, status in (("moved", 302), ("conflicted", 409), ("leaky", 403)):
        last = (calls.get(name) or [{}])[-1]
        check(f"backend {status} recorded as backend_error with its status",
              last.get("decision") == "backend_error" and last.get("backend_status") == status,
              last)
    check("no backend answer is recorded as conflict",
          all(a.get("decision") != "conflict" for n in ("moved", "conflicted", "leaky")
              for a in calls.get(n, [])))
    check("trace: the recorded reason is redacted", SECRET not in json.dumps(calls))


def test_url_templates(e):
    e.add(tool("repo", e.url("/orgs/{org}/repos/{repo}")))
    before = len(SEEN)
    for bad in ("..", "."):
        st, _, body = e.call("repo", {"org": "acme", "repo": bad})
        check(f"a '{bad}' path argument is refused naming it",
              st == 400 and "'repo'" in message(body), (st, body))
    check("the backend saw none of them", len(SEEN) == before, SEEN[before:])
    st, _, body = e.call("repo", {"org": "../repos/admin", "repo": "x"})
    check("a value with slashes stays one segment",
          st == 200 and body["result"]["path"] == "/orgs/..%2Frepos%2Fadmin/repos/x", (st, body))


def test_ipv6(e):
    if not e.v6:
        check("IPv6 loopback unavailable: skipped", True)
        return
    port = e.v6.server_address[1]
    e.add(tool("v6", f"http://[::1]:{port}/ok"))
    st, _, body = e.call("v6", {})
    check("a backend at an IPv6 literal is reachable", st == 200 and
          body["result"]["path"] == "/ok", (st, body))


def main():
    if not WARD_BIN:
        print("set WARD_BIN to the ward binary")
        return 2
    tmp = tempfile.mkdtemp(prefix="ward_gwb_")
    e = None
    try:
        e = Env(tmp)
        for t in (test_patterns, test_redaction, test_decisions, test_url_templates, test_ipv6):
            try:
                t(e)
            except Exception as ex:  # a crash in one group must not hide the others
                check(f"{t.__name__} ran", False, repr(ex))
    finally:
        if e:
            e.close()
        if not os.environ.get("KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept", tmp)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
