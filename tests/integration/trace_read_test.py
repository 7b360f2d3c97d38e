#!/usr/bin/env python3
"""Reading the audit trail through the real binary: a search and tool calls (executed, denied,
parked and approved) leave traces that `ward trace list/show`, `ward explain` and the REST API
(/v1/traces, /explain, /feedback, /spans, /v1/prompts) return correctly; only admins and auditors
read traces (others get 403, recorded); every read is itself recorded; each event's leaf hash is
the one on disk; feedback and overrides need the right role; model-call spans keep the rendered
prompt out of the log and in the auditors-only prompt store, redacted."""
import glob
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from harness import WARD_BIN, check, http_request, run_ward as ward, summary

SECRET = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key id: redaction must catch it
PROMPT_MARK = "fenced-context-marker-7731"


def request(base, method, path, body=None, key=None):
    status, _, parsed = http_request(base, method, path, body, key, timeout=30)
    return status, parsed


def must(data, *args):
    r = ward(data, *args)
    if r.returncode != 0:
        raise RuntimeError(f"ward {' '.join(args)} failed: {r.stderr}")
    return r.stdout


def leaf_hashes(data):
    """Leaf hash of every record on disk: SHA-256(0x00 || first 76 header bytes)."""
    out = {}
    for seg_path in sorted(glob.glob(os.path.join(data, "audit", "log", "*.wal"))):
        with open(seg_path, "rb") as f:
            seg = f.read()
        at = 49 + 32 * seg[48] + 4
        while at + 84 <= len(seg) and seg[at:at + 8] != b"WARDSEAL":
            (n, idx) = struct.unpack_from("<IQ", seg, at)
            out[idx] = hashlib.sha256(b"\x00" + seg[at:at + 76]).hexdigest()
            at += 84 + n
    return out


def tool_file(tmp, name, approval):
    d = {
        "name": name, "version": "1.0.0", "description": "Search the docs as the caller.",
        "risk": "read",
        "input_schema": {"type": "object", "properties": {"query": {"type": "string"}},
                         "required": ["query"], "additionalProperties": False},
        "backend": {"type": "builtin", "name": "search"},
    }
    if approval:
        d["approval"] = [{"name": "always_review", "always": True}]
    path = os.path.join(tmp, f"{name}@1.0.0.json")
    with open(path, "w") as f:
        json.dump(d, f)
    return path


def setup(tmp):
    data = os.path.join(tmp, "data")
    must(data, "init")
    must(data, "tools", "add", tool_file(tmp, "search_docs", False),
         tool_file(tmp, "reviewed_search", True))
    for user in ("alice", "bob", "audra", "rita"):
        must(data, "user", "add", user)
    must(data, "user", "add", "modelsvc", "--service-account")
    must(data, "role", "grant", "audra", "auditor")
    must(data, "role", "grant", "rita", "reviewer")
    must(data, "role", "grant", "rita", "approver")
    must(data, "grants", "add", "--tool", "search_docs", "--principal", "alice")
    must(data, "grants", "add", "--tool", "reviewed_search", "--principal", "alice")
    docs = os.path.join(tmp, "docs.jsonl")
    with open(docs, "w") as f:
        f.write(json.dumps({"id": "handbook", "text": "Refund policy: refunds within 30 days.",
                            "acl": {"users": ["alice"]}}) + "\n")
        f.write(json.dumps({"id": "secret-plan", "text": "Refund policy for executives only.",
                            "acl": {"users": ["rita"]}}) + "\n")
    must(data, "ingest", "--jsonl", docs)
    keys = {n: must(data, "key", "create", n).split()[0].strip()
            for n in ("admin", "alice", "bob", "audra", "rita", "modelsvc")}
    return data, keys


