#!/usr/bin/env python3
"""Audit log end to end, with the real `ward` binary.

Usage: WARD_BIN=build/ward python3 tests/integration/audit_test.py

1. `ward search --batch` writes trace events; `ward audit verify` passes; checkpoints export and
   verify with `--checkpoint`; `ward audit consistency` prints a verified proof; `pubkey` prints PEM.
2. On copies of that data dir, `ward audit verify` fails and names the first bad record when a
   record is changed, removed, inserted, or when two records are swapped (one check each); a
   forger who recomputes every CRC and the hash chain is caught by the signed checkpoints.
3. kill -9 of `ward serve` while client threads search (each 200 answer means its trace event is
   durable): afterwards the log verifies, and every acknowledged trace id is in it.
Private temp folders, port 0, Python standard library only. Prints "N passed, M failed".
"""

import hashlib
import json
import os
import random
import shutil
import signal
import struct
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from harness import WARD_BIN, check, run_ward as ward, start_server, summary, wait_until

SEGMENT = "audit/log/00000000000000000000.wal"


# --- the segment format (docs/formats/audit-log.md) ---

def _crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def header_size(seg):
    """magic, first index, prev hash, frontier count and hashes, CRC"""
    assert seg[:8] == b"WARDLOG1", seg[:8]
    return 49 + 32 * seg[48] + 4


def split_records(seg):
    out, at = [], header_size(seg)
    while at < len(seg):
        (n,) = struct.unpack_from("<I", seg, at)
        out.append(seg[at:at + 84 + n])
        at += 84 + n
    return out


def join_records(header, records):
    return header + b"".join(records)


def record_body(rec):
    return rec[84:]


def forge(records, index, new_body):
    """Replace a body and recompute every CRC, hash and chain link after it, as a forger with
    write access (but without the signing key) would."""
    out = list(records[:index])
    prev = records[index][12:44]
    for i in range(index, len(records)):
        body = new_body if i == index else record_body(records[i])
        (idx,) = struct.unpack_from("<Q", records[i], 4)
        head = struct.pack("<IQ", len(body), idx) + prev + hashlib.sha256(body).digest()
        head += struct.pack("<I", crc32c(body))
        head += struct.pack("<I", crc32c(head))
        out.append(head + body)
        prev = hashlib.sha256(b"\x00" + head[:76]).digest()
    return out


def read_segment(data):
    with open(os.path.join(data, SEGMENT), "rb") as f:
        return f.read()


def write_segment(data, content):
    with open(os.path.join(data, SEGMENT), "wb") as f:
        f.write(content)


def tampered_copy(base, name, mutate):
    copy = base + "-" + name
    shutil.copytree(base, copy)
    seg = read_segment(copy)
    write_segment(copy, join_records(seg[:header_size(seg)], mutate(split_records(seg))))
    return copy


def verify_fails_naming(data, name, needle):
    r = ward(data, "audit", "verify")
    check(f"verify detects a {name} record (exit {r.returncode})",
          r.returncode != 0 and needle in r.stderr, r.stdout + r.stderr)


