#!/usr/bin/env python3
"""Sync failures, backoff, the error state and alerts on the real binary (docs/design/ingest.md,
"Failures, backoff and the error state" and "Alerts"; docs/formats/alert-webhook.md).

Usage: WARD_BIN=build/ward python3 tests/integration/sync_alerts_test.py

* a webhook URL at a link-local address (169.254.169.254) is refused when ward.toml is read,
  with a message naming the key and not the URL's secret;
* under `ward serve`, a source whose snapshot file is missing fails, is retried with backoff, and
  after five consecutive failures is in the error state (GET /v1/sources, `ward sources`, the
  gauge) and a local HTTP server (port 0) receives the alert's JSON, once; a second source keeps
  syncing meanwhile;
* once the file exists a retry succeeds, the state is ok again and the webhook receives the
  recovery; a first webhook answer of 503 is retried once; an endpoint answering 500 twice is a
  failed delivery, logged and recorded, and the sync goes on;
* an SLO on the lag raises its own alert; `canary_interval_s` runs canaries under `ward serve`
  in a folder source and in a git source whose root is a local bare repository
  (ward_sync_canary_seconds on /metrics, figures logged and printed, the canaries removed); on a
  git root that is not a local bare repository it is refused when ward.toml is read;
* the alerts are audit events (`sync_alert`, `sync_alert_webhook`) and counted on /metrics, and
  the webhook URL's secret path is never logged;
* `ward sync canary SOURCE` times a canary's create, update and delete until search reflects
  each (figures printed, not asserted), the canary is admins only and removed; in a jsonl (push)
  source also its revoke;
* POST /v1/sources/{name}/snapshot (docs/design/ingest.md, "Push snapshots"): a snapshot deletes
  the source's ids it lacks (and no other source's), pages with begin/append/commit, a 30%
  deletion is held (202) until sent again with its approval, non-admins and bad pages are
  refused and recorded.
Prints "N passed, M failed" and exits non-zero on any failure.
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

from harness import (WARD_BIN, check, http_request, run_ward as ward, start_server, stop_server,
                     summary, wait_until)

SECRET = "s3cret-hook-path"


class Hook(http.server.BaseHTTPRequestHandler):
    received = []  # parsed bodies, in order
    answers = [503]  # statuses to answer first (then 200)
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with Hook.lock:
            status = Hook.answers.pop(0) if Hook.answers else 200
            if status == 200:
                Hook.received.append({"path": self.path,
                                      "type": self.headers.get("Content-Type"),
                                      "body": json.loads(body)})
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def alerts(source=None, alert=None, state=None):
    with Hook.lock:
        return [r["body"] for r in Hook.received
                if (source is None or r["body"].get("source") == source)
                and (alert is None or r["body"].get("alert") == alert)
                and (state is None or r["body"].get("state") == state)]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def set_config(data, extra):
    path = os.path.join(data, "ward.toml")
    with open(path) as f:
        base = f.read().split("# --- sync_alerts_test ---")[0]
    with open(path, "w") as f:
        f.write(base + "# --- sync_alerts_test ---\n" + extra)


GIT_ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")


def bare_repo(path, files):
    """A bare repository whose branch `main` holds `files` (path -> text) in one commit."""
    subprocess.run(["git", "init", "-q", "--bare", "--template=", path], check=True, env=GIT_ENV,
                   capture_output=True)
    stream = b"commit refs/heads/main\ncommitter T <t@example.com> 1700000000 +0000\ndata 4\ninit\n"
    for name, text in files.items():
        raw = text.encode()
        stream += f"M 100644 inline {name}\ndata {len(raw)}\n".encode() + raw + b"\n"
    subprocess.run(["git", "--git-dir", path, "fast-import", "--quiet"], input=stream + b"\n",
                   check=True, env=GIT_ENV, capture_output=True)
    subprocess.run(["git", "--git-dir", path, "symbolic-ref", "HEAD", "refs/heads/main"],
                   check=True, env=GIT_ENV)


def test_refused_git_canary(data, tmp):
    not_bare = os.path.join(tmp, "not-bare")
    write(os.path.join(not_bare, "a.md"), "# A\n")
    set_config(data, f'[[sources]]\nname = "g"\nconnector = "git"\nroot = "{not_bare}"\n'
               'canary_interval_s = 1\n')
    p = ward(data, "sources")
    check("canary_interval_s on a git source whose root is not a bare repository is refused when "
          "ward.toml is read, naming the key", p.returncode != 0
          and "sources[0].canary_interval_s" in p.stderr and "local bare repository" in p.stderr,
          p.stderr)
    p = subprocess.run([WARD_BIN, "--data", data, "serve", "--listen", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=120)
    check("ward serve does not start with it", p.returncode != 0
          and "canary_interval_s" in p.stderr and "listening" not in p.stdout, p.stdout + p.stderr)
    set_config(data, '[[sources]]\nname = "g"\nconnector = "git"\n'
               'root = "https://git.example.com/r.git"\nallowed_hosts = ["git.example.com"]\n'
               'canary_interval_s = 1\n')
    p = ward(data, "sources")
    check("and on a remote git root", p.returncode != 0 and "canary_interval_s" in p.stderr
          and "is remote" in p.stderr, p.stderr)


def test_refused_webhook(data):
    set_config(data, '[sync_alerts]\n'
               f'webhook_url = "http://169.254.169.254/latest/meta-data?token={SECRET}"\n')
    p = ward(data, "sources")
    check("a link-local webhook URL is refused when ward.toml is read",
          p.returncode != 0 and "sync_alerts.webhook_url" in p.stderr
          and "169.254.169.254 is a link-local address" in p.stderr, p.stderr)
    check("the refusal does not echo the URL's secret", SECRET not in p.stderr, p.stderr)
    p = subprocess.run([WARD_BIN, "--data", data, "serve", "--listen", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=120)
    check("ward serve does not start with it", p.returncode != 0
          and "link-local" in p.stderr and "listening" not in p.stdout, p.stdout + p.stderr)


def test_error_state_and_recovery(data, tmp, hook_port):
    missing = os.path.join(tmp, "push", "flaky.jsonl")
    steady = os.path.join(tmp, "steady")
    write(os.path.join(steady, "a.md"), "# A\n\nsteadytoken\n")
    probe = os.path.join(tmp, "probe")  # its canaries keep its lags short: a source of its own
    write(os.path.join(probe, "p.md"), "# P\n\nprobetoken\n")
    set_config(data, f'''[sync_alerts]
webhook_url = "http://127.0.0.1:{hook_port}/hook/{SECRET}"
webhook_allow_loopback = true
webhook_timeout_ms = 5000

[[sources]]
name = "flaky"
connector = "jsonl"
root = "{missing}"
retry_min_s = 0.2

[[sources]]
name = "steady"
connector = "folder"
root = "{steady}"
slo_content_lag_s = 1
[[sources.acl]]
glob = "*"
groups = ["staff"]

[[sources]]
name = "probe"
connector = "folder"
root = "{probe}"
canary_interval_s = 1
''')
    admin_key = ward(data, "key", "create", "admin").stdout.strip()
    err_path = os.path.join(tmp, "serve.err")
    err = open(err_path, "w")
    proc, base = start_server(data, stderr=err)
    try:
        raised = wait_until(lambda: alerts("flaky", "error", "raised"), "the error alert")
        check("five failed runs raise an error alert on the webhook", raised, Hook.received)
        body = alerts("flaky", "error", "raised")[0] if raised else {}
        check("the webhook body is the documented JSON",
              body.get("type") == "ward.sync_alert" and body.get("version") == 1
              and body.get("value") == 5 and body.get("limit") == 5
              and "cannot open" in body.get("message", "") and body.get("at", "").endswith("Z"),
              body)
        with Hook.lock:
            first = Hook.received[0] if Hook.received else {}
        check("it is POSTed as JSON to the configured path",
              first.get("type") == "application/json"
              and first.get("path") == f"/hook/{SECRET}", first)
        status, _, listing = http_request(base, "GET", "/v1/sources", key=admin_key)
        flaky = [s for s in listing.get("sources", []) if s["name"] == "flaky"] \
            if status == 200 else []
        check("GET /v1/sources shows the error state",
              flaky and flaky[0]["state"] == "error" and flaky[0]["consecutive_failures"] >= 5,
              listing)
        p = ward(data, "sources")
        shown = {s["name"]: s for s in json.loads(p.stdout)} if p.returncode == 0 else {}
        check("ward sources shows it too",
              shown.get("flaky", {}).get("state") == "error"
              and shown.get("steady", {}).get("state") == "ok", p.stdout + p.stderr)
        status, _, metrics = http_request(base, "GET", "/metrics")
        check("the error state is a gauge and the alert a count on /metrics",
              status == 200 and 'ward_sync_source_error{source="flaky"} 1' in metrics
              and 'ward_sync_source_error{source="steady"} 0' in metrics
              and 'ward_sync_alerts_total{alert="error",state="raised"} 1' in metrics,
              metrics if isinstance(metrics, str) else status)
        lags = dict(re.findall(r'^ward_sync_lag_seconds\{source="([a-z]+)",kind="([a-z]+)"\} ',
                               metrics, re.M)) if isinstance(metrics, str) else {}
        lag_kinds = set(re.findall(r'^ward_sync_lag_seconds\{source="steady",kind="([a-z]+)"\} '
                                   r'[0-9.e+-]+$', metrics, re.M)) if isinstance(metrics, str) \
            else set()
        # Issue 15: the lags from the last complete pass, on /metrics; a source with none (flaky)
        # and a kind that does not apply (a folder manages no groups) are absent.
        check("the lags are gauges on /metrics (content, deletion and acl of the complete pass)",
              lag_kinds == {"content", "deletion", "acl"} and "flaky" not in lags,
              metrics if isinstance(metrics, str) else status)
        p = ward(data, "search", "steadytoken", "--as", "admin", "--json")
        hits = {h["doc_id"] for h in json.loads(p.stdout).get("hits", [])} \
            if p.returncode == 0 else set()
        check("the failing source does not block the other one", hits == {"steady:a.md"},
              p.stdout + p.stderr)
        check("the error episode alerts once", len(alerts("flaky", "error", "raised")) == 1,
              Hook.received)

        write(missing, json.dumps({"id": "r1", "text": "recoveredtoken"}) + "\n")
        recovered = wait_until(lambda: alerts("flaky", "error", "recovered"), "the recovery")
        check("a run that succeeds sends one recovery alert", recovered
              and len(alerts("flaky", "error", "raised")) == 1, Hook.received)
        status, _, listing = http_request(base, "GET", "/v1/sources", key=admin_key)
        flaky = [s for s in listing.get("sources", []) if s["name"] == "flaky"] \
            if status == 200 else []
        check("the state is ok again",
              flaky and flaky[0]["state"] == "ok" and flaky[0]["consecutive_failures"] == 0,
              listing)
        def canary_metric():
            status, _, text = http_request(base, "GET", "/metrics")
            return status == 200 and all(
                f'ward_sync_canary_seconds_count{{source="probe",kind="{k}"}}' in text
                for k in ("create", "update", "delete"))
        check("canary_interval_s runs canaries under ward serve (ward_sync_canary_seconds)",
              wait_until(canary_metric, "the periodic canary"))
        check("a lag above its SLO raises its own alert",
              wait_until(lambda: alerts("steady", "content_lag", "raised"), "the SLO alert"),
              Hook.received)
        # A failing endpoint: the next alert (steady's lag recovering after a change) gets two
        # 500s; the failure is recorded and the sync goes on.
        with Hook.lock:
            Hook.answers = [500, 500]
        write(os.path.join(steady, "b.md"), "# B\n\nsteadysecond\n")

        def answers_used():
            with Hook.lock:
                return not Hook.answers
        check("a failing webhook endpoint is tried twice", wait_until(answers_used, "the tries"))
        def b_found():
            p = ward(data, "search", "steadysecond", "--as", "admin", "--json")
            return p.returncode == 0 and any(h["doc_id"] == "steady:b.md"
                                             for h in json.loads(p.stdout).get("hits", []))
        check("the source still syncs while its webhook fails", wait_until(b_found, "b.md"))
    finally:
        stop_server(proc)
        err.close()
    with open(err_path) as f:
        log = f.read()
    check("a failed delivery is logged by origin only",
          "failed after 2 tries: HTTP 500" in log and "webhook http://127.0.0.1:" in log,
          log[-3000:])
    p = ward(data, "trace", "list", "--kind", "sync_alert_webhook", "--json")
    events = [json.loads(l)["attributes"] for l in p.stdout.splitlines() if l.strip()] \
        if p.returncode == 0 else []
    check("the 503 was retried once and delivered",
          any(e.get("outcome") == "delivered" and e.get("attempts") == 2 for e in events), events)
    check("the failure is an audit event with its tries and status",
          any(e.get("outcome") == "failed" and e.get("attempts") == 2 and e.get("status") == 500
              for e in events), events)
    check("the alerts are log lines", "sync alert: error raised: source 'flaky'" in log
          and "sync alert: error recovered" in log, log[-3000:])
    check("the backoff is logged", "consecutive failed runs; retried in" in log, log[-3000:])
    canary_lines = [l for l in log.splitlines() if "sync canary: source 'probe'" in l]
    if canary_lines:
        print("figure: " + canary_lines[0].split("sync canary: ", 1)[1])
    check("a periodic canary is logged with its figures",
          any(" create " in l and " delete " in l for l in canary_lines), log[-3000:])
    check("the periodic canaries are cleaned up",
          not any(n.startswith("ward-canary-") for n in os.listdir(probe)), os.listdir(probe))
    check("the webhook URL's secret path is never logged", SECRET not in log, log[-3000:])
    p = ward(data, "trace", "list", "--kind", "sync_alert")
    check("each alert is an audit event", p.returncode == 0 and p.stdout.count("sync_alert") >= 2,
          p.stdout + p.stderr)
    p = ward(data, "trace", "list", "--kind", "sync_alert_webhook")
    check("each delivery is an audit event (the first after a 503 retry)",
          p.returncode == 0 and "sync_alert_webhook" in p.stdout and SECRET not in p.stdout,
          p.stdout + p.stderr)


def test_held_run_alerts(data, tmp, hook_port):
    """Issue 15: a run held by the mass-deletion guard alerts (webhook, count) once, and recovers
    once a later run is not held. A snapshot file replaced at once, so one run sees the shrink."""
    snapshot = os.path.join(tmp, "push", "shrinking.jsonl")

    def put(n):
        write(snapshot + ".tmp", "".join(json.dumps({"id": f"r{i}", "text": f"shrinktoken{i}"})
                                         + "\n" for i in range(n)))
        os.replace(snapshot + ".tmp", snapshot)

    put(10)
    set_config(data, f'''[sync_alerts]
webhook_url = "http://127.0.0.1:{hook_port}/hook/{SECRET}"
webhook_allow_loopback = true

[[sources]]
name = "shrinking"
connector = "jsonl"
root = "{snapshot}"
schedule_s = 1
''')
    admin_key = ward(data, "key", "create", "admin").stdout.strip()
    proc, base = start_server(data)

    def last_outcome():
        status, _, listing = http_request(base, "GET", "/v1/sources", key=admin_key)
        for s in listing.get("sources", []) if status == 200 else []:
            if s["name"] == "shrinking" and isinstance(s.get("last_run"), dict):
                return s["last_run"].get("outcome")
        return None

    try:
        check("held: the first run completes",
              wait_until(lambda: last_outcome() == "completed", "the first run"), last_outcome())
        put(5)  # half of the source gone: more than max_delete_share (20%)
        check("a run held by the guard raises a held alert on the webhook",
              wait_until(lambda: alerts("shrinking", "held", "raised"), "the held alert"),
              Hook.received)
        raised = alerts("shrinking", "held", "raised")
        body = raised[0] if raised else {}
        check("the held alert names the approval it waits for",
              body.get("value") == 1 and body.get("limit") == 0
              and "held for an admin's approval" in body.get("message", ""), body)
        status, _, metrics = http_request(base, "GET", "/metrics")
        check("the held alert is counted on /metrics", status == 200
              and 'ward_sync_alerts_total{alert="held",state="raised"} 1' in metrics,
              metrics if isinstance(metrics, str) else status)
        put(10)  # back as it was: the next run deletes nothing and is not held
        recovered = wait_until(lambda: alerts("shrinking", "held", "recovered"),
                               "the held alert's recovery")
        check("a later run that is not held recovers it, once", recovered
              and len(alerts("shrinking", "held", "raised")) == 1, Hook.received)
    finally:
        stop_server(proc)


def test_scheduled_git_canary(data, tmp):
    """canary_interval_s in a git source whose root is a local bare repository: `ward serve`
    commits canaries to its branch and observes them as a folder source's."""
    gprobe = os.path.join(tmp, "gprobe.git")
    bare_repo(gprobe, {"g.md": "# G\n\ngprobetoken\n"})
    set_config(data, f'[[sources]]\nname = "gprobe"\nconnector = "git"\nroot = "{gprobe}"\n'
               'ref = "main"\ncanary_interval_s = 1\n[[sources.acl]]\nglob = "*"\n'
               'groups = ["staff"]\n')
    err_path = os.path.join(tmp, "serve-git.err")
    err = open(err_path, "w")
    proc, base = start_server(data, stderr=err)
    try:
        def git_canary_metric():
            status, _, text = http_request(base, "GET", "/metrics")
            return status == 200 and all(
                f'ward_sync_canary_seconds_count{{source="gprobe",kind="{k}"}}' in text
                for k in ("create", "update", "delete"))
        check("canary_interval_s runs canaries under ward serve in a git source whose root is a "
              "local bare repository (ward_sync_canary_seconds)",
              wait_until(git_canary_metric, "the periodic git canary"))
    finally:
        stop_server(proc)
        err.close()
    with open(err_path) as f:
        log = f.read()
    git_lines = [l for l in log.splitlines() if "sync canary: source 'gprobe'" in l]
    if git_lines:
        print("figure: " + git_lines[0].split("sync canary: ", 1)[1])
    check("a periodic git canary is logged with its figures",
          any(" create " in l and " delete " in l for l in git_lines), log[-3000:])
    tree = subprocess.run(["git", "--git-dir", gprobe, "ls-tree", "--name-only", "main"],
                          capture_output=True, text=True, env=GIT_ENV).stdout.split()
    check("the periodic git canaries are removed from the branch", tree == ["g.md"], tree)
    p = ward(data, "search", "gprobetoken", "--as", "admin", "--json")
    hits = {h["doc_id"] for h in json.loads(p.stdout).get("hits", [])} if p.returncode == 0 \
        else None
    check("the git source's own document stays", hits == {"gprobe:g.md"}, p.stdout + p.stderr)


