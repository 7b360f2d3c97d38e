#!/usr/bin/env python3
"""GitHub source sync figures against the fake GitHub API (docs/design/ingest.md, "GitHub";
issue 16: a 5k-issue repository).

Usage: python3 bench/github_sync_bench.py [--ward build/ward] [--issues 5000] [--files 200]
                                          [--no-lag] [--keep]

Seeds tests/integration/fakes/github_fake.py (in this process) with one private organization
repository: ISSUES issues and pull requests (about 1.5 KB of text each, a comment on every third)
and FILES Markdown files. Prints:
* the fake's own serving rate: one sequential client asking what the connector asks (issue
  pages, the repository's comment pages, the tree and each blob), items/s (the ceiling: no peer
  publishes comparable figures);
* the initial `ward sync`: seconds, items/s, requests, and ward's peak RSS (wait4's ru_maxrss);
* an unchanged incremental run and an incremental run after 10 edits and 5 new comments:
  seconds, requests (and how many were 304s, which spend no rate limit), items fetched;
* the revocation lag: under `ward serve` (schedule_s = 1) a collaborator is removed at the
  fake; the seconds until `ward search --as` that user no longer shows the repository's document.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration", "fakes"))
from github_fake import GithubFake  # noqa: E402

TOKEN = "ghp_benchToken0123456789"
REPO = "acme/big"
WORDS = ("policy leave travel expense review budget audit vendor contract security access "
         "incident backup release roadmap hiring onboarding payroll benefit quarter region "
         "customer support ticket escalation metric latency storage network cluster").split()


def text(rnd, i, size=1500):
    out, n = [], 0
    while n < size:
        line = " ".join(rnd.choice(WORDS) for _ in range(12)) + f" issue{i}tok."
        out.append(line)
        n += len(line) + 1
    return "\n".join(out)


def ward(args, data, *rest, stdin=None, timeout=3600):
    return subprocess.run([args.ward, "--data", data, *rest], capture_output=True, text=True,
                          input=stdin, timeout=timeout)


def timed_sync(args, data):
    """(seconds, run JSON, peak RSS in MiB) of one `ward sync`."""
    t = time.monotonic()
    p = subprocess.Popen([args.ward, "--data", data, "sync", "bench", "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate()
    secs = time.monotonic() - t
    # The child is reaped by communicate(); its rusage is this process's children maximum.
    import resource
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    try:
        run = json.loads(out)
    except ValueError:
        run = {"error": err.strip()[-500:]}
    return secs, run, rss


def fake_ceiling(base):
    """Items/s one sequential client gets from the fake, asking what the connector asks on an
    initial sync: every issue page, every page of the repository's comments, and each file's
    tree entry and blob."""
    headers = {"Authorization": "Bearer " + TOKEN, "X-GitHub-Api-Version": "2022-11-28"}

    def get(url):
        r = urllib.request.urlopen(urllib.request.Request(url, headers=headers))
        body = json.loads(r.read())
        link = r.headers.get("Link", "")
        nxt = link.split(">")[0][1:] if link and 'rel="next"' in link.split(",")[0] else ""
        return body, nxt

    t = time.monotonic()
    items = 0
    for first in (f"{base}/repos/{REPO}/issues?state=all&per_page=100&sort=created"
                  "&direction=asc",
                  f"{base}/repos/{REPO}/issues/comments?per_page=100&sort=updated"
                  "&direction=asc"):
        url = first
        while url:
            page, url = get(url)
            if "/issues/comments" not in first:
                items += len(page)
    tree, _ = get(f"{base}/repos/{REPO}/git/trees/main?recursive=1")
    for e in tree["tree"]:
        if e["type"] == "blob":
            get(f"{base}/repos/{REPO}/git/blobs/{e['sha']}")
            items += 1
    return items / (time.monotonic() - t)


def configure(data, base, schedule=0):
    with open(os.path.join(data, "ward.toml"), "a") as f:
        f.write(f"""
[[sources]]
name = "bench"
connector = "github"
base_url = "{base}"
allowed_hosts = ["127.0.0.1"]
allow_private = true
token_secret = "gh"
schedule_s = {schedule}
max_expose_share = 1.0

[[sources.identities]]
match = "*"
principal = "{{identity}}"

