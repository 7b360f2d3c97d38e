#!/usr/bin/env python3
"""Approvals and read-only switches under an adversary (issue 19 items 4, 5, 11, 12), on the
real `ward` binary on port 0 in its own temp folder.

- ?wait= holds no worker thread: more waiting requests than `server.threads` while /healthz
  still answers; waiting requests are bounded per principal (429 JSON past the documented
  limit); a client that goes away frees its slot; a decision answers every waiter.
- Parked arguments are stored and shown redacted (REST, `ward approvals list`, ward.db bytes).
- A refused approval attempt through the CLI is in the audit trail.
- A tenant admin cannot switch the server-wide read-only mode; a server admin can.

Usage: WARD_BIN=build/ward WARD_REPO=. python3 tests/integration/approvals_test.py
Deadlines are generous and only bound things that must happen; nothing measures time.
"""

import concurrent.futures
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time

from harness import (REPO, check, error_message as message, http_request as request, run_ward,
                     set_cli_tenant, start_server, stop_processes, summary, ward_ok as ward)

SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
WAIT_S = 300         # far beyond every deadline below: only a wait that holds no thread passes
DEADLINE_S = 60      # generous bound on things that must happen


def documented_waiter_limit():
    """The per-principal bound on waiting requests, as docs/design/gateway.md states it."""
    text = open(os.path.join(REPO, "docs", "design", "gateway.md")).read()
    m = re.search(r"at most (\d+) waiting requests\s+per\s+principal", text)
    return int(m.group(1)) if m else 0


def waiters_gauge(base, key):
    st, _, body = request(base, "GET", "/metrics", key=key)
    m = re.search(r"(?m)^ward_gateway_approval_waiters\S* (\d+)", body if isinstance(body, str)
                  else "")
    return int(m.group(1)) if m else -1


def until(predicate, deadline_s=DEADLINE_S):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class Env:
    def __init__(self, tmp):
        self.data = os.path.join(tmp, "data")
        ward(self.data, "init")
        toml = os.path.join(self.data, "ward.toml")
        text = open(toml).read()
        text = re.sub(r"(?m)^max_wait_s = \d+", f"max_wait_s = {WAIT_S}", text)
        text = re.sub(r"(?m)^threads = \d+", "threads = 2", text)
        with open(toml, "w") as f:
            f.write(text)
        tool = {
            "name": "rotate_key", "version": "1.0.0", "risk": "write",
            "description": "Rotates a partner's API key (always reviewed).",
            "input_schema": {"type": "object",
                             "properties": {"partner": {"type": "string"},
                                            "api_key": {"type": "string"}},
                             "required": ["partner", "api_key"],
                             "additionalProperties": False},
            "backend": {"type": "http", "method": "POST", "allow_private": True,
                        "url": "http://127.0.0.1:9/partners/{partner}/key"},
            "approval": [{"name": "always", "always": True}],
        }
        path = os.path.join(tmp, "rotate_key.json")
        with open(path, "w") as f:
            json.dump(tool, f)
        ward(self.data, "tools", "add", path)
        ward(self.data, "group", "add", "approvers")
        ward(self.data, "user", "add", "alice")
        ward(self.data, "user", "add", "bob")
        ward(self.data, "user", "add", "rita", "--groups", "approvers")
        ward(self.data, "grants", "add", "--tool", "rotate_key", "--principal", "alice")
        self.keys = {n: ward(self.data, "key", "create", n) for n in ("admin", "alice", "bob",
                                                                        "rita")}
        # A second tenant with its own admin.
        set_cli_tenant(self.data, "acme")
        ward(self.data, "user", "add", "carol", "--admin")
        self.keys["carol"] = ward(self.data, "key", "create", "carol")
        set_cli_tenant(self.data, "default")
        self.server, self.base = start_server(self.data)

    def park(self, key):
        st, _, body = request(self.base, "POST", "/v1/tools/rotate_key/call",
                              {"args": {"partner": "acme", "api_key": SECRET}}, self.keys["alice"],
                              {"Idempotency-Key": key})
        check(f"parked {key}: 202", st == 202 and body.get("status") == "pending", (st, body))
        return body.get("approval_id", "")

    def close(self):
        stop_processes(self.server)


