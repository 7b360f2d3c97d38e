#!/usr/bin/env python3
"""Sync runs of [[sources]] on the real binary (docs/design/ingest.md, "Sync runs").

Usage: WARD_BIN=build/ward python3 tests/integration/sync_test.py [--kills N] [--seed S]

* kill -9 during `ward sync` at random moments (--kills, default 20): the run is resumed from its
  last committed page each time, and once it ends the source's documents in the store and the
  index equal the folder (every id, every file's current text, nothing doubled);
* a truncated listing (a max_entries limit) deletes nothing;
* a 30% deletion is held for an approval, `ward sync --approve` applies it;
* a document turning public is held;
* a symbolic link out of the root and a FIFO are refused with a clear message, the rest syncs;
* `ward ingest --jsonl --snapshot`: records absent from the snapshot are deleted, a delete of
  another source's id does nothing, a bad line deletes nothing, a 50% shrink is held;
* `ward sources` and `ward jobs` show the runs and the lags;
* under `ward serve`, a new file in a watched folder becomes searchable, and a removed one leaves
  search, without `ward sync` (inotify; the latency is printed as a figure, not asserted).
Prints "N passed, M failed" and exits non-zero on any failure.
"""

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

from harness import (WARD_BIN, check, http_request, run_ward as ward, start_server, summary,
                     wait_until)

N_FILES = 240


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def configure(data, sources):
    """Rewrites ward.toml's [[sources]] (everything after the marker)."""
    path = os.path.join(data, "ward.toml")
    with open(path) as f:
        base = f.read().split("# --- sources (sync_test) ---")[0]
    with open(path, "w") as f:
        f.write(base + "# --- sources (sync_test) ---\n" + sources)


def source_toml(name, root, extra="", acl='[[sources.acl]]\nglob = "*"\ngroups = ["staff"]\n'):
    return (f'[[sources]]\nname = "{name}"\nconnector = "folder"\nroot = "{root}"\n{extra}\n'
            + acl + "\n")


def live_docs(data, source):
    """ext_id -> text of the live documents of a source, read from ward.db (read-only)."""
    db = sqlite3.connect(f"file:{os.path.join(data, 'ward.db')}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT d.ext_id, group_concat(c.text, ' '), count(c.id) FROM documents d "
            "LEFT JOIN chunks c ON c.doc_id = d.id WHERE d.source = ? AND d.deleted = 0 "
            "GROUP BY d.id", (source,)).fetchall()
    finally:
        db.close()
    return {r[0]: (r[1] or "", r[2]) for r in rows}


