#!/usr/bin/env python3
"""End-to-end test of the tool gateway: the real `ward` binary on port 0 and a real loopback
billing backend (examples/billing_service.py) that counts executions.

Usage: WARD_BIN=build/ward WARD_REPO=. python3 tests/integration/gateway_test.py

Checks exactly-once under retries and concurrent duplicates, never in read-only, never without
approval, never without a grant; bad input (malformed JSON, wrong types, oversized bodies,
unknown tools, a decision on a settled approval) each a clear 4xx with nothing executed and
nothing stored half-way; rate limits with Retry-After; the SSRF guard; pinning and quarantine;
secrets never returned or recorded; every decision in the trace log. Approval expiry is driven
by a fake clock in the gateway's unit tests (tests/unit/gateway/approvals_test.cc), not by a
sleep here. Python standard library only.
"""

import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from harness import (REPO, WARD_BIN, check, error_message as message,
                     http_request as request, run_ward, stop_processes, summary, wait_until,
                     ward_ok as ward)

TOKEN = "tok-9f8e7d6c5b4a"  # the billing service account secret: must never leak


class Env:
    def __init__(self, tmp):
        self.data = os.path.join(tmp, "data")
        ward(self.data, "init")
        self.server = None
        port_file = os.path.join(tmp, "billing.port")
        self.billing = subprocess.Popen(
            [sys.executable, os.path.join(REPO, "examples", "billing_service.py"), "--port", "0",
             "--port-file", port_file, "--token", TOKEN, "--refund-delay-ms", "200"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: os.path.exists(port_file) and open(port_file).read().strip(),
                   "the billing service's port file")
        self.bport = int(open(port_file).read())
        self.tools_dir = os.path.join(tmp, "tools")
        os.makedirs(self.tools_dir)
        for name in ("lookup_invoice", "refund_invoice", "delete_customer"):
            self.write_tool(self.example(name))
        ward(self.data, "tools", "add", *[os.path.join(self.tools_dir, n + "@1.0.0.json")
                                          for n in ("lookup_invoice", "refund_invoice",
                                                    "delete_customer")])
        ward(self.data, "secrets", "set", "billing_token", stdin=TOKEN + "\n")
        ward(self.data, "group", "add", "finance")
        ward(self.data, "group", "add", "approvers")
        ward(self.data, "user", "add", "alice", "--groups", "finance")
        ward(self.data, "user", "add", "bob")
        ward(self.data, "user", "add", "rita", "--groups", "approvers")
        ward(self.data, "user", "add", "helper", "--agent")
        self.keys = {n: ward(self.data, "key", "create", n)
                     for n in ("admin", "alice", "bob", "rita", "helper")}
        ward(self.data, "grants", "add", "--tool", "lookup_invoice", "--group", "finance")
        ward(self.data, "grants", "add", "--tool", "refund_invoice", "--principal", "alice",
             "--constraints", '{"amount": {"max": 2000}}')
        ward(self.data, "grants", "add", "--tool", "delete_customer", "--principal", "alice")
        ward(self.data, "grants", "add", "--tool", "lookup_invoice", "--agent", "helper")

    def start(self):
        self.server = subprocess.Popen([WARD_BIN, "--data", self.data, "serve", "--listen",
                                        "127.0.0.1:0"], stdout=subprocess.PIPE,
                                       stderr=open(os.path.join(self.data, "serve.err"), "w"), text=True)
        line = self.server.stdout.readline().strip()
        m = re.match(r"^listening on (http://127\.0\.0\.1:\d+)$", line)
        if not m:
            raise RuntimeError(f"ward serve printed {line!r}")
        self.base = m.group(1)

    def example(self, name):
        with open(os.path.join(REPO, "examples", "tools", name + ".json")) as f:
            d = json.load(f)
        d["backend"]["url"] = d["backend"]["url"].replace(":7480/", f":{self.bport}/")
        # The tests derive other tools from it with other schemas: its examples (contract tests
        # of lookup_invoice's own schemas) would not hold for them.
        d.pop("examples", None)
        return d

    def write_tool(self, d):
        path = os.path.join(self.tools_dir, f"{d['name']}@{d['version']}.json")
        with open(path, "w") as f:
            json.dump(d, f)
        return path

    def stats(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.bport}/stats", timeout=10) as r:
            return json.loads(r.read())

    def call(self, who, tool, args, key=None, extra=None, query="", headers=None):
        body = {"args": args}
        body.update(extra or {})
        h = dict(headers or {})
        if key:
            h["Idempotency-Key"] = key
        return request(self.base, "POST", f"/v1/tools/{tool}/call{query}", body,
                       self.keys[who], h)

    def admin(self, method, path, body=None, query=""):
        return request(self.base, method, path + query, body, self.keys["admin"])

    def close(self):
        stop_processes(self.server, self.billing)


INV = "INV-2024-0042"


def refund(amount, reason="customer complaint"):
    return {"invoice_id": INV, "amount": amount, "reason": reason}


def test_grants_and_reads(e):
    before = e.stats()["lookups"]
    st, _, body = e.call("bob", "lookup_invoice", {"invoice_id": INV})
    check("no grant: 403", st == 403 and "no grant" in message(body), (st, body))
    check("no grant: backend not called", e.stats()["lookups"] == before)
    tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    st, _, body = e.call("alice", "lookup_invoice", {"invoice_id": INV}, headers={"traceparent": tp})
    check("group grant: 200 with result", st == 200 and body["result"]["amount"] == 1250.0,
          (st, body))
    check("trace id continues the caller's traceparent",
          body.get("trace_id") == "0af7651916cd43dd8448eb211c80319c", body)
    s = e.stats()
    check("backend saw traceparent of the same trace",
          s["last_traceparent"].startswith("00-0af7651916cd43dd8448eb211c80319c-"), s)
    check("service-account token reached the backend (else it would 401)", s["lookups"] == before + 1)


def test_exactly_once(e):
    before = e.stats()["refunds"]
    results = [e.call("alice", "refund_invoice", refund(100), key="retry-1") for _ in range(3)]
    ids = {r[2].get("result", {}).get("refund_id") for r in results}
    check("retries: all 200", all(r[0] == 200 for r in results), results)
    check("retries: one refund id", len(ids) == 1, ids)
    check("retries: replayed flag on retries", results[1][2].get("replayed") is True, results[1])
    check("retries: executed exactly once", e.stats()["refunds"] == before + 1, e.stats())

    before = e.stats()["refunds"]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(e.call, "alice", "refund_invoice", refund(120), "dup-1")
                   for _ in range(8)]
        results = [f.result() for f in futures]
    ids = {r[2].get("result", {}).get("refund_id") for r in results}
    check("concurrent duplicates: all 200", all(r[0] == 200 for r in results),
          [r[:1] + (r[2],) for r in results if r[0] != 200])
    check("concurrent duplicates: one result", len(ids) == 1, ids)
    check("concurrent duplicates: executed exactly once", e.stats()["refunds"] == before + 1)

    st, _, body = e.call("alice", "refund_invoice", refund(130), key="retry-1")
    check("same key, other args: 409", st == 409 and "other arguments" in message(body), (st, body))
    st, _, body = e.call("alice", "refund_invoice", refund(10))
    check("write without key: 400", st == 400 and "idempotency key" in message(body), (st, body))
    check("conflict and missing key executed nothing", e.stats()["refunds"] == before + 1)


