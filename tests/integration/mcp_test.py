#!/usr/bin/env python3
"""End-to-end test of Ward's MCP server: the real `ward` binary over stdio (`ward mcp`) and over
Streamable HTTP (`ward serve`, /mcp on port 0), with a real loopback billing backend for the
approval flow. Python standard library only.

Usage: WARD_BIN=build/ward WARD_REPO=. python3 tests/integration/mcp_test.py

Checks: tools listed only when granted, with risk annotations; calls through the gateway
(structuredContent, isError for tool failures, JSON-RPC errors for protocol ones); ACLs on fetch
and resources (forbidden = not found); sessions bound to their principal; Origin and Host checks;
the stateless 2026-07-28 rules (_meta required, version and header mismatches); approvals as
pending results and as input-required results whose HMAC-sealed state refuses tampering, replay
and other arguments; list_changed after a grant change; every request in the trace log.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

from harness import REPO, WARD_BIN, check, stop_processes, summary, wait_until, ward_ok as ward

META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "mcp-test", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {}}


def rpc(i, method, params=None):
    m = {"jsonrpc": "2.0", "id": i, "method": method}
    if params is not None:
        m["params"] = params
    return m


def stdio(data, who, messages):
    lines = "\n".join(m if isinstance(m, str) else json.dumps(m) for m in messages) + "\n"
    proc = subprocess.run([WARD_BIN, "--data", data, "mcp", "--as", who], input=lines,
                          capture_output=True, text=True, timeout=60)
    out = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    return {m.get("id"): m for m in out if "id" in m}, out


def post(base, body, key=None, headers=None, raw=None):
    data = raw if raw is not None else json.dumps(body).encode()
    req = urllib.request.Request(base + "/mcp", data=data, method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("Accept", "application/json, text/event-stream")
    if key:
        req.add_header("Authorization", "Bearer " + key)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    return send(req)


def send(req):
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            payload, status, hdrs = resp.read(), resp.status, resp.headers
    except urllib.error.HTTPError as e:
        payload, status, hdrs = e.read(), e.code, e.headers
    text = payload.decode(errors="replace")
    if hdrs.get("Content-Type", "").startswith("text/event-stream"):
        events = [json.loads(l[5:]) for l in text.splitlines() if l.startswith("data:")]
        return status, hdrs, events[-1], events[:-1]
    try:
        return status, hdrs, json.loads(text) if text else None, []
    except ValueError:
        return status, hdrs, text, []


def setup(tmp):
    data = os.path.join(tmp, "data")
    ward(data, "init")
    port_file = os.path.join(tmp, "billing.port")
    billing = subprocess.Popen(
        [sys.executable, os.path.join(REPO, "examples", "billing_service.py"), "--port", "0",
         "--port-file", port_file, "--token", "tok-mcp"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until(lambda: os.path.exists(port_file) and open(port_file).read().strip(),
               "the billing service's port file")
    bport = int(open(port_file).read())
    tools = os.path.join(tmp, "tools")
    os.makedirs(tools)
    with open(os.path.join(REPO, "examples", "tools", "refund_invoice.json")) as f:
        refund = json.load(f)
    refund["backend"]["url"] = refund["backend"]["url"].replace(":7480/", f":{bport}/")
    # `fetch` (and `search`) are the built-ins every tenant gets at init, granted to every user.
    json.dump(refund, open(os.path.join(tools, "refund_invoice.json"), "w"))
    ward(data, "tools", "add", os.path.join(REPO, "examples", "tools", "search_docs.json"),
         os.path.join(tools, "refund_invoice.json"))
    ward(data, "secrets", "set", "billing_token", stdin="tok-mcp\n")
    for g in ("employees", "approvers"):
        ward(data, "group", "add", g)
    ward(data, "user", "add", "alice", "--groups", "employees")
    ward(data, "user", "add", "bob")
    ward(data, "user", "add", "rita", "--groups", "approvers")
    ward(data, "grants", "add", "--tool", "search_docs", "--group", "employees")
    ward(data, "grants", "add", "--tool", "refund_invoice", "--principal", "alice")
    docs = os.path.join(tmp, "docs")
    os.makedirs(docs)
    open(os.path.join(docs, "open.md"), "w").write("# Travel\nThe travel policy allows trains.\n")
    open(os.path.join(docs, "secret.md"), "w").write("# Merger\nProject falcon merger plan.\n")
    ward(data, "ingest", os.path.join(docs, "open.md"), "--public")
    ward(data, "ingest", os.path.join(docs, "secret.md"), "--acl-users", "alice")
    return data, billing, docs


def stdio_checks(data, docs):
    init = rpc(1, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                 "clientInfo": {"name": "stdio-client", "version": "9"}})
    secret_id = "files:secret.md"  # SOURCE:PATH relative to its folder
    secret_uri = "ward://documents/" + urllib.request.quote(secret_id, safe="")
    r, _ = stdio(data, "alice", [
        init, {"jsonrpc": "2.0", "method": "notifications/initialized"},
        rpc(2, "tools/list"),
        rpc(3, "tools/call", {"name": "search_docs", "arguments": {"query": "falcon merger"}}),
        rpc(4, "tools/call", {"name": "search_docs", "arguments": {"query": 5}}),
        rpc(5, "tools/call", {"name": "no_such_tool", "arguments": {}}),
        rpc(6, "resources/read", {"uri": secret_uri}),
        rpc(7, "prompts/get", {"name": "ward_cited_answer", "arguments": {"question": "trains?"}}),
        "this is not json",
        rpc(8, "tools/call", {"name": "fetch", "arguments": {"id": secret_id}}),
        rpc(9, "resources/list"),
        rpc(10, "resources/list", {"cursor": "not-a-cursor"}),
    ])
    check("stdio initialize answers 2025-11-25",
          r[1]["result"]["protocolVersion"] == "2025-11-25", r.get(1))
    names = {t["name"]: t for t in r[2]["result"]["tools"]}
    check("alice lists exactly her granted tools",
          sorted(names) == ["ask", "fetch", "refund_invoice", "search", "search_docs"],
          sorted(names))
    check("risk -> annotations", names["search_docs"]["annotations"]["readOnlyHint"] is True and
          names["refund_invoice"]["annotations"]["readOnlyHint"] is False and
          names["refund_invoice"]["annotations"]["destructiveHint"] is False, names)
    check("outputSchema advertised for object output", "outputSchema" in names["refund_invoice"])
    hits = r[3]["result"].get("structuredContent", {}).get("hits", [])
    check("search through the gateway returns cited hits",
          r[3]["result"]["isError"] is False and hits and hits[0]["doc_id"] == secret_id and
          "citation" in hits[0], r[3])
    check("invalid arguments are an isError result naming the field",
          r[4]["result"]["isError"] is True and "/query" in r[4]["result"]["content"][0]["text"],
          r[4])
    check("unknown tool is a JSON-RPC error", r[5].get("error", {}).get("code") == -32602, r[5])
    check("alice reads her document as a resource",
          "falcon" in r[6]["result"]["contents"][0]["text"], r[6])
    check("prompt renders with its argument",
          "trains?" in r[7]["result"]["messages"][0]["content"]["text"], r[7])
    check("malformed line -> parse error", r.get(None, {}).get("error", {}).get("code") == -32700)
    check("alice fetches her document", r[8]["result"]["isError"] is False, r[8])
    uris = [x["uri"] for x in r[9]["result"]["resources"]]
    check("alice's resources list both documents", secret_uri in uris and len(uris) == 2, uris)
    check("a bad cursor is invalid params", r[10].get("error", {}).get("code") == -32602, r[10])

    r, _ = stdio(data, "bob", [init, rpc(2, "tools/list"),
                               rpc(3, "tools/call", {"name": "fetch", "arguments": {"id": secret_id}}),
                               rpc(4, "resources/read", {"uri": secret_uri}),
                               rpc(5, "tools/call", {"name": "search_docs",
                                                     "arguments": {"query": "x"}}),
                               rpc(6, "resources/list")])
    check("bob lists only the built-ins every user gets (deny by default)",
          [t["name"] for t in r[2]["result"]["tools"]] == ["ask", "fetch", "search"], r[2])
    check("bob's fetch of alice's document is not found",
          r[3]["result"]["isError"] is True and "not found" in r[3]["result"]["content"][0]["text"],
          r[3])
    check("bob's resource read of it is not found (-32002)",
          r[4].get("error", {}).get("code") == -32002, r[4])
    check("bob's ungranted call is denied by the gateway",
          r[5]["result"]["isError"] is True and "denied" in r[5]["result"]["content"][0]["text"],
          r[5])
    uris = [x["uri"] for x in r[6]["result"]["resources"]]
    check("bob's resource list omits alice's document", len(uris) == 1 and secret_uri not in uris,
          uris)
    big_line = json.dumps(rpc(2, "ping", {"pad": "x" * (4 << 20)}))
    r, out = stdio(data, "alice", [init, big_line, rpc(3, "ping")])
    check("stdio: an oversized message is refused and the session goes on",
          any("exceeds" in m.get("error", {}).get("message", "") for m in out) and
          r.get(3, {}).get("result") == {}, [str(m)[:120] for m in out])
    r, _ = stdio(data, "alice", [
        init, rpc(2, "logging/setLevel", {"level": 5}),
        rpc(3, "tools/call", {"name": 7, "arguments": {}}),
        rpc(4, "resources/list", {"cursor": "99999999999999999999999:1"}),
        rpc(5, "prompts/get", {"name": ["x"]}),
        rpc(6, "tools/call", {"name": "search_docs", "arguments": [1]}),
        rpc(7, "ping")])
    check("wrongly typed params are -32602 and the session survives",
          all(r[i].get("error", {}).get("code") == -32602 for i in (2, 3, 4, 5, 6)) and
          r[7].get("result") == {}, [r.get(i) for i in range(2, 8)])
    r, _ = stdio(data, "alice", [rpc(1, "tools/list")])
    check("stdio: a request before initialize is refused",
          r[1].get("error", {}).get("code") == -32600, r[1])
    again = dict(init, id=2)
    r, _ = stdio(data, "alice", [init, again, rpc(3, "ping")])
    check("stdio: a second initialize is refused and the session goes on",
          "result" in r[1] and r[2].get("error", {}).get("code") == -32600 and
          "already initialized" in r[2]["error"].get("message", "") and
          r[3].get("result") == {}, [r.get(i) for i in (1, 2, 3)])


def http_checks(data, base, keys, bport):
    init = rpc(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                 "clientInfo": {"name": "http-client", "version": "1"}})
    st, _, body, _ = post(base, init)
    check("no API key -> 401", st == 401, st)
    st, _, body, _ = post(base, init, keys["alice"], {"Origin": "http://evil.example"})
    check("foreign Origin -> 403", st == 403, st)
    st, _, body, _ = post(base, init, keys["alice"], {"Host": "evil.example:80"})
    check("non-loopback Host -> 403", st == 403, st)
    # Issue 19 item 16: what follows "localhost:" is a port, not anything at all.
    st, _, body, _ = post(base, init, keys["alice"], {"Origin": "http://localhost:80@evil.com"})
    check("Origin with userinfo after a loopback name -> 403", st == 403, st)
    st, _, body, _ = post(base, init, keys["alice"], {"Host": "localhost:evil.com"})
    check("Host with a non-numeric port -> 403", st == 403, st)
    st, h, body, _ = post(base, init, keys["alice"], {"Origin": "http://localhost:3000"})
    sid = h.get("Mcp-Session-Id", "")
    check("initialize over HTTP gives a session", st == 200 and re.fullmatch("[0-9a-f]{32}", sid)
          and body["result"]["protocolVersion"] == "2025-06-18", (st, sid, body))
    sh = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18"}
    st, _, body, _ = post(base, {"jsonrpc": "2.0", "method": "notifications/initialized"},
                          keys["alice"], sh)
    check("notification -> 202", st == 202, st)
    st, _, body, _ = post(base, rpc(2, "tools/list"), keys["alice"], sh)
    check("tools/list in the session", st == 200 and len(body["result"]["tools"]) == 5, body)
    st, _, body, _ = post(base, rpc(3, "tools/list"), keys["bob"], sh)
    check("another principal cannot use the session (404)", st == 404, st)
    st, _, body, _ = post(base, rpc(3, "tools/list"), keys["alice"],
                          {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"})
    check("protocol version header must match the session", st == 400, st)
    st, _, body, _ = post(base, None, keys["alice"], sh,
                          raw=json.dumps(rpc(9, "ping", {"pad": "x" * (4 << 20)})).encode())
    check("an oversized message -> 413", st == 413, st)
    st, _, body, _ = post(base, None, keys["alice"], sh, raw=b"[1,2]")
    check("batches are refused", st == 400 and body["error"]["code"] == -32600, body)

    # Approvals, 2025 era: a pending result naming the approval.
    big = {"invoice_id": "INV-2024-0042", "amount": 900, "reason": "damaged goods"}
    st, _, body, _ = post(base, rpc(4, "tools/call", {"name": "refund_invoice", "arguments": big}),
                          keys["alice"], sh)
    pend = body["result"].get("structuredContent", {})
    check("a call needing approval is a pending result with the approval id",
          pend.get("status") == "pending" and pend.get("approval_id"), body)

    # list_changed: a grant change reaches the session with its next response.
    ward(data, "grants", "add", "--tool", "search_docs", "--principal", "bob")
    st, _, body, notes = post(base, rpc(5, "ping"), keys["alice"], sh)
    check("tools/list_changed after a grant change",
          any(n.get("method") == "notifications/tools/list_changed" for n in notes), notes)

    req = urllib.request.Request(base + "/mcp", method="DELETE",
                                 headers={"Authorization": "Bearer " + keys["alice"], **sh})
    st, _, _, _ = send(req)
    check("DELETE ends the session", st == 200, st)
    st, _, _, _ = post(base, rpc(6, "ping"), keys["alice"], sh)
    check("an ended session is 404", st == 404, st)

    # Stateless 2026-07-28.
    hdr = {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list"}
    st, _, body, _ = post(base, rpc(10, "tools/list", {"_meta": META}), keys["bob"], hdr)
    check("stateless tools/list", st == 200 and body["result"]["resultType"] == "complete" and
          body["result"]["cacheScope"] == "private", body)
    st, _, body, _ = post(base, rpc(11, "tools/list", {}), keys["bob"], hdr)
    check("stateless without _meta -> 400 / -32602",
          st == 400 and body["error"]["code"] == -32602 and body["id"] == 11, (st, body))
    old = dict(META, **{"io.modelcontextprotocol/protocolVersion": "1999-01-01"})
    st, _, body, _ = post(base, rpc(12, "server/discover", {"_meta": old}), keys["bob"],
                          {"MCP-Protocol-Version": "1999-01-01", "Mcp-Method": "server/discover"})
    check("unsupported version -> 400 with supported list",
          st == 400 and "2026-07-28" in body["error"]["data"]["supported"], body)
    st, _, body, _ = post(base, rpc(13, "tools/list", {"_meta": META}), keys["bob"],
                          {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "prompts/list"})
    check("Mcp-Method mismatch -> -32020", st == 400 and body["error"]["code"] == -32020, body)
    st, _, body, _ = post(base, rpc(16, "tools/list", {"_meta": META}), keys["bob"])
    check("Mcp-Method missing -> -32020", st == 400 and body["error"]["code"] == -32020, body)
    st, _, body, _ = post(base, rpc(17, "tools/call", {"name": "search_docs", "_meta": META,
                                                       "arguments": {"query": "x"}}), keys["bob"],
                          {"Mcp-Method": "tools/call", "Mcp-Name": "fetch"})
    check("Mcp-Name mismatch -> -32020", st == 400 and body["error"]["code"] == -32020, body)
    st, _, body, _ = post(base, rpc(14, "initialize", {"_meta": META}), keys["bob"],
                          {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "initialize"})
    check("initialize is not a 2026-07-28 method (404)", st == 404, (st, body))
    st, _, body, _ = post(base, rpc(15, "server/discover", {"_meta": META}), keys["bob"],
                          {"Mcp-Method": "server/discover"})
    check("server/discover lists versions",
          "2025-11-25" in body["result"]["supportedVersions"], body)

    # Approvals, 2026-07-28 with elicitation: input-required + sealed requestState.
    meta = dict(META, **{"io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}})
    call = lambda i, args, state=None: rpc(i, "tools/call", dict(
        {"name": "refund_invoice", "arguments": args, "_meta": meta},
        **({"requestState": state, "inputResponses": {"ward_approval": {
            "action": "accept", "content": {"check": True}}}} if state else {})))
    th = {"Mcp-Method": "tools/call", "Mcp-Name": "refund_invoice"}
    st, _, body, _ = post(base, call(20, big), keys["alice"], th)
    res = body["result"]
    state = res.get("requestState", "")
    check("approval -> input_required with requestState",
          res.get("resultType") == "input_required" and "ward_approval" in res["inputRequests"]
          and state, body)
    payload, mac = state.split(".")
    flipped = payload[:-1] + ("0" if payload[-1] != "0" else "1") + "." + mac
    st, _, body, _ = post(base, call(21, big, flipped), keys["alice"], th)
    check("tampered requestState refused", body.get("error", {}).get("code") == -32602, body)
    other = dict(big, amount=901)
    st, _, body, _ = post(base, call(22, other, state), keys["alice"], th)
    check("requestState with other arguments refused",
          body.get("error", {}).get("code") == -32602, body)
    approvals = json.loads(ward(data, "approvals", "list", "--state", "pending", "--as", "rita"))
    ids = [a["id"] for a in approvals.get("approvals", approvals if isinstance(approvals, list)
                                          else [])]
    for i in ids:
        ward(data, "approvals", "approve", i, "--as", "rita")
    st, _, body, _ = post(base, call(23, big, state), keys["alice"], th)
    check("after approval the retry returns the tool's result",
          body.get("result", {}).get("structuredContent", {}).get("status") == "refunded", body)
    st, _, body, _ = post(base, call(24, big, state), keys["alice"], th)
    check("a used requestState is refused (replay)",
          body.get("error", {}).get("code") == -32602, body)
    with urllib.request.urlopen(f"http://127.0.0.1:{bport}/stats", timeout=10) as r:
        refunds = json.loads(r.read())["refunds"]
    check("each approved refund ran exactly once", refunds == len(ids), (refunds, ids))


def ask_checks(data):
    """The MCP tool `ask` (issue 13): the answer loop as a gateway builtin, as the session's user."""
    init = rpc(1, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                 "clientInfo": {"name": "ask-client", "version": "1"}})
    secret_id = "files:secret.md"
    question = {"question": "What is the falcon merger plan?"}
    small = {"invoice_id": "INV-2024-0042", "amount": 3, "reason": "damaged goods"}
    r, _ = stdio(data, "alice", [
        init, {"jsonrpc": "2.0", "method": "notifications/initialized"},
        rpc(2, "tools/call", {"name": "ask", "arguments": question}),
        rpc(3, "tools/call", {"name": "refund_invoice", "arguments": small}),
        rpc(4, "tools/call", {"name": "ask", "arguments": {"question": "x", "extra": 1}})])
    res = r.get(2, {}).get("result", {})
    ans = res.get("structuredContent", {})
    cited = [c["doc_id"] for c in ans.get("citations", [])]
    check("ask over MCP answers alice with her private document cited",
          res.get("isError") is False and ans.get("mode") == "extractive" and
          secret_id in cited and "falcon" in ans.get("answer", "").lower() and
          re.fullmatch(r"[0-9a-f]{32}", ans.get("trace_id", "")) is not None, res)
    check("ask's result is a text block too",
          res.get("content", [{}])[0].get("type") == "text" and
          "falcon" in res["content"][0].get("text", "").lower(), res.get("content"))
    check("after ask the session is tainted: a refund is parked (untrusted_content)",
          r.get(3, {}).get("result", {}).get("structuredContent", {}).get("status") == "pending",
          r.get(3))
    check("ask's arguments are validated like any tool's",
          r.get(4, {}).get("result", {}).get("isError") is True, r.get(4))
    r, _ = stdio(data, "bob", [init, rpc(2, "tools/call", {"name": "ask", "arguments": question})])
    ans = r.get(2, {}).get("result", {}).get("structuredContent", {})
    cited = [c["doc_id"] for c in ans.get("citations", [])]
    check("the same question from bob never cites alice's document",
          r[2]["result"]["isError"] is False and secret_id not in cited and
          "falcon" not in ans.get("answer", "").lower(), ans)
    calls = [json.loads(l) for l in
             ward(data, "trace", "list", "--kind", "tool_call", "--json").splitlines()]
    asks = [c for c in calls if c["attributes"].get("tool") == "ask@1.0.0"]
    check("each ask is one tool_call record through the gateway, with its answer trace",
          {"alice", "bob"} <= {c.get("principal") for c in asks} and
          all(c["attributes"].get("decision") in ("executed", "invalid") for c in asks), asks[:2])
    answers = [json.loads(l) for l in
               ward(data, "trace", "list", "--kind", "answer", "--json").splitlines()]
    check("the answer event shares the tool call's trace",
          {c.get("trace_id") for c in asks if c["attributes"].get("decision") == "executed"} <=
          {a.get("trace_id") for a in answers}, (len(asks), len(answers)))
    # Withdraw the default grant: ask is then refused like any ungranted tool, and recorded.
    for g in json.loads(ward(data, "grants", "list"))["grants"]:
        if g.get("tool") == "ask":
            ward(data, "grants", "rm", str(g["id"]))
    r, _ = stdio(data, "bob", [init, rpc(2, "tools/list"),
                               rpc(3, "tools/call", {"name": "ask", "arguments": question})])
    check("without a grant ask is not listed",
          "ask" not in [t["name"] for t in r[2]["result"]["tools"]], r[2])
    check("without a grant ask is refused",
          r[3]["result"]["isError"] is True and "denied" in r[3]["result"]["content"][0]["text"],
          r[3])
    calls = [json.loads(l) for l in
             ward(data, "trace", "list", "--kind", "tool_call", "--json").splitlines()]
    check("the refusal is recorded",
          any(c.get("principal") == "bob" and
              c["attributes"].get("tool") in ("ask", "ask@1.0.0") and
              c["attributes"].get("decision") == "denied" for c in calls), len(calls))


