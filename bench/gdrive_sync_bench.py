#!/usr/bin/env python3
"""Google Drive connector throughput against tests/integration/fakes/drive_fake.py.

Usage: WARD_BIN=build/ward python3 bench/gdrive_sync_bench.py [--files 10000] [--page-size 100]

Prints Ward's initial sync (files/s, wall time, peak RSS of `ward sync`), the fake's own serving
rate for the same work (one client listing every page and exporting every file: the ceiling),
the requests of an incremental run after one edit (a change-feed run: changes.list from the
start page token the initial listing kept; the run record's `requests` beside the fake's count),
and the revocation lag: seconds from the fake revoking a permission (which its changes feed
reports) to `ward search` (as that user, under `ward serve` with schedule_s = --schedule) no
longer showing the file, over --lag-runs revocations. No peer publishes comparable figures.
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
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WARD = os.environ.get("WARD_BIN", os.path.join(REPO, "build", "ward"))
FAKE = os.path.join(REPO, "tests", "integration", "fakes", "drive_fake.py")
EMAIL = "bench@proj.iam.gserviceaccount.com"
SUBJECT = "admin@example.com"


def post(base, what, body=None):
    req = urllib.request.Request(base + "/_control/" + what, data=json.dumps(body or {}).encode(),
                                 method="POST")
    return json.loads(urllib.request.urlopen(req, timeout=120).read())


def get(base, path, token=None):
    req = urllib.request.Request(base + path)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    return urllib.request.urlopen(req, timeout=120).read()


def ward(data, *args, stdin=None):
    return subprocess.run([WARD, "--data", data, *args], capture_output=True, text=True,
                          input=stdin, timeout=3600)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--page-size", type=int, default=100)
    ap.add_argument("--schedule", type=int, default=5, help="schedule_s under ward serve")
    ap.add_argument("--lag-runs", type=int, default=5, help="revocations timed under serve")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ward_gdrive_bench_")
    fake = None
    try:
        key = os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:2048", "-out", key], check=True, capture_output=True)
        fake = subprocess.Popen([sys.executable, FAKE, "--key-pem", key, "--client-email", EMAIL,
                                 "--subject", SUBJECT], stdout=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{int(fake.stdout.readline().split()[1])}"
        post(base, "seed", {"count": args.files, "permissions": [
            {"type": "user", "role": "reader", "emailAddress": "alice@example.com"}]})
        data = os.path.join(tmp, "data")
        ward(data, "init")
        ward(data, "user", "add", "alice")
        ward(data, "secrets", "set", "drive_key", stdin=json.dumps(
            {"client_email": EMAIL, "private_key": open(key).read()}) + "\n")
        with open(os.path.join(data, "ward.toml"), "a") as f:
            f.write(f'''
[[sources]]
name = "drive"
connector = "gdrive"
base_url = "{base}"
allowed_hosts = ["127.0.0.1"]
allow_private = true
token_secret = "drive_key"
max_delete_share = 1.0
schedule_s = {args.schedule}

[sources.options]
subject = "{SUBJECT}"
token_url = "{base}/token"
page_size = {args.page_size}

[[sources.identities]]
match = "*@example.com"
principal = "{{local}}"
''')
        t0 = time.monotonic()
        p = ward(data, "sync", "drive", "--json")
        wall = time.monotonic() - t0
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        run = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
        if run.get("outcome") != "completed":
            print("initial sync failed:", p.stdout, p.stderr)
            return 1
        api0 = json.loads(get(base, "/_control/stats"))["api"]

        # The ceiling: the fake serving the same listing and exports to one plain client.
        token = post(base, "token")["access_token"]
        t0 = time.monotonic()
        page_token, served = "", 0
        while True:
            path = f"/drive/v3/files?pageSize={args.page_size}&fields=nextPageToken,files(id,permissions)"
            if page_token:
                path += "&pageToken=" + page_token
            page = json.loads(get(base, path, token))
            for f in page["files"]:
                get(base, f"/drive/v3/files/{f['id']}/export?mimeType=text/plain", token)
                served += 1
            page_token = page.get("nextPageToken", "")
            if not page_token:
                break
        ceiling = served / (time.monotonic() - t0)

        before = json.loads(get(base, "/_control/stats"))["api"]
        p = ward(data, "sync", "drive", "--json")
        same = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
        same_requests = json.loads(get(base, "/_control/stats"))["api"] - before
        post(base, "file", {"id": "f000007", "text": "edited benchword"})
        before = json.loads(get(base, "/_control/stats"))["api"]
        p = ward(data, "sync", "drive", "--json")
        inc = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
        inc_requests = json.loads(get(base, "/_control/stats"))["api"] - before
        # Revocation lag under ward serve: its runs read the changes feed.
        s0 = json.loads(get(base, "/_control/stats"))
        serve = subprocess.Popen([WARD, "--data", data, "serve", "--listen", "127.0.0.1:0"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lags = []
        try:
            def alice_sees(fid):
                p = ward(data, "search", "token" + fid, "--as", "alice", "--json")
                return p.returncode == 0 and len(json.loads(p.stdout).get("hits", [])) > 0
            deadline = time.monotonic() + 300
            # Revoke after serve's start-up run (a feed page, or a listing) has been served (the
            # lag then includes the wait for the next scheduled run).
            pages = -(-args.files // args.page_size)
            while time.monotonic() < deadline:
                s = json.loads(get(base, "/_control/stats"))
                if s["change_pages"] > s0["change_pages"] or \
                        s["list_pages"] >= s0["list_pages"] + pages:
                    break
                time.sleep(0.2)
            time.sleep(1.0)
            for i in range(args.lag_runs):
                fid = f"f{3 + i * 11:06d}"
                post(base, "permissions", {"id": fid, "permissions": [
                    {"type": "user", "role": "reader", "emailAddress": "bob@example.com"}]})
                t0 = time.monotonic()
                while alice_sees(fid) and time.monotonic() < deadline:
                    time.sleep(0.2)
                lags.append(time.monotonic() - t0)
        finally:
            serve.terminate()
            serve.wait(timeout=60)
        print(f"files {args.files}, page size {args.page_size}")
        print(f"ward initial sync: {wall:.1f} s, {args.files / wall:.0f} files/s, "
              f"peak RSS {rss_mb:.0f} MB, {api0} API requests")
        print(f"fake serving ceiling (one client, list + export): {ceiling:.0f} files/s")
        print(f"incremental run with no change: {same_requests} API requests "
              f"(run record: {same.get('requests')} requests with the token), "
              f"{same.get('message', '')[:60]!r}")
        print(f"incremental run after 1 edit: {inc_requests} API requests "
              f"(run record: {inc.get('requests')}), fetched {inc.get('fetched')}, "
              f"listed {inc.get('listed')}")
        lags.sort()
        print(f"revocation lag under ward serve (schedule_s {args.schedule}, {len(lags)} "
              f"revocations): median {lags[len(lags) // 2]:.1f} s, max {lags[-1]:.1f} s "
              "(including `ward search` start-up)")
    finally:
        if fake:
            fake.kill()
            fake.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
