#!/usr/bin/env python3
"""Ward's scaling curve: search latency, ingest rate, memory, index size and start-up time against
the number of documents, printed as a table and drawn as an SVG.

For each size (default 10k, 50k, 200k and 1M documents) the bench generates gen_corpus.py's
synthetic SciFact-shaped collection (seed 1, 100 ACL groups), and in a fresh data dir with the same
user as bench/search_peers.py (in 5 of the 100 groups, so sees 5%):

  ingest     `ward ingest --jsonl` end to end (process start to exit): MB/s of title + text, and
             the process's peak resident memory (getrusage of that child: ru_maxrss);
  on disk    the size of `index/` (the search index checkpoint) and of `ward.db` (+ WAL), the
             system of record, after ingest;
  start-up   the wall time of a `ward search` process answering one query, minus that query's own
             `took_ms`: opening the store and the index checkpoint, and catching up from the feed;
  search     SciFact's 300 test claims, top-10, ACL-filtered, through `ward search --batch` (the
             code path of `ward search` and POST /v1/search, snippets and citations included):
             p50 and p99 of `took_ms` over the second of two passes; and that process's peak
             resident memory (the index in memory, plus the process).

After the table it prints each cost's growth exponent between successive sizes, log(c2/c1) /
log(n2/n1): 1 is linear, below 1 sub-linear. Search should grow sub-linearly and ingest (time)
linearly; where they do not, bench/README.md says why.

Usage: WARD_BIN=build/ward python3 bench/scaling_curve.py [--sizes 10000,50000,200000,1000000]
                                                           [--svg bench/scaling_curve.svg]
                                                           [--work DIR] [--json OUT]
--work keeps the generated corpora and data dirs there (default: a temporary folder, removed).
Needs about 1.5 GB of disk for the 1M corpus and as much again for its data dir.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import search_peers as sp  # noqa: E402

REPO = os.path.dirname(HERE)


def run_measured(cmd):
    """Runs cmd with its own wait4, so ru_maxrss is this child's alone."""
    start = time.perf_counter()
    out_f = tempfile.TemporaryFile(mode="w+")
    err_f = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(cmd, stdout=out_f, stderr=err_f)
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    out_f.seek(0)
    err_f.seek(0)
    if proc.returncode != 0:
        sys.exit(f"scaling_curve: {' '.join(cmd[:4])} ... failed: {err_f.read().strip()[:500]}")
    return out_f.read(), wall, ru.ru_maxrss / 1024.0


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def text_mb(corpus):
    total = 0
    with open(corpus) as f:
        for line in f:
            d = json.loads(line)
            total += len(d["title"].encode()) + len(d["text"].encode())
    return total / 1e6


def measure(ward, n, work, queries_file):
    corpus = os.path.join(work, f"synthetic-{n}.jsonl")
    if not os.path.exists(corpus):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), "--docs", str(n),
                        "--groups", str(sp.GROUPS), "--seed", "1", "--out", corpus + ".tmp"],
                       check=True, stderr=subprocess.DEVNULL)
        os.rename(corpus + ".tmp", corpus)
    mb = text_mb(corpus)
    data = os.path.join(work, f"ward-data-{n}")
    shutil.rmtree(data, ignore_errors=True)
    sp.ward_run(ward, data, "init")
    for g in range(sp.GROUPS):
        sp.ward_run(ward, data, "group", "add", f"g{g}")
    sp.ward_run(ward, data, "user", "add", "reader", "--groups", ",".join(sp.USER_GROUPS))
    load = os.getloadavg()[0]
    _, ingest_s, ingest_rss = run_measured([ward, "--data", data, "ingest", "--jsonl", corpus])
    index_mb = dir_bytes(os.path.join(data, "index")) / 2**20
    db_mb = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data)
                if f.startswith("ward.db")) / 2**20
    # Start-up: three one-query processes, the median of (wall - took_ms).
    startups = []
    for _ in range(3):
        out, wall, _ = run_measured([ward, "--data", data, "search", "--as", "reader", "--k",
                                     str(sp.K), "--json", "protein folding"])
        took = json.loads(out).get("took_ms", 0.0)
        startups.append(wall - took / 1000.0)
    startups.sort()
    search = [ward, "--data", data, "search", "--as", "reader", "--k", str(sp.K), "--batch",
              queries_file]
    run_measured(search)  # warm-up pass (page cache)
    out, _, search_rss = run_measured(search)
    took = [float(json.loads(line)["took_ms"]) for line in out.splitlines() if line.strip()]
    return {
        "docs": n, "text_mb": round(mb, 1), "load": round(load, 1),
        "ingest_s": round(ingest_s, 2), "ingest_mb_s": round(mb / ingest_s, 2),
        "ingest_rss_mib": round(ingest_rss, 1), "index_mib": round(index_mb, 1),
        "db_mib": round(db_mb, 1), "startup_s": round(startups[1], 3),
        "search_p50_ms": round(sp.pct(took, 50), 3), "search_p99_ms": round(sp.pct(took, 99), 3),
        "search_rss_mib": round(search_rss, 1), "queries": len(took),
    }


