#!/usr/bin/env python3
"""Three `ward serve` nodes on one PostgreSQL database behave as one Ward for the gateway
(issue 17): each node has its own data dir (index, audit log, ward.toml) and shares the Store and
the ToolStore through WARD_STORE_URL, and the secrets key (an operator copies secrets.key to every
node: parked arguments and tenant secrets are sealed with it).

- a document pushed through node 1 reaches node 3's index without any request to node 3 and with
  its feed poll set to a day (WARD_INDEX_FOLLOW_MS): the writer's NOTIFY wakes node 3's
  follower (node 3's `GET /v1/status` index.applied_seq, polled, never timed);
- a document pushed through node 1 is found by a search on node 3 (polled, never timed);
- a tool added through node 1's CLI is listed by node 3; a grant revoked through node 2 refuses
  the next call on node 1 (the policy cache compares the database's generation on every call),
  and so does an API key revoked through node 2 (the key cache compares the identity generation);
- 12 concurrent calls with one idempotency key, spread over the three nodes, run the tool once
  (counted at a local backend that records executions) and all get its result;
- an approval parked on node 1 and approved on node 2 and node 3 at once executes exactly once;
  a retry of the call on node 3 gets the stored result.

Needs the throwaway cluster of the CTest fixture `ward_pg` (tests/scripts/pg_cluster.sh), named in
WARD_TEST_PG_URL; without it this test FAILS. Usage (by hand):
  WARD_BIN=build/ward WARD_TEST_PG_URL=postgresql:///ward_test?host=DIR/sock&user=postgres \
    python3 tests/integration/pg_nodes_test.py
"""

import concurrent.futures
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from harness import (check, failures, http_request as request, run_ward, start_server,
                     stop_processes, summary, wait_until)

BASE_URL = os.environ.get("WARD_TEST_PG_URL", "")
NODES = 3
CONCURRENT_CALLS = 12
EXECUTIONS = {}  # backend path -> how many times the tool ran
LOCK = threading.Lock()


