#!/usr/bin/env python3
"""End-to-end test of the MCP tasks extension on the real `ward serve` (Streamable HTTP):
a tool call parked for approval is a task that follows the approval a reviewer decides through
the REST API (2026-07-28: io.modelcontextprotocol/tasks; 2025-11-25: `task` on tools/call,
tasks/get, tasks/result, tasks/list, tasks/cancel); tasks are bound to their principal (and
2025 session); every state change is an `mcp_task` trace event.

Usage: WARD_BIN=build/ward WARD_REPO=. python3 tests/integration/mcp_tasks_test.py
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

from harness import WARD_BIN, check, stop_processes, summary, ward_ok as ward
from mcp_test import META, post, rpc, send, setup

EXT = "io.modelcontextprotocol/tasks"
TASKS_META = dict(META, **{"io.modelcontextprotocol/clientCapabilities": {"extensions": {EXT: {}}}})
BIG = {"invoice_id": "INV-2024-0042", "amount": 900, "reason": "damaged goods"}


def call26(base, key, i, args, meta=TASKS_META):
    return post(base, rpc(i, "tools/call", {"name": "refund_invoice", "arguments": args,
                                             "_meta": meta}),
                key, {"Mcp-Method": "tools/call", "Mcp-Name": "refund_invoice"})


def task26(base, key, i, method, task_id, meta=TASKS_META, extra=None):
    params = dict({"taskId": task_id, "_meta": meta}, **(extra or {}))
    return post(base, rpc(i, method, params), key, {"Mcp-Method": method, "Mcp-Name": task_id})


def decide(base, key, approval_id, verdict):
    req = urllib.request.Request(f"{base}/v1/approvals/{approval_id}/{verdict}",
                                 data=json.dumps({"comment": "reviewed"}).encode(),
                                 method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("Authorization", "Bearer " + key)
    st, _, body, _ = send(req)
    return st, body


def approval_of(task):
    return task.get("_meta", {}).get("ward/approvalId", "")


def stateless_checks(base, keys):
    # A call that parks for approval, from a client that negotiated tasks: a task.
    st, _, body, _ = call26(base, keys["alice"], 1, BIG)
    t = body.get("result", {})
    tid, aid = t.get("taskId", ""), approval_of(t)
    check("2026-07-28: a parked call is a CreateTaskResult following its approval",
          st == 200 and t.get("resultType") == "task" and t.get("status") == "working" and
          aid and aid in t.get("statusMessage", "") and "ttlMs" in t and "task" not in t, body)
    st, _, body, _ = task26(base, keys["bob"], 2, "tasks/get", tid)
    check("another principal's tasks/get is 'not found' (-32602)",
          body.get("error", {}).get("code") == -32602, body)
    st, _, body, _ = task26(base, keys["bob"], 3, "tasks/cancel", tid)
    check("another principal cannot cancel it (-32602)",
          body.get("error", {}).get("code") == -32602, body)
    st, _, body, _ = task26(base, keys["alice"], 4, "tasks/get", tid, meta=META)
    check("tasks/get without the extension -> -32021 naming it",
          st == 400 and body.get("error", {}).get("code") == -32021 and
          EXT in body["error"]["data"]["requiredCapabilities"]["extensions"], body)
    st, _, body, _ = task26(base, keys["alice"], 5, "tasks/get", tid)
    check("the owner polls: still working while the approval is pending",
          body.get("result", {}).get("status") == "working" and
          "result" not in body["result"], body)
    st, body = decide(base, keys["rita"], aid, "approve")
    check("a reviewer approves through the REST API", st == 200, (st, body))
    st, _, body, _ = task26(base, keys["alice"], 6, "tasks/get", tid)
    r = body.get("result", {})
    check("after approval the task is completed with the tool's real result",
          r.get("status") == "completed" and r.get("resultType") == "complete" and
          r.get("result", {}).get("structuredContent", {}).get("status") == "refunded", body)

    # Denied: the task fails with a clear error.
    st, _, body, _ = call26(base, keys["alice"], 7, dict(BIG, invoice_id="INV-2024-0043"))
    tid2, aid2 = body["result"]["taskId"], approval_of(body["result"])
    st, resp = decide(base, keys["rita"], aid2, "deny")
    st, _, body, _ = task26(base, keys["alice"], 8, "tasks/get", tid2)
    r = body.get("result", {})
    check("a denied approval ends the task failed with -32040 naming the denial",
          r.get("status") == "failed" and r.get("error", {}).get("code") == -32040 and
          "denied" in r["error"].get("message", "") and "result" not in r, body)

    # Cancelled by its owner: an empty ack, then cancelled.
    st, _, body, _ = call26(base, keys["alice"], 9, dict(BIG, invoice_id="INV-2024-0044"))
    tid3 = body["result"]["taskId"]
    st, _, body, _ = task26(base, keys["alice"], 10, "tasks/cancel", tid3)
    ack = body.get("result", {})
    check("tasks/cancel acks with an empty complete result",
          ack.get("resultType") == "complete" and "taskId" not in ack and "status" not in ack,
          body)
    st, _, body, _ = task26(base, keys["alice"], 11, "tasks/get", tid3)
    check("the cancelled task reads cancelled",
          body.get("result", {}).get("status") == "cancelled", body)
    st, _, body, _ = task26(base, keys["alice"], 12, "tasks/update", tid3,
                            extra={"inputResponses": 5})
    check("tasks/update with a non-object inputResponses -> -32602",
          body.get("error", {}).get("code") == -32602, body)
    st, _, body, _ = post(base, rpc(13, "tasks/list", {"_meta": TASKS_META}), keys["alice"],
                          {"Mcp-Method": "tasks/list"})
    check("tasks/list does not exist in 2026-07-28 (-32601)",
          body.get("error", {}).get("code") == -32601, body)
    # Without the extension the same call keeps the input-required / pending answer.
    st, _, body, _ = call26(base, keys["alice"], 14, dict(BIG, invoice_id="INV-2024-0045"),
                            meta=META)
    check("without the extension a parked call is not a task",
          "taskId" not in body.get("result", {}) and
          body["result"].get("structuredContent", {}).get("status") == "pending", body)
    return [tid, tid2, tid3]


def session(base, key, version="2025-11-25"):
    init = rpc(1, "initialize", {"protocolVersion": version, "capabilities": {},
                                 "clientInfo": {"name": "tasks-client", "version": "1"}})
    st, h, body, _ = post(base, init, key)
    sid = h.get("Mcp-Session-Id", "")
    hdr = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": version}
    post(base, {"jsonrpc": "2.0", "method": "notifications/initialized"}, key, hdr)
    return hdr, body["result"]


def session_checks(base, keys):
    sh, init = session(base, keys["alice"])
    caps = init.get("capabilities", {})
    check("2025-11-25 initialize declares the tasks capability for tools/call",
          "call" in caps.get("tasks", {}).get("requests", {}).get("tools", {}), caps)
    _, old = session(base, keys["alice"], "2025-06-18")
    check("2025-06-18 sessions are not offered tasks", "tasks" not in old.get("capabilities", {}),
          old)
    st, _, body, _ = post(base, rpc(2, "tools/call", {
        "name": "search_docs", "arguments": {"query": "trains"}, "task": {"ttl": 60000}}),
        keys["alice"], sh)
    task = body.get("result", {}).get("task", {})
    tid = task.get("taskId", "")
    check("a tools/call with `task` answers {task} (ttl, pollInterval)",
          tid and task.get("ttl") == 60000 and task.get("pollInterval") and
          task.get("status") in ("working", "completed"), body)
    st, _, body, _ = post(base, rpc(3, "tasks/result", {"taskId": tid}), keys["alice"], sh)
    r = body.get("result", {})
    check("tasks/result returns the tool's result with the related-task _meta",
          r.get("isError") is False and "hits" in r.get("structuredContent", {}) and
          r["_meta"]["io.modelcontextprotocol/related-task"]["taskId"] == tid, body)
    other, _ = session(base, keys["alice"])
    st, _, body, _ = post(base, rpc(4, "tasks/get", {"taskId": tid}), keys["alice"], other)
    check("another session of the same principal does not see the task (-32602)",
          body.get("error", {}).get("code") == -32602, body)

    st, _, body, _ = post(base, rpc(5, "tools/call", {
        "name": "refund_invoice", "arguments": dict(BIG, invoice_id="INV-2024-0044"),
        "task": {}}), keys["alice"], sh)
    tid2 = body["result"]["task"]["taskId"]
    aid = ""
    for i in range(600):  # the runner hands the task to the approval; not a timing check
        st, _, body, _ = post(base, rpc(100 + i, "tasks/get", {"taskId": tid2}), keys["alice"], sh)
        aid = approval_of(body.get("result", {}))
        if aid:
            break
    check("2025: the parked call's task waits for the approval, working",
          aid and body["result"]["status"] == "working", body)
    st, _, body, _ = post(base, rpc(6, "tasks/list", {}), keys["alice"], sh)
    ids = [t["taskId"] for t in body.get("result", {}).get("tasks", [])]
    check("tasks/list lists the session's tasks", ids == [tid, tid2], body)
    decide(base, keys["rita"], aid, "approve")
    st, _, body, _ = post(base, rpc(7, "tasks/result", {"taskId": tid2}), keys["alice"], sh)
    check("tasks/result after the REST approval is the refund",
          body.get("result", {}).get("structuredContent", {}).get("status") == "refunded", body)
    st, _, body, _ = post(base, rpc(8, "tasks/cancel", {"taskId": tid2}), keys["alice"], sh)
    check("2025: cancelling a completed task is -32602",
          body.get("error", {}).get("code") == -32602, body)
    return [tid, tid2]


def trace_checks(data, task_ids):
    lines = ward(data, "trace", "list", "--kind", "mcp_task", "--json").splitlines()
    events = [json.loads(l) for l in lines]
    seen = {}
    for e in events:
        a = e.get("attributes", {})
        seen.setdefault(a.get("task_id"), []).append(a.get("status"))
    check("every task's creation and end are recorded as mcp_task events",
          all(t in seen and seen[t][0] == "working" and len(seen[t]) >= 2 for t in task_ids),
          seen)
    statuses = {s for v in seen.values() for s in v}
    check("completed, failed and cancelled are all recorded",
          {"completed", "failed", "cancelled"} <= statuses, statuses)


def main():
    tmp = tempfile.mkdtemp(prefix="ward-mcp-tasks-")
    billing = server = None
    try:
        data, billing, _ = setup(tmp)
        bport = int(open(os.path.join(tmp, "billing.port")).read())
        keys = {n: ward(data, "key", "create", n) for n in ("alice", "bob", "rita")}
        server = subprocess.Popen([WARD_BIN, "--data", data, "serve", "--listen",
                                   "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = server.stdout.readline().strip()
        base = re.match(r"^listening on (http://127\.0\.0\.1:\d+)$", line).group(1)
        ids = stateless_checks(base, keys) + session_checks(base, keys)
        trace_checks(data, ids)
        with urllib.request.urlopen(f"http://127.0.0.1:{bport}/stats", timeout=10) as r:
            refunds = json.loads(r.read())["refunds"]
        check("each approved refund ran exactly once (two approved, one denied, one cancelled)",
              refunds == 2, refunds)
    finally:
        stop_processes(server, billing)
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
