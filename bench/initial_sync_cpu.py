#!/usr/bin/env python3
"""Initial git and folder sync of the git bench's tree, wall and CPU, binaries alternated.

Usage: python3 bench/initial_sync_cpu.py --ward build/ward[,OTHER_WARD...] [--rounds 2]
                                         [--files 10000]

Builds `git_sync_bench.py`'s repository once (FILES Markdown files of about 3 KB in one commit)
and its tree as a folder, then for each round and each binary (alternated, so that a before/after
pair shares the machine's load) runs the initial `ward sync` of a git source and of a folder
source into fresh data dirs, printing wall time, MB/s of text, CPU (user + sys of Ward and its
git children, from getrusage(RUSAGE_CHILDREN)) and the load average. On a shared machine the CPU
time is the steadier figure (bench/README.md, "Where a sync's time goes").
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import git_sync_bench as g  # noqa: E402

ACL = '[[sources.acl]]\nglob = "*"\ngroups = ["staff"]\n'


def timed(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return p, dt, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ward", default=os.environ.get("WARD_BIN", "build/ward"))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--files", type=int, default=10_000)
    args = ap.parse_args()
    bins = [os.path.abspath(b) for b in args.ward.split(",")]
    tmp = tempfile.mkdtemp(prefix="ward_initial_sync_")
    try:
        repo = os.path.join(tmp, "repo.git")
        commits, nbytes = g.build_repo(repo, args.files, 1, 7)
        g.set_branch(repo, commits[0])
        folder = os.path.join(tmp, "tree")
        os.makedirs(folder)
        tar = subprocess.run(["git", "--git-dir", repo, "archive", commits[0]], check=True,
                             capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=tar, check=True)
        print(f"initial_sync_cpu: {args.files} files, {nbytes / 1e6:.1f} MB of text")
        for _ in range(args.rounds):
            for b in bins:
                for kind, root in (("git", repo), ("folder", folder)):
                    data = os.path.join(tmp, "data")
                    shutil.rmtree(data, ignore_errors=True)
                    subprocess.run([b, "--data", data, "init"], capture_output=True, check=True)
                    with open(os.path.join(data, "ward.toml"), "a") as f:
                        f.write(f'\n[[sources]]\nname = "s"\nconnector = "{kind}"\nroot = "{root}"\n'
                                + ('ref = "bench"\n' if kind == "git" else "") + ACL)
                    load = os.getloadavg()[0]
                    p, dt, cpu = timed([b, "--data", data, "sync", "s", "--json"])
                    run = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
                    print(f"{os.path.basename(b):14s} {kind:6s} wall {dt:6.2f} s "
                          f"{nbytes / 1e6 / dt:5.1f} MB/s  cpu {cpu:5.2f} s  load {load:4.1f}  "
                          f"fetched {run.get('fetched')}  exit {p.returncode}", flush=True)
                    if p.returncode:
                        print(p.stderr[-1500:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
