#!/usr/bin/env python3
"""Git source sync figures (docs/design/ingest.md, "Git"; issue 15's targets).

Usage: python3 bench/git_sync_bench.py [--ward build/ward] [--files 10000] [--commits 1000]
                                        [--step 10] [--keep]

Builds a repository with `git fast-import` in a temp dir: FILES Markdown files (about 3 KB of
text each) in one commit, then COMMITS commits that each edit, add, delete or rename a few files.
Prints:
* the initial `ward sync` of the first commit: seconds and MB/s of text (target >= 20 MB/s),
  and the same tree synced as a folder source (the sync runner's own cost, git left out);
* the history replayed under `ward serve` (a source with schedule_s = 1): the branch moves STEP
  commits ahead after each run, for COMMITS/STEP incremental runs; total and median run time
  (from the runs' own started/finished times) and the server's RSS and open file descriptors
  after the first and after the last run (resource use should stay flat);
* one incremental `ward sync` over the whole history at once (the first commit to the last).
"""
import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

WORDS = ("policy leave travel expense review budget audit vendor contract security access "
         "incident backup release roadmap hiring onboarding payroll benefit quarter region "
         "customer support ticket escalation metric latency storage network cluster").split()


def text(rnd, i, gen):
    lines = [f"# Page {i} revision {gen}", ""]
    size = 0
    while size < 3000:
        line = " ".join(rnd.choice(WORDS) for _ in range(14)) + f" tok{i}r{gen}."
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines) + "\n"


def build_repo(repo, files, commits, seed):
    """Returns (list of commit ids oldest first, bytes of text in the first commit)."""
    rnd = random.Random(seed)
    os.makedirs(repo)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
    subprocess.run(["git", "init", "-q", "--bare", repo], check=True, env=env)
    paths = [f"d{i % 50:02d}/s{i % 7}/page{i:05d}.md" for i in range(files)]
    live = {p: i for i, p in enumerate(paths)}
    next_id = files
    first_bytes = 0
    stream = []
    t = 1_700_000_000

    def blob(data):
        raw = data.encode()
        stream.append(f"data {len(raw)}\n".encode() + raw + b"\n")
        return len(raw)

    for c in range(commits + 1):
        stream.append(f"commit refs/heads/main\nmark :{c + 1}\n"
                      f"committer Bench <b@example.com> {t + c * 60} +0000\n".encode())
        msg = f"commit {c}".encode()
        stream.append(f"data {len(msg)}\n".encode() + msg + b"\n")
        if c > 0:
            stream.append(f"from :{c}\n".encode())
        ops = []
        if c == 0:
            for p, i in live.items():
                ops.append(("M", p, text(rnd, i, 0)))
        else:
            keys = list(live)
            for p in rnd.sample(keys, 6):  # edits
                ops.append(("M", p, text(rnd, live[p], c)))
            for _ in range(2):  # adds
                p = f"new/c{c:04d}/page{next_id:05d}.md"
                live[p] = next_id
                ops.append(("M", p, text(rnd, next_id, c)))
                next_id += 1
            gone = rnd.choice([k for k in keys if k not in {o[1] for o in ops}])
            ops.append(("D", gone, None))
            del live[gone]
            old = rnd.choice([k for k in live if k not in {o[1] for o in ops}])
            new = f"moved/c{c:04d}/" + old.rsplit("/", 1)[1]
            ops.append(("R", old, new))
            live[new] = live.pop(old)
        for op, p, data in ops:
            if op == "M":
                stream.append(f"M 100644 inline {p}\n".encode())
                n = blob(data)
                if c == 0:
                    first_bytes += n
            elif op == "D":
                stream.append(f"D {p}\n".encode())
            else:
                stream.append(f'R "{p}" "{data}"\n'.encode())
        stream.append(b"\n")
    marks = os.path.join(repo, "marks")
    subprocess.run(["git", "--git-dir", repo, "fast-import", "--quiet", f"--export-marks={marks}"],
                   input=b"".join(stream), check=True, env=env)
    ids = {}
    with open(marks) as f:
        for line in f:
            mark, sha = line.split()
            ids[int(mark[1:])] = sha
    return [ids[m] for m in sorted(ids)], first_bytes


def set_branch(repo, sha):
    subprocess.run(["git", "--git-dir", repo, "update-ref", "refs/heads/bench", sha], check=True)


def ward(binary, data, *args, timeout=3600):
    return subprocess.run([binary, "--data", data, *args], capture_output=True, text=True,
                          timeout=timeout)


def configure(data, repo, schedule=0):
    with open(os.path.join(data, "ward.toml"), "a") as f:
        f.write(f'\n[[sources]]\nname = "repo"\nconnector = "git"\nroot = "{repo}"\n'
                f'ref = "bench"\nschedule_s = {schedule}\nmax_delete_share = 1.0\n'
                '[[sources.acl]]\nglob = "*"\ngroups = ["staff"]\n')


def runs(data):
    db = sqlite3.connect(f"file:{os.path.join(data, 'ward.db')}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute("SELECT id, state, started_at, finished_at, listed, fetched, deleted "
                          "FROM sync_runs WHERE source = 'repo' ORDER BY id").fetchall()
    finally:
        db.close()