def test_read_only(e):
    before = e.stats()["refunds"]
    st, _, _ = e.admin("PUT", "/v1/modes", {"scope": "tenant", "read_only": True})
    check("tenant read-only on", st == 200)
    st, _, body = e.call("alice", "refund_invoice", refund(50), key="ro-1")
    check("read-only: write refused with the reason", st == 403 and "read-only" in message(body),
          (st, body))
    st, _, _ = e.call("alice", "lookup_invoice", {"invoice_id": INV})
    check("read-only: reads still run", st == 200)
    e.admin("PUT", "/v1/modes", {"scope": "tenant", "read_only": False})
    e.admin("PUT", "/v1/modes", {"scope": "server", "read_only": True})
    st, _, body = e.call("alice", "delete_customer", {"customer_id": "acme"}, key="ro-2")
    check("server read-only: destructive refused", st == 403 and "server" in message(body), body)
    e.admin("PUT", "/v1/modes", {"scope": "server", "read_only": False})
    check("read-only: nothing executed", e.stats()["refunds"] == before and
          e.stats()["deletes"] == 0)
    # The refused key was not burned: the same key works once the mode is off.
    st, _, body = e.call("alice", "refund_invoice", refund(50), key="ro-1")
    check("after read-only off the same key runs", st == 200, (st, body))


