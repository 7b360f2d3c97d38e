#!/usr/bin/env python3
"""Trace export, erasure and the readers on sealed records, with the real `ward` binary.

Usage: WARD_BIN=build/ward python3 tests/integration/audit_export_test.py

1. A local OpenTelemetry collector (a Python HTTP server speaking OTLP/HTTP JSON: it parses every
   POST /v1/traces body and checks it against the OTLP JSON encoding) receives the spans of
   searches made through `ward serve`, with GenAI attributes, hex ids and the request's span as
   parent; the JSONL file for SIEMs gets the same events; /metrics counts them.
2. A collector that stops answering: requests still complete (none waits for export) and the
   full queue's drops are counted on /metrics; a collector answering 503: failed batches are
   counted after retries.
3. Erasure: POST /v1/audit/erasures (admin only; 400/403/404 cases) and `ward audit erase`
   destroy the subject's key; `ward trace list/show` show the content as erased, other subjects
   stay readable, a tombstone is recorded, `ward audit verify` still passes, and the audit files
   never held the query text in clear.
4. A loopback collector without audit.export.otlp_allow_loopback stops `ward serve` with an
   error naming the setting.
Private temp folders, port 0, Python standard library only. Prints "N passed, M failed".
"""

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

from harness import (WARD_BIN, check, check_clean_exit, http_request, run_ward as ward,
                     start_server, summary, ward_ok as must)

HEX = re.compile(r"^[0-9a-f]+$")