def test_waits_hold_no_worker(e):
    limit = documented_waiter_limit()
    check("the waiter limit is documented", limit > 2, limit)
    aid = e.park("wait-1")
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=limit + 4)
    alice, rita = e.keys["alice"], e.keys["rita"]
    # limit - 1 polls of the approval and one call that waits: `limit` waits by alice, and one
    # by rita, on a server with two worker threads.
    futures = [pool.submit(request, e.base, "GET", f"/v1/approvals/{aid}?wait={WAIT_S}",
                           None, alice, None, None, WAIT_S + 30) for _ in range(limit - 1)]
    call = pool.submit(request, e.base, "POST", f"/v1/tools/rotate_key/call?wait={WAIT_S}",
                       {"args": {"partner": "acme", "api_key": SECRET}}, alice,
                       {"Idempotency-Key": "wait-1"}, None, WAIT_S + 30)
    futures.append(pool.submit(request, e.base, "GET", f"/v1/approvals/{aid}?wait={WAIT_S}",
                               None, rita, None, None, WAIT_S + 30))
    admin = e.keys["admin"]
    check("every wait is registered", until(lambda: waiters_gauge(e.base, admin) == limit + 1),
          waiters_gauge(e.base, admin))
    st, _, body = request(e.base, "GET", "/healthz", timeout=DEADLINE_S)
    check("healthz answers while more requests wait than there are workers", st == 200,
          (st, body))
    st, hdrs, body = request(e.base, "GET", f"/v1/approvals/{aid}?wait={WAIT_S}", key=alice,
                             timeout=DEADLINE_S)
    check("one wait over the limit per principal: 429 JSON naming the limit",
          st == 429 and body.get("error", {}).get("code") == "resource_exhausted" and
          str(limit) in message(body) and hdrs.get("Retry-After"), (st, body))
    # A client that goes away frees its slot.
    port = int(e.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S) as s:
        s.sendall(f"GET /v1/approvals/{aid}?wait={WAIT_S} HTTP/1.1\r\nHost: x\r\n"
                  f"Authorization: Bearer {rita}\r\n\r\n".encode())
        check("a fresh waiter registers", until(lambda: waiters_gauge(e.base, admin) == limit + 2),
              waiters_gauge(e.base, admin))
    check("a client that went away frees its slot",
          until(lambda: waiters_gauge(e.base, admin) == limit + 1), waiters_gauge(e.base, admin))

    st, _, body = request(e.base, "POST", f"/v1/approvals/{aid}/deny", {"comment": "no"}, rita)
    check("deny answers 200", st == 200 and body.get("state") == "denied", (st, body))
    results = [f.result(timeout=DEADLINE_S) for f in futures]
    check("every waiting poll gets the decision",
          all(st == 200 and b.get("state") == "denied" for st, _, b in results), results)
    st, _, body = call.result(timeout=DEADLINE_S)
    check("the waiting call gets the decision", st == 202 and body.get("state") == "denied",
          (st, body))
    check("no waiter is left", until(lambda: waiters_gauge(e.base, admin) == 0))
    pool.shutdown()