def test_agents(e):
    st, _, body = e.call("helper", "lookup_invoice", {"invoice_id": INV},
                         extra={"on_behalf_of": "alice"})
    check("agent for a user who never delegated to it: denied",
          st == 403 and "has not delegated to agent 'helper'" in message(body), (st, body))
    st, _, body = request(e.base, "POST", "/v1/delegations", {"user": "alice", "agent": "helper"},
                          e.keys["bob"])
    check("bob cannot delegate for alice", st == 403, (st, body))
    st, _, body = request(e.base, "POST", "/v1/delegations", {"user": "alice", "agent": "helper"},
                          e.keys["alice"])
    check("alice delegates to helper herself", st == 201, (st, body))
    e.admin("POST", "/v1/delegations", {"user": "bob", "agent": "helper"})
    st, _, body = request(e.base, "GET", "/v1/delegations", key=e.keys["alice"])
    check("alice lists only her delegations",
          st == 200 and [d["user"] for d in body["delegations"]] == ["alice"], (st, body))
    st, _, body = e.call("helper", "lookup_invoice", {"invoice_id": INV},
                         extra={"on_behalf_of": "alice"})
    check("agent for alice: read allowed (both granted)", st == 200, (st, body))
    st, _, body = e.call("helper", "lookup_invoice", {"invoice_id": INV},
                         extra={"on_behalf_of": "bob"})
    check("agent for bob: intersection denies", st == 403 and "bob" in message(body), body)
    st, _, body = e.call("helper", "refund_invoice", refund(10), key="ag-1",
                         extra={"on_behalf_of": "alice"})
    check("agent without its own grant: denied", st == 403 and "helper" in message(body), body)
    e.admin("POST", "/v1/grants", {"subject_kind": "agent", "subject": "helper",
                                   "tool": "refund_invoice"})
    before = e.stats()["refunds"]
    st, _, body = e.call("helper", "refund_invoice", refund(10), key="ag-1",
                         extra={"on_behalf_of": "alice"})
    check("new agent starts read-only", st == 403 and "read-only" in message(body), body)
    e.admin("PUT", "/v1/modes", {"scope": "agent", "agent": "helper", "read_only": False})
    st, _, body = e.call("helper", "refund_invoice", refund(10), key="ag-1",
                         extra={"on_behalf_of": "alice"})
    check("agent with read-only off and both grants: 200", st == 200, (st, body))
    check("agent write executed once", e.stats()["refunds"] == before + 1)
    st, _, body = e.call("alice", "refund_invoice", refund(3000), key="ag-2")
    check("grant constraint amount <= 2000 denies 3000", st == 403 and "2000" in message(body),
          body)


