#!/usr/bin/env python3
"""Slack source sync figures against tests/integration/fakes/slack_fake.py (docs/design/ingest.md,
"Slack"; issue 16: 50k messages).

Usage: python3 bench/slack_sync_bench.py [--ward build/ward] [--messages 50000]
                                          [--channels 50] [--days 100] [--lag-runs 3]

Seeds the fake with MESSAGES messages over CHANNELS channels (a fifth of them private) and DAYS
days (one reply in ten is a thread reply), then prints:
* the initial `ward sync`: seconds, messages/s, windows (documents) and the peak RSS of ward,
  beside the fake's serving rate in the same run (a bare Python client making the same
  history and replies calls: the ceiling);
* a run with no change and a run after one edit: requests (by method), windows fetched;
* the revocation lag under `ward serve` (schedule_s = 1): seconds from the fake applying a
  member's removal from a private channel until that member's GET /v1/search no longer shows it.
No peer publishes comparable figures (docs/design/ingest.md).
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration", "fakes"))
import slack_fake  # noqa: E402

WORDS = ("policy leave travel expense review budget audit vendor contract security access "
         "incident backup release roadmap hiring onboarding payroll benefit quarter region "
         "customer support ticket escalation metric latency storage network cluster").split()
T0 = 1_700_000_000


def ctl(base, op, **body):
    req = urllib.request.Request(f"{base}/_control/{op}", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def stats(base):
    with urllib.request.urlopen(f"{base}/_control/stats", timeout=60) as r:
        return json.loads(r.read())


def workspace(n, channels, days, seed=7):
    rnd = random.Random(seed)
    users = [{"id": f"U{i}", "name": f"user{i}", "profile": {"email": f"user{i}@example.com"}}
             for i in range(40)]
    chans, msgs = [], {}
    per = n // channels
    for c in range(channels):
        cid = f"C{c:04d}"
        private = c % 5 == 0
        chans.append({"id": cid, "name": f"chan{c}", "is_private": private,
                      "members": [f"U{i}" for i in range(c % 40, c % 40 + 6)] if private
                      else []})
        out = []
        parents = []
        for k in range(per):
            day = k * days // per
            ts = f"{T0 + day * 86400 + k}.000100"
            m = {"ts": ts, "user": f"U{rnd.randrange(40)}",
                 "text": " ".join(rnd.choice(WORDS) for _ in range(12)) + f" c{c}m{k}tok"}
            if parents and k % 10 == 9:
                m["thread_ts"] = parents[-1]
            else:
                parents.append(ts)
            out.append(m)
        msgs[cid] = out
    return {"users": users, "channels": chans, "messages": msgs}


def client_rate(base, channels):
    """Messages per second a bare Python client reads from the fake with the same calls as a
    first pass (history pages of 200, then each thread's replies): the fake's ceiling."""
    def get(method, **q):
        req = urllib.request.Request(f"{base}/api/{method}?{urllib.parse.urlencode(q)}",
                                     headers={"Authorization": "Bearer " + slack_fake.TOKEN})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())
    n, t = 0, time.monotonic()
    for c in channels:
        cursor, threads = "", []
        while True:
            j = get("conversations.history", channel=c["id"], limit=200, cursor=cursor)
            n += len(j["messages"])
            threads += [m["ts"] for m in j["messages"] if m.get("reply_count")]
            cursor = j["response_metadata"]["next_cursor"]
            if not cursor:
                break
        for ts in threads:
            n += len(get("conversations.replies", channel=c["id"], ts=ts, limit=200)["messages"])
    return n / (time.monotonic() - t)


def ward(bin_, data, *args, **kw):
    return subprocess.run([bin_, "--data", data, *args], capture_output=True, text=True, **kw)


def config(data, base, schedule=0):
    with open(os.path.join(data, "ward.toml"), "a") as f:
        f.write(f'''
[[sources]]
name = "slack"
connector = "slack"
base_url = "{base}/api"
allow_private = true
allowed_hosts = ["127.0.0.1"]
token_secret = "slack_token"
schedule_s = {schedule}
[[sources.identities]]
match = "*@example.com"
principal = "{{local}}"
''')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ward", default=os.environ.get("WARD_BIN", "build/ward"))
    ap.add_argument("--messages", type=int, default=50000)
    ap.add_argument("--channels", type=int, default=50)
    ap.add_argument("--days", type=int, default=100)
    ap.add_argument("--lag-runs", type=int, default=3)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ward_slack_bench_")
    server, base = slack_fake.start()
    try:
        data = os.path.join(tmp, "data")
        ward(args.ward, data, "init", check=True)
        for i in range(40):
            ward(args.ward, data, "user", "add", f"user{i}")
        ward(args.ward, data, "secrets", "set", "slack_token", input=slack_fake.TOKEN + "\n")
        ws = workspace(args.messages, args.channels, args.days)
        ctl(base, "seed", **ws)
        config(data, base)
        ctl(base, "reset_stats")
        t = time.monotonic()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", args.ward, "--data", data, "sync",
                            "slack", "--json"], capture_output=True, text=True)
        secs = time.monotonic() - t
        rss_kb = int(p.stderr.strip().splitlines()[-1]) if p.stderr.strip() else 0
        run = json.loads(p.stdout)
        st = stats(base)
        fake_rate = client_rate(base, ws["channels"])
        print(f"initial sync: {args.messages} messages, {args.channels} channels, {args.days} "
              f"days -> {run['listed']} windows, outcome {run['outcome']}")
        print(f"  {secs:.1f} s, {args.messages / secs:.0f} messages/s, "
              f"{run['listed'] / secs:.0f} windows/s, peak RSS {rss_kb / 1024:.0f} MiB, "
              f"{st['total']} requests")
        print(f"  the fake's serving rate to a bare Python client making the same calls "
              f"(the ceiling): {fake_rate:.0f} messages/s ({st['messages_served']} served "
              f"to ward)")
        ctl(base, "reset_stats")
        t = time.monotonic()
        run = json.loads(ward(args.ward, data, "sync", "slack", "--json").stdout)
        st = stats(base)
        print(f"no-change run: {time.monotonic() - t:.1f} s, {st['total']} requests "
              f"{st['requests']}, {st['messages_served']} messages read, fetched "
              f"{run['fetched']} (run record: {run.get('requests')} requests)")
        last = ws["messages"]["C0001"][-1]
        ctl(base, "edit", channel="C0001", ts=last["ts"], text="edited benchtoken")
        ctl(base, "reset_stats")
        run = json.loads(ward(args.ward, data, "sync", "slack", "--json").stdout)
        st = stats(base)
        print(f"one-edit run: {st['total']} requests {st['requests']}, fetched {run['fetched']} "
              f"(run record: {run.get('requests')} requests)")

        # Revocation lag under ward serve.
        with open(os.path.join(data, "ward.toml")) as f:
            text = f.read().replace("schedule_s = 0", "schedule_s = 1")
        with open(os.path.join(data, "ward.toml"), "w") as f:
            f.write(text)
        proc = subprocess.Popen([args.ward, "--data", data, "serve", "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        wbase = proc.stdout.readline().strip().split(" ")[-1]
        lags = []
        try:
            private = [c for c in ws["channels"] if c["is_private"]]
            for i in range(args.lag_runs):
                c = private[i % len(private)]
                victim = c["members"][0]
                key = ward(args.ward, data, "key", "create", "user" + victim[1:]).stdout.strip()
                tok = ws["messages"][c["id"]][0]["text"].split()[-1]

                def visible():
                    req = urllib.request.Request(
                        f"{wbase}/v1/search?q={urllib.parse.quote(tok)}&k=5",
                        headers={"Authorization": "Bearer " + key})
                    with urllib.request.urlopen(req, timeout=30) as r:
                        return len(json.loads(r.read()).get("hits", [])) > 0

                deadline = time.monotonic() + 120
                while not visible() and time.monotonic() < deadline:
                    time.sleep(0.1)
                ctl(base, "members", channel=c["id"], members=c["members"][1:])
                t = time.monotonic()
                while visible() and time.monotonic() < t + 300:
                    time.sleep(0.05)
                lags.append(time.monotonic() - t)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
        print(f"revocation lag under ward serve (schedule_s = 1): "
              f"median {statistics.median(lags):.1f} s, max {max(lags):.1f} s "
              f"over {len(lags)} removals")
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