def start(data):
    proc = subprocess.Popen([WARD_BIN, "--data", data, "serve", "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise RuntimeError("server did not start: " + line)
    return proc, line[len("listening on "):]


def produce(base, keys):
    """The traces under test: search, executed call, denied call, parked+approved call."""
    st, search = request(base, "POST", "/v1/search", {"query": "refund policy"}, keys["alice"])
    check("alice searches", st == 200 and search.get("trace_id"), search)
    st, call = request(base, "POST", "/v1/tools/search_docs/call",
                       {"args": {"query": "refund"}}, keys["alice"])
    check("alice's tool call executes", st == 200 and call.get("status") == "ok", call)
    st, denied = request(base, "POST", "/v1/tools/search_docs/call",
                         {"args": {"query": "refund"}}, keys["bob"])
    check("bob's tool call is denied (no grant)", st == 403, denied)
    st, parked = request(base, "POST", "/v1/tools/reviewed_search/call",
                         {"args": {"query": "refund"}}, keys["alice"])
    check("reviewed call is parked", st in (200, 202) and parked.get("approval_id"), parked)
    st, approved = request(base, "POST", f"/v1/approvals/{parked.get('approval_id')}/approve",
                           {"comment": "looks fine"}, keys["rita"])
    check("rita approves", st == 200, approved)
    return {"search": search.get("trace_id"), "call": call.get("trace_id"),
            "parked": parked.get("trace_id")}


def trace_ids(body):
    return [t["trace_id"] for t in body.get("traces", [])] if isinstance(body, dict) else []


def rest_reads(base, keys, t, data):
    st, body = request(base, "GET", "/v1/traces", key=keys["bob"])
    check("non-auditor gets 403 on /v1/traces", st == 403 and "auditor" in json.dumps(body), body)
    st, body = request(base, "GET", f"/v1/traces/{t['search']}/explain", key=keys["alice"])
    check("the asker is no auditor either: 403 on explain", st == 403, body)
    st, body = request(base, "GET", "/v1/traces", key=keys["audra"])
    ids = trace_ids(body)
    check("auditor lists traces", st == 200 and t["search"] in ids and t["call"] in ids, body)
    st, body = request(base, "GET", "/v1/traces?decision=denied&kind=tool_call", key=keys["audra"])
    denied_ids = trace_ids(body)
    check("?decision=denied finds the denied call only",
          st == 200 and len(denied_ids) == 1 and t["call"] not in denied_ids
          and "denied" in body["traces"][0]["decisions"], body)
    st, body = request(base, "GET", "/v1/traces?tool=search_docs", key=keys["audra"])
    check("?tool= filters by tool name", st == 200 and t["call"] in trace_ids(body)
          and t["search"] not in trace_ids(body) and t["parked"] not in trace_ids(body), body)
    st, body = request(base, "GET", "/v1/traces?principal=bob&kind=tool_call", key=keys["audra"])
    check("?principal= filters", st == 200 and trace_ids(body) == denied_ids, body)
    st, body = request(base, "GET", "/v1/traces?since=2099-01-01", key=keys["audra"])
    check("?since= in the future lists nothing", st == 200 and body["traces"] == [], body)
    st, p1 = request(base, "GET", "/v1/traces?kind=tool_call&limit=1", key=keys["audra"])
    st2, p2 = request(base, "GET",
                      f"/v1/traces?kind=tool_call&limit=1&before={p1.get('next_before')}",
                      key=keys["audra"])
    check("pagination with limit and before", st == 200 and st2 == 200
          and len(p1["traces"]) == 1 and len(p2["traces"]) == 1
          and p1["traces"][0]["trace_id"] != p2["traces"][0]["trace_id"]
          and p2["traces"][0]["first_record"] < p1["traces"][0]["first_record"], [p1, p2])
    for bad in ("limit=0", "limit=5000", "since=yesterday", "before=-1"):
        st, body = request(base, "GET", "/v1/traces?" + bad, key=keys["audra"])
        check(f"bad query {bad} is a 400 naming it",
              st == 400 and bad.split("=")[0] in body["error"]["message"], body)
    st, body = request(base, "GET", "/v1/traces/not-a-trace", key=keys["audra"])
    check("malformed trace id is 400", st == 400, body)
    st, body = request(base, "GET", "/v1/traces/" + "ab" * 16, key=keys["audra"])
    check("unknown trace is 404", st == 404, body)

    st, shown = request(base, "GET", f"/v1/traces/{t['search']}", key=keys["audra"])
    leaves = leaf_hashes(data)
    events = shown.get("events", []) if isinstance(shown, dict) else []
    check("show returns the search event with its record",
          st == 200 and events and events[0]["kind"] == "search", shown)
    check("each event's leaf_hash is the record's leaf hash on disk",
          events and all(leaves.get(e["record"]) == e["leaf_hash"] for e in events),
          [(e["record"], e["leaf_hash"]) for e in events])

    st, x = request(base, "GET", f"/v1/traces/{t['search']}/explain", key=keys["audra"])
    ret = x.get("retrieval", [{}])[0] if isinstance(x, dict) else {}
    cites = ret.get("citations", [])
    check("explain: who asked", st == 200 and x["asked_by"][0]["principal"] == "alice", x)
    check("explain: citations with doc id, version, chunk, score, record",
          cites and cites[0]["doc_id"] == "handbook"
          and all(k in cites[0] for k in ("version", "chunk_id", "score", "record")), cites)
    check("explain: the ACL removed rita's document",
          ret.get("acl", {}).get("candidates_removed") == 1
          and all(c["doc_id"] != "secret-plan" for c in cites), ret)
    st, x = request(base, "GET", f"/v1/traces/{t['parked']}/explain", key=keys["audra"])
    calls = x.get("tool_calls", []) if isinstance(x, dict) else []
    approvals = x.get("approvals", []) if isinstance(x, dict) else []
    first = calls[0] if calls else {}
    check("explain: the parked call with stage decisions and policy ids",
          first.get("decision") == "pending" and first.get("stage") == "approval"
          and any(s["stage"] == "authorize" and s.get("policy", [""])[0].startswith("grant:")
                  for s in first.get("stages", []))
          and any(s["stage"] == "approval" and s["verdict"] == "stop"
                  for s in first.get("stages", [])), calls)
    check("explain: approval with reviewer",
          any(a.get("decision") == "approved" and a.get("reviewer") == "rita"
              for a in approvals), approvals)
    check("explain: the executed call keeps its (redacted) result for replay",
          any(c.get("decision") == "executed" and "result" in c for c in calls), calls)
    check("explain: every fact links to a record in the account",
          {c["record"] for c in calls} <= {r["record"] for r in x.get("records", [])}, x)


def feedback_and_spans(base, keys, t, data):
    fb = f"/v1/traces/{t['search']}/feedback"
    st, body = request(base, "POST", fb, {"rating": 4, "reason": "good sources"}, keys["alice"])
    check("the asker gives feedback", st == 201 and body.get("reviewer") == "alice", body)
    st, body = request(base, "POST", fb, {"rating": 1, "override": True}, keys["alice"])
    check("an override without the reviewer role is 403", st == 403, body)
    st, body = request(base, "POST", fb, {"rating": 2}, keys["bob"])
    check("someone outside the trace gets 404", st == 404, body)
    # Issue 19 item 15: joining alice's trace with traceparent links bob's search to it, but
    # does not make bob a participant who may give feedback on it.
    tp = f"00-{t['search']}-00f067aa0ba902b7-01"
    st, _, joined = http_request(base, "POST", "/v1/search", {"query": "refund"}, keys["bob"],
                                 {"traceparent": tp}, timeout=30)
    check("bob's search joins alice's trace id",
          st == 200 and joined.get("trace_id") == t["search"], joined)
    st, body = request(base, "POST", fb, {"rating": 1, "reason": "sabotage"}, keys["bob"])
    check("joining a trace with traceparent gives no feedback right (404)", st == 404, body)
    st, body = request(base, "POST", fb, {"override": True, "reason": "cited the wrong policy",
                                          "corrected_answer": "Refunds within 30 days."},
                       keys["rita"])
    check("a reviewer overrides", st == 201 and body.get("override") is True, body)
    for bad in ({"rating": 9}, {}, {"rating": 3, "mood": "x"}, {"override": "yes", "rating": 2}):
        st, body = request(base, "POST", fb, bad, keys["rita"])
        check(f"bad feedback {json.dumps(bad)} is 400", st == 400, body)

    span = {"kind": "model_call", "provider": "openai", "model": "gpt-4o",
            "model_version": "2024-08-06",
            "parameters": {"temperature": 0.2, "top_p": 1, "max_tokens": 512, "seed": 7},
            "tools_offered": ["search_docs@1.0.0"],
            "prompt": {"template_id": "answer@3",
                       "rendered": f"Answer from {PROMPT_MARK}. key {SECRET}"}}
    sp = f"/v1/traces/{t['search']}/spans"
    st, body = request(base, "POST", sp, span, keys["alice"])
    check("a plain user may not record spans", st == 403, body)
    st, body = request(base, "POST", sp, dict(span, parameters={"top_p": 3}), keys["modelsvc"])
    check("bad span parameters are 400 naming the field",
          st == 400 and "top_p" in body["error"]["message"], body)
    st, rec = request(base, "POST", sp, span, keys["modelsvc"])
    sha = rec.get("prompt", {}).get("sha256", "") if isinstance(rec, dict) else ""
    check("a service account records a model call", st == 201 and len(sha) == 64, rec)

    st, x = request(base, "GET", f"/v1/traces/{t['search']}/explain", key=keys["audra"])
    models = x.get("model_calls", []) if isinstance(x, dict) else []
    check("explain: the model call with parameters and prompt hash",
          models and models[0]["model"] == "gpt-4o" and models[0]["parameters"]["seed"] == 7
          and models[0]["prompt"]["sha256"] == sha and "rendered" not in json.dumps(models), models)
    fbs = x.get("feedback", []) if isinstance(x, dict) else []
    check("explain: feedback and override with reviewer and time",
          [(f["reviewer"], f["override"]) for f in fbs] == [("alice", False), ("rita", True)]
          and all(f.get("time") for f in fbs), fbs)

    st, body = request(base, "GET", f"/v1/prompts/{sha}", key=keys["admin"])
    check("an admin outside 'auditors' cannot read prompts", st == 403, body)
    st, body = request(base, "GET", f"/v1/prompts/{sha}", key=keys["audra"])
    text = body.get("prompt", "") if isinstance(body, dict) else ""
    check("an auditor reads the stored prompt, redacted",
          st == 200 and PROMPT_MARK in text and SECRET not in text
          and hashlib.sha256(text.encode()).hexdigest() == sha, body)
    in_log = any(PROMPT_MARK.encode() in open(p, "rb").read()
                 for p in glob.glob(os.path.join(data, "audit", "**", "*"), recursive=True)
                 if os.path.isfile(p))
    check("the rendered prompt is not in the audit log", not in_log)
    leaked = any(SECRET.encode() in open(p, "rb").read()
                 for p in glob.glob(os.path.join(data, "prompts", "**", "*"), recursive=True)
                 if os.path.isfile(p))
    check("the prompt store holds no raw secret", not leaked)


def recorded(base, keys, data):
    st, body = request(base, "GET", "/v1/principals", key=keys["alice"])
    check("non-admin on an admin route is 403", st == 403, body)
    st, body = request(base, "POST", "/v1/principals", {"name": "carol", "kind": "user"},
                       keys["admin"])
    check("admin creates a principal", st in (200, 201), body)
    events = [json.loads(line) for line in must(data, "trace", "list", "--json").splitlines()]
    reads = [e for e in events if e["kind"] == "trace_read" and e["principal"] == "audra"]
    check("every REST read by the auditor is recorded", len(reads) >= 10
          and {"list", "show", "explain", "prompt"} <= {e["attributes"]["action"] for e in reads},
          [e["attributes"] for e in reads][:5])
    denials = [e for e in events if e["kind"] == "authz_denied"]
    check("refused reads and admin routes are recorded as authz_denied",
          any(e["principal"] == "bob" and e["attributes"].get("action") == "list"
              for e in denials)
          and any(e["principal"] == "alice" and e["attributes"].get("route") == "/v1/principals"
                  for e in denials), denials)
    changes = [e for e in events if e["kind"] == "admin_change"]
    check("admin changes are recorded (REST and ward role grant)",
          any(e["attributes"].get("route") == "/v1/principals" for e in changes)
          and any(e["attributes"].get("action") == "role_grant" for e in changes)
          and any(e["attributes"].get("action") == "config_loaded"
                  and len(e["attributes"].get("config_sha256", "")) == 64 for e in changes),
          changes)


def cli_reads(data, t):
    r = ward(data, "explain", t["search"])
    check("ward explain prints an account with record links",
          r.returncode == 0 and "Who asked:" in r.stdout and "alice [#" in r.stdout
          and "doc handbook" in r.stdout and "override by rita" in r.stdout, r.stdout + r.stderr)
    r = ward(data, "explain", t["parked"], "--json")
    x = json.loads(r.stdout) if r.returncode == 0 else {}
    check("ward explain --json", x.get("trace_id") == t["parked"] and x.get("approvals"), r.stderr)
    r = ward(data, "explain", t["search"], "--as", "bob")
    check("ward explain --as a non-auditor exits 4", r.returncode == 4, r.stderr)
    r = ward(data, "trace", "list", "--traces", "--decision", "denied", "--tool", "search_docs",
             "--json")
    rows = [json.loads(line) for line in r.stdout.splitlines()] if r.returncode == 0 else []
    check("ward trace list --traces --decision denied --tool",
          len(rows) == 1 and "bob" in rows[0]["principals"], r.stdout + r.stderr)
    r = ward(data, "trace", "list", "--principal", "alice", "--kind", "tool_call", "--json")
    rows = [json.loads(line) for line in r.stdout.splitlines()] if r.returncode == 0 else []
    # executed, parked, and executed again once approved
    check("ward trace list (events) with filters and leaf hashes",
          [e["attributes"]["decision"] for e in rows] == ["executed", "pending", "executed"]
          and all(len(e["leaf_hash"]) == 64 and e["kind"] == "tool_call" for e in rows),
          [e["attributes"].get("decision") for e in rows])
    r = ward(data, "trace", "show", t["search"], "--json")
    ev = json.loads(r.stdout.splitlines()[0]) if r.returncode == 0 else {}
    r = ward(data, "audit", "inclusion", "--index", str(ev.get("record", 0)))
    proof = json.loads(r.stdout) if r.returncode == 0 else {}
    check("ward audit inclusion proves the event's record by its leaf hash",
          proof.get("verified") is True and proof.get("leaf_hash") == ev.get("leaf_hash")
          and proof.get("proof"), r.stdout + r.stderr)
    r = ward(data, "trace", "show", t["call"], "--json")
    check("ward trace show ID --json", r.returncode == 0 and '"tool_call"' in r.stdout, r.stderr)
    r = ward(data, "trace", "list", "--since", "yesterday")
    check("ward trace list --since garbage exits 2", r.returncode == 2, r.stderr)
    r = ward(data, "role", "grant", "bob", "janitor")
    check("ward role grant of an unknown role exits 2", r.returncode == 2, r.stderr)
    r = ward(data, "audit", "verify")
    check("the log still verifies", r.returncode == 0, r.stdout + r.stderr)


def main():
    if not WARD_BIN or not os.path.exists(WARD_BIN):
        print("set WARD_BIN to the ward binary", file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="ward-trace-read-")
    proc = None
    try:
        data, keys = setup(tmp)
        proc, base = start(data)
        t = produce(base, keys)
        rest_reads(base, keys, t, data)
        feedback_and_spans(base, keys, t, data)
        recorded(base, keys, data)
        proc.terminate()
        proc.wait(timeout=30)
        proc = None
        cli_reads(data, t)
    finally:
        if proc:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
