#!/usr/bin/env python3
"""Deleted text leaves the data dir; records in BEIR's shape load; partial loads fail loudly.

Usage: WARD_BIN=build/ward [WARD_REPO=.] python3 tests/integration/data_lifecycle_test.py

- `ward rm` (no server), `DELETE /v1/documents/{id}` (server) and `ward rm` beside a running
  server: afterwards no file under the data dir holds the document's text or its unique terms
  (docs/design/index.md, "Purging deleted text"; docs/design/store.md, "Delete").
- `ward ingest --jsonl`: BEIR's `_id` and `metadata`, fields outside the format moved into
  metadata with one warning, `--strict`, non-zero exit when a record was skipped
  (docs/formats/jsonl-records.md); `ward eval retrieval` refuses a corpus that did not load.
- Long queries: the documented `search.max_query_terms` default is accepted, one more refused,
  through `ward search` and through `POST /v1/search`.

Everything happens in a private temp folder. Python standard library only.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from harness import (REPO, WARD_BIN, check, check_clean_exit, http_request, run_ward as run,
                     start_server, summary, ward_ok)

# Unique words: in no other document, no query and no id, so only the document's own text and
# terms could put them in a file. Their stems are prefixes of the words themselves.
CANARY_STEM = b"quokkaberri"   # stem of "Quokkaberries"
META_CANARY = b"zanzibarflux"  # a metadata value (an index token)


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


def canary_record(doc_id):
    return {"id": doc_id, "title": "Quokkaberries harvest report",
            "text": "The Quokkaberries harvest of the pelican valley was counted twice.",
            "metadata": {"project": META_CANARY.decode()}, "acl": {"public": True}}


def write_jsonl(path, records):
    with open(path, "w") as f:
        for r in records:
            f.write((r if isinstance(r, str) else json.dumps(r)) + "\n")


def search_ids(data, query, who="admin", *extra):
    p = run(data, "search", query, "--as", who, "--json", *extra)
    if p.returncode != 0:
        raise RuntimeError(f"search {query[:60]!r} failed: {p.stderr}")
    return {h["doc_id"] for h in json.loads(p.stdout).get("hits", [])}


def test_rm_purges(data, scratch):
    records = os.path.join(scratch, "canary.jsonl")
    write_jsonl(records, [canary_record("doc-a"),
                          {"id": "doc-b", "text": "The pelican valley stays.",
                           "acl": {"public": True}}])
    p = run(data, "ingest", "--jsonl", records)
    check("canary records ingested", p.returncode == 0, p.stderr)
    check("the canary document is searchable (by a word it shares)",
          "doc-a" in search_ids(data, "pelican"))
    check("before rm, the data dir holds the canary (the check can see it)",
          files_holding(data, [CANARY_STEM, META_CANARY]) != [])
    p = run(data, "rm", "doc-a")
    check("rm succeeds", p.returncode == 0, p.stderr)
    held = files_holding(data, [CANARY_STEM, META_CANARY])
    check("after `ward rm`, no file under the data dir holds the text or its unique terms",
          held == [], held)
    check("the other document is still found", search_ids(data, "pelican") == {"doc-b"})
    p = run(data, "status", "--json")
    check("status after the purge works", p.returncode == 0, p.stderr)


def wait_until(condition, seconds=120):
    """Polls `condition` until it holds or a generous deadline passes (the machine may be busy)."""
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


def test_server_deletes_purge(data, scratch):
    admin = ward_ok(data, "key", "create", "admin")
    proc, base = start_server(data, stderr=subprocess.PIPE)
    try:
        status, _, body = http_request(base, "POST", "/v1/documents",
                                       {"records": [canary_record("doc-http")]}, key=admin)
        check("POST a canary document", status == 200, f"{status} {body}")
        status, _, body = http_request(base, "POST", "/v1/search",
                                       {"query": "armadillo",
                                        "filters": {"metadata": {"author": "Lee"}}}, key=admin)
        check("a field moved into metadata by `ward ingest --jsonl` is a metadata filter",
              status == 200 and {h["doc_id"] for h in body.get("hits", [])} == {"b2"},
              f"{status} {body}")
        status, _, body = http_request(base, "DELETE", "/v1/documents/doc-http", key=admin)
        check("DELETE it", status in (200, 204), f"{status} {body}")
        held = files_holding(data, [CANARY_STEM, META_CANARY])
        check("after DELETE returns, no file under the data dir holds its text or terms",
              held == [], held)

        # `ward rm` beside the server: the CLI purges the store; the server, which writes
        # index/, follows the change feed and purges within its follow interval.
        records = os.path.join(scratch, "canary2.jsonl")
        write_jsonl(records, [canary_record("doc-cli")])
        p = run(data, "ingest", "--jsonl", records)
        check("CLI ingest beside the server", p.returncode == 0, p.stderr)
        status, _, body = http_request(base, "POST", "/v1/search", {"query": "pelican"}, key=admin)
        check("the server sees the CLI's document",
              status == 200 and any(h["doc_id"] == "doc-cli" for h in body.get("hits", [])),
              f"{status} {body}")
        p = run(data, "rm", "doc-cli")
        check("CLI rm beside the server", p.returncode == 0, p.stderr)
        purged = wait_until(lambda: files_holding(data, [CANARY_STEM, META_CANARY]) == [])
        check("the server purges index/ without a request after a CLI rm", purged,
              files_holding(data, [CANARY_STEM, META_CANARY]))
    finally:
        check_clean_exit(proc, timeout=30)


def test_records(data, scratch):
    beir = os.path.join(scratch, "beir.jsonl")
    write_jsonl(beir, [
        {"_id": "b1", "title": "Armadillo burrows", "text": "Armadillos dig burrows in sand.",
         "metadata": {}, "author": "Kim", "acl": {"public": True}},
        {"_id": "b2", "title": "Armadillo diet", "text": "Armadillos eat insects.",
         "metadata": {"topic": "diet"}, "author": "Lee", "year": 2020, "acl": {"public": True}},
    ])
    p = run(data, "ingest", "--jsonl", beir)
    check("BEIR-shaped records with extra fields load: exit 0", p.returncode == 0,
          p.stdout + p.stderr)
    warnings = [line for line in p.stderr.splitlines() if line.startswith("warning:")]
    check("one warning names the fields moved into metadata",
          len(warnings) == 1 and "author (2 records)" in warnings[0]
          and "year (1 records)" in warnings[0], p.stderr)
    check("BEIR `_id` is the document id", search_ids(data, "armadillo") == {"b1", "b2"})

    p = run(data, "ingest", "--jsonl", beir, "--strict")
    check("--strict refuses records with fields outside the format: non-zero exit",
          p.returncode != 0 and "unknown field 'author'" in p.stderr, p.stderr)

    partial = os.path.join(scratch, "partial.jsonl")
    write_jsonl(partial, [{"id": "p1", "text": "Capybara notes.", "acl": {"public": True}},
                          "{not json",
                          {"id": "p3", "text": "Capybara", "metadata": {"x": 1}, "x": 2}])
    p = run(data, "ingest", "--jsonl", partial)
    check("a file with skipped records exits non-zero",
          p.returncode != 0 and "2 of 3 records" in p.stderr, f"rc={p.returncode} {p.stderr}")
    check("the skipped lines are named", f"{partial}:2" in p.stderr and f"{partial}:3" in p.stderr
          and "also a key of 'metadata'" in p.stderr, p.stderr)
    check("the good record is still committed", search_ids(data, "capybara") == {"p1"})

    p = run(data, "ingest", "--jsonl", beir, "--json")
    try:
        rep = json.loads(p.stdout)
        check("--json reports moved_to_metadata",
              p.returncode == 0 and rep.get("moved_to_metadata") == {"author": 2, "year": 1}, rep)
    except ValueError:
        check("ingest --jsonl --json prints JSON", False, p.stdout[:300])


def write_dataset(folder, corpus_lines):
    os.makedirs(folder)
    write_jsonl(os.path.join(folder, "corpus.jsonl"), corpus_lines)
    write_jsonl(os.path.join(folder, "queries.jsonl"), [
        {"_id": "q1", "text": "how do armadillos dig", "metadata": {}},
        {"_id": "q2", "text": "what do lemurs eat", "metadata": {}}])
    with open(os.path.join(folder, "qrels.tsv"), "w") as f:
        f.write("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n")


def test_eval(scratch):
    corpus = [{"_id": "d1", "title": "Armadillo burrows", "text": "Armadillos dig deep burrows.",
               "metadata": {}},
              {"_id": "d2", "title": "Lemur diet", "text": "Lemurs eat fruit and leaves.",
               "metadata": {}, "source_url": "https://example.org/lemurs"}]
    good = os.path.join(scratch, "beir-good")
    write_dataset(good, corpus)
    p = run(None, "eval", "retrieval", "--dataset", good, "--json")
    try:
        out = json.loads(p.stdout)
        check("eval scores a BEIR dataset (_id, metadata, extra fields)",
              p.returncode == 0 and out.get("documents") == 2 and out.get("ndcg@10", 0) > 0.99,
              out)
    except ValueError:
        check("eval retrieval --json prints JSON", False, p.stdout + p.stderr)

    broken = os.path.join(scratch, "beir-broken")
    write_dataset(broken, [corpus[0], {"_id": "d2", "title": "no text"}])
    p = run(None, "eval", "retrieval", "--dataset", broken)
    check("eval refuses a corpus that did not load completely",
          p.returncode != 0 and "did not load completely" in p.stderr and "nDCG" not in p.stdout,
          f"rc={p.returncode} {p.stdout} {p.stderr}")


def documented_default(key):
    """The default of `key` in docs/design/search.md's limits table."""
    with open(os.path.join(REPO, "docs", "design", "search.md")) as f:
        m = re.search(r"^\| `" + re.escape(key) + r"` \| (\d+) \|", f.read(), re.M)
    if not m:
        raise RuntimeError(f"{key} is not in the limits table of docs/design/search.md")
    return int(m.group(1))


