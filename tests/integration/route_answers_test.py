#!/usr/bin/env python3
"""Every operation docs/api/openapi.yaml documents is answered by a real `ward serve`: the
document's half of the route-table parity check (tests/scripts/route_docs_test.py checks the
table's routes against the document as text; this one asks the running server, with the routes
that `ward serve` adds to the table: /mcp, the sync routes, SCIM).

For each documented path and method it sends one request, without credentials, with every path
parameter replaced by a placeholder. Any answer but the router's own is a pass: 401 (the route
exists and wants a key), 400, a handler's 404 naming what it did not find. The router's answers
are the failures: 405 ("method X is not allowed on P") and 404 "no route for X P"
(src/http/http_server.cc). Only the status line, headers and a short error body are read, so a
route that streams cannot hold the test.

Usage: WARD_BIN=build/ward WARD_REPO=. python3 tests/integration/route_answers_test.py
"""
import http.client
import json
import os
import re
import sys
import tempfile
import urllib.parse

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import REPO, WARD_BIN, check, start_server, stop_server, summary, ward_ok  # noqa: E402

METHODS = ("get", "post", "put", "patch", "delete")
MIN_OPERATIONS = 50  # fewer means the document did not parse as expected


def documented_operations():
    with open(os.path.join(REPO, "docs", "api", "openapi.yaml")) as f:
        spec = yaml.safe_load(f)
    ops = []
    for path, item in (spec.get("paths") or {}).items():
        for method in item:
            if method in METHODS:
                ops.append((method.upper(), path))
    return sorted(ops)


def concrete(path):
    """The documented path with each {param} replaced by a placeholder segment."""
    return re.sub(r"\{[^}]+\}", "p1", path)


def ask(base, method, path):
    """(status, error message) for one request; the body is read only for an error."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        body = b"{}" if method in ("POST", "PUT", "PATCH") else None
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        message = ""
        if resp.status in (404, 405):
            try:
                message = json.loads(resp.read(64 * 1024)).get("error", {}).get("message", "")
            except ValueError:
                message = "<not JSON>"
        return resp.status, message
    finally:
        conn.close()


def main():
    if not WARD_BIN:
        print("WARD_BIN is not set")
        return 1
    ops = documented_operations()
    check(f"the document lists at least {MIN_OPERATIONS} operations", len(ops) >= MIN_OPERATIONS,
          len(ops))
    with tempfile.TemporaryDirectory(prefix="ward-routes-") as tmp:
        data = os.path.join(tmp, "data")
        ward_ok(data, "init")
        proc, base = start_server(data)
        try:
            for method, path in ops:
                status, message = ask(base, method, concrete(path))
                routed = not (status == 405 or
                              (status == 404 and message.startswith("no route for")))
                check(f"{method} {path} is served", routed, (status, message))
        finally:
            stop_server(proc)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
