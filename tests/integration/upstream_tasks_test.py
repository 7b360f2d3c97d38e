#!/usr/bin/env python3
"""End-to-end test of upstream MCP tasks proxied through Ward's own tasks (docs/design/
upstream.md "Upstream tasks"): the real `ward serve` (/mcp) and `ward mcp` (stdio) in front of
tests/upstream/task_server.mjs (the official SDK's server with task-capable tools) over stdio and
Streamable HTTP, driven by the official SDK client (tests/upstream/task_client.mjs, 2025-11-25
tasks) and by raw 2026-07-28 requests carrying the tasks extension.

Checks: a tool the upstream runs as a task is created there as a task; the client gets Ward's
own task id (never the upstream's), polls it, lists it and gets the upstream's result after the
gateway's output stage (a secret in it redacted); another principal neither sees, polls nor
cancels it; cancelling Ward's task cancels the upstream's; an upstream task that fails, is
dropped or asks for input ends Ward's task as failed with a clear error; every upstream change is
an `mcp_task` trace event naming the upstream task, and the tool_call record names Ward's task.

Usage: WARD_BIN=build/ward WARD_REPO=. python3 tests/integration/upstream_tasks_test.py
Skips (exit 77) when `npm ci` has not been run in tests/upstream (scripts/test.sh runs it).
"""

import json
import os
import shutil
import subprocess
import sys

from harness import (WARD_BIN, check, http_request, run_upstream_suite, start_server,
                     stop_processes, ward_ok as ward)
from upstream_test import MODULES, NODE_DIR, free_port, toml_list

SERVER = os.path.abspath(os.path.join(NODE_DIR, "task_server.mjs"))
SECRET = "upstream-secret-7f3a9c"  # in the upstream's result; must come back redacted
EXT = "io.modelcontextprotocol/tasks"
TOOLS = ["report", "hold", "broken_job", "vanishing_job", "asking_job", "task_states"]