PANELS = [
    ("search_p50_ms", "search p50 (ms)"),
    ("search_p99_ms", "search p99 (ms)"),
    ("ingest_mb_s", "ingest (MB/s)"),
    ("search_rss_mib", "resident memory, search (MiB)"),
    ("index_mib", "index on disk (MiB)"),
    ("startup_s", "start-up (s)"),
]


def svg(rows, title):
    """Six small panels, x = documents on a log scale, y = the figure on a linear scale from 0."""
    pw, ph, ml, mb, mt = 300, 190, 56, 34, 28
    cols = 3
    width = cols * pw
    height = 40 + ((len(PANELS) + cols - 1) // cols) * ph
    xs = [math.log10(r["docs"]) for r in rows]
    x0, x1 = min(xs) - 0.15, max(xs) + 0.15
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">{title}</text>']
    for i, (key, label) in enumerate(PANELS):
        ox, oy = (i % cols) * pw, 40 + (i // cols) * ph
        iw, ih = pw - ml - 14, ph - mb - mt
        ys = [r[key] for r in rows]
        ymax = max(ys) * 1.15 or 1.0

        def px(x):
            return ox + ml + (x - x0) / (x1 - x0) * iw

        def py(y):
            return oy + mt + ih - y / ymax * ih

        parts.append(f'<text x="{ox + ml + iw / 2}" y="{oy + 16}" text-anchor="middle">{label}</text>')
        parts.append(f'<rect x="{ox + ml}" y="{oy + mt}" width="{iw}" height="{ih}" fill="none" '
                     f'stroke="#999"/>')
        for t in range(5):
            v = ymax * t / 4
            parts.append(f'<text x="{ox + ml - 4}" y="{py(v) + 4:.1f}" text-anchor="end">'
                         f'{v:.3g}</text>')
        for r, x in zip(rows, xs):
            n = r["docs"]
            tick = f"{n // 1000000}M" if n >= 1000000 else f"{n // 1000}k"
            parts.append(f'<text x="{px(x):.1f}" y="{oy + mt + ih + 14}" text-anchor="middle">'
                         f'{tick}</text>')
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
        for x, y in zip(xs, ys):
            parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="#1f77b4"/>')
    parts.append(f'<text x="{width / 2}" y="{height - 4}" text-anchor="middle">documents '
                 f'(log scale)</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,50000,200000,1000000")
    ap.add_argument("--svg", help="write the plot here (e.g. bench/scaling_curve.svg)")
    ap.add_argument("--json", help="write the rows here as JSON")
    ap.add_argument("--work", help="folder to keep corpora and data dirs in (default: temporary)")
    args = ap.parse_args()
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        sys.exit("scaling_curve: --sizes takes numbers separated by commas")
    if not sizes or sizes[0] < 100:
        sys.exit("scaling_curve: each size must be at least 100 documents")
    ward = os.environ.get("WARD_BIN") or os.path.join(REPO, "build", "ward")
    if not os.access(ward, os.X_OK):
        sys.exit("scaling_curve: set WARD_BIN to the ward binary")
    work = args.work or tempfile.mkdtemp(prefix="ward_scaling_")
    os.makedirs(work, exist_ok=True)
    try:
        queries_file = os.path.join(work, "queries.jsonl")
        with open(queries_file, "w") as f:
            for q in sp.load_queries():
                f.write(json.dumps({"id": q["id"], "text": q["text"]}) + "\n")
        rows = []
        for n in sizes:
            rows.append(measure(ward, n, work, queries_file))
            print(f"scaling_curve: {n} documents done", file=sys.stderr, flush=True)
        cols = [("docs", "docs"), ("text_mb", "text MB"), ("ingest_mb_s", "ingest MB/s"),
                ("ingest_rss_mib", "ingest RSS MiB"), ("index_mib", "index MiB"),
                ("db_mib", "ward.db MiB"), ("startup_s", "start-up s"),
                ("search_p50_ms", "p50 ms"), ("search_p99_ms", "p99 ms"),
                ("search_rss_mib", "search RSS MiB"), ("load", "load")]
        print("| " + " | ".join(c[1] for c in cols) + " |")
        print("|" + "---|" * len(cols))
        for r in rows:
            print("| " + " | ".join(f"{r[c[0]]:,}" if isinstance(r[c[0]], int) else f"{r[c[0]]}"
                                    for c in cols) + " |")
        print("growth exponents, log(c2/c1)/log(n2/n1) (1 = linear):")
        for a, b in zip(rows, rows[1:]):
            k = math.log(b["docs"] / a["docs"])

            def g(key, a=a, b=b, k=k):
                return math.log(b[key] / a[key]) / k if a[key] > 0 and b[key] > 0 else float("nan")

            print(f"  {a['docs']:>8} -> {b['docs']:<8} search p50 {g('search_p50_ms'):.2f}  "
                  f"p99 {g('search_p99_ms'):.2f}  ingest time {g('ingest_s'):.2f}  "
                  f"search RSS {g('search_rss_mib'):.2f}  index {g('index_mib'):.2f}  "
                  f"start-up {g('startup_s'):.2f}")
        if args.svg:
            with open(args.svg, "w") as f:
                f.write(svg(rows, "Ward scaling curve (SciFact-shaped synthetic corpus, "
                                  "user sees 5%, top-10)"))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(rows, f, indent=1)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