def search_ids(data, query):
    p = ward(data, "search", query, "--as", "admin", "--json")
    if p.returncode != 0:
        return None
    return {h["doc_id"] for h in json.loads(p.stdout).get("hits", [])}


def test_canary(data, tmp):
    root = os.path.join(tmp, "canary-src")
    write(os.path.join(root, "a.md"), "# A\n\ncanaryneighbour\n")
    set_config(data, f'[[sources]]\nname = "can"\nconnector = "folder"\nroot = "{root}"\n'
               '[[sources.acl]]\nglob = "*"\npublic = true\n')
    p = ward(data, "sync", "canary", "can")
    print(p.stdout.strip())
    lines = [l for l in p.stdout.splitlines() if "reflected in search after" in l]
    check("ward sync canary prints the create, update and delete figures",
          p.returncode == 0 and len(lines) == 3, p.stdout + p.stderr)
    check("the canary is removed", sorted(os.listdir(root)) == ["a.md"], os.listdir(root))
    p = ward(data, "sync", "canary", "can", "--json")
    out = json.loads(p.stdout) if p.returncode == 0 else {}
    check("--json gives the figures in seconds",
          set(out.get("seconds", {})) == {"create", "update", "delete"}, p.stdout + p.stderr)
    p = ward(data, "trace", "list", "--kind", "sync_canary")
    check("a canary is an audit event", p.returncode == 0 and "sync_canary" in p.stdout,
          p.stdout + p.stderr)
    p = ward(data, "sync", "canary", "nosuch")
    check("a canary of an unknown source is refused", p.returncode != 0
          and "no source 'nosuch'" in p.stderr, p.stderr)

    # A push (jsonl) source: create, update, revoke and delete through the push path.
    snap = os.path.join(tmp, "push-canary.jsonl")
    write(snap, json.dumps({"id": "pc-neighbour", "text": "pushcanaryneighbour",
                            "acl": {"groups": ["staff"]}}) + "\n")
    set_config(data, f'[[sources]]\nname = "pcan"\nconnector = "jsonl"\nroot = "{snap}"\n')
    p = ward(data, "sync", "pcan", "--json")
    check("the push source is synced", p.returncode == 0, p.stdout + p.stderr)
    p = ward(data, "sync", "canary", "pcan", "--json")
    out = json.loads(p.stdout) if p.returncode == 0 else {}
    secs = out.get("seconds", {})
    print("figure: push canary " + " ".join(f"{k} {v:.3f} s" for k, v in secs.items()))
    check("a push source's canary times create, update, revoke and delete",
          set(secs) == {"create", "update", "revoke", "delete"} and "error" not in out,
          p.stdout + p.stderr)
    check("the push canary is removed and the source's documents kept",
          search_ids(data, "wardcanary" + out.get("canary", "x").split("ward-canary-")[-1]
                     + "updated") == set()
          and search_ids(data, "pushcanaryneighbour") == {"pc-neighbour"},
          out)
    p = ward(data, "sync", "pcan", "--json")
    run = json.loads(p.stdout) if p.returncode == 0 else {}
    check("the next snapshot run of the source is completed (nothing left behind)",
          run.get("outcome") == "completed" and run.get("deleted") == 0, p.stdout + p.stderr)