def test_agent_scope(e):
    """An agent acting for alice reads only inside its document scope (issue 19, item 22)."""
    for source, doc_id, text in (("handbook", "hb-leave", "parental leave is sixteen weeks"),
                                 ("hr", "hr-review", "parental leave reviews happen yearly")):
        st, _, body = e.admin("POST", "/v1/documents", {"records": [
            {"id": doc_id, "text": text, "acl": {"users": ["alice"]}}]}, query=f"?source={source}")
        check(f"pushed {doc_id}", st == 200, (st, body))
    for tool in ("search", "fetch"):
        e.admin("POST", "/v1/grants", {"subject_kind": "agent", "subject": "helper", "tool": tool})

    def hit_ids(who, extra=None):
        st, _, body = e.call(who, "search", {"query": "parental leave"}, extra=extra)
        return st, sorted(h["doc_id"] for h in body.get("result", {}).get("hits", []))

    check("alice herself (built-in search, granted to every user) reads both",
          hit_ids("alice") == (200, ["hb-leave", "hr-review"]), hit_ids("alice"))
    for_alice = {"on_behalf_of": "alice"}
    check("helper for alice without a document scope reads nothing",
          hit_ids("helper", for_alice) == (200, []), hit_ids("helper", for_alice))
    st, _, body = e.admin("POST", "/v1/principals/helper/scope",
                          {"kind": "source", "value": "handbook"})
    check("admin adds source handbook to helper's scope", st == 201 and body["scope"] ==
          [{"kind": "source", "value": "handbook"}], (st, body))
    check("helper for alice reads only the intersection",
          hit_ids("helper", for_alice) == (200, ["hb-leave"]), hit_ids("helper", for_alice))
    st, _, body = e.call("helper", "fetch", {"id": "hr-review"}, extra=for_alice)
    check("helper for alice: fetch outside its scope is not found",
          st == 404 and "not found" in message(body), (st, body))
    st, _, body = e.call("helper", "fetch", {"id": "hb-leave"}, extra=for_alice)
    check("helper for alice: fetch inside its scope reads it",
          st == 200 and "sixteen" in body.get("result", {}).get("text", ""), (st, body))
    for bad, why in (({"kind": "colour", "value": "x"}, "colour"),
                     ({"kind": "tag", "value": "no-equals"}, "key=value"),
                     ({"kind": "source", "value": "x", "extra": 1}, "extra")):
        st, _, body = e.admin("POST", "/v1/principals/helper/scope", bad)
        check(f"bad scope entry ({why}): 400 naming it", st == 400 and why in message(body),
              (st, body))
    st, _, body = e.admin("POST", "/v1/principals/alice/scope", {"kind": "source", "value": "x"})
    check("only agents have a scope: 400", st == 400 and "not an agent" in message(body),
          (st, body))
    st, _, body = request(e.base, "POST", "/v1/principals/helper/scope",
                          {"kind": "source", "value": "hr"}, e.keys["alice"])
    check("a non-admin cannot change a scope: 403", st == 403, (st, body))
    st, _, body = e.admin("DELETE", "/v1/principals/helper/scope/source/handbook")
    check("admin removes the entry", st == 200 and body["scope"] == [], (st, body))
    check("helper for alice reads nothing again",
          hit_ids("helper", for_alice) == (200, []), hit_ids("helper", for_alice))


def test_approvals(e):
    before = e.stats()["refunds"]
    st, _, body = e.call("alice", "refund_invoice", refund(900), key="big-1")
    check("above threshold: 202 pending", st == 202 and body.get("status") == "pending", (st, body))
    aid = body.get("approval_id", "")
    check("pending: not executed", e.stats()["refunds"] == before)
    st, _, body = e.call("alice", "refund_invoice", refund(900), key="big-1")
    check("retry while pending: same approval", st == 202 and body.get("approval_id") == aid, body)
    st, _, body = request(e.base, "GET", f"/v1/approvals/{aid}", key=e.keys["alice"])
    check("requester can poll", st == 200 and body["state"] == "pending", body)
    st, _, body = request(e.base, "GET", f"/v1/approvals/{aid}", key=e.keys["bob"])
    check("others cannot see it", st == 404, (st, body))
    st, _, body = request(e.base, "POST", f"/v1/approvals/{aid}/approve", {}, e.keys["alice"])
    check("requester cannot approve", st == 403, (st, body))
    st, _, body = request(e.base, "POST", f"/v1/approvals/{aid}/approve",
                          {"comment": "verified with customer"}, e.keys["rita"])
    check("approver approves: executed", st == 200 and body["state"] == "executed", (st, body))
    check("approved call ran once", e.stats()["refunds"] == before + 1)
    refund_id = body.get("result", {}).get("result", {}).get("refund_id")
    st, _, body = request(e.base, "POST", f"/v1/approvals/{aid}/approve", {}, e.keys["rita"])
    check("second approval: 409", st == 409, (st, body))
    st, _, body = e.call("alice", "refund_invoice", refund(900), key="big-1")
    check("retry after approval: stored result", st == 200 and
          body.get("result", {}).get("refund_id") == refund_id, body)
    check("still executed once", e.stats()["refunds"] == before + 1)

    st, _, body = e.call("alice", "refund_invoice", refund(800), key="big-2")
    aid2 = body.get("approval_id")
    st, _, body = request(e.base, "POST", f"/v1/approvals/{aid2}/deny",
                          {"comment": "no"}, e.keys["rita"])
    check("deny: denied", st == 200 and body["state"] == "denied" and body["reviewer"] == "rita",
          body)
    st, _, body = e.call("alice", "refund_invoice", refund(800), key="big-2")
    check("retry after deny: denied, not run", body.get("status") == "denied", body)
    check("denied call never ran", e.stats()["refunds"] == before + 1)

    # ?wait: the caller blocks until a reviewer decides.
    out = {}

    def waiter():
        out["r"] = e.call("alice", "refund_invoice", refund(700), key="big-3", query="?wait=120")

    t = threading.Thread(target=waiter)
    t.start()
    pending = []

    def parked():
        _, _, lst = request(e.base, "GET", "/v1/approvals?state=pending", key=e.keys["rita"])
        pending[:] = [a for a in lst["approvals"] if a["args"].get("amount") == 700]
        return bool(pending)

    check("wait: the call is parked", wait_until(parked, "the parked call"))
    if pending:
        request(e.base, "POST", f"/v1/approvals/{pending[0]['id']}/approve", {}, e.keys["rita"])
    t.join(150)
    st, _, body = out.get("r", (0, None, {}))
    check("wait: caller gets the executed result", st == 200 and body.get("status") == "ok" and
          body.get("result", {}).get("status") == "refunded", (st, body))

    # Expiry is driven by a fake clock in the gateway's unit tests
    # (ApprovalExpiry.AtItsTtlAnApprovalExpiresByTheClockAndTheCallNeverRuns): here it would need
    # a sleep past the smallest TTL (approval_ttl_s >= 1).