def test_arguments_redacted(e):
    aid = e.park("redact-1")
    st, _, body = request(e.base, "GET", f"/v1/approvals/{aid}", key=e.keys["rita"])
    check("REST shows the approval", st == 200 and body.get("args", {}).get("partner") == "acme",
          (st, body))
    check("REST shows the arguments redacted", SECRET not in json.dumps(body), body)
    st, _, body = request(e.base, "GET", "/v1/approvals?state=pending", key=e.keys["rita"])
    check("the REST listing is redacted", st == 200 and SECRET not in json.dumps(body), body)
    out = run_ward(e.data, "approvals", "list")
    check("`ward approvals list` is redacted", out.returncode == 0 and aid in out.stdout and
          SECRET not in out.stdout, out.stdout + out.stderr)
    leaked = [n for n in ("ward.db", "ward.db-wal")
              if os.path.exists(os.path.join(e.data, n)) and
              SECRET.encode() in open(os.path.join(e.data, n), "rb").read()]
    check("no file of ward.db holds the raw argument", not leaked, leaked)
    st, _, body = request(e.base, "POST", f"/v1/approvals/{aid}/approve", {}, e.keys["rita"])
    check("the approved call runs with the real arguments (backend down: failed at dispatch)",
          st == 200 and body.get("state") == "failed" and
          body.get("result", {}).get("error", {}).get("code") == "unavailable", (st, body))


def test_cli_refusal_recorded(e):
    aid = e.park("refuse-1")
    out = run_ward(e.data, "approvals", "approve", aid, "--as", "bob")
    check("the CLI refuses a non-approver (exit 4)", out.returncode == 4, out.stderr)
    out = run_ward(e.data, "approvals", "deny", aid, "--as", "alice")
    check("the CLI refuses the requester (exit 4)", out.returncode == 4, out.stderr)
    out = run_ward(e.data, "trace", "list", "--kind", "tool_decision", "--decision", "refused",
                   "--json")
    refused = [json.loads(ln) for ln in out.stdout.splitlines() if ln.strip()]
    mine = [r for r in refused if aid in json.dumps(r)]
    check("both CLI refusals are in the audit trail",
          sorted(r.get("principal") for r in mine) == ["alice", "bob"] and
          all(r["attributes"].get("approval_id") == aid for r in mine),
          out.stdout + out.stderr)
    st, _, _ = request(e.base, "POST", f"/v1/approvals/{aid}/approve", {}, e.keys["bob"])
    check("REST refuses too (403)", st == 403)
    out = run_ward(e.data, "trace", "list", "--kind", "tool_decision", "--decision", "refused",
                   "--json")
    check("the REST refusal is recorded once", out.stdout.count(aid) == 3, out.stdout)


def test_server_mode_needs_server_admin(e):
    carol = e.keys["carol"]
    st, _, body = request(e.base, "PUT", "/v1/modes", {"scope": "server", "read_only": True},
                          carol)
    check("a tenant admin cannot switch the server: 403", st == 403, (st, body))
    st, _, body = request(e.base, "GET", "/v1/modes", key=e.keys["admin"])
    check("the server stays writable",
          not any(m.get("scope") == "server" and m.get("read_only") for m in body["modes"]), body)
    st, _, body = request(e.base, "PUT", "/v1/modes", {"scope": "tenant", "read_only": True},
                          carol)
    check("a tenant admin switches its own tenant", st == 200, (st, body))
    st, _, body = request(e.base, "PUT", "/v1/modes", {"scope": "server", "read_only": True},
                          e.keys["admin"])
    check("a server admin switches the server", st == 200, (st, body))
    st, _, body = request(e.base, "PUT", "/v1/modes", {"scope": "server", "read_only": False},
                          e.keys["admin"])
    out = run_ward(e.data, "trace", "list", "--kind", "tool_mode", "--decision", "denied",
                   "--json")
    check("the refusal is recorded", out.returncode == 0 and '"server"' in out.stdout,
          out.stdout + out.stderr)


def main():
    tmp = tempfile.mkdtemp(prefix="ward_apr_")
    e = None
    try:
        e = Env(tmp)
        for t in (test_waits_hold_no_worker, test_arguments_redacted, test_cli_refusal_recorded,
                  test_server_mode_needs_server_admin):
            try:
                t(e)
            except Exception as ex:  # a crash in one group must not hide the others
                check(f"{t.__name__} ran", False, repr(ex))
    finally:
        if e:
            e.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
