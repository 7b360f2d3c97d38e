#!/usr/bin/env python3
"""Ward's ACL-filtered search beside Xapian and SQLite FTS5, on the same corpus, ACLs and queries.

The corpus is gen_corpus.py's synthetic SciFact-shaped collection (every document in one of 100
groups); the searching user belongs to 5 groups, so sees 5% of it. The queries are SciFact's 300
test claims. Top-10 everywhere, with a snippet per hit:

  Ward    `ward search --batch` (the same code path as `ward search` and POST /v1/search: parse,
          catch up from the change feed, ACL-filtered BM25F, chunk and document reads from SQLite,
          snippet, citation, trace event); the figure is each line's `took_ms`.
  Xapian  python3-xapian 1.4 (Debian): BM25 with the English stemmer, the ACL as a boolean filter
          (OR of the user's group terms, FILTER), Lucene's stopwords as Ward drops, get_mset(0, 10) plus each hit's stored text; timed around
          those calls only. No snippet: Xapian's MSet.snippet costs about 1.5 ms per hit here
          (15 ms per query), which would swamp the comparison, so Xapian is measured without one
          (in Ward's disfavour).
  FTS5    Python's sqlite3 (SQLite 3.40, Debian): one fts5 table (title, text) with the group in an
          UNINDEXED column, `MATCH` on the OR of the query's words less the same stopwords, `grp IN (...)`, ORDER BY rank
          LIMIT 10 with snippet(); timed around execute + fetchall.

Ingest is timed for each too (MB/s of title + text): `ward ingest --jsonl` end to end (process
start to exit), Xapian's TermGenerator + add_document + commit, FTS5's INSERTs in one transaction.

Usage: WARD_BIN=build/ward python3 bench/search_peers.py [--docs 50000] [--keep DIR]
Needs python3-xapian (bench only; `apt-get install python3-xapian`, installed here if missing and
running as root).
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SCIFACT = os.path.join(os.path.dirname(REPO), "shared", "datasets", "scifact")
GROUPS = 100
USER_GROUPS = ["g0", "g1", "g2", "g3", "g4"]  # 5 of 100 groups: the user sees 5%
K = 10
WORD = re.compile(r"\w+", re.UNICODE)
# Ward's analyzer drops Lucene's English stopwords; the peers get the same list, so that no engine
# scores "the" and "of" over the whole corpus.
STOPWORDS = ("a an and are as at be but by for if in into is it no not of on or such that the "
             "their then there these they this to was will with").split()


def have_xapian():
    try:
        import xapian  # noqa: F401
        return True
    except ImportError:
        pass
    # A Python other than Debian's (pyenv, venv) does not see Debian's dist-packages.
    if "/usr/lib/python3/dist-packages" not in sys.path:
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            import xapian  # noqa: F401,F811
            return True
        except ImportError:
            pass
    return False


def ensure_xapian():
    if have_xapian():
        return
    if os.geteuid() != 0:
        sys.exit("search_peers: python3-xapian is missing (apt-get install python3-xapian)")
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "python3-xapian"],
                   check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if not have_xapian():
        sys.exit("search_peers: python3-xapian is installed but this Python cannot import it")


def pct(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    i = min(len(s) - 1, max(0, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[i]


def load_corpus(path):
    docs = []
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            docs.append((d["id"], d["title"], d["text"], d["acl"]["groups"][0]))
    return docs


def load_queries():
    with open(os.path.join(SCIFACT, "queries.jsonl")) as f:
        return [json.loads(line) for line in f]


def ward_run(ward_bin, data, *args, stdin=None):
    proc = subprocess.run([ward_bin, "--data", data, *args], input=stdin, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        sys.exit(f"ward {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def bench_ward(ward_bin, corpus_path, queries, work):
    data = os.path.join(work, "ward-data")
    ward_run(ward_bin, data, "init")
    for g in range(GROUPS):
        ward_run(ward_bin, data, "group", "add", f"g{g}")
    ward_run(ward_bin, data, "user", "add", "reader", "--groups", ",".join(USER_GROUPS))
    start = time.perf_counter()
    ward_run(ward_bin, data, "ingest", "--jsonl", corpus_path)
    ingest_s = time.perf_counter() - start
    qfile = os.path.join(work, "queries.jsonl")
    with open(qfile, "w") as f:
        for q in queries:
            f.write(json.dumps({"id": q["id"], "text": q["text"]}) + "\n")
    # One warm-up pass (page cache, segment maps), then the measured pass.
    ward_run(ward_bin, data, "search", "--as", "reader", "--k", str(K), "--batch", qfile)
    out = ward_run(ward_bin, data, "search", "--as", "reader", "--k", str(K), "--batch", qfile)
    took, hits = [], 0
    for line in out.splitlines():
        r = json.loads(line)
        if "took_ms" not in r:
            sys.exit(f"ward search --batch: unexpected line {line[:200]}")
        took.append(float(r["took_ms"]))
        hits += len(r.get("hits", r.get("results", [])))
    return ingest_s, took, hits


def bench_xapian(docs, queries, work):
    import xapian
    path = os.path.join(work, "xapian")
    start = time.perf_counter()
    db = xapian.WritableDatabase(path, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
    for doc_id, title, text, group in docs:
        d = xapian.Document()
        tg.set_document(d)
        tg.index_text(title, 1, "S")
        tg.index_text(title)
        tg.increase_termpos()
        tg.index_text(text)
        d.add_boolean_term("XG" + group)
        d.add_boolean_term("Q" + doc_id)
        d.set_data(text)
        db.add_document(d)
    db.commit()
    ingest_s = time.perf_counter() - start
    db.close()

    rdb = xapian.Database(path)
    qp = xapian.QueryParser()
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_database(rdb)
    stopper = xapian.SimpleStopper()
    for w in STOPWORDS:
        stopper.add(w)
    qp.set_stopper(stopper)
    qp.set_default_op(xapian.Query.OP_OR)
    acl = xapian.Query(xapian.Query.OP_OR, [xapian.Query("XG" + g) for g in USER_GROUPS])
    enquire = xapian.Enquire(rdb)
    enquire.set_weighting_scheme(xapian.BM25Weight())

    def run_once(record):
        took, hits = [], 0
        for q in queries:
            t0 = time.perf_counter()
            parsed = qp.parse_query(q["text"], 0)
            enquire.set_query(xapian.Query(xapian.Query.OP_FILTER, parsed, acl))
            mset = enquire.get_mset(0, K)
            for m in mset:
                m.document.get_data()  # the stored text a snippet would be cut from
                hits += 1
            took.append((time.perf_counter() - t0) * 1000.0)
        return took, hits

    run_once(False)  # warm-up
    took, hits = run_once(True)
    return ingest_s, took, hits


def fts_query(text):
    words = [w for w in WORD.findall(text.lower()) if w not in STOPWORDS]
    return " OR ".join('"' + w.replace('"', '') + '"' for w in words)


def bench_fts5(docs, queries, work):
    path = os.path.join(work, "fts5.db")
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(title, text, grp UNINDEXED, doc_id UNINDEXED, "
                "tokenize='porter unicode61')")
    start = time.perf_counter()
    with con:
        con.executemany("INSERT INTO docs(title, text, grp, doc_id) VALUES (?, ?, ?, ?)",
                        ((t, x, g, i) for i, t, x, g in docs))
    ingest_s = time.perf_counter() - start
    placeholders = ",".join("?" * len(USER_GROUPS))
    sql = (f"SELECT doc_id, snippet(docs, 1, '', '', '...', 40) FROM docs WHERE docs MATCH ? "
           f"AND grp IN ({placeholders}) ORDER BY rank LIMIT {K}")

    def run_once():
        took, hits = [], 0
        for q in queries:
            mq = fts_query(q["text"])
            t0 = time.perf_counter()
            rows = con.execute(sql, (mq, *USER_GROUPS)).fetchall()
            took.append((time.perf_counter() - t0) * 1000.0)
            hits += len(rows)
        return took, hits

    run_once()
    took, hits = run_once()
    con.close()
    return ingest_s, took, hits


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=50000)
    ap.add_argument("--keep", help="work directory to keep (default: a temporary one, removed)")
    args = ap.parse_args()
    ward_bin = os.environ.get("WARD_BIN") or os.path.join(REPO, "build", "ward")
    if not os.access(ward_bin, os.X_OK):
        sys.exit("set WARD_BIN to the ward binary")
    ensure_xapian()
    work = args.keep or tempfile.mkdtemp(prefix="ward_search_peers_")
    os.makedirs(work, exist_ok=True)
    try:
        corpus = os.path.join(work, f"synthetic-{args.docs}.jsonl")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), "--docs",
                        str(args.docs), "--groups", str(GROUPS), "--seed", "1", "--out", corpus],
                       check=True, stderr=subprocess.DEVNULL)
        docs = load_corpus(corpus)
        text_mb = sum(len(t.encode()) + len(x.encode()) for _, t, x, _ in docs) / 1e6
        queries = load_queries()
        load = os.getloadavg()[0]
        results = {
            "Ward": bench_ward(ward_bin, corpus, queries, work),
            "Xapian": bench_xapian(docs, queries, work),
            "SQLite FTS5": bench_fts5(docs, queries, work),
        }
        print(f"search_peers: {args.docs} documents ({text_mb:.1f} MB of text), {GROUPS} groups, "
              f"user in {len(USER_GROUPS)} (sees 5%), {len(queries)} SciFact test queries, top-{K}, "
              f"load average {load:.1f} at start")
        print(f"{'engine':<12} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'hits':>6} "
              f"{'ingest MB/s':>12}")
        for name, (ingest_s, took, hits) in results.items():
            print(f"{name:<12} {pct(took, 50):8.2f} {pct(took, 99):8.2f} "
                  f"{statistics.mean(took):8.2f} {hits:6d} {text_mb / ingest_s:12.1f}")
        ward_took = results["Ward"][1]
        for peer in ("Xapian", "SQLite FTS5"):
            took = results[peer][1]
            print(f"Ward vs {peer}: {pct(took, 50) / pct(ward_took, 50):.1f}x faster at p50, "
                  f"{pct(took, 99) / pct(ward_took, 99):.1f}x at p99")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