def records(ids, tag="v1"):
    return [{"id": i, "text": f"pushed {i} {tag}token", "acl": {"groups": ["staff"]}} for i in ids]


def test_http_snapshot(data):
    set_config(data, "")
    admin_key = ward(data, "key", "create", "admin").stdout.strip()
    ward(data, "user", "add", "pam")
    user_key = ward(data, "key", "create", "pam").stdout.strip()
    proc, base = start_server(data)
    try:
        url = "/v1/sources/pushed/snapshot"
        status, _, body = http_request(base, "POST", "/v1/sources/other/snapshot",
                                       body=records(["keepme"]), key=admin_key)
        check("a snapshot of another source indexes it", status == 200
              and body.get("outcome") == "completed", body)
        status, _, body = http_request(base, "POST", url, body=records([f"p{i}" for i in range(10)]),
                                       key=admin_key)
        check("a whole snapshot indexes its records", status == 200
              and body.get("outcome") == "completed" and body.get("listed") == 10
              and body.get("committed") is True, body)
        ids = [f"p{i}" for i in range(9)]
        status, _, body = http_request(base, "POST", url + "?page=begin",
                                       body={"records": records(ids[:5])}, key=admin_key)
        check("a first page is staged, not run", status == 200 and body.get("committed") is False
              and body.get("staged") == 5, body)
        lines = "\n".join(json.dumps(r) for r in records(ids[5:]) + [{"id": "keepme",
                                                                     "deleted": True}])
        status, _, body = http_request(base, "POST", url + "?page=append", raw=lines.encode(),
                                       key=admin_key, headers={"Content-Type":
                                                               "application/x-ndjson"})
        check("a JSON-lines page is appended", status == 200 and body.get("staged") == 10, body)
        status, _, body = http_request(base, "POST", url + "?page=commit", raw=b"",
                                       key=admin_key)
        check("the commit deletes the ids absent from the snapshot, in this source only",
              status == 200 and body.get("outcome") == "completed" and body.get("deleted") == 1,
              body)
        p = ward(data, "search", "keepme", "--as", "admin", "--json")
        check("another source's document is not deleted by a delete record",
              p.returncode == 0 and any(h["doc_id"] == "keepme"
                                        for h in json.loads(p.stdout).get("hits", [])),
              p.stdout + p.stderr)
        status, _, body = http_request(base, "POST", url + "?page=commit", raw=b"", key=admin_key)
        check("a commit with nothing begun is a 409", status == 409, (status, body))
        status, _, body = http_request(base, "POST", url, body=records(ids[:6]), key=admin_key)
        check("a snapshot deleting 30% of the source is held (202)", status == 202
              and body.get("outcome") == "held" and body.get("deleted") == 0
              and body.get("approval_id", "").startswith("apr_"), body)
        approval = body.get("approval_id", "")
        status, _, body = http_request(base, "POST", url + "?approve=" + approval,
                                       body=records(ids[:6]), key=admin_key)
        check("sent again with its approval, it deletes", status == 200
              and body.get("outcome") == "completed" and body.get("deleted") == 3, body)
        status, _, body = http_request(base, "POST", url + "?page=later", body=[], key=admin_key)
        check("a bad page is a 400", status == 400 and "page" in str(body), (status, body))
        status, _, body = http_request(base, "POST", url, body=[1, 2], key=admin_key)
        check("a record that is not an object is a 400 naming it",
              status == 400 and "records[0]" in str(body), (status, body))
        status, _, body = http_request(base, "POST", url, body=records(["x"]), key=user_key)
        check("a non-admin is refused (403)", status == 403, (status, body))
    finally:
        stop_server(proc)
    p = ward(data, "trace", "list", "--kind", "sync_refused")
    check("refused pushes are audit events", p.returncode == 0
          and p.stdout.count("sync_refused") >= 3, p.stdout + p.stderr)


def main():
    if not WARD_BIN:
        print("set WARD_BIN")
        return 2
    tmp = tempfile.mkdtemp(prefix="ward_sync_alerts_")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        data = os.path.join(tmp, "data")
        if ward(data, "init").returncode != 0:
            print("ward init failed")
            return 1
        with open(os.path.join(data, "ward.toml")) as f:
            text = f.read()
        if "metrics_data_gauges" not in text:
            print("ward.toml has no server.metrics_data_gauges line to turn on")
            return 1
        with open(os.path.join(data, "ward.toml"), "w") as f:
            f.write(text.replace("metrics_data_gauges = false", "metrics_data_gauges = true"))
        test_refused_webhook(data)
        test_refused_git_canary(data, tmp)
        test_error_state_and_recovery(data, tmp, server.server_address[1])
        test_held_run_alerts(data, tmp, server.server_address[1])
        test_canary(data, tmp)
        test_scheduled_git_canary(data, tmp)
        test_http_snapshot(data)
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
