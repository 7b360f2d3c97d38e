#!/usr/bin/env python3
"""Confluence source sync figures against the local fake (docs/design/ingest.md, "Confluence";
issue 16's target: an initial sync of 10k pages).

Usage: python3 bench/confluence_sync_bench.py [--ward build/ward] [--pages 10000] [--spaces 4]

Starts tests/integration/fakes/confluence_fake.py in-process with PAGES pages (about 1.2 KB of
storage format each, a tree 10 wide, a read restriction on every 50th page) over SPACES spaces,
readable by one group of 10 users. Prints:
* the initial `ward sync`: seconds, pages/s, requests, and the peak RSS of the ward process;
* the fake's own serving rate for page bodies from one client (the ceiling a sequential
  connector could reach; no peer publishes comparable figures);
* feed passes (docs/design/ingest.md, "Confluence", "Incremental"; the generated pages are
  backdated a day, as a site's history is): a run with no change, a run after 10 edits (no
  restriction sweep due), and a run after 5 restriction changes with the sweep due
  (`restriction_sweep_s = 0`): seconds, requests by endpoint, body reads;
* a full listing after the same 10 edits and 5 restriction changes (`full_every_s = 0`, every
  run a full listing as before the feed): the figure the feed replaces.
"""
import argparse
import base64
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration", "fakes"))
from confluence_fake import ConfluenceFake  # noqa: E402

TOKEN = "bench-token"


def run(cmd, **kw):
    """Runs cmd; returns (CompletedProcess-like tuple, seconds, peak RSS in MiB)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    out, err = p.communicate()
    dt = time.monotonic() - t0
    # The child's own rusage: ru_maxrss in KiB on Linux (RUSAGE_CHILDREN covers waited children).
    import resource
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return p.returncode, out, err, dt, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ward", default=os.path.join(HERE, "..", "build", "ward"))
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--spaces", type=int, default=4)
    args = ap.parse_args()
    fake = ConfluenceFake(token=TOKEN).start()
    tmp = tempfile.mkdtemp(prefix="ward_conf_bench_")
    try:
        data = os.path.join(tmp, "data")
        ward = lambda *a, **kw: subprocess.run([args.ward, "--data", data, *a],  # noqa: E731
                                               capture_output=True, text=True, check=True, **kw)
        ward("init")
        users = [f"u{i}" for i in range(10)]
        ward("secrets", "set", "conf", input=f"bot@example.com:{TOKEN}\n")
        fake.set_group("g-all", "everyone", [f"acc-{u}" for u in users])
        ids = []
        per = args.pages // args.spaces
        for s in range(args.spaces):
            sid = fake.add_space(f"S{s}", readers=[("group", "g-all")])
            n = per if s < args.spaces - 1 else args.pages - per * (args.spaces - 1)
            ids += fake.generate(sid, n, restricted_every=50, restrict_to=["acc-u0", "acc-u1"])
        fake.backdate(86400)
        toml = os.path.join(data, "ward.toml")
        with open(toml) as f:
            base_toml = f.read()

        def configure(options=""):
            with open(toml, "w") as f:
                f.write(base_toml + f'\n[[sources]]\nname = "wiki"\nconnector = "confluence"\n'
                        f'base_url = "{fake.base}"\nallowed_hosts = ["127.0.0.1"]\n'
                        'allow_private = true\ntoken_secret = "conf"\n'
                        f'[sources.options]\n{options}'
                        '[[sources.identities]]\nmatch = "acc-*"\nprincipal = "{identity}"\n')
        configure()
        # The principals are the accountIds themselves here ("acc-u0").
        for u in users:
            ward("user", "add", f"acc-{u}")
        fake.reset_stats()
        rc, out, err, dt, rss = run([args.ward, "--data", data, "sync", "wiki"])
        st = fake.get_stats()
        print(f"initial sync: rc {rc}, {args.pages} pages in {dt:.1f} s = {args.pages / dt:.0f} "
              f"pages/s, {st['total']} requests, ward peak RSS {rss:.0f} MiB")
        if rc != 0:
            print(out[-2000:], err[-2000:])
        # The fake's serving rate for bodies, one sequential client (the connector's pattern).
        auth = "Basic " + base64.b64encode(f"bot@example.com:{TOKEN}".encode()).decode()
        sample = ids[:2000]
        t0 = time.monotonic()
        for pid in sample:
            req = urllib.request.Request(f"{fake.base}/wiki/api/v2/pages/{pid}?body-format=storage",
                                         headers={"Authorization": auth})
            urllib.request.urlopen(req).read()
        fdt = time.monotonic() - t0
        print(f"fake ceiling: {len(sample) / fdt:.0f} page bodies/s from one client "
              f"(ward's whole sync, listing + sweep + bodies + index: {args.pages / dt:.0f} pages/s)")
        def incremental(what):
            fake.reset_stats()
            rc, out, err, dt, _ = run([args.ward, "--data", data, "sync", "wiki", "--json"])
            st = fake.get_stats()
            reads = st["requests"].get("/wiki/api/v2/pages/{id}", 0)
            kind = "feed pass" if '"incremental' in out else "full listing"
            print(f"{what} ({kind}): rc {rc}, {dt:.1f} s, {st['total']} requests, {reads} body "
                  f"reads; by endpoint {st['requests']}")
            if rc != 0:
                print(out[-2000:], err[-2000:])

        incremental("no change")
        for pid in ids[1:11]:
            fake.edit_page(pid, body="<p>edited page</p>")
        incremental("10 edits, no sweep due")
        for pid in ids[100:105]:
            fake.restrict(pid, users=["acc-u2"])
        configure("restriction_sweep_s = 0\n")
        incremental("5 restriction changes, sweep due")
        configure("full_every_s = 0\n")
        for pid in ids[11:21]:
            fake.edit_page(pid, body="<p>edited page</p>")
        for pid in ids[105:110]:
            fake.restrict(pid, users=["acc-u2"])
        incremental("10 edits and 5 restriction changes, every run a full listing")
    finally:
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