def start_task_server_http(port):
    proc = subprocess.Popen(["node", SERVER, "http", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # readiness: it says so before accepting
        if "listening" in line:
            return proc
    raise RuntimeError(f"task_server.mjs did not start (exit {proc.wait()})")


class Env:
    def __init__(self, tmp):
        self.tmp = tmp
        self.data = os.path.join(tmp, "data")
        self.http_port = free_port()
        self.upstream_http = start_task_server_http(self.http_port)
        ward(self.data, "init")
        node = shutil.which("node")
        with open(os.path.join(self.data, "ward.toml"), "a") as f:
            f.write(f"""
[[upstreams]]
name = "jobs"
transport = "stdio"
command = "{node}"
args = {toml_list([SERVER, "stdio"])}
read_only_tools = {toml_list(TOOLS)}

[[upstreams]]
name = "rjobs"
transport = "http"
url = "http://127.0.0.1:{self.http_port}/mcp"
read_only_tools = {toml_list(TOOLS)}
""")
        ward(self.data, "group", "add", "eng")
        ward(self.data, "user", "add", "alice", "--groups", "eng")
        ward(self.data, "user", "add", "bob", "--groups", "eng")
        ward(self.data, "upstream", "sync")
        for up in ("jobs", "rjobs"):
            for tool in TOOLS:
                ward(self.data, "grants", "add", "--tool", f"{up}.{tool}", "--group", "eng")
        self.keys = {n: ward(self.data, "key", "create", n) for n in ("alice", "bob")}
        self.server, self.base = start_server(
            self.data, stderr=open(os.path.join(tmp, "serve.err"), "w"))

    def client(self, ops, stdio=False):
        """Runs the SDK client with one session each for alice and bob over HTTP (or stdio);
        `ops` are (who, op, params); returns the results."""
        spec = {"connections": {}, "ops": [{"as": w, "op": o, "params": p} for w, o, p in ops]}
        for who in ("alice", "bob"):
            spec["connections"][who] = (
                {"transport": "stdio", "command": WARD_BIN,
                 "args": ["--data", self.data, "mcp", "--as", who]} if stdio else
                {"transport": "http", "url": self.base + "/mcp", "key": self.keys[who]})
        path = os.path.join(self.tmp, "spec.json")
        with open(path, "w") as f:
            json.dump(spec, f)
        proc = subprocess.run(["node", os.path.join(NODE_DIR, "task_client.mjs"), path],
                              capture_output=True, text=True, timeout=280)
        if proc.returncode != 0:
            raise RuntimeError(f"task_client.mjs failed: {proc.stderr[-2000:]}")
        return json.loads(proc.stdout)["results"]

    def close(self):
        stop_processes(self.server, self.upstream_http)


def res(r):
    return r["result"] if r["ok"] else {}


def run_through(env, label, up, stdio):
    A, B = "alice", "bob"
    rs = env.client([
        (A, "stream", {"name": f"{up}.report", "arguments": {"topic": f"q3-{label}", "steps": 4}}),
        (A, "create", {"name": f"{up}.hold", "arguments": {"label": label}}),
        (A, "getUntilMessage", {"taskIdFrom": 1, "text": f"upstream '{up}'"}),
        (A, "list", {}),
        (A, "create", {"name": f"{up}.broken_job"}),
        (A, "result", {"taskIdFrom": 4}),
        (A, "get", {"taskIdFrom": 4}),
        (A, "create", {"name": f"{up}.vanishing_job"}),
        (A, "result", {"taskIdFrom": 7}),
        (A, "create", {"name": f"{up}.asking_job"}),
        (A, "result", {"taskIdFrom": 9}),
        (A, "untilUpstream", {"name": f"{up}.task_states", "label": "asking_job",
                              "status": "cancelled"}),
        # Another principal, its own session: the task does not exist for bob.
        (B, "get", {"taskIdFrom": 1}),                      # 12
        (B, "cancel", {"taskIdFrom": 1}),
        (B, "result", {"taskIdFrom": 1}),
        (B, "list", {}),
        # The owner cancels: Ward's task is cancelled and so is the upstream's.
        (A, "cancel", {"taskIdFrom": 1}),                   # 16
        (A, "untilUpstream", {"name": f"{up}.task_states", "label": f"hold:{label}",
                              "status": "cancelled"}),
        (A, "get", {"taskIdFrom": 1}),
    ], stdio=stdio)
    s = res(rs[0])
    r = s.get("result") or {}
    check(f"{label}: the SDK's task helper runs an upstream task tool through Ward",
          s.get("seen", [None])[0] == "taskCreated" and s.get("seen", [])[-1] == "result" and
          r.get("content", [{}])[0].get("text") == f"report on q3-{label}", rs[0])
    check(f"{label}: its result passed the output stage (the secret in it redacted)",
          r.get("structuredContent", {}).get("topic") == f"q3-{label}" and
          SECRET not in json.dumps(r), r)
    hold_id = res(rs[1]).get("task", {}).get("taskId", "")
    check(f"{label}: a task-required upstream tool answers with a Ward task",
          len(hold_id) == 32 and res(rs[1])["task"]["status"] == "working", rs[1])
    check(f"{label}: tasks/get of it: working, in Ward's words",
          res(rs[2]).get("status") == "working" and
          f"upstream '{up}'" in res(rs[2]).get("statusMessage", ""), rs[2])
    check(f"{label}: tasks/list shows it",
          hold_id in [t["taskId"] for t in res(rs[3]).get("tasks", [])], rs[3])
    check(f"{label}: an upstream task that fails fails Ward's task with a clear error",
          not rs[5]["ok"] and "failed" in rs[5].get("message", "") and
          "the disk is on fire" in rs[5].get("message", "") and
          res(rs[6]).get("status") == "failed", (rs[5], rs[6]))
    check(f"{label}: an upstream task that is dropped fails Ward's task",
          not rs[8]["ok"] and "dropped by the upstream" in rs[8].get("message", ""), rs[8])
    check(f"{label}: an upstream task that asks for input fails Ward's task (not relayed)",
          not rs[10]["ok"] and "asked for input" in rs[10].get("message", ""), rs[10])
    check(f"{label}: ... and is cancelled upstream",
          res(rs[11]).get("structuredContent", {}).get("states", {}).get("asking_job") ==
          "cancelled", rs[11])
    check(f"{label}: another principal cannot poll, cancel or read the task",
          all(not x["ok"] and x.get("code") == -32602 and "not found" in x.get("message", "")
              for x in rs[12:15]), rs[12:15])
    check(f"{label}: nor list it", rs[15]["ok"] and hold_id not in json.dumps(res(rs[15])),
          rs[15])
    check(f"{label}: tasks/cancel cancels Ward's task",
          res(rs[16]).get("status") == "cancelled" and res(rs[18]).get("status") == "cancelled",
          (rs[16], rs[18]))
    check(f"{label}: ... and the upstream's task",
          res(rs[17]).get("structuredContent", {}).get("states", {}).get(f"hold:{label}") ==
          "cancelled", rs[17])
    return hold_id


def stateless(env, up):
    """A 2026-07-28 request with the tasks extension: the upstream task tool becomes a task."""
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
            "io.modelcontextprotocol/clientCapabilities": {"extensions": {EXT: {}}}}
    hdrs = {"Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": "2026-07-28"}

    def post(i, method, params, name):
        body = {"jsonrpc": "2.0", "id": i, "method": method, "params": dict(params, _meta=meta)}
        st, _, b = http_request(env.base, "POST", "/mcp", body, key=env.keys["alice"],
                                headers=dict(hdrs, **{"Mcp-Method": method, "Mcp-Name": name}))
        return b.get("result", {}) if isinstance(b, dict) else {}

    tool = f"{up}.report"
    t = post(1, "tools/call", {"name": tool, "arguments": {"topic": "stateless", "steps": 2}},
             tool)
    tid = t.get("taskId", "")
    check("2026-07-28: an upstream task tool answers a CreateTaskResult",
          t.get("resultType") == "task" and len(tid) == 32, t)
    got = {}
    for i in range(600):  # a bound on a hung run, not a timing check
        got = post(10 + i, "tasks/get", {"taskId": tid}, tid)
        if got.get("status") in ("completed", "failed", "cancelled"):
            break
        subprocess.run(["sleep", "0.1"])
    check("2026-07-28: tasks/get inlines the upstream's result, redacted",
          got.get("status") == "completed" and
          got.get("result", {}).get("structuredContent", {}).get("topic") == "stateless" and
          SECRET not in json.dumps(got), got)
    # Without the extension the same call is answered synchronously.
    plain = dict(meta, **{"io.modelcontextprotocol/clientCapabilities": {}})
    body = {"jsonrpc": "2.0", "id": 2000, "method": "tools/call",
            "params": {"name": tool, "arguments": {"topic": "sync", "steps": 1}, "_meta": plain}}
    st, _, b = http_request(env.base, "POST", "/mcp", body, key=env.keys["alice"],
                            headers=dict(hdrs, **{"Mcp-Method": "tools/call", "Mcp-Name": tool}))
    r = b.get("result", {}) if isinstance(b, dict) else {}
    check("2026-07-28 without the extension: a synchronous result",
          r.get("resultType") == "complete" and
          r.get("structuredContent", {}).get("topic") == "sync", b)


def records(env, hold_ids):
    out = ward(env.data, "trace", "list", "--kind", "mcp_task", "--json", "--limit", "1000")
    events = [json.loads(l) for l in out.split("\n") if l.strip()]
    ups = [e["attributes"] for e in events if e["attributes"].get("upstream_task_id")]
    check("every upstream change is an mcp_task event naming the upstream task",
          {"working", "completed", "failed", "cancel_sent", "dropped", "input_required"} <=
          {a.get("upstream_status") for a in ups}, sorted({a.get("upstream_status") for a in ups}))
    check("the upstream's task id is not Ward's",
          ups and all(a["upstream_task_id"] != a["task_id"] for a in ups), ups[:3])
    for hid in hold_ids:
        mine = [e["attributes"] for e in events if e["attributes"].get("task_id") == hid]
        check(f"the held task's life is in the trace ({hid[:8]})",
              [a["change"] for a in mine][:1] == ["created"] and
              any(a.get("upstream_status") == "cancel_sent" for a in mine) and
              any(a.get("status") == "cancelled" for a in mine), [a["change"] for a in mine])
    out = ward(env.data, "trace", "list", "--kind", "tool_call", "--json", "--limit", "1000")
    calls = [json.loads(l)["attributes"] for l in out.split("\n") if l.strip()]
    reports = [c for c in calls if ".report@" in c.get("tool", "") and
               c.get("via", {}).get("task_id")]
    check("the tool_call record names Ward's task and holds the result redacted",
          reports and SECRET not in json.dumps(reports) and
          all(c.get("decision") == "executed" for c in reports),
          [c for c in calls if "report" in json.dumps(c)][:1])


def run(env):
    ids = [run_through(env, "http+stdio-upstream", "jobs", stdio=False),
           run_through(env, "stdio+http-upstream", "rjobs", stdio=True)]
    stateless(env, "jobs")
    records(env, ids)


if __name__ == "__main__":
    sys.exit(run_upstream_suite("ward-upstream-tasks-", Env, run, MODULES))
