#!/usr/bin/env python3
"""`ward serve` nodes on one PostgreSQL database share leader-only work under a lease (issue 17,
"Work across nodes"): ward.toml [store] lease_ttl_ms = 1000 and feed_retention_s = 0.

- of two nodes exactly one reports ward_store_leader{lease="leader"} 1 in /metrics;
- documents pushed through node 1 are found on node 2, and the leader prunes the change feed
  once both nodes' followers have passed it (meta feed_pruned_through moves, rows go);
- the leader killed with SIGKILL (no release): the other node takes the lease over with a higher
  term once it expires;
- a third node started after the pruning bootstraps past the pruned horizon (it rebuilds from
  the store's documents) and finds a document whose feed rows are gone;
- `ward migrate --new-epoch` moves the store epoch; the running node rebuilds and still finds
  every document.

Every wait is for a condition, bounded (harness.wait_until); nothing is timed. Needs the
throwaway cluster of the CTest fixture `ward_pg`, named in WARD_TEST_PG_URL; FAILS without it.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

from harness import (check, failures, http_request as request, run_ward, start_server,
                     stop_processes, summary, wait_until)

BASE_URL = os.environ.get("WARD_TEST_PG_URL", "")


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", "-t", "-A", url, "-c", sql], capture_output=True,
                          text=True)


def scalar(url, sql):
    p = psql(url, sql)
    return p.stdout.strip() if p.returncode == 0 else None


def leader_gauge(base):
    st, _, body = request(base, "GET", "/metrics")
    text = body if isinstance(body, str) else (body.decode() if isinstance(body, bytes) else "")
    m = re.search(r'(?m)^ward_store_leader\{lease="leader"\} (\d+)', text or "")
    return int(m.group(1)) if m else None


class Nodes:
    def __init__(self, tmp, url):
        # A short feed poll: a follower records its cursor on its rounds.
        self.env = dict(os.environ, WARD_STORE_URL=url, WARD_INDEX_FOLLOW_MS="200")
        self.tmp = tmp
        self.procs, self.bases, self.errs, self.data = [], [], [], []
        self.key = None

    def ward(self, data, *args):
        p = run_ward(data, *args, env=self.env)
        if p.returncode != 0:
            raise RuntimeError(f"ward {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        return p.stdout.strip()

    def start(self):
        i = len(self.data)
        d = os.path.join(self.tmp, f"node{i + 1}")
        self.ward(d, "init")
        with open(os.path.join(d, "ward.toml"), "a") as f:
            f.write("\n[store]\nlease_ttl_ms = 1000\nfeed_retention_s = 0\n")
        if self.key is None:
            self.key = self.ward(d, "key", "create", "admin")
        err = os.path.join(self.tmp, f"serve{i + 1}.err")
        proc, base = start_server(d, env=self.env, stderr=open(err, "w"))
        self.data.append(d)
        self.procs.append(proc)
        self.bases.append(base)
        self.errs.append(err)
        return i

    def push(self, node, doc_id, text):
        records = [{"id": doc_id, "title": doc_id, "text": text, "acl": {"public": True}}]
        st, _, body = request(self.bases[node], "POST", "/v1/documents",
                              {"records": records, "source": "wiki"}, self.key)
        return st in (200, 201), (st, body)

    def finds(self, node, query, doc_id):
        st, _, body = request(self.bases[node], "POST", "/v1/search", {"query": query}, self.key)
        return st == 200 and any(h.get("doc_id") == doc_id for h in body.get("hits", []))

    def close(self):
        stop_processes(*self.procs)


def mcp_document_uris(base, key):
    """The ward://documents/ URIs of MCP resources/list (first page) over HTTP."""
    accept = {"Accept": "application/json, text/event-stream"}
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "pg-leader-test", "version": "1"}}}
    st, h, _ = request(base, "POST", "/mcp", init, key, accept)
    sh = dict(accept, **{"Mcp-Session-Id": h.get("Mcp-Session-Id", "") if h else "",
                         "MCP-Protocol-Version": "2025-06-18"})
    request(base, "POST", "/mcp", {"jsonrpc": "2.0", "method": "notifications/initialized"},
            key, sh)
    st, _, body = request(base, "POST", "/mcp",
                          {"jsonrpc": "2.0", "id": 2, "method": "resources/list"}, key, sh)
    if st != 200 or not isinstance(body, dict):
        return []
    return [r.get("uri", "") for r in body.get("result", {}).get("resources", [])
            if r.get("uri", "").startswith("ward://documents/")]