def test_bad_input(e):
    before = e.stats()
    st, _, body = request(e.base, "POST", "/v1/tools/refund_invoice/call", raw=b"{not json",
                          key=e.keys["alice"], headers={"Idempotency-Key": "bad-1"})
    check("malformed JSON: 400", st == 400, (st, body))
    st, _, body = e.call("alice", "refund_invoice", {"invoice_id": INV, "amount": 100,
                                                     "reason": 123}, key="bad-2")
    check("wrong type: 400 naming the field and rule",
          st == 400 and "/reason" in message(body) and "type" in message(body), (st, body))
    st, _, body = e.call("alice", "refund_invoice", {"invoice_id": INV, "amount": "100",
                                                     "reason": "x y z"}, key="bad-2b")
    check("no coercion: a string under a numeric grant bound is denied", st == 403, (st, body))
    st, _, body = e.call("alice", "refund_invoice", {"invoice_id": INV, "amount": 5,
                                                     "reason": "ok!", "extra": 1}, key="bad-3")
    check("additional property: 400", st == 400 and "extra" in message(body), (st, body))
    st, _, body = e.call("alice", "lookup_invoice", {"invoice_id": "x" * (1100 * 1024)})
    check("oversized args: 400 naming the limit", st == 400 and "max_args_bytes" in message(body),
          (st, message(body)[:200]))
    st, _, body = request(e.base, "POST", "/v1/tools/lookup_invoice/call",
                          raw=b'{"args":{"invoice_id":"' + b"x" * (17 << 20) + b'"}}',
                          key=e.keys["alice"])
    check("oversized body: 413", st == 413, st)
    st, _, body = e.call("alice", "no_such_tool", {})
    check("unknown tool: 404", st == 404 and "no_such_tool" in message(body), (st, body))
    st, _, body = e.call("alice", "lookup_invoice", {"invoice_id": INV}, extra={"bogus": 1})
    check("unknown body field: 400", st == 400 and "bogus" in message(body), (st, body))
    after = e.stats()
    check("bad input executed nothing", after["refunds"] == before["refunds"] and
          after["lookups"] == before["lookups"], (before, after))
    # A bad definition stores nothing.
    d = e.example("lookup_invoice")
    d["name"] = "half_tool"
    d["input_schema"] = {"type": "object", "properties": {"a": {"type": "strnig"}}}
    st, _, body = e.admin("POST", "/v1/tools", d)
    check("invalid schema in a definition: 400 naming the pointer (metaschema check)",
          st == 400 and "/properties/a/type" in message(body), (st, body))
    # `tools call --explain` lists every failing rule, with its schema pointer.
    proc = run_ward(e.data, "tools", "call", "refund_invoice", "--as", "alice", "--explain",
                    "--idempotency-key", "bad-explain", "--args",
                    json.dumps({"invoice_id": "nope", "amount": -1, "reason": "ok!"}))
    check("--explain lists every failing rule",
          proc.returncode != 0 and "/invoice_id: must match the pattern" in proc.stderr and
          "(pattern at /properties/invoice_id/pattern)" in proc.stderr and
          "(exclusiveMinimum at /properties/amount/exclusiveMinimum)" in proc.stderr,
          (proc.returncode, proc.stderr))
    st, _, _ = e.admin("GET", "/v1/tools/half_tool")
    check("nothing stored half-way", st == 404)
    st, _, body = e.admin("POST", "/v1/grants", {"subject_kind": "principal", "subject": "nobody",
                                                 "tool": "lookup_invoice"})
    check("grant for unknown principal: 400", st == 400 and "nobody" in message(body), body)