def proc_usage(pid):
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ward", default=os.environ.get("WARD_BIN", "build/ward"))
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--commits", type=int, default=1000)
    ap.add_argument("--step", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    binary = os.path.abspath(args.ward)
    tmp = tempfile.mkdtemp(prefix="ward_git_bench_")
    try:
        repo = os.path.join(tmp, "repo.git")
        t0 = time.monotonic()
        commits, first_bytes = build_repo(repo, args.files, args.commits, args.seed)
        print(f"repository: {args.files} files ({first_bytes / 1e6:.1f} MB of text), "
              f"{len(commits) - 1} commits after the first, built in {time.monotonic() - t0:.1f} s")

        # Initial sync of the first commit.
        data = os.path.join(tmp, "data")
        ward(binary, data, "init")
        configure(data, repo)
        set_branch(repo, commits[0])
        t0 = time.monotonic()
        p = ward(binary, data, "sync", "repo", "--json")
        dt = time.monotonic() - t0
        run = json.loads(p.stdout) if p.stdout else {}
        print(f"initial sync: {dt:.2f} s, {first_bytes / 1e6 / dt:.1f} MB/s of text, "
              f"outcome {run.get('outcome')}, fetched {run.get('fetched')} (target >= 20 MB/s)")
        if p.returncode != 0:
            print(p.stderr[-2000:])
            return 1

        # The same tree as a folder source: the share of the time that is the sync runner's
        # (parse, chunk, commit, index) rather than git's.
        folder = os.path.join(tmp, "tree")
        os.makedirs(folder)
        tar = subprocess.run(["git", "--git-dir", repo, "archive", commits[0]], check=True,
                             capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=tar, check=True)
        data_f = os.path.join(tmp, "data_folder")
        ward(binary, data_f, "init")
        with open(os.path.join(data_f, "ward.toml"), "a") as f:
            f.write(f'\n[[sources]]\nname = "tree"\nconnector = "folder"\nroot = "{folder}"\n'
                    '[[sources.acl]]\nglob = "*"\ngroups = ["staff"]\n')
        t0 = time.monotonic()
        p = ward(binary, data_f, "sync", "tree", "--json")
        dt_f = time.monotonic() - t0
        print(f"baseline, the same tree as a folder source: {dt_f:.2f} s, "
              f"{first_bytes / 1e6 / dt_f:.1f} MB/s (exit {p.returncode})")
        shutil.rmtree(data_f)
        shutil.rmtree(folder)

        # One incremental sync over the whole history.
        data2 = os.path.join(tmp, "data2")
        shutil.copytree(data, data2)
        set_branch(repo, commits[-1])
        t0 = time.monotonic()
        p = ward(binary, data2, "sync", "repo", "--json")
        dt = time.monotonic() - t0
        run = json.loads(p.stdout) if p.stdout else {}
        print(f"one incremental sync over {len(commits) - 1} commits: {dt:.2f} s, outcome "
              f"{run.get('outcome')}, fetched {run.get('fetched')}, deleted {run.get('deleted')}")
        shutil.rmtree(data2)

        # The history replayed under ward serve, STEP commits per run.
        set_branch(repo, commits[0])
        with open(os.path.join(data, "ward.toml")) as f:
            toml = f.read().replace("schedule_s = 0", "schedule_s = 1")
        with open(os.path.join(data, "ward.toml"), "w") as f:
            f.write(toml)
        before = len(runs(data))
        server = subprocess.Popen([binary, "--data", data, "serve", "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        usage = []
        try:
            position = 0
            done = before
            while position < len(commits) - 1:
                deadline = time.monotonic() + 600
                while True:
                    r = runs(data)
                    finished = [x for x in r[before:] if x[3]]
                    if len(finished) > done - before:
                        break
                    if server.poll() is not None or time.monotonic() > deadline:
                        print("the server stopped or no run finished")
                        return 1
                    time.sleep(0.05)
                done = before + len(finished)
                usage.append(proc_usage(server.pid))  # after run len(usage)
                position = min(position + args.step, len(commits) - 1)
                set_branch(repo, commits[position])
            # The run that covers the last step.
            while len([x for x in runs(data)[before:] if x[3]]) <= done - before:
                time.sleep(0.05)
            usage.append(proc_usage(server.pid))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        r = [x for x in runs(data)[before:] if x[3]]
        incremental = r[1:]  # the first run saw the first commit again
        secs = [(x[3] - x[2]) / 1e6 for x in incremental] or [0.0]
        states = {x[1] for x in incremental}
        print(f"history under ward serve: {len(incremental)} incremental runs of {args.step} "
              f"commits, states {sorted(states)}, total {sum(secs):.1f} s, median "
              f"{statistics.median(secs):.3f} s, max {max(secs):.3f} s, listed "
              f"{sum(x[4] for x in incremental)} (a change-feed run lists only the changes), "
              f"fetched {sum(x[5] for x in incremental)}, deleted "
              f"{sum(x[6] for x in incremental)}")
        marks = sorted({0, len(usage) // 4, len(usage) // 2, 3 * len(usage) // 4, len(usage) - 1})
        print("server RSS (MiB) / open fds after runs " + ", ".join(
            f"{i + 1}: {usage[i][0] / 1024:.1f} / {usage[i][1]}" for i in marks))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