def leaders(n, alive):
    return [i for i in alive if leader_gauge(n.bases[i]) == 1]


def run(n, url):
    n.start()
    n.start()
    check("exactly one of two nodes leads",
          wait_until(lambda: len(leaders(n, [0, 1])) == 1, "one leader"), leaders(n, [0, 1]))
    for k in range(5):
        ok, detail = n.push(0, f"early/{k}", f"The axolotl note number {k}.")
        check(f"node 1 takes early/{k}", ok, detail)
    check("node 2 finds node 1's documents",
          wait_until(lambda: n.finds(1, "axolotl", "early/4"), "early/4 on node 2"))
    check("the leader prunes the feed once both followers passed it",
          wait_until(lambda: int(scalar(url, "SELECT value FROM meta WHERE "
                                             "key='feed_pruned_through'") or 0) >= 4,
                     "feed_pruned_through to move"),
          scalar(url, "SELECT value FROM meta WHERE key='feed_pruned_through'"))
    check("pruned rows are gone",
          int(scalar(url, "SELECT COUNT(*) FROM changes WHERE seq <= 4") or -1) == 0)

    term = int(scalar(url, "SELECT term FROM leases WHERE name='leader'") or 0)
    who = leaders(n, [0, 1])
    check("one leader before the kill", len(who) == 1, who)
    if len(who) != 1:
        return
    dead, other = who[0], 1 - who[0]
    n.procs[dead].send_signal(signal.SIGKILL)
    n.procs[dead].wait()
    check("the other node takes the lease over after the leader is killed",
          wait_until(lambda: leader_gauge(n.bases[other]) == 1, "the takeover"))
    check("with a higher term",
          int(scalar(url, "SELECT term FROM leases WHERE name='leader'") or 0) > term)

    third = n.start()
    check("a node started after the pruning finds a document whose feed rows are gone",
          wait_until(lambda: n.finds(third, "axolotl", "early/0"), "early/0 on node 3"))
    uris = mcp_document_uris(n.bases[third], n.key)
    check("MCP resources/list still lists the documents whose feed rows were pruned",
          sum(1 for u in uris if "early" in u) == 5, uris)

    p = run_ward(n.data[other], "migrate", "--new-epoch", env=n.env)
    check("ward migrate --new-epoch starts epoch 2",
          p.returncode == 0 and "store epoch 2" in p.stdout, (p.returncode, p.stdout, p.stderr))
    ok, detail = n.push(other, "late/1", "The pangolin note.")
    check("the surviving node takes a document in the new epoch", ok, detail)
    for node in (other, third):
        check(f"node {node + 1} finds old and new documents after the epoch change",
              wait_until(lambda: n.finds(node, "pangolin", "late/1")
                         and n.finds(node, "axolotl", "early/3"), f"node {node + 1}"))
    err = open(n.errs[third]).read()
    check("node 3 logged its rebuild", "rebuilding from the store's documents" in err, err[-2000:])


def main():
    if not BASE_URL:
        check("WARD_TEST_PG_URL is set (run through ctest: fixture ward_pg)", False)
        return summary()
    made = (psql(BASE_URL, "DROP DATABASE IF EXISTS ward_leader"),
            psql(BASE_URL, "CREATE DATABASE ward_leader"))
    check("a fresh database for the test", made[1].returncode == 0, made[1].stderr)
    url = re.sub(r"^postgresql:///ward_test", "postgresql:///ward_leader", BASE_URL)
    tmp = tempfile.mkdtemp(prefix="ward_pg_leader_")
    nodes = Nodes(tmp, url)
    try:
        run(nodes, url)
    finally:
        nodes.close()
        if failures():
            for err in nodes.errs:
                print(f"--- {os.path.basename(err)}")
                print(open(err).read()[-3000:])
        shutil.rmtree(tmp, ignore_errors=True)
        psql(BASE_URL, "DROP DATABASE IF EXISTS ward_leader")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