def test_rate_limit(e):
    d = e.example("lookup_invoice")
    d["name"] = "lookup_limited"
    # A token every 1000 s: however slow the machine, the third call finds the bucket empty.
    d["rate_limit"] = {"per_principal_tool": {"rate": 0.001, "burst": 2}}
    st, _, _ = e.admin("POST", "/v1/tools", d)
    e.admin("POST", "/v1/grants", {"subject_kind": "principal", "subject": "alice",
                                   "tool": "lookup_limited"})
    codes = [e.call("alice", "lookup_limited", {"invoice_id": INV}) for _ in range(3)]
    check("burst of 2 then 429", [c[0] for c in codes] == [200, 200, 429], [c[0] for c in codes])
    check("429 carries Retry-After", int(codes[2][1].get("Retry-After", "0")) >= 1,
          dict(codes[2][1]))


def test_registry(e):
    before = e.stats()["lookups"]
    d = e.example("lookup_invoice")
    d["backend"]["allow_private"] = False
    d["name"] = "lookup_public_only"
    e.admin("POST", "/v1/tools", d)
    e.admin("POST", "/v1/grants", {"subject_kind": "principal", "subject": "alice",
                                   "tool": "lookup_public_only"})
    st, _, body = e.call("alice", "lookup_public_only", {"invoice_id": INV})
    check("loopback backend refused without allow_private", st == 403 and
          "loopback" in message(body), (st, body))
    d["name"] = "lookup_localhost"
    d["backend"]["url"] = d["backend"]["url"].replace("127.0.0.1", "localhost")
    e.admin("POST", "/v1/tools", d)
    e.admin("POST", "/v1/grants", {"subject_kind": "principal", "subject": "alice",
                                   "tool": "lookup_localhost"})
    st, _, body = e.call("alice", "lookup_localhost", {"invoice_id": INV})
    check("hostname resolving to loopback refused", st == 403, (st, body))
    check("SSRF guard: backend never reached", e.stats()["lookups"] == before)

    for name, path in (("follow_redirect", "/redirect"), ("big_response", "/big")):
        d = e.example("lookup_invoice")
        d["name"] = name
        d["backend"]["url"] = f"http://127.0.0.1:{e.bport}{path}"
        d["input_schema"] = {"type": "object"}
        d.pop("output_schema", None)
        e.admin("POST", "/v1/tools", d)
        e.admin("POST", "/v1/grants", {"subject_kind": "principal", "subject": "alice",
                                       "tool": name})
    st, _, body = e.call("alice", "follow_redirect", {})
    check("redirect not followed", st == 409 and "302" in message(body), (st, body))
    st, _, body = e.call("alice", "big_response", {})
    check("response over max_response_bytes fails", st == 503 and
          "max_response_bytes" in message(body), (st, body))
    check("redirect target never fetched", e.stats()["lookups"] == before)

    v2 = e.example("lookup_invoice")
    v2["version"] = "1.1.0"
    st, _, _ = e.admin("POST", "/v1/tools", v2)
    st, _, body = e.call("alice", "lookup_invoice", {"invoice_id": INV})
    check("newest version by default", body.get("version") == "1.1.0", body)
    e.admin("POST", "/v1/tools/lookup_invoice/versions/1.1.0/deprecate", {"deprecated": True})
    st, _, body = e.call("alice", "lookup_invoice", {"invoice_id": INV})
    check("deprecated skipped by default", body.get("version") == "1.0.0", body)
    st, _, body = e.call("alice", "lookup_invoice", {"invoice_id": INV}, extra={"version": "1.1.0"})
    check("deprecated version by name warns", st == 200 and body.get("warnings"), body)
    v3 = e.example("lookup_invoice")
    v3["version"] = "0.9.0"
    v3["deprecation"] = {"sunset": "2020-01-01", "replacement": "lookup_invoice@1.0.0"}
    e.admin("POST", "/v1/tools", v3)
    st, _, body = e.call("alice", "lookup_invoice", {"invoice_id": INV}, extra={"version": "0.9.0"})
    check("sunset version refused", st == 409 and "sunset" in message(body), (st, body))

    st, _, body = e.admin("POST", "/v1/tools/lookup_invoice/versions/1.0.0/pin", {"pinned": True})
    check("pin", st == 200, body)
    changed = e.example("lookup_invoice")
    changed["description"] = "Changed upstream"
    st, _, body = e.admin("POST", "/v1/tools", changed)
    check("admin cannot change an existing version", st == 409, (st, body))
    st, _, body = e.admin("POST", "/v1/tools", changed, query="?upstream=true")
    check("upstream change of a pinned version is quarantined",
          body.get("outcome") == "quarantined", body)
    st, _, body = e.call("alice", "lookup_invoice", {"invoice_id": INV}, extra={"version": "1.0.0"})
    check("quarantined version refused", st == 409 and "quarantined" in message(body), (st, body))
    st, _, body = e.admin("POST", "/v1/tools/lookup_invoice/versions/1.0.0/approve-definition")
    st, _, body = e.call("alice", "lookup_invoice", {"invoice_id": INV}, extra={"version": "1.0.0"})
    check("approved definition callable again", st == 200, (st, body))

    bad = e.example("lookup_invoice")
    bad["name"] = "bad_output"
    bad["output_schema"] = {"type": "object", "required": ["refund_total"]}
    e.admin("POST", "/v1/tools", bad)
    e.admin("POST", "/v1/grants", {"subject_kind": "principal", "subject": "alice",
                                   "tool": "bad_output"})
    st, _, body = e.call("alice", "bad_output", {"invoice_id": INV})
    check("output schema violation reported", st == 500 and "refund_total" in message(body),
          (st, body))
    mcp = {"name": "upstream_tool", "version": "1.0.0", "description": "via MCP", "risk": "read",
           "input_schema": {"type": "object"},
           "backend": {"type": "mcp", "server": "crm", "tool": "find"}}
    st, _, _ = e.admin("POST", "/v1/tools", mcp)
    e.admin("POST", "/v1/grants", {"subject_kind": "principal", "subject": "alice",
                                   "tool": "upstream_tool"})
    st, _, body = e.call("alice", "upstream_tool", {})
    check("mcp backend of an unconfigured upstream: clear 503",
          st == 503 and "no upstream 'crm' is configured" in message(body), (st, body))
    st, _, body = e.call("alice", "lookup_invoice", {"invoice_id": "INV-2024-0042"})
    st, _, body = e.admin("POST", "/v1/tools", mcp)
    check("same definition again: unchanged", body.get("outcome") == "unchanged", body)