def tamper_tests(tmp):
    data = os.path.join(tmp, "d")
    ward(data, "init")
    batch = os.path.join(tmp, "queries.jsonl")
    with open(batch, "w") as f:
        for i in range(20):
            f.write(json.dumps({"id": str(i), "text": f"query number {i}"}) + "\n")
    r = ward(data, "search", "--batch", batch, "--as", "admin", "--json")
    check("batch search writes events", r.returncode == 0, r.stderr)
    r = ward(data, "audit", "verify")
    check("intact log verifies", r.returncode == 0 and "ok: 20 records" in r.stdout,
          r.stdout + r.stderr)
    r = ward(data, "trace", "list", "--kind", "search", "--principal", "admin", "--json")
    events = [json.loads(line) for line in r.stdout.splitlines()] if r.returncode == 0 else []
    check("trace list reads the events back",
          len(events) == 20 and events[3]["attributes"]["query"] == "query number 3"
          and events[3]["record"] == 3, r.stdout[:500] + r.stderr)
    r = ward(data, "trace", "list", "--principal", "nobody")
    check("trace list --principal filters", r.returncode == 0 and r.stdout == "", r.stdout)
    r = ward(data, "trace", "list", "--since", "2099-01-01")
    check("trace list --since filters", r.returncode == 0 and r.stdout == "", r.stdout)
    r = ward(data, "trace", "list", "--kind", "search", "--limit", "2")
    check("trace list --limit keeps the newest", r.returncode == 0
          and [line.split("\t")[0] for line in r.stdout.splitlines()] == ["18", "19"], r.stdout)
    if events:
        r = ward(data, "trace", "show", events[5]["trace_id"], "--json")
        shown = json.loads(r.stdout) if r.returncode == 0 else {}
        check("trace show ID", shown.get("record") == 5 and shown.get("kind") == "search",
              r.stdout + r.stderr)
    r = ward(data, "trace", "show", "0" * 32)
    check("trace show of an unknown id exits 3", r.returncode == 3, r.stderr)
    r = ward(data, "audit", "checkpoint")
    cp = json.loads(r.stdout) if r.returncode == 0 else {}
    check("audit checkpoint prints a signed checkpoint",
          # 20 searches + 5 recorded trace reads (the failed show records nothing)
          cp.get("tree_size") == 25 and len(cp.get("signature", "")) == 128, r.stdout + r.stderr)
    export = os.path.join(tmp, "cps.json")
    r = ward(data, "audit", "checkpoints", "--export", export)
    check("checkpoints export", r.returncode == 0 and os.path.exists(export), r.stderr)
    r = ward(data, "audit", "verify", "--checkpoint", export, "--json")
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    check("verify --checkpoint with the export", out.get("ok") is True, r.stdout + r.stderr)
    single = os.path.join(tmp, "one.json")
    with open(single, "w") as f:
        json.dump(cp, f)
    r = ward(data, "audit", "verify", "--checkpoint", single)
    check("verify --checkpoint with one checkpoint", r.returncode == 0, r.stderr)
    r = ward(data, "audit", "consistency", "--from", "7", "--to", "20")
    proof = json.loads(r.stdout) if r.returncode == 0 else {}
    check("consistency proof printed and verified",
          proof.get("verified") is True and len(proof.get("proof", [])) > 0, r.stdout + r.stderr)
    r = ward(data, "audit", "consistency", "--from", "7", "--to", "999")
    check("consistency past the end is refused", r.returncode == 2, r.stdout + r.stderr)
    r = ward(data, "audit", "pubkey")
    check("pubkey prints PEM", r.stdout.startswith("-----BEGIN PUBLIC KEY-----"), r.stdout)
    key_mode = os.stat(os.path.join(data, "audit", "signing.key")).st_mode & 0o777
    check("signing key is mode 0600", key_mode == 0o600, oct(key_mode))

    def change(recs):
        body = bytearray(record_body(recs[5]))
        body[body.index(b'"kind":"search"') + 8] ^= 0x20  # query text is sealed; kind is clear
        recs[5] = recs[5][:84] + bytes(body)
        return recs

    verify_fails_naming(tampered_copy(data, "changed", change), "changed", "record 5")
    verify_fails_naming(tampered_copy(data, "removed", lambda r: r[:5] + r[6:]), "removed",
                        "record 5")
    verify_fails_naming(tampered_copy(data, "inserted", lambda r: r[:6] + [r[2]] + r[6:]),
                        "inserted", "record 6")
    verify_fails_naming(
        tampered_copy(data, "reordered", lambda r: r[:5] + [r[7], r[6], r[5]] + r[8:]),
        "reordered", "record 5")
    forged = tampered_copy(
        data, "forged",
        lambda r: forge(r, 3, record_body(r[3]).replace(b'"kind":"search"', b'"kind":"SEARCH"')))
    r = ward(forged, "audit", "verify")
    check("verify detects a rewrite with recomputed CRCs and chain through checkpoints",
          r.returncode != 0 and "checkpoint" in r.stderr and "records 0..2" not in r.stderr,
          r.stdout + r.stderr)
    r = ward(data, "audit", "verify", "--checkpoint", export)
    check("the original still verifies", r.returncode == 0, r.stderr)


# --- kill -9 during appends ---

class Searcher(threading.Thread):
    def __init__(self, base, key, acked):
        super().__init__(daemon=True)
        self.base, self.key, self.acked = base, key, acked
        self.stop = False

    def run(self):
        n = 0
        while not self.stop:
            n += 1
            req = urllib.request.Request(
                self.base + "/v1/search", data=json.dumps({"query": f"q{n}"}).encode(),
                method="POST", headers={"Content-Type": "application/json",
                                        "Authorization": "Bearer " + self.key})
            try:
                with urllib.request.urlopen(req, timeout=120) as resp:
                    body = json.loads(resp.read())
                    if resp.status == 200 and body.get("trace_id"):
                        self.acked.append(body["trace_id"])
            except Exception:  # the server was killed
                return


def logged_trace_ids(data):
    ids = set()
    for name in sorted(os.listdir(os.path.join(data, "audit", "log"))):
        with open(os.path.join(data, "audit", "log", name), "rb") as f:
            seg = f.read()
        at = header_size(seg)
        while at + 84 <= len(seg):
            (n,) = struct.unpack_from("<I", seg, at)
            if at + 84 + n > len(seg):
                break
            try:
                ids.add(json.loads(seg[at + 84:at + 84 + n]).get("trace_id"))
            except ValueError:
                break
            at += 84 + n
    return ids


def kill_test(tmp, rounds=3):
    data = os.path.join(tmp, "k")
    ward(data, "init")
    key = ward(data, "key", "create", "admin").stdout.strip()
    rng = random.Random(7)
    acked = []
    for rnd in range(rounds):
        proc, base = start_server(data)
        threads = [Searcher(base, key, acked) for _ in range(4)]
        for t in threads:
            t.start()
        # Kill once this round has acknowledged searches (an event, however slow the machine),
        # then after a random extra moment so the kill lands mid-write at varying points.
        before = len(acked)
        wait_until(lambda: len(acked) >= before + 8, f"round {rnd}: acknowledged searches")
        time.sleep(rng.random() * 0.7)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for t in threads:
            t.stop = True
            t.join(timeout=150)
        r = ward(data, "audit", "verify")
        check(f"round {rnd}: log verifies after kill -9 ({len(acked)} acknowledged so far)",
              r.returncode == 0, r.stdout + r.stderr)
        missing = set(acked) - logged_trace_ids(data)
        check(f"round {rnd}: every acknowledged search is in the log", not missing,
              f"{len(missing)} missing, e.g. {sorted(missing)[:3]}")
    check("searches were acknowledged during the kill rounds", len(acked) > 20, len(acked))


def main():
    if not WARD_BIN:
        print("set WARD_BIN to the ward binary")
        return 2
    tmp = tempfile.mkdtemp(prefix="ward-audit-")
    try:
        tamper_tests(tmp)
        kill_test(tmp)
    except Exception as e:
        check("setup", False, repr(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