def test_long_queries(data):
    limit = documented_default("search.max_query_terms")
    check("the documented term limit is at least Lucene's 1024", limit >= 1024, limit)
    words = [f"zq{chr(97 + i // 676)}{chr(97 + i // 26 % 26)}{chr(97 + i % 26)}"
             for i in range(limit - 1)]
    query = " ".join(words + ["armadillos"])
    check("a query of exactly the documented term limit is answered",
          search_ids(data, query) == {"b1", "b2"})
    p = run(data, "search", query + " zqextra", "--as", "admin")
    check("one term more is refused, naming the limit",
          p.returncode != 0 and f"more than {limit} terms" in p.stderr, p.stderr)
    # The same limit through POST /v1/search.
    key = ward_ok(data, "key", "create", "admin")
    proc, base = start_server(data, stderr=subprocess.PIPE)
    try:
        status, _, body = http_request(base, "POST", "/v1/search", {"query": query}, key=key)
        check("POST /v1/search answers a query of exactly the documented term limit",
              status == 200 and {h["doc_id"] for h in body.get("hits", [])} == {"b1", "b2"},
              f"{status} {body}")
        status, _, body = http_request(base, "POST", "/v1/search", {"query": query + " zqextra"},
                                       key=key)
        check("POST /v1/search refuses one term more with 400, naming the limit",
              status == 400 and f"more than {limit} terms" in json.dumps(body), f"{status} {body}")
    finally:
        check_clean_exit(proc, timeout=30)


def main():
    if not WARD_BIN or not os.path.exists(WARD_BIN):
        print("set WARD_BIN to the ward binary", file=sys.stderr)
        return 2
    scratch = tempfile.mkdtemp(prefix="ward-lifecycle-")
    data = os.path.join(scratch, "data")
    try:
        ward_ok(data, "init")
        test_rm_purges(data, scratch)
        test_records(data, scratch)
        test_server_deletes_purge(data, scratch)
        test_eval(scratch)
        test_long_queries(data)
    except Exception as e:  # an unexpected failure counts as one failure with the reason
        check("no unexpected exception", False, repr(e))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