def test_secrets_and_traces(e):
    st, _, body = e.admin("GET", "/v1/secrets")
    check("secrets list shows names only", st == 200 and body == {"secrets": ["billing_token"]},
          body)
    st, _, body = e.admin("GET", "/v1/tools")
    check("tool listing has no secret", TOKEN not in json.dumps(body))
    st, _, body = request(e.base, "GET", "/v1/tools", key=e.keys["bob"])
    check("non-admin may list tools", st == 200)
    st, _, _ = request(e.base, "POST", "/v1/grants", {"subject_kind": "principal",
                                                      "subject": "bob", "tool": "*"},
                       e.keys["bob"])
    check("non-admin cannot grant", st == 403)
    stored = [os.path.join(e.data, n) for n in ("ward.db", "ward.db-wal")]
    for dirpath, _, files in os.walk(os.path.join(e.data, "audit")):
        stored += [os.path.join(dirpath, f) for f in files]
    for path in stored:
        if os.path.exists(path):
            check(f"secret not in plaintext in {os.path.relpath(path, e.data)}",
                  TOKEN.encode() not in open(path, "rb").read())
    key = os.path.join(e.data, "secrets.key")
    check("secrets.key is 0600", (os.stat(key).st_mode & 0o777) == 0o600)
    events = [json.loads(line) for line in ward(e.data, "trace", "list", "--json").splitlines()
              if line.strip()]
    decisions = {ev["attributes"].get("decision") for ev in events if ev["kind"] == "tool_call"}
    for d in ("denied", "executed", "pending", "rate_limited", "replayed", "invalid", "conflict"):
        check(f"trace has a '{d}' tool_call", d in decisions, decisions)
    reviews = [ev for ev in events if ev["kind"] == "tool_decision"]
    check("trace has approved/denied with reviewer",
          {"approved", "denied"} <= {ev["attributes"]["decision"] for ev in reviews} and
          all(ev["attributes"].get("reviewer") == "rita" for ev in reviews
              if ev["attributes"]["decision"] in ("approved", "denied")), reviews[:3])
    agent_calls = [ev for ev in events if ev["kind"] == "tool_call" and
                   ev["attributes"].get("agent") == "helper"]
    check("trace carries the principal chain",
          any(ev["attributes"]["principal_chain"] == ["alice", "helper"] for ev in agent_calls))