def running_pages(data):
    """Pages committed by the run of `docs` still marked running (-1 when there is none)."""
    try:
        db = sqlite3.connect(f"file:{os.path.join(data, 'ward.db')}?mode=ro", uri=True,
                             timeout=30)
        try:
            row = db.execute("SELECT pages FROM sync_runs WHERE source='docs' AND "
                             "state='running' ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return -1
    return row[0] if row else -1


def sync(data, source, *extra):
    return ward(data, "sync", source, "--json", *extra, timeout=600)


def search_ids(data, query):
    p = ward(data, "search", query, "--as", "admin", "--json")
    if p.returncode != 0:
        return None
    return {h["doc_id"] for h in json.loads(p.stdout).get("hits", [])}


def file_text(i, gen):
    return f"# Page {i}\n\nThe token tok{i:04d}g{gen} marks generation {gen} of page {i}.\n"


def test_kill_resume(data, tmp, kills, rnd):
    root = os.path.join(tmp, "kill-src")
    for i in range(N_FILES):
        write(os.path.join(root, f"d{i % 7}", f"p{i:04d}.md"), file_text(i, 1))
    configure(data, source_toml("docs", root, "page_items = 3"))
    t0 = time.monotonic()
    p = sync(data, "docs")
    full_run = time.monotonic() - t0
    check("the first sync completes", p.returncode == 0, p.stderr + p.stdout)
    # One change set, then the pass that covers it is killed again and again.
    expected = {}
    for i in range(N_FILES):
        path = os.path.join(root, f"d{i % 7}", f"p{i:04d}.md")
        if i % 12 == 5:
            os.remove(path)  # 20 of 240: under the 20% guard
            continue
        write(path, file_text(i, 2))
        expected[f"docs:d{i % 7}/p{i:04d}.md"] = f"tok{i:04d}g2"
    for i in range(N_FILES, N_FILES + 20):
        write(os.path.join(root, "new", f"p{i:04d}.md"), file_text(i, 2))
        expected[f"docs:new/p{i:04d}.md"] = f"tok{i:04d}g2"
    mid_run = 0
    for k in range(kills):
        before = running_pages(data)
        proc = subprocess.Popen([WARD_BIN, "--data", data, "sync", "docs"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if k % 2 == 0:
            # Even rounds: kill right after a page more is committed (a kill inside a run).
            wait_until(lambda: proc.poll() is not None or running_pages(data) > before,
                       "a committed page", limit=60)
            time.sleep(rnd.uniform(0.0, 0.05))
        else:
            time.sleep(rnd.uniform(0.0, max(0.2, full_run)))
        if proc.poll() is None:
            mid_run += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    print(f"figure: {mid_run} of {kills} kills landed while `ward sync` ran "
          f"(a full pass took {full_run:.2f} s)")
    check("at least one kill landed in the middle of a run", mid_run > 0, mid_run)
    p = sync(data, "docs")
    run = json.loads(p.stdout) if p.returncode == 0 else {}
    check("the resumed run completes", p.returncode == 0 and run.get("outcome") == "completed",
          p.stderr + p.stdout)
    jobs = json.loads(ward(data, "jobs", "--source", "docs", "--limit", "1000").stdout)
    resumed = sum(j["resumed"] for j in jobs)
    print(f"figure: {resumed} resumptions across {len(jobs)} runs")
    check("killed runs were resumed, not restarted", resumed > 0, jobs[:3])
    docs = live_docs(data, "docs")
    check("the store holds exactly the folder's documents", set(docs) == set(expected),
          sorted(set(docs) ^ set(expected))[:10])
    stale = [d for d, tok in expected.items() if tok not in docs.get(d, ("", 0))[0]]
    check("every document holds its file's current text", not stale, stale[:10])
    doubled = [d for d, (_, n) in docs.items() if n != 1]
    check("no document has doubled chunks", not doubled, doubled[:10])
    # The index follows the store: current tokens are found, old and deleted ones are not.
    sample = rnd.sample(sorted(expected), 4)
    for d in sample:
        ids = search_ids(data, expected[d])
        check(f"search finds {d} by its current token", ids == {d}, ids)
    check("a deleted file's token is gone from search", search_ids(data, "tok0005g1") == set())
    check("an updated file's old token is gone from search", search_ids(data, "tok0000g1") == set())


def files_holding(data, needles):
    """Files under `data` whose bytes contain one of `needles` (case-insensitive)."""
    found = []
    for root, _, files in os.walk(data):
        for name in files:
            path = os.path.join(root, name)
            try:
                with open(path, "rb") as f:
                    content = f.read().lower()
            except OSError:
                continue
            found += [f"{os.path.relpath(path, data)} holds {n.decode()}" for n in needles
                      if n in content]
    return found


def test_guards(data, tmp):
    root = os.path.join(tmp, "guard-src")
    for i in range(10):
        write(os.path.join(root, f"g{i}.md"), f"# G{i}\n\nguardtok{i} text\n")
    configure(data, source_toml("guard", root))
    p = sync(data, "guard")
    check("the guard source syncs", p.returncode == 0, p.stderr)

    # A truncated listing deletes nothing.
    os.remove(os.path.join(root, "g9.md"))
    configure(data, source_toml("guard", root, "max_entries = 4"))
    p = sync(data, "guard")
    run = json.loads(p.stdout) if p.stdout else {}
    check("a truncated listing ends partial and deletes nothing",
          p.returncode == 1 and run.get("outcome") == "partial" and run.get("deleted") == 0
          and not run.get("exhausted") and "guard:g9.md" in live_docs(data, "guard"), p.stdout)

    # A 30% deletion is held for approval.
    configure(data, source_toml("guard", root))
    os.remove(os.path.join(root, "g7.md"))
    os.remove(os.path.join(root, "g8.md"))
    p = sync(data, "guard")
    run = json.loads(p.stdout) if p.stdout else {}
    check("a 30% deletion is held (exit 5) with an approval id",
          p.returncode == 5 and run.get("outcome") == "held" and run.get("deleted") == 0
          and run.get("approval_id", "").startswith("apr_") and len(live_docs(data, "guard")) == 10,
          p.stdout + p.stderr)
    approval = run.get("approval_id", "")
    listed = ward(data, "approvals", "list")
    check("the held run is a pending approval", approval in listed.stdout, listed.stdout[:500])
    p = sync(data, "guard", "--approve", approval)
    run = json.loads(p.stdout) if p.stdout else {}
    check("--approve applies the held deletion",
          p.returncode == 0 and run.get("deleted") == 3 and len(live_docs(data, "guard")) == 7,
          p.stdout + p.stderr)
    check("a deleted document leaves search", search_ids(data, "guardtok8") == set())
    # Issue 15: a synced deletion's text is purged from storage, not only from search: no file
    # of the data dir (store, WAL, index segments, traces) holds the deleted files' unique terms.
    held = files_holding(data, [b"guardtok7", b"guardtok8", b"guardtok9"])
    check("the deleted documents' text is gone from every file of the data dir", held == [], held)
    p = sync(data, "guard", "--approve", approval)
    check("an approval is used once", p.returncode != 0 and "not pending" in p.stderr, p.stderr)

    # A flip to public is held; the document keeps its ACL.
    configure(data, source_toml(
        "guard", root,
        acl='[[sources.acl]]\nglob = "g1.md"\npublic = true\n'
            '[[sources.acl]]\nglob = "*"\ngroups = ["staff"]\n'))
    p = sync(data, "guard")
    run = json.loads(p.stdout) if p.stdout else {}
    check("a flip to public is held", p.returncode == 5 and run.get("held") == 1
          and "public" in run.get("message", ""), p.stdout)
    ward(data, "user", "add", "pat")
    check("the held document is still not public", search_ids_as(data, "guardtok1", "pat") == set())


def test_push_snapshot(data, tmp):
    path = os.path.join(tmp, "snap.jsonl")

    def snapshot(ids, extra_lines=()):
        with open(path, "w") as f:
            for i in ids:
                f.write(json.dumps({"id": f"p{i}", "title": f"P{i}", "text": f"snaptok{i} body",
                                    "acl": {"groups": ["staff"]}}) + "\n")
            for line in extra_lines:
                f.write(line + "\n")
        return ward(data, "ingest", "--jsonl", path, "--snapshot", "--source", "pushed", "--json")

    p = snapshot(range(10))
    check("a first snapshot indexes its records", p.returncode == 0
          and len(live_docs(data, "pushed")) == 10, p.stdout + p.stderr)
    other = sorted(live_docs(data, "docs"))[0]
    p = snapshot(range(9), [json.dumps({"id": other, "deleted": True})])
    run = json.loads(p.stdout) if p.stdout else {}
    check("a record absent from the snapshot is deleted, another source's id is not",
          p.returncode == 0 and run.get("deleted") == 1
          and set(live_docs(data, "pushed")) == {f"p{i}" for i in range(9)}
          and other in live_docs(data, "docs"), p.stdout + p.stderr)
    check("a snapshot's deletion leaves search", search_ids(data, "snaptok9") == set())
    p = snapshot(range(8), ['{"id": "bad"}'])
    run = json.loads(p.stdout) if p.stdout else {}
    check("a snapshot with a bad line deletes nothing (partial)",
          p.returncode == 1 and run.get("outcome") == "partial"
          and len(live_docs(data, "pushed")) == 9, p.stdout + p.stderr)
    p = snapshot(range(4))
    run = json.loads(p.stdout) if p.stdout else {}
    check("a snapshot that drops half the source is held", p.returncode == 5
          and run.get("outcome") == "held" and len(live_docs(data, "pushed")) == 9, p.stdout)
    p = ward(data, "ingest", "--jsonl", path, "--snapshot")
    check("--snapshot without --source is refused", p.returncode == 2 and "--source" in p.stderr,
          p.stderr)


def search_ids_as(data, query, who):
    p = ward(data, "search", query, "--as", who, "--json")
    return {h["doc_id"] for h in json.loads(p.stdout).get("hits", [])} if p.returncode == 0 else None


def test_refusals(data, tmp):
    root = os.path.join(tmp, "refuse-src")
    write(os.path.join(root, "ok.md"), "# Ok\n\nfinetoken\n")
    write(os.path.join(tmp, "outside", "secret.md"), "# Secret\n\nplutoniumtoken\n")
    os.symlink(os.path.join(tmp, "outside", "secret.md"), os.path.join(root, "escape.md"))
    os.mkfifo(os.path.join(root, "pipe.md"))
    configure(data, source_toml("refuse", root))
    p = ward(data, "sync", "refuse", timeout=120)
    check("a sync with a link out of the root and a FIFO completes", p.returncode == 0,
          p.stdout + p.stderr)
    check("the link is refused with a clear message",
          "escape.md: symbolic link: not followed" in p.stderr, p.stderr)
    check("the FIFO is refused with a clear message", "pipe.md: FIFO" in p.stderr, p.stderr)
    check("nothing outside the root was read", search_ids(data, "plutoniumtoken") == set())
    check("the rest synced", search_ids(data, "finetoken") == {"refuse:ok.md"})


def test_listings(data):
    src = json.loads(ward(data, "sources").stdout or "[]")
    check("ward sources lists the configured source with its lags",
          len(src) == 1 and src[0]["name"] == "refuse" and src[0]["lag_s"]["content"] is not None
          and src[0]["last_run"]["outcome"] == "completed", src)
    jobs = json.loads(ward(data, "jobs").stdout or "[]")
    check("ward jobs lists runs newest first with coverage",
          jobs and all(k in jobs[0] for k in ("listed", "fetched", "indexed", "failed", "pages",
                                               "exhausted", "duration_s", "outcome"))
          and jobs[0]["id"] > jobs[-1]["id"], jobs[:2])
    status = json.loads(ward(data, "status", "--json").stdout or "{}")
    synced = status.get("synced_sources", [])
    check("ward status shows each [[sources]] entry's state and four lags",
          len(synced) == 1 and synced[0]["name"] == "refuse" and synced[0]["state"] == "ok"
          and synced[0]["lag_s"]["content"] is not None
          and set(synced[0]["lag_s"]) == {"content", "deletion", "acl", "membership"}, status)
    text = ward(data, "status").stdout
    check("ward status prints the source's lags", "refuse (folder): ok, content " in text, text)
    p = ward(data, "sync", "refuse", "--since", "2026-01-01T00:00:00Z")
    check("--since without --full is refused", p.returncode != 0 and "--since needs --full" in
          p.stderr, p.stderr)
    p = ward(data, "sync", "refuse", "--full", "--since", "yesterday")
    check("a --since that is not RFC 3339 is refused naming it",
          p.returncode != 0 and "'yesterday'" in p.stderr, p.stderr)
    p = ward(data, "sync", "refuse", "--full", "--since", "2999-01-01T00:00:00Z", "--json")
    run = json.loads(p.stdout or "{}") if p.returncode == 0 else {}
    # (What a backfill fetches again is SyncRunnerTest.ABackfillFetchesAgainOnlyWhatIsDatedSince-
    # ItsTime: files written within 2 s here have no version, so any run reads them.)
    check("a backfill (--full --since) runs as a full run",
          run.get("full") is True and run.get("outcome") == "completed",
          (p.returncode, p.stdout[-400:], p.stderr))
    p = ward(data, "sync", "nosuch")
    check("an unknown source is an error naming it",
          p.returncode != 0 and "no source 'nosuch'" in p.stderr, p.stderr)


def test_serve_watch(data, tmp):
    root = os.path.join(tmp, "watch-src")
    write(os.path.join(root, "first.md"), "# First\n\nwatchfirsttoken\n")
    for i in range(9):  # so that one deletion stays under the mass-deletion guard
        write(os.path.join(root, f"other{i}.md"), f"# Other {i}\n\nwatchother{i}\n")
    configure(data, source_toml("watch", root))
    admin_key = ward(data, "key", "create", "admin").stdout.strip()
    ward(data, "user", "add", "quinn")
    user_key = ward(data, "key", "create", "quinn").stdout.strip()
    proc, base = start_server(data)
    try:
        check("ward serve syncs a source at start",
              wait_until(lambda: search_ids(data, "watchfirsttoken") == {"watch:first.md"},
                         "the start-up sync"))
        t0 = time.monotonic()
        write(os.path.join(root, "sub", "new.md"), "# New\n\nwatchnewtoken\n")
        found = wait_until(lambda: search_ids(data, "watchnewtoken") == {"watch:sub/new.md"},
                           "the watched file")
        print(f"figure: a new file was searchable {time.monotonic() - t0:.2f} s after its write "
              "(including `ward search` start-up)")
        check("inotify picks up a new file in a new folder without ward sync", found)
        t0 = time.monotonic()
        os.remove(os.path.join(root, "first.md"))
        gone = wait_until(lambda: search_ids(data, "watchfirsttoken") == set(), "the deletion")
        print(f"figure: a deleted file left search {time.monotonic() - t0:.2f} s after the unlink")
        check("inotify picks up a deletion without ward sync", gone)
        status, _, body = http_request(base, "GET", "/v1/sources", key=admin_key)
        names = [x["name"] for x in body.get("sources", [])] if status == 200 else []
        check("GET /v1/sources lists the source with its lags (admin)",
              names == ["watch"] and body["sources"][0]["lag_s"]["content"] is not None, body)
        status, _, body = http_request(base, "GET", "/v1/jobs?source=watch&limit=2", key=admin_key)
        jobs = body.get("jobs", []) if status == 200 else []
        check("GET /v1/jobs lists the source's runs, newest first",
              0 < len(jobs) <= 2 and all(j["source"] == "watch" for j in jobs), body)
        status, _, body = http_request(base, "GET", "/v1/jobs?limit=0", key=admin_key)
        check("GET /v1/jobs refuses a bad limit with 400", status == 400, (status, body))
        status, _, body = http_request(base, "GET", "/v1/sources", key=user_key)
        check("GET /v1/sources is admin only (403)", status == 403, (status, body))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    check("ward serve stops cleanly with a watched source", proc.returncode == 0, proc.returncode)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    print(f"seed {args.seed}")
    rnd = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix="ward_sync_")
    try:
        data = os.path.join(tmp, "data")
        if ward(data, "init").returncode != 0:
            print("ward init failed")
            return 1
        test_kill_resume(data, tmp, args.kills, rnd)
        test_guards(data, tmp)
        test_push_snapshot(data, tmp)
        test_refusals(data, tmp)
        test_listings(data)
        test_serve_watch(data, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