def key_checks(data, keys):
    msgs = json.dumps(rpc(1, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                            "clientInfo": {"name": "k", "version": "1"}}))
    proc = subprocess.run([WARD_BIN, "--data", data, "mcp", "--key", keys["bob"]], input=msgs + "\n",
                          capture_output=True, text=True, timeout=60)
    check("ward mcp --key authenticates", proc.returncode == 0 and '"protocolVersion"' in proc.stdout,
          proc.stderr)
    proc = subprocess.run([WARD_BIN, "--data", data, "mcp", "--key", "wk_bogus"], input=msgs,
                          capture_output=True, text=True, timeout=60)
    check("ward mcp with a bad key exits 4 and prints nothing on stdout",
          proc.returncode == 4 and proc.stdout == "", (proc.returncode, proc.stderr))
    proc = subprocess.run([WARD_BIN, "--data", data, "mcp"], input=msgs, capture_output=True,
                          text=True, timeout=60)
    check("ward mcp without --as or --key exits 2", proc.returncode == 2, proc.returncode)


def trace_checks(data):
    lines = ward(data, "trace", "list", "--kind", "mcp_request", "--json").splitlines()
    events = [json.loads(l) for l in lines]
    clients = {e.get("attributes", {}).get("client_info", {}).get("name") for e in events}
    check("requests recorded with the client's self-reported identity",
          {"stdio-client", "http-client", "mcp-test"} <= clients, clients)
    refused = [e for e in events if e["attributes"].get("outcome", "").startswith("refused")]
    check("refused requests (Origin, Host, session, headers) are recorded",
          any("403" in e["attributes"]["outcome"] for e in refused) and
          any("404" in e["attributes"]["outcome"] for e in refused), len(refused))
    check("requests recorded with the principal",
          {"alice", "bob"} <= {e.get("principal") for e in events})
    calls = [json.loads(l) for l in
             ward(data, "trace", "list", "--kind", "tool_call", "--json").splitlines()]
    via = [c for c in calls if "via" in c.get("attributes", {})]
    mcp_traces = {e.get("trace_id") for e in events}
    check("tools/call recorded once, in the gateway's event, with the MCP client",
          via and all(c["attributes"]["via"]["method"] == "tools/call" and
                      c["attributes"]["via"]["client_info"].get("name") and
                      c.get("trace_id") not in mcp_traces for c in via), via[:2])


def main():
    if not WARD_BIN:
        print("set WARD_BIN")
        return 2
    tmp = tempfile.mkdtemp(prefix="ward-mcp-")
    billing = server = None
    try:
        data, billing, docs = setup(tmp)
        bport = int(open(os.path.join(tmp, "billing.port")).read())
        keys = {n: ward(data, "key", "create", n) for n in ("alice", "bob")}
        stdio_checks(data, docs)
        key_checks(data, keys)
        server = subprocess.Popen([WARD_BIN, "--data", data, "serve", "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = server.stdout.readline().strip()
        base = re.match(r"^listening on (http://127\.0\.0\.1:\d+)$", line).group(1)
        http_checks(data, base, keys, bport)
        trace_checks(data)
        ask_checks(data)
    finally:
        stop_processes(server, billing)
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