YAML_TOOL = """\
# A YAML tool file reads like its JSON twin (docs/formats/tool-definition.md).
name: lookup_invoice_yaml
version: "1.0.0"
description: Look up an invoice (defined in YAML).
risk: read
input_schema:
  type: object
  properties:
    invoice_id: {type: string, pattern: "^INV-[0-9]{4}-[0-9]{4}$"}
  required: [invoice_id]
  additionalProperties: false
backend:
  type: http
  method: GET
  url: "http://127.0.0.1:PORT/invoices/{invoice_id}"
  allow_private: true
  auth: {secret: billing_token}
"""


def test_yaml_tool_files(e):
    path = os.path.join(e.tools_dir, "lookup_invoice_yaml.yaml")
    with open(path, "w") as f:
        f.write(YAML_TOOL.replace("PORT", str(e.bport)))
    ward(e.data, "tools", "add", path)
    listed = json.loads(ward(e.data, "tools", "list", "--json"))
    names = {t["name"] for t in listed["tools"]}
    check("a YAML tool file registers its tool", "lookup_invoice_yaml" in names, names)
    e.admin("POST", "/v1/grants", {"subject_kind": "principal", "subject": "alice",
                                   "tool": "lookup_invoice_yaml"})
    st, _, body = e.call("alice", "lookup_invoice_yaml", {"invoice_id": INV})
    check("a tool from a YAML file is callable", st == 200 and body.get("status") == "ok",
          (st, body))
    bad = os.path.join(e.tools_dir, "bad.yml")
    with open(bad, "w") as f:
        f.write("name: broken\nversion: 1.0.0\nname: again\n")
    p = run_ward(e.data, "tools", "add", bad)
    check("a YAML file with a duplicate key is refused, naming the line",
          p.returncode != 0 and "duplicate key 'name'" in p.stderr and "line 3" in p.stderr,
          (p.returncode, p.stderr))


def main():
    if not WARD_BIN:
        print("set WARD_BIN to the ward binary")
        return 2
    tmp = tempfile.mkdtemp(prefix="ward_gw_")
    e = None
    try:
        e = Env.__new__(Env)
        e.keep = os.environ.get("KEEP")
        e.server = e.billing = None
        e.__init__(tmp)
        e.start()
        for t in (test_grants_and_reads, test_exactly_once, test_read_only, test_agents,
                  test_agent_scope, test_approvals, test_bad_input, test_rate_limit, test_registry,
                  test_yaml_tool_files, test_secrets_and_traces):
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