class Backend(http.server.BaseHTTPRequestHandler):
    """The tool's backend: counts every execution by path."""

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        with LOCK:
            EXECUTIONS[self.path] = EXECUTIONS.get(self.path, 0) + 1
            n = EXECUTIONS[self.path]
        # Slow enough that the duplicate calls overlap the first one (never asserted on).
        time.sleep(0.3)
        data = json.dumps({"path": self.path, "execution": n}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", url, "-c", sql], capture_output=True, text=True)


def executions(path):
    with LOCK:
        return EXECUTIONS.get(path, 0)


def tool_def(name, backend, approval=False):
    d = {"name": name, "version": "1.0.0", "risk": "write",
         "description": "Records a note at the test backend.",
         "input_schema": {"type": "object", "properties": {"tag": {"type": "string"}},
                          "required": ["tag"], "additionalProperties": False},
         "backend": {"type": "http", "method": "POST", "allow_private": True,
                     "url": backend + "/" + name + "/{tag}", "timeout_ms": 5000}}
    if approval:
        d["approval"] = [{"name": "always", "always": True}]
    return d


class Cluster:
    def __init__(self, tmp, url, backend):
        # No feed poll within the test (a day): only a NOTIFY wakes a node's index follower.
        self.env = dict(os.environ, WARD_STORE_URL=url, WARD_INDEX_FOLLOW_MS="86400000")
        self.data = [os.path.join(tmp, f"node{i + 1}") for i in range(NODES)]
        self.servers, self.bases = [], []
        for d in self.data:
            self.ward(d, "init")
        key = os.urandom(32)
        for d in self.data:  # one secrets key for every node
            path = os.path.join(d, "secrets.key")
            with open(path, "wb") as f:
                f.write(key)
            os.chmod(path, 0o600)
            toml = os.path.join(d, "ward.toml")  # workers enough for the concurrent calls
            text = re.sub(r"(?m)^threads = \d+", "threads = 8", open(toml).read())
            with open(toml, "w") as f:
                f.write(text)
        n1 = self.data[0]
        self.ward(n1, "group", "add", "approvers")
        self.ward(n1, "user", "add", "alice")
        self.ward(n1, "user", "add", "rita", "--groups", "approvers")
        for name, approval in (("note", False), ("guarded", True)):
            path = os.path.join(tmp, name + ".json")
            with open(path, "w") as f:
                json.dump(tool_def(name, backend, approval), f)
            self.ward(n1, "tools", "add", path)
            self.ward(n1, "grants", "add", "--tool", name, "--principal", "alice")
        self.keys = {n: self.ward(n1, "key", "create", n) for n in ("admin", "alice", "rita")}
        self.keys["alice2"] = self.ward(n1, "key", "create", "alice")
        self.errs = []
        for i, d in enumerate(self.data):
            err = os.path.join(tmp, f"serve{i + 1}.err")
            self.errs.append(err)
            proc, base = start_server(d, env=self.env, stderr=open(err, "w"))
            self.servers.append(proc)
            self.bases.append(base)

    def ward(self, data, *args):
        p = run_ward(data, *args, env=self.env)
        if p.returncode != 0:
            raise RuntimeError(f"ward {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        return p.stdout.strip()

    def call(self, node, tool, tag, who="alice", idem=None):
        headers = {"Idempotency-Key": idem} if idem else {}
        return request(self.bases[node], "POST", f"/v1/tools/{tool}/call", {"args": {"tag": tag}},
                       self.keys[who], headers, timeout=120)

    def close(self):
        stop_processes(*self.servers)


def applied_seq(base, key):
    """The node's index position (GET /v1/status reads it; it applies nothing)."""
    st, _, body = request(base, "GET", "/v1/status", key=key)
    if st != 200 or not isinstance(body, dict):
        return -1
    return body.get("index", {}).get("applied_seq", -1)


def test_wakeup(c):
    before = applied_seq(c.bases[2], c.keys["admin"])
    check("node 3 reports its index position", before >= 0, before)
    records = [{"id": "notes/wakeup", "title": "Wake-up", "text": "The narwhal note.",
                "acl": {"public": True}}]
    st, _, body = request(c.bases[0], "POST", "/v1/documents",
                          {"records": records, "source": "wiki"}, c.keys["admin"])
    check("node 1 accepts the wake-up document", st in (200, 201), (st, body))
    # Nothing but /v1/status (which applies nothing) reaches node 3; its poll is a day away.
    check("node 3's index applies node 1's change, woken by NOTIFY",
          wait_until(lambda: applied_seq(c.bases[2], c.keys["admin"]) > before,
                     "node 3's index to move"))


def test_documents(c):
    records = [{"id": "plans/zephyr", "title": "Plans",
                "text": "The quokka migration plan is shared by every node.",
                "acl": {"public": True}}]
    st, _, body = request(c.bases[0], "POST", "/v1/documents",
                          {"records": records, "source": "wiki"}, c.keys["admin"])
    check("node 1 accepts the document", st in (200, 201), (st, body))

    def found_on_node3():
        st, _, body = request(c.bases[2], "POST", "/v1/search", {"query": "quokka"},
                              c.keys["alice"])
        return st == 200 and any(h.get("doc_id") == "plans/zephyr" for h in body.get("hits", []))

    check("node 3 finds the document node 1 took in",
          wait_until(found_on_node3, "the document on node 3"))


def test_grants(c):
    st, _, body = request(c.bases[2], "GET", "/v1/tools", key=c.keys["alice"])
    names = {t.get("name") for t in body.get("tools", [])} if isinstance(body, dict) else set()
    check("node 3 lists the tools added through node 1", {"note", "guarded"} <= names, (st, body))
    st, _, body = c.call(0, "note", "before", idem="grant-1")
    check("alice's call on node 1 runs", st == 200 and executions("/note/before") == 1,
          (st, body))
    st, _, body = request(c.bases[1], "GET", "/v1/grants", key=c.keys["admin"])
    ids = [g["id"] for g in body.get("grants", []) if g.get("tool") == "note"
           and g.get("subject") == "alice"] if isinstance(body, dict) else []
    check("node 2 lists alice's grant", len(ids) == 1, (st, body))
    if not ids:
        return
    st, _, body = request(c.bases[1], "DELETE", f"/v1/grants/{ids[0]}", key=c.keys["admin"])
    check("node 2 revokes it", st in (200, 204), (st, body))
    st, _, body = c.call(0, "note", "after", idem="grant-2")
    check("node 1 refuses the next call (403)", st == 403, (st, body))
    check("the refused call never reached the backend", executions("/note/after") == 0)
    st, _, body = request(c.bases[1], "POST", "/v1/grants",
                          {"subject_kind": "principal", "subject": "alice", "tool": "note"},
                          c.keys["admin"])
    check("node 2 grants it again", st in (200, 201), (st, body))
    st, _, body = c.call(2, "note", "again", idem="grant-3")
    check("node 3 runs the call again", st == 200 and executions("/note/again") == 1, (st, body))


def test_key_revocation(c):
    key = c.keys["alice2"]
    st, _, body = request(c.bases[0], "GET", "/v1/tools", key=key)
    check("alice's second key works on node 1", st == 200, (st, body))
    st, _, body = request(c.bases[1], "DELETE", "/v1/keys/" + key[3:19], key=c.keys["admin"])
    check("node 2 revokes it", st == 200, (st, body))
    st, _, body = request(c.bases[0], "GET", "/v1/tools", key=key)
    check("node 1 refuses the revoked key at once (401)", st == 401, (st, body))


def test_idempotency(c):
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=CONCURRENT_CALLS)
    futures = [pool.submit(c.call, i % NODES, "note", "once", "alice", "same-key")
               for i in range(CONCURRENT_CALLS)]
    results = [f.result() for f in futures]
    pool.shutdown()
    statuses = [st for st, _, _ in results]
    check(f"all {CONCURRENT_CALLS} calls with one key over {NODES} nodes succeed",
          statuses == [200] * CONCURRENT_CALLS, [(st, b) for st, _, b in results if st != 200])
    check("the tool ran once", executions("/note/once") == 1, EXECUTIONS)
    runs = {json.dumps(b.get("result"), sort_keys=True) for st, _, b in results
            if st == 200 and isinstance(b, dict)}
    check("every caller got the one execution's result", len(runs) == 1, runs)
    replayed = sum(1 for st, _, b in results if isinstance(b, dict) and b.get("replayed"))
    check("the others were replays", replayed == CONCURRENT_CALLS - 1, replayed)


def test_approvals(c):
    st, _, body = c.call(0, "guarded", "apr", idem="apr-key")
    check("node 1 parks the call (202)", st == 202 and body.get("status") == "pending", (st, body))
    aid = body.get("approval_id", "") if isinstance(body, dict) else ""
    st, _, body = request(c.bases[1], "GET", f"/v1/approvals/{aid}", key=c.keys["rita"])
    check("node 2 sees the pending approval", st == 200 and body.get("state") == "pending",
          (st, body))
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    futures = [pool.submit(request, c.bases[n], "POST", f"/v1/approvals/{aid}/approve",
                           {"comment": f"from node {n + 1}"}, c.keys["rita"], None, None, 120)
               for n in (1, 2)]
    results = [f.result() for f in futures]
    pool.shutdown()
    statuses = sorted(st for st, _, _ in results)
    check("approved on node 2 and node 3 at once: one 200, one 409", statuses == [200, 409],
          results)
    check("the approved call ran exactly once", executions("/guarded/apr") == 1, EXECUTIONS)
    st, _, body = request(c.bases[0], "GET", f"/v1/approvals/{aid}", key=c.keys["alice"])
    check("node 1 reads it executed", st == 200 and body.get("state") == "executed", (st, body))
    st, _, body = c.call(2, "guarded", "apr", idem="apr-key")
    check("a retry on node 3 gets the stored result", st == 200, (st, body))
    check("still executed once", executions("/guarded/apr") == 1, EXECUTIONS)


def main():
    if not BASE_URL:
        check("WARD_TEST_PG_URL is set (run through ctest: fixture ward_pg)", False)
        return summary()
    made = (psql(BASE_URL, "DROP DATABASE IF EXISTS ward_nodes"),
            psql(BASE_URL, "CREATE DATABASE ward_nodes"))
    check("a fresh database for the test", made[1].returncode == 0, made[1].stderr)
    url = re.sub(r"^postgresql:///ward_test", "postgresql:///ward_nodes", BASE_URL)
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    tmp = tempfile.mkdtemp(prefix="ward_pg_nodes_")
    cluster = None
    try:
        cluster = Cluster(tmp, url, f"http://127.0.0.1:{backend.server_address[1]}")
        test_wakeup(cluster)
        test_documents(cluster)
        test_grants(cluster)
        test_key_revocation(cluster)
        test_idempotency(cluster)
        test_approvals(cluster)
    finally:
        if cluster:
            cluster.close()
            if failures():
                for err in cluster.errs:
                    print(f"--- {os.path.basename(err)}")
                    print(open(err).read()[-3000:])
        backend.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
        psql(BASE_URL, "DROP DATABASE IF EXISTS ward_nodes")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
