#!/usr/bin/env python3
"""Folder source freshness under `ward serve` (docs/design/ingest.md, "Sync under ward serve").

Usage: WARD_BIN=build/ward python3 bench/folder_freshness_bench.py [--n 100]

Starts `ward serve` on a folder source watched with inotify and, one at a time, makes N edits,
N deletes and N revokes, timing each from the file-system call until GET /v1/search (polled
every 10 ms over keep-alive-free HTTP on loopback) reflects it:

* edit: a file is rewritten with a new token; done when an admin's search finds the new token;
* delete: a file is unlinked; done when an admin's search no longer finds its token;
* revoke: a file under `shared/` (rule: group staff) is moved to `private/` (no rule: admins
  only); done when a staff member's search no longer finds its token. The folder connector's
  ACLs come from the source's path rules, so a revoke is a move out of a shared folder (the
  document id changes); editing the rules in ward.toml needs a restart.

Prints p50/p90/p99/max per kind. Target (issue 15): p99 <= 2 s for each. No peer system is run:
none of the anchors (Onyx, Glean, Airbyte, Elastic) publishes or ships a comparable watcher
figure (their folder/file connectors poll on a schedule), so there is nothing to compare with.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

WARD_BIN = os.environ.get("WARD_BIN", "build/ward")


def ward(data, *args):
    return subprocess.run([WARD_BIN, "--data", data, *args], capture_output=True, text=True,
                          timeout=120)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def hits(base, key, token):
    req = urllib.request.Request(f"{base}/v1/search?q={urllib.parse.quote(token)}&k=5")
    req.add_header("Authorization", "Bearer " + key)
    with urllib.request.urlopen(req, timeout=30) as r:
        return len(json.loads(r.read()).get("hits", []))


def wait(predicate, limit=60.0):
    t0 = time.monotonic()
    while not predicate():
        if time.monotonic() - t0 > limit:
            return None
        time.sleep(0.01)
    return time.monotonic()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ward_fresh_")
    proc = None
    try:
        data, root = os.path.join(tmp, "data"), os.path.join(tmp, "src")
        for i in range(args.n):
            write(os.path.join(root, "edit", f"e{i}.md"), f"# E{i}\n\nedit{i}gen0\n")
            write(os.path.join(root, "del", f"d{i}.md"), f"# D{i}\n\ndel{i}tok\n")
            write(os.path.join(root, "shared", f"s{i}.md"), f"# S{i}\n\nshared{i}tok\n")
        # Documents that stay, so that each delete is under the mass-deletion guard's 20%.
        for i in range(5 * args.n):
            write(os.path.join(root, "keep", f"k{i}.md"), f"# K{i}\n\nkeep{i}\n")
        if ward(data, "init").returncode != 0:
            print("ward init failed")
            return 1
        with open(os.path.join(data, "ward.toml"), "a") as f:
            f.write(f'\n[[sources]]\nname = "bench"\nconnector = "folder"\nroot = "{root}"\n'
                    '[[sources.acl]]\nglob = "shared/*"\ngroups = ["staff"]\n'
                    '[[sources.acl]]\nglob = "edit/*"\ngroups = ["staff"]\n'
                    '[[sources.acl]]\nglob = "del/*"\ngroups = ["staff"]\n'
                    '[[sources.acl]]\nglob = "keep/*"\ngroups = ["staff"]\n')
        ward(data, "group", "add", "staff")
        ward(data, "user", "add", "quinn", "--groups", "staff")
        admin = ward(data, "key", "create", "admin").stdout.strip()
        quinn = ward(data, "key", "create", "quinn").stdout.strip()
        proc = subprocess.Popen([WARD_BIN, "--data", data, "serve", "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        base = proc.stdout.readline().strip().split(" ")[-1]
        if wait(lambda: hits(base, quinn, f"shared{args.n - 1}tok") > 0, 300) is None:
            print("the start-up sync did not finish")
            return 1
        figures = {"edit": [], "delete": [], "revoke": []}
        for i in range(args.n):
            t0 = time.monotonic()
            write(os.path.join(root, "edit", f"e{i}.md"), f"# E{i}\n\nedit{i}gen1\n")
            t1 = wait(lambda: hits(base, admin, f"edit{i}gen1") > 0)
            figures["edit"].append(t1 - t0 if t1 else float("inf"))
        for i in range(args.n):
            t0 = time.monotonic()
            os.remove(os.path.join(root, "del", f"d{i}.md"))
            t1 = wait(lambda: hits(base, admin, f"del{i}tok") == 0)
            figures["delete"].append(t1 - t0 if t1 else float("inf"))
        os.makedirs(os.path.join(root, "private"), exist_ok=True)
        for i in range(args.n):
            t0 = time.monotonic()
            os.rename(os.path.join(root, "shared", f"s{i}.md"),
                      os.path.join(root, "private", f"s{i}.md"))
            t1 = wait(lambda: hits(base, quinn, f"shared{i}tok") == 0)
            figures["revoke"].append(t1 - t0 if t1 else float("inf"))
        print(f"folder freshness under ward serve, {args.n} of each, seconds from the write "
              "until GET /v1/search reflects it:")
        for kind, xs in figures.items():
            print(f"  {kind:7s} p50 {pct(xs, 50):.3f}  p90 {pct(xs, 90):.3f}  "
                  f"p99 {pct(xs, 99):.3f}  max {max(xs):.3f}  "
                  f"(target p99 <= 2 s: {'met' if pct(xs, 99) <= 2 else 'NOT met'})")
        return 0
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
