#!/usr/bin/env python3
"""Git source sync figures (docs/design/ingest.md, "Git"; issue 15's targets).

Usage: python3 bench/git_sync_bench.py [--ward build/ward] [--files 10000] [--commits 1000]
                                        [--step 10] [--steady] [--keep]

Builds a repository with `git fast-import` in a temp dir: FILES Markdown files (about 3 KB of
text each) in one commit, then COMMITS commits that each edit, add, delete or rename a few files.
Prints:
* the initial `ward sync` of the first commit: seconds and MB/s of text (target >= 20 MB/s),
  and the same tree synced as a folder source (the sync runner's own cost, git left out);
* the history replayed under `ward serve` (a source with schedule_s = 1): the branch moves STEP
  commits ahead after each run, for COMMITS/STEP incremental runs; total and median run time
  (from the runs' own started/finished times) and, after the first run and at each quarter, the
  server's RSS (anonymous and file-backed; sampled SETTLE_S after the run's finish, when its
  scheduler has handed the free heap back), open file descriptors and threads beside what
  explains them, read from its /metrics (server.metrics_data_gauges on): the heap in use and
  held by malloc, the index's own memory estimate, live documents, tombstones, chunks and text;
* --steady: the commits only edit (9 files each), so the corpus keeps its size and the runs'
  resource use can be judged flat or not without the data growing under it;
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
import urllib.request

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


def build_repo(repo, files, commits, seed, steady=False):
    """Returns (list of commit ids oldest first, bytes of text in the first commit). With
    `steady`, each commit after the first edits 9 files and adds, deletes or renames none."""
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
        elif steady:
            for p in rnd.sample(list(live), 9):
                ops.append(("M", p, text(rnd, live[p], c)))
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


def proc_usage(pid, address):
    """The server's figures now: /proc's RSS split, and its /metrics gauges (MiB or counts)."""
    row = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                row[key] = int(value.split()[0]) / 1024
    row["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    with urllib.request.urlopen(address + "/metrics", timeout=30) as r:
        for line in r.read().decode().splitlines():
            name, _, value = line.partition(" ")
            if name.startswith(("ward_process_", "ward_index_", "ward_store_")):
                v = float(value)
                row[name] = v / 1048576 if name.endswith("_bytes") else v
    return row


SETTLE_S = 0.2  # from a run's finish to the sample (the run's thread returns meanwhile)

USAGE_COLUMNS = (  # (heading, key, format)
    ("RSS", "VmRSS", ".1f"), ("anon", "RssAnon", ".1f"), ("file", "RssFile", ".1f"),
    ("heap used", "ward_process_heap_in_use_bytes", ".1f"),
    ("heap held", "ward_process_heap_held_bytes", ".1f"),
    ("index mem", "ward_index_memory_bytes", ".1f"), ("fds", "fds", "d"),
    ("threads", "ward_process_threads", ".0f"), ("docs", "ward_store_documents", ".0f"),
    ("tombstones", "ward_store_tombstones", ".0f"), ("chunks", "ward_store_chunks", ".0f"),
    ("text MiB", "ward_store_text_bytes", ".1f"), ("segments", "ward_index_segments", ".0f"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ward", default=os.environ.get("WARD_BIN", "build/ward"))
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--commits", type=int, default=1000)
    ap.add_argument("--step", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--steady", action="store_true",
                    help="commits only edit files: the corpus keeps its size")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    binary = os.path.abspath(args.ward)
    tmp = tempfile.mkdtemp(prefix="ward_git_bench_")
    try:
        repo = os.path.join(tmp, "repo.git")
        t0 = time.monotonic()
        commits, first_bytes = build_repo(repo, args.files, args.commits, args.seed, args.steady)
        print(f"repository: {args.files} files ({first_bytes / 1e6:.1f} MB of text), "
              f"{len(commits) - 1} commits after the first"
              f"{' (edits only)' if args.steady else ''}, built in {time.monotonic() - t0:.1f} s")

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
            toml = f.read().replace("schedule_s = 0", "schedule_s = 1").replace(
                "metrics_data_gauges = false", "metrics_data_gauges = true")
        with open(os.path.join(data, "ward.toml"), "w") as f:
            f.write(toml)
        before = len(runs(data))
        server = subprocess.Popen([binary, "--data", data, "serve", "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        usage = []
        try:
            address = None
            for line in server.stdout:
                if line.startswith("listening on "):
                    address = line.split()[2]
                    break
            if address is None:
                print("the server did not start")
                return 1
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
                # The scheduler hands free heap back once its run returns: sample after that.
                time.sleep(SETTLE_S)
                usage.append(proc_usage(server.pid, address))  # after run len(usage)
                position = min(position + args.step, len(commits) - 1)
                set_branch(repo, commits[position])
            # The run that covers the last step.
            while len([x for x in runs(data)[before:] if x[3]]) <= done - before:
                time.sleep(0.05)
            time.sleep(SETTLE_S)
            usage.append(proc_usage(server.pid, address))
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
        print("the server after runs (memory in MiB; heap from glibc's mallinfo2, index mem the "
              "index's own estimate):")
        print("  run  " + " ".join(f"{h:>10}" for h, _, _ in USAGE_COLUMNS))
        for i in marks:
            print(f"  {i + 1:>3}  " + " ".join(
                f"{format(usage[i].get(k, 0), f):>10}" for _, k, f in USAGE_COLUMNS))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