def wait_for(predicate, what, limit=60.0):
    """Polls until predicate() is true; a bound on waiting, not a timing assertion."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    print(f"gave up waiting for {what}")
    return False


# --- the collector: OTLP/HTTP JSON receiver that validates what it gets ---

def any_value_ok(v):
    if not isinstance(v, dict) or len(v) != 1:
        return False
    (k, x), = v.items()
    if k == "stringValue":
        return isinstance(x, str)
    if k == "intValue":  # OTLP JSON: 64-bit integers as decimal strings
        return isinstance(x, str) and re.match(r"^-?\d+$", x) is not None
    if k == "doubleValue":
        return isinstance(x, (int, float))
    if k == "boolValue":
        return isinstance(x, bool)
    if k == "arrayValue":
        return isinstance(x, dict) and all(any_value_ok(e) for e in x.get("values", []))
    return False


def validate_request(body):
    """Returns (spans, problem) for an ExportTraceServiceRequest in the JSON encoding."""
    spans = []
    for rs in body.get("resourceSpans", None) or []:
        attrs = rs.get("resource", {}).get("attributes", [])
        if not any(a.get("key") == "service.name" for a in attrs):
            return [], "resource without service.name"
        for ss in rs.get("scopeSpans", []):
            if not ss.get("scope", {}).get("name"):
                return [], "scope without a name"
            for sp in ss.get("spans", []):
                if not (isinstance(sp.get("traceId"), str) and len(sp["traceId"]) == 32
                        and HEX.match(sp["traceId"])):
                    return [], f"traceId is not 32 hex: {sp.get('traceId')!r}"
                if not (isinstance(sp.get("spanId"), str) and len(sp["spanId"]) == 16
                        and HEX.match(sp["spanId"])):
                    return [], f"spanId is not 16 hex: {sp.get('spanId')!r}"
                if "parentSpanId" in sp and not (len(sp["parentSpanId"]) == 16
                                                 and HEX.match(sp["parentSpanId"])):
                    return [], "parentSpanId is not 16 hex"
                for f in ("startTimeUnixNano", "endTimeUnixNano"):
                    if not (isinstance(sp.get(f), str) and sp[f].isdigit()):
                        return [], f"{f} is not a decimal string"
                if int(sp["endTimeUnixNano"]) < int(sp["startTimeUnixNano"]):
                    return [], "span ends before it starts"
                if not isinstance(sp.get("name"), str) or not sp["name"]:
                    return [], "span without a name"
                for a in sp.get("attributes", []):
                    if not isinstance(a.get("key"), str) or not any_value_ok(a.get("value")):
                        return [], f"attribute is not a typed AnyValue: {a}"
                spans.append(sp)
    if not spans:
        return [], "no spans"
    return spans, None


class Collector:
    def __init__(self):
        self.spans = []
        self.problems = []
        self.requests = 0
        self.mode = "ok"  # ok | hold | down
        self.release = threading.Event()
        self.lock = threading.Lock()
        collector = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                with collector.lock:
                    collector.requests += 1
                    mode = collector.mode
                if mode == "hold":
                    collector.release.wait()
                if mode == "down":
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                problem = None
                if self.path != "/v1/traces":
                    problem = f"path {self.path}"
                elif not self.headers.get("Content-Type", "").startswith("application/json"):
                    problem = f"content type {self.headers.get('Content-Type')}"
                spans = []
                if problem is None:
                    try:
                        spans, problem = validate_request(json.loads(raw))
                    except ValueError as e:
                        problem = f"body is not JSON: {e}"
                with collector.lock:
                    if problem:
                        collector.problems.append(problem)
                    collector.spans.extend(spans)
                body = b"{}" if problem is None else json.dumps({"message": problem}).encode()
                self.send_response(200 if problem is None else 400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def spans_of(self, trace_id):
        with self.lock:
            return [s for s in self.spans if s["traceId"] == trace_id]

    def stop(self):
        self.release.set()
        self.server.shutdown()


# --- ward serve and its REST API ---

def request(base, method, path, body=None, key=None, headers=None):
    return http_request(base, method, path, body, key, headers, raw_body=True)


def as_json(raw):
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def metric(base, outcome, exporter="otlp"):
    _, _, raw = request(base, "GET", "/metrics")
    pattern = (r'^ward_audit_export_events_total\{exporter="%s",outcome="%s"\} ([0-9.e+]+)$'
               % (exporter, outcome))
    m = re.search(pattern, raw.decode(), re.M)
    return float(m.group(1)) if m else 0.0


def write_config(data, endpoint, loopback=True, queue=10000):
    with open(os.path.join(data, "ward.toml"), "a") as f:
        f.write(f'\n[audit.export]\notlp_endpoint = "{endpoint}"\n'
                f"otlp_allow_loopback = {'true' if loopback else 'false'}\n"
                # Long enough that a held request outlasts the burst below on a busy machine.
                f"otlp_timeout_ms = 60000\nqueue_events = {queue}\n"
                f'jsonl_path = "export/audit.jsonl"\n')


def search(base, key, query, trace_id=None):
    headers = {}
    if trace_id:
        headers["traceparent"] = f"00-{trace_id}-00f067aa0ba902b7-01"
    return request(base, "POST", "/v1/search", {"query": query}, key=key, headers=headers)


def span_attrs(span):
    return {a["key"]: list(a["value"].values())[0] for a in span.get("attributes", [])}


def test_export(base, collector, keys, data):
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    status, headers, raw = search(base, keys["alice"], "quarterly salary report", trace_id)
    check("search as alice is 200", status == 200, f"{status} {raw[:300]}")
    server_span = (headers.get("traceparent") or "---").split("-")[2]
    wait_for(lambda: collector.spans_of(trace_id), "the search span at the collector")
    spans = collector.spans_of(trace_id)
    check("collector received the search span", len(spans) == 1, spans)
    check("every OTLP request body was valid", not collector.problems, collector.problems)
    if spans:
        sp = spans[0]
        at = span_attrs(sp)
        check("retrieval span with GenAI attributes",
              sp["name"] == "retrieval ward:default"
              and at.get("gen_ai.operation.name") == "retrieval"
              and at.get("gen_ai.data_source.id") == "ward:default"
              and at.get("ward.principal") == "alice" and at.get("ward.event.kind") == "search",
              sp)
        check("span is a child of the request's span",
              sp.get("parentSpanId") == server_span and sp["spanId"] != server_span,
              f"{sp.get('parentSpanId')} vs {server_span}")
        check("query text is not exported by default",
              "gen_ai.retrieval.query.text" not in at and "quarterly" not in json.dumps(sp), at)
    jsonl = os.path.join(data, "export", "audit.jsonl")

    def jsonl_lines():
        if not os.path.exists(jsonl):
            return []
        with open(jsonl) as f:
            return [json.loads(line) for line in f if line.strip()]

    wait_for(lambda: any(e["trace_id"] == trace_id for e in jsonl_lines()), "the JSONL line")
    lines = [e for e in jsonl_lines() if e["trace_id"] == trace_id]
    check("JSONL line for the search",
          len(lines) == 1 and lines[0]["schema"] == "ward.audit.event/v1"
          and lines[0]["kind"] == "search" and lines[0]["principal"] == "alice"
          and isinstance(lines[0]["record"], int), lines)
    # The counters move after the batch returns, so the span or line can be seen first.
    check("/metrics counts exported events",
          wait_for(lambda: metric(base, "exported") >= 1, "the exported counter"))
    check("/metrics counts JSONL exports",
          wait_for(lambda: metric(base, "exported", "jsonl") >= 1, "the JSONL counter"))
    status, _, _ = search(base, keys["bob"], "bob looks for the handbook")
    check("search as bob is 200", status == 200)


def test_slow_and_down_collector(base, collector, keys):
    dropped_before = metric(base, "dropped_queue_full")
    collector.release.clear()
    with collector.lock:
        collector.mode = "hold"
    # The queue holds 20 events (ward.toml); the collector answers nothing. Every request must
    # still complete: if the request path waited for export, this loop would hang.
    # Searches go on until the queue overflows (an event, not a count that assumes a speed);
    # 2000 only stops a run where nothing is ever dropped.
    codes = []
    while len(codes) < 2000 and (len(codes) < 80 or
                                 metric(base, "dropped_queue_full") - dropped_before <= 0):
        codes.append(search(base, keys["bob"], f"burst {len(codes)}")[0])
    check("requests complete while the collector hangs", set(codes) == {200},
          sorted(set(codes)))
    check("full queue drops are counted on /metrics",
          metric(base, "dropped_queue_full") - dropped_before > 0,
          metric(base, "dropped_queue_full"))
    with collector.lock:
        collector.mode = "down"
    collector.release.set()
    failed_before = metric(base, "failed")
    search(base, keys["bob"], "while the collector is down")
    check("503 batches are counted as failed after retries",
          wait_for(lambda: metric(base, "failed") > failed_before, "a failed batch"),
          metric(base, "failed"))
    with collector.lock:
        collector.mode = "ok"
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    search(base, keys["bob"], "after recovery", trace_id)
    check("export resumes when the collector is back",
          wait_for(lambda: collector.spans_of(trace_id), "a span after recovery"))


def trace_list(data):
    proc = ward(data, "trace", "list", "--json")
    if proc.returncode != 0:
        return None, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()], ""


def test_erasure(base, keys, data):
    events, err = trace_list(data)
    check("trace list reads sealed records", events is not None and any(
        e["principal"] == "alice" and e["attributes"].get("query") == "quarterly salary report"
        for e in events), err)
    status, _, raw = request(base, "POST", "/v1/audit/erasures", {"subject": "alice"},
                             key=keys["alice"])
    check("erasure by a non-admin is 403", status == 403, f"{status} {raw[:200]}")
    status, _, raw = request(base, "POST", "/v1/audit/erasures", {}, key=keys["admin"])
    body = as_json(raw)
    check("erasure without subject is 400 naming the field",
          status == 400 and "subject" in body.get("error", {}).get("message", ""), body)
    status, _, raw = request(base, "POST", "/v1/audit/erasures", {"subject": "nobody"},
                             key=keys["admin"])
    check("erasure of an unknown subject is 404", status == 404, f"{status} {raw[:200]}")
    status, _, raw = request(base, "POST", "/v1/audit/erasures", {"subject": "alice"},
                             key=keys["admin"])
    body = as_json(raw)
    check("admin erases alice", status == 200 and body.get("keys_destroyed", 0) >= 1, body)

    events, err = trace_list(data)
    alice_searches = [e for e in events or [] if e["kind"] == "search"
                      and e["attributes"].get("erased")]
    bob = [e for e in events or [] if e["principal"] == "bob"]
    tombstones = [e for e in events or [] if e["kind"] == "erasure"]
    check("alice's events read as erased", len(alice_searches) >= 1 and all(
        e["principal"] == "[erased]" for e in alice_searches), alice_searches[:2])
    check("no event still shows alice or her query",
          not any(e["principal"] == "alice" or "quarterly" in json.dumps(e["attributes"])
                  for e in events or []), err)
    check("bob's events are still readable",
          any(e["attributes"].get("query") == "bob looks for the handbook" for e in bob))
    check("one tombstone, by admin, not naming alice",
          len(tombstones) == 1 and tombstones[0]["principal"] == "admin"
          and "alice" not in json.dumps(tombstones[0]["attributes"]), tombstones)
    if alice_searches:
        proc = ward(data, "trace", "show", str(alice_searches[0]["record"]))
        check("trace show prints an erased record",
              proc.returncode == 0 and "subject key destroyed" in proc.stdout, proc.stderr)
    proc = ward(data, "audit", "verify")
    check("audit log verifies after erasure", proc.returncode == 0 and "ok:" in proc.stdout,
          proc.stdout + proc.stderr)
    raw_log = b""
    logdir = os.path.join(data, "audit", "log")
    for name in os.listdir(logdir):
        with open(os.path.join(logdir, name), "rb") as f:
            raw_log += f.read()
    check("audit files never held the query text in clear",
          b"quarterly salary" not in raw_log and b"handbook" not in raw_log)
    proc = ward(data, "audit", "erase", "--subject", "bob")
    check("ward audit erase --subject bob", proc.returncode == 0 and "destroyed" in proc.stdout,
          proc.stdout + proc.stderr)
    proc = ward(data, "audit", "erase", "--subject", "bob")
    check("erasing bob again is NotFound (exit 3)",
          proc.returncode == 3 and "no audit content key" in proc.stderr, proc.stderr)
    proc = ward(data, "audit", "retention")
    check("ward audit retention runs (nothing is old enough)",
          proc.returncode == 0 and "0 day key(s) destroyed" in proc.stdout,
          proc.stdout + proc.stderr)


def test_loopback_refused(collector):
    data = tempfile.mkdtemp(prefix="ward-export-lo-")
    try:
        must(data, "init")
        write_config(data, collector.endpoint, loopback=False)
        os.makedirs(os.path.join(data, "export"), exist_ok=True)
        proc = subprocess.run([WARD_BIN, "--data", data, "serve", "--listen", "127.0.0.1:0"],
                              capture_output=True, text=True, timeout=60)
        check("loopback collector without allow_loopback stops serve",
              proc.returncode != 0 and "otlp_allow_loopback" in proc.stderr, proc.stderr)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def main():
    if not WARD_BIN or not os.path.exists(WARD_BIN):
        print("set WARD_BIN to the ward binary", file=sys.stderr)
        return 2
    collector = Collector()
    data = tempfile.mkdtemp(prefix="ward-export-")
    proc = None
    try:
        must(data, "init")
        must(data, "user", "add", "alice")
        must(data, "user", "add", "bob")
        keys = {n: must(data, "key", "create", n) for n in ("admin", "alice", "bob")}
        os.makedirs(os.path.join(data, "export"))
        write_config(data, collector.endpoint, queue=20)
        proc, base = start_server(data, stderr=subprocess.PIPE)
        test_export(base, collector, keys, data)
        test_slow_and_down_collector(base, collector, keys)
        test_erasure(base, keys, data)
        test_loopback_refused(collector)
    except Exception as e:  # setup failures count as one failure with the reason
        check("setup", False, repr(e))
    finally:
        if proc is not None:
            check_clean_exit(proc, timeout=30)
        collector.stop()
        shutil.rmtree(data, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
