#!/usr/bin/env python3
"""Crash test: SIGKILL `ward ingest` and `ward serve` in the middle of writing, several times.

Usage: WARD_BIN=build/ward python3 tests/integration/crash_test.py [--rounds N] [--seed S]

Each round starts `ward ingest --jsonl big.jsonl` (30k small records, each with a unique
identifier token like DOC-00042-XYZ) and, at the same time, a `ward serve` that a client thread
pushes small record batches to over HTTP. At a random moment both processes get SIGKILL. The data dir's ward.toml uses tiny index segments
and a checkpoint every 300 changes, so kills land while segments are frozen, merged and written
to index/ (docs/formats/index-segments.md). Then:
  * the data directory opens cleanly (`ward status --json` exits 0) and the persisted index, if
    any checkpoint was written, loads without a rebuild (no "rebuilding from the store" warning),
  * every record pushed over HTTP that got a 2xx answer before the kill is searchable,
  * the JSONL records present form a prefix of the file (committed batches are whole, in order),
  * no searchable record is missing from the store's count.
Finally the ingest is re-run to completion and every record is checked. Everything happens in a
private temp folder; the server listens on 127.0.0.1 port 0. Python standard library only.
Prints "N passed, M failed" and exits non-zero on any failure.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from harness import WARD_BIN, check, run_ward as ward, start_server, summary

N_RECORDS = 30000
SAMPLE_EVERY = 150


def jsonl_token(i):
    return f"DOC-{i:05d}-XYZ"


def http_token(rnd, n):
    return f"HTTP-{rnd:02d}-{n:05d}-XYZ"


def write_big_jsonl(path):
    words = ["zephyr", "robot", "invoice", "pallet", "sensor", "ledger", "quorum", "battery"]
    with open(path, "w") as f:
        for i in range(N_RECORDS):
            f.write(json.dumps({
                "id": f"r{i:05d}",
                "text": f"Record {jsonl_token(i)} about the {words[i % len(words)]} "
                        f"and the {words[(i * 7) % len(words)]} number {i}.",
                "acl": {"public": True}}) + "\n")


class Pusher(threading.Thread):
    """Pushes batches of records over HTTP until stopped; remembers the acknowledged ones."""

    def __init__(self, base, key, rnd):
        super().__init__(daemon=True)
        self.base, self.key, self.rnd = base, key, rnd
        self.acked = []  # (doc id, token)
        self.stop = threading.Event()
        self.errors = 0
        self.rejected = 0  # non-2xx answers

    def run(self):
        n = 0
        while not self.stop.is_set():
            batch = []
            for _ in range(5):
                batch.append((f"h{self.rnd:02d}-{n:05d}", http_token(self.rnd, n)))
                n += 1
            body = {"source": "pushed", "records": [
                {"id": i, "text": f"Pushed record {t} for the crash test.", "acl": {"public": True}}
                for i, t in batch]}
            req = urllib.request.Request(self.base + "/v1/documents",
                                         data=json.dumps(body).encode(), method="POST")
            req.add_header("Content-Type", "application/json")
            req.add_header("Authorization", "Bearer " + self.key)
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    if 200 <= resp.status < 300:
                        self.acked.extend(batch)
            except urllib.error.HTTPError:
                self.rejected += 1
                if self.stop.wait(0.01):
                    return
            except (urllib.error.URLError, ConnectionError, OSError, ValueError):
                self.errors += 1
                if self.stop.wait(0.01):
                    return


def batch_search(data, scratch, queries):
    """Runs id->token lookups as admin in one process; returns {query id: [doc ids]}."""
    path = os.path.join(scratch, "queries.jsonl")
    with open(path, "w") as f:
        for qid, token in queries:
            f.write(json.dumps({"id": qid, "text": token, "k": 3}) + "\n")
    p = ward(data, "search", "--batch", path, "--as", "admin", "--json")
    if p.returncode != 0:
        raise RuntimeError(f"batch search failed ({p.returncode}): {p.stderr[-1000:]}")
    out = {}
    for line in p.stdout.splitlines():
        if line.strip():
            o = json.loads(line)
            out[o.get("id")] = [h["doc_id"] for h in o.get("hits", [])]
    return out


def jsonl_present(data, scratch):
    """Which sampled JSONL records are searchable (sorted indices)."""
    sample = list(range(0, N_RECORDS, SAMPLE_EVERY)) + [N_RECORDS - 1]
    found = batch_search(data, scratch, [(f"r{i:05d}", jsonl_token(i)) for i in sample])
    return sample, [i for i in sample if found.get(f"r{i:05d}") == [f"r{i:05d}"]]


def use_small_index_segments(data):
    """Tiny segments, quick merges and frequent checkpoints, so kills hit index writes."""
    import re  # local: the module's imports are shared with the test harness
    path = os.path.join(data, "ward.toml")
    with open(path) as f:
        text = f.read()
    text = re.sub(r"segment_chunks = \d+", "segment_chunks = 64", text)
    text = re.sub(r"merge_factor = \d+", "merge_factor = 2", text)
    text = re.sub(r"checkpoint_changes = \d+", "checkpoint_changes = 300", text)
    with open(path, "w") as f:
        f.write(text)


def check_round(data, scratch, rnd, acked, all_acked):
    p = ward(data, "status", "--json")
    try:
        st = json.loads(p.stdout) if p.returncode == 0 else {}
    except ValueError:
        st = {}
    check(f"round {rnd}: data dir opens cleanly after SIGKILL (status --json)",
          p.returncode == 0 and "documents" in st, f"rc={p.returncode} {p.stderr[-500:]}")
    check(f"round {rnd}: persisted index files are intact after SIGKILL",
          "rebuilding from the store" not in p.stderr, p.stderr[-500:])
    if all_acked:
        found = batch_search(data, scratch, all_acked)
        missing = [qid for qid, _ in all_acked if found.get(qid) != [qid]]
        check(f"round {rnd}: all {len(all_acked)} acknowledged HTTP records are searchable "
              f"({len(acked)} this round)", not missing, f"missing {missing[:10]}")
    sample, present = jsonl_present(data, scratch)
    prefix = sample[:len(present)]
    check(f"round {rnd}: JSONL records present form a prefix ({len(present)}/{len(sample)} "
          f"sampled)", present == prefix, f"present {present[:5]}..{present[-5:]}")
    return st


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("WARD_CRASH_SEED", "0")) or None)
    args = ap.parse_args()
    if not WARD_BIN or not os.path.exists(WARD_BIN):
        print("set WARD_BIN to the ward binary", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"seed {seed} (rerun with --seed {seed})")
    rng = random.Random(seed)
    scratch = tempfile.mkdtemp(prefix="ward-crash-")
    data = os.path.join(scratch, "data")
    started = time.monotonic()
    procs = []
    try:
        p = ward(data, "init")
        if p.returncode != 0:
            raise RuntimeError(f"init failed: {p.stderr}")
        use_small_index_segments(data)
        key = ward(data, "key", "create", "admin").stdout.strip()
        if not key.startswith("wk_"):
            raise RuntimeError(f"key create printed {key!r}")
        big = os.path.join(scratch, "big.jsonl")
        write_big_jsonl(big)

        all_acked = []
        loaded_rounds = 0
        # Modes rotate: the CLI ingest alone, HTTP pushes alone, and both at once on one data dir.
        modes = ["cli", "http", "both"]
        for rnd in range(args.rounds):
            mode = modes[rnd % len(modes)]
            server = pusher = ingest = None
            if mode in ("http", "both"):
                server, base = start_server(data)
                procs.append(server)
                pusher = Pusher(base, key, rnd)
                pusher.start()
                time.sleep(rng.uniform(0.0, 0.1))
            ingest_err = os.path.join(scratch, f"ingest-{rnd}.err")
            if mode in ("cli", "both"):
                with open(ingest_err, "w") as err:
                    ingest = subprocess.Popen([WARD_BIN, "--data", data, "ingest", "--jsonl", big],
                                              stdout=subprocess.DEVNULL, stderr=err)
                procs.append(ingest)
            time.sleep(rng.uniform(0.05, 0.8))
            ingest_rc = None
            if ingest is not None:
                ingest_rc = ingest.poll()
                if ingest_rc is None:
                    ingest.send_signal(signal.SIGKILL)
                ingest.wait()
            if server is not None:
                time.sleep(rng.uniform(0.0, 0.2))
                server.kill()
                server.wait()
                pusher.stop.set()
                pusher.join(timeout=15)
            # Only what was acknowledged before the server died counts.
            acked = list(pusher.acked) if pusher else []
            all_acked.extend(acked)
            state = "-" if ingest is None else "killed" if ingest_rc is None else f"exited {ingest_rc}"
            print(f"round {rnd} ({mode}): ingest {state}, {len(acked)} HTTP records acknowledged"
                  + (f", {pusher.errors} push errors" if pusher else ""))
            if ingest_rc not in (None, 0):
                with open(ingest_err) as f:
                    msg = f.read().strip()[-300:]
                check(f"round {rnd}: ingest that finished before the kill succeeded", False, msg)
            if mode == "both" and pusher:
                check(f"round {rnd}: server accepted pushes while the CLI ingested",
                      pusher.rejected == 0, f"{pusher.rejected} pushes rejected")
            st = check_round(data, scratch, rnd, acked, all_acked)
            loaded_rounds += 1 if st.get("index", {}).get("loaded") else 0
        check(f"the persisted index was loaded after {loaded_rounds} of {args.rounds} crashes",
              loaded_rounds > 0 or args.rounds < 3)

        # Re-running the ingest completes, and then everything is there.
        p = ward(data, "ingest", "--jsonl", big, "--json", timeout=300)
        try:
            rep = json.loads(p.stdout)
        except ValueError:
            rep = {}
        check("re-run of the ingest completes",
              p.returncode == 0 and rep.get("skipped") == 0
              and rep.get("created", 0) + rep.get("unchanged", 0) + rep.get("updated", 0)
              == N_RECORDS, f"rc={p.returncode} {rep or p.stderr[-500:]}")
        sample, present = jsonl_present(data, scratch)
        check("after the re-run every sampled JSONL record is searchable", present == sample,
              f"{len(present)}/{len(sample)}")
        p = ward(data, "status", "--json")
        st = json.loads(p.stdout) if p.returncode == 0 else {}
        check("document count covers all JSONL and acknowledged HTTP records",
              st.get("documents", 0) >= N_RECORDS + len(all_acked)
              and st.get("index", {}).get("lag_changes") == 0,
              f"{st.get('documents')} < {N_RECORDS + len(all_acked)}")
        ix = st.get("index", {})
        check("after a clean exit the index opens from its files, fully caught up",
              ix.get("loaded") is True and ix.get("persisted_seq") == ix.get("applied_seq"),
              ix)
        if all_acked:
            found = batch_search(data, scratch, all_acked)
            missing = [qid for qid, _ in all_acked if found.get(qid) != [qid]]
            check("acknowledged HTTP records still searchable at the end", not missing,
                  missing[:10])
    except Exception as e:  # setup failures count as one failure with the reason
        check("no unexpected exception", False, repr(e))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"(took {time.monotonic() - started:.1f}s)")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