[sources.options]
repos = ["{REPO}"]
""")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ward", default=os.path.join(HERE, "..", "build", "ward"))
    ap.add_argument("--issues", type=int, default=5000)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--no-lag", action="store_true")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    rnd = random.Random(16)
    fake = GithubFake(token=TOKEN)
    base = fake.start()
    fake.set_rate(10**9)
    fake.add_repo(REPO, private=True, org=True)
    for i in range(args.issues):
        n = fake.add_issue(REPO, f"Issue {i} " + " ".join(rnd.choice(WORDS) for _ in range(4)),
                           text(rnd, i), pr=(i % 5 == 0))
        if i % 3 == 0:
            fake.add_comment(REPO, n, text(rnd, i, 300))
    for i in range(args.files):
        fake.set_file(REPO, f"docs/d{i % 20}/page{i}.md", "# Page\n\n" + text(rnd, i, 3000))
    fake.set_collaborators(REPO, [{"login": "alice"}, {"login": "bob"}])
    tmp = tempfile.mkdtemp(prefix="ward_ghbench_")
    data = os.path.join(tmp, "data")
    try:
        ceiling = fake_ceiling(base)
        print(f"fake ceiling: {ceiling:.0f} items/s (one sequential client: issue and comment "
              "pages, tree, blobs)")
        ward(args, data, "init")
        for u in ("alice", "bob"):
            ward(args, data, "user", "add", u)
        ward(args, data, "secrets", "set", "gh", stdin=TOKEN + "\n")
        configure(data, base)
        items = args.issues + args.files

        fake.reset_counters()
        secs, run, rss = timed_sync(args, data)
        st = fake.stats()
        print(f"initial sync: {secs:.1f} s, {items / secs:.0f} items/s, {st['requests']} "
              f"requests (ward's run record: {run.get('requests')}), peak RSS {rss:.0f} MiB, outcome {run.get('outcome')}, "
              f"listed {run.get('listed')}, fetched {run.get('fetched')}")

        fake.reset_counters()
        secs, run, _ = timed_sync(args, data)
        st = fake.stats()
        print(f"unchanged run: {secs:.1f} s, {st['requests']} requests "
              f"({st['not_modified']} were 304; run record {run.get('requests')}), "
              f"fetched {run.get('fetched')}")
        fake.reset_counters()
        secs, run, _ = timed_sync(args, data)
        st = fake.stats()
        print(f"unchanged run again: {secs:.1f} s, {st['requests']} requests "
              f"({st['not_modified']} were 304), fetched {run.get('fetched')}")

        for k in range(10):
            fake.edit_issue(REPO, 1 + k * 7, body=text(rnd, 100000 + k))
        for k in range(5):
            fake.add_comment(REPO, 2 + k * 11, "a new comment " + text(rnd, k, 200))
        fake.reset_counters()
        secs, run, _ = timed_sync(args, data)
        st = fake.stats()
        print(f"incremental run (10 edits, 5 comments): {secs:.1f} s, {st['requests']} requests "
              f"({st['not_modified']} were 304; run record {run.get('requests')}), "
              f"fetched {run.get('fetched')}, "
              f"outcome {run.get('outcome')}")

        if not args.no_lag:
            revocation_lag(args, data, base, fake)
    finally:
        fake.stop()
        if args.keep:
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def revocation_lag(args, data, base, fake):
    path = os.path.join(data, "ward.toml")
    with open(path) as f:
        toml = f.read()
    with open(path, "w") as f:
        f.write(toml.replace("schedule_s = 0", "schedule_s = 1"))
    proc = subprocess.Popen([args.ward, "--data", data, "serve", "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        proc.stdout.readline()

        def visible():
            p = ward(args, data, "search", "issue1tok", "--as", "alice", "--json")
            return p.returncode == 0 and bool(json.loads(p.stdout).get("hits"))

        deadline = time.monotonic() + 600
        while not visible() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # let the server settle into its schedule
        t = time.monotonic()
        fake.set_collaborators(REPO, [{"login": "bob"}])
        while visible() and time.monotonic() < deadline:
            time.sleep(0.1)
        print(f"revocation lag under ward serve (schedule_s = 1): {time.monotonic() - t:.1f} s "
              f"from the fake's change to alice's search no longer showing the issue")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
