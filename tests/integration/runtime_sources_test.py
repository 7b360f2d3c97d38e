#!/usr/bin/env python3
"""Runtime sources (docs/design/ingest.md, "Runtime sources") on the real binary:

* POST /v1/sources creates a source that `ward serve` runs at once; a bad body is a 400 naming the
  key, a clash with ward.toml a 409, a local root outside [runtime_sources] allowed_roots a 400,
  a non-admin a 403;
* GET /v1/sources lists both origins, GET/PUT /v1/sources/{name} read and replace one;
* DELETE /v1/sources/{name} stops it and holds the deletion of its documents for an approval,
  `?approve=ID` deletes them and drops it;
* the body's `credential` is sealed and never echoed, logged, traced or stored in clear (the data
  dir and the server's log are grepped for it);
* `ward sources add|remove`, `ward sources` and `ward sync NAME` see runtime sources;
* a push snapshot of a runtime jsonl source (POST /v1/sources/{name}/snapshot, `ward ingest --jsonl
  --snapshot`) runs with the source's stored settings (its max_delete_share).
"""
import json
import os
import shutil
import sys
import tempfile

from harness import (WARD_BIN, check, error_message, http_request, run_ward as ward, start_server,
                     stop_server, summary, wait_until)

CREDENTIAL = "rt-cred-7f3a9c1e5b2d4a6f8e0c"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def search_ids(data, query):
    p = ward(data, "search", query, "--as", "admin", "--json")
    if p.returncode != 0:
        return None
    return {h["doc_id"] for h in json.loads(p.stdout).get("hits", [])}


def push_records(n):
    return [{"id": f"p{i}", "text": f"pushed record {i} pushrttoken",
             "acl": {"groups": ["staff"]}} for i in range(n)]


def grep_tree(root, needle):
    """Files under root whose bytes contain needle."""
    hits = []
    for d, _, files in os.walk(root):
        for name in files:
            path = os.path.join(d, name)
            try:
                with open(path, "rb") as f:
                    if needle.encode() in f.read():
                        hits.append(path)
            except OSError:
                pass
    return hits


def main():
    if not WARD_BIN:
        print("set WARD_BIN")
        return 2
    tmp = tempfile.mkdtemp(prefix="ward_rtsrc_")
    try:
        data = os.path.join(tmp, "data")
        if ward(data, "init").returncode != 0:
            print("ward init failed")
            return 1
        allowed = os.path.join(tmp, "allowed")
        rt_root = os.path.join(allowed, "rt")
        for i in range(3):
            write(os.path.join(rt_root, f"page{i}.md"), f"# Page {i}\n\nrtsrctoken{i} text\n")
        push_root = os.path.join(allowed, "pushrt.jsonl")
        cfg_root = os.path.join(tmp, "cfg")
        write(os.path.join(cfg_root, "a.md"), "# A\n\ncfgsrctoken\n")
        with open(os.path.join(data, "ward.toml"), "a") as f:
            f.write(f'\n[runtime_sources]\nallowed_roots = ["{allowed}"]\n\n'
                    f'[[sources]]\nname = "cfg"\nconnector = "folder"\nroot = "{cfg_root}"\n')
        admin_key = ward(data, "key", "create", "admin").stdout.strip()
        ward(data, "user", "add", "quinn")
        user_key = ward(data, "key", "create", "quinn").stdout.strip()
        log_path = os.path.join(tmp, "serve.err")
        log = open(log_path, "w")
        proc, base = start_server(data, stderr=log)
        try:
            body = {"name": "rt", "connector": "folder", "root": rt_root,
                    "acl": [{"glob": "*", "groups": ["staff"]}], "credential": CREDENTIAL}
            st, _, b = http_request(base, "POST", "/v1/sources", body, key=user_key)
            check("POST /v1/sources is admin only (403)", st == 403, (st, b))
            st, _, b = http_request(base, "POST", "/v1/sources", dict(body, page_items="x"),
                                    key=admin_key)
            check("a bad body is a 400 naming the key",
                  st == 400 and "source.page_items: must be an integer" in error_message(b),
                  (st, b))
            st, _, b = http_request(base, "POST", "/v1/sources", dict(body, bogus=1), key=admin_key)
            check("an unknown key is a 400 naming it",
                  st == 400 and "source.bogus: unknown key" in error_message(b), (st, b))
            st, _, b = http_request(base, "POST", "/v1/sources", dict(body, name="cfg"),
                                    key=admin_key)
            check("a name ward.toml configures is a 409", st == 409 and "ward.toml" in
                  error_message(b), (st, b))
            st, _, b = http_request(base, "POST", "/v1/sources", dict(body, root=cfg_root),
                                    key=admin_key)
            check("a local root outside [runtime_sources] allowed_roots is a 400 naming root",
                  st == 400 and "source.root" in error_message(b), (st, b))
            st, _, b = http_request(base, "POST", "/v1/sources", dict(body, allow_private=True),
                                    key=admin_key)
            check("allow_private is refused over the API (400 naming it)",
                  st == 400 and "source.allow_private" in error_message(b), (st, b))
            st, _, b = http_request(base, "POST", "/v1/sources", body, key=admin_key)
            check("POST /v1/sources creates a runtime source (201)",
                  st == 201 and b.get("origin") == "api" and b.get("created_by") == "admin"
                  and b.get("token_secret") == "source-credential.rt", (st, b))
            check("the credential is not echoed", CREDENTIAL not in json.dumps(b), b)
            st, _, b = http_request(base, "GET", "/v1/secrets", key=admin_key)
            check("the credential is sealed as the tenant secret source-credential.rt",
                  st == 200 and "source-credential.rt" in b.get("secrets", []), (st, b))
            st, _, b = http_request(base, "POST", "/v1/sources", body, key=admin_key)
            check("a second POST of the name is a 409", st == 409, (st, b))
            check("ward serve runs a new runtime source at once",
                  wait_until(lambda: search_ids(data, "rtsrctoken1") == {"rt:page1.md"},
                             "the runtime source's first run"))
            st, _, b = http_request(base, "GET", "/v1/sources", key=admin_key)
            origins = {s["name"]: s["origin"] for s in b.get("sources", [])} if st == 200 else {}
            check("GET /v1/sources lists both origins", origins == {"cfg": "config", "rt": "api"}, b)
            st, _, b = http_request(base, "GET", "/v1/sources/rt", key=admin_key)
            check("GET /v1/sources/{name} shows one with its documents",
                  st == 200 and b.get("documents") == 3 and b.get("origin") == "api", (st, b))
            st, _, b = http_request(base, "GET", "/v1/sources/nosuch", key=admin_key)
            check("GET of an unknown source is a 404", st == 404, (st, b))
            put = {k: v for k, v in body.items() if k != "credential"}
            put["schedule_s"] = 3600
            put["token_secret"] = "source-credential.rt"
            st, _, b = http_request(base, "PUT", "/v1/sources/rt", put, key=admin_key)
            check("PUT /v1/sources/{name} replaces it (keeping its sealed credential)",
                  st == 200 and b.get("schedule_s") == 3600
                  and b.get("token_secret") == "source-credential.rt", (st, b))
            st, _, b = http_request(base, "PUT", "/v1/sources/cfg", dict(put, name="cfg"),
                                    key=admin_key)
            check("PUT of a ward.toml source is a 409", st == 409, (st, b))
            st, _, b = http_request(base, "PUT", "/v1/sources/rt", dict(put, name="other"),
                                    key=admin_key)
            check("PUT with another name in the body is a 400", st == 400, (st, b))
            st, _, b = http_request(base, "DELETE", "/v1/sources/cfg", key=admin_key)
            check("DELETE of a ward.toml source is a 409", st == 409, (st, b))

            def delete(path):
                # A scheduled run may hold the source's lock for a moment: 409 busy, try again.
                result = {}

                def attempt():
                    result["r"] = http_request(base, "DELETE", path, key=admin_key)
                    return not (result["r"][0] == 409 and "in progress" in
                                error_message(result["r"][2]))
                wait_until(attempt, "the source's lock")
                return result["r"]
            st, _, b = delete("/v1/sources/rt")
            approval = b.get("approval_id", "") if isinstance(b, dict) else ""
            check("DELETE holds the deletion of its documents for an approval (202)",
                  st == 202 and b.get("outcome") == "held" and approval and not b.get("removed"),
                  (st, b))
            st, _, b = http_request(base, "GET", "/v1/sources/rt", key=admin_key)
            check("a source waiting for its deletion shows removing: true",
                  st == 200 and b.get("removing") is True, (st, b))
            check("its documents stay while the deletion is held",
                  search_ids(data, "rtsrctoken1") == {"rt:page1.md"})
            st, _, b = delete("/v1/sources/rt?approve=" + approval)
            check("DELETE ?approve=ID deletes its documents and drops it",
                  st == 200 and b.get("removed") is True and b.get("deleted") == 3, (st, b))
            check("its documents leave search", search_ids(data, "rtsrctoken1") == set())
            st, _, b = http_request(base, "GET", "/v1/sources/rt", key=admin_key)
            check("a removed source is gone (404)", st == 404, (st, b))
            st, _, b = http_request(base, "GET", "/v1/secrets", key=admin_key)
            check("its sealed credential went with it",
                  st == 200 and "source-credential.rt" not in b.get("secrets", []), (st, b))
            http_request(base, "PUT", "/v1/secrets/spare", {"value": "x"}, key=admin_key)
            st, _, b = http_request(base, "DELETE", "/v1/secrets/spare", key=admin_key)
            check("DELETE /v1/secrets/{name} deletes a secret",
                  st == 200 and b.get("deleted") is True, (st, b))
            st, _, b = http_request(base, "DELETE", "/v1/secrets/spare", key=admin_key)
            check("DELETE of a missing secret is a 404", st == 404, (st, b))

            # A push snapshot of a runtime jsonl source runs with the source's stored settings:
            # its max_delete_share of 0.5 lets a snapshot that deletes 30% through, where the
            # default 0.2 would hold it.
            write(push_root, "".join(json.dumps(r) + "\n" for r in push_records(10)))
            st, _, b = http_request(base, "POST", "/v1/sources",
                                    {"name": "pushrt", "connector": "jsonl", "root": push_root,
                                     "max_delete_share": 0.5}, key=admin_key)
            check("a runtime jsonl source is created", st == 201, (st, b))

            def push_docs():
                st, _, b = http_request(base, "GET", "/v1/sources/pushrt", key=admin_key)
                return st == 200 and b.get("documents") == 10 and b.get("last_run") \
                    and b["last_run"].get("outcome") == "completed"
            check("ward serve runs it once", wait_until(push_docs, "the jsonl source's run"))
            result = {}

            def snapshot():
                result["r"] = http_request(base, "POST", "/v1/sources/pushrt/snapshot",
                                           push_records(7), key=admin_key)
                return not (result["r"][0] == 409 and "in progress" in
                            error_message(result["r"][2]))
            wait_until(snapshot, "the source's lock")
            st, _, b = result["r"]
            check("POST /v1/sources/{name}/snapshot of a runtime source uses its stored "
                  "max_delete_share (30% deleted, not held)",
                  st == 200 and b.get("outcome") == "completed" and b.get("deleted") == 3,
                  (st, b))
        finally:
            stop_server(proc)
            log.close()

        # The CLI mirror.
        spec = os.path.join(tmp, "rt2.json")
        with open(spec, "w") as f:
            json.dump({"name": "rt2", "connector": "folder", "root": rt_root}, f)
        p = ward(data, "sources", "add", spec)
        check("ward sources add creates a runtime source", p.returncode == 0, p.stderr)
        listed = json.loads(ward(data, "sources").stdout or "[]")
        check("ward sources lists it (origin api)",
              any(s["name"] == "rt2" and s["origin"] == "api" for s in listed), listed)
        p = ward(data, "sync", "rt2", "--json")
        run = json.loads(p.stdout or "{}") if p.returncode == 0 else {}
        check("ward sync NAME runs a runtime source", run.get("outcome") == "completed"
              and run.get("indexed") == 3, (p.returncode, p.stdout[-300:], p.stderr))
        p = ward(data, "sources", "remove", "rt2")
        held = json.loads(p.stdout or "{}") if p.stdout else {}
        check("ward sources remove holds the deletion (exit 5)",
              p.returncode == 5 and held.get("approval_id"), (p.returncode, p.stdout, p.stderr))
        p = ward(data, "sources", "remove", "rt2", "--approve", held.get("approval_id", "x"))
        check("ward sources remove --approve ID removes it", p.returncode == 0, (p.stdout, p.stderr))
        p = ward(data, "sync", "rt2")
        check("a removed source is unknown to ward sync",
              p.returncode != 0 and "no source 'rt2'" in p.stderr, p.stderr)

        snap = os.path.join(tmp, "snap4.jsonl")
        write(snap, "".join(json.dumps(r) + "\n" for r in push_records(4)))
        p = ward(data, "ingest", "--jsonl", snap, "--snapshot", "--source", "pushrt", "--json")
        run = json.loads(p.stdout or "{}") if p.returncode == 0 else {}
        check("ward ingest --jsonl --snapshot of a runtime source uses its stored settings too "
              "(3 of 7 deleted, not held)",
              run.get("outcome") == "completed" and run.get("deleted") == 3,
              (p.returncode, p.stdout[-300:], p.stderr))

        p = ward(data, "secrets", "set", "spare2", stdin="v\n")
        check("ward secrets set stores a secret", p.returncode == 0, p.stderr)
        p = ward(data, "secrets", "delete", "spare2")
        check("ward secrets delete removes it", p.returncode == 0, p.stderr)
        p = ward(data, "secrets", "delete", "spare2")
        check("ward secrets delete of a missing secret fails naming it",
              p.returncode != 0 and "spare2" in p.stderr, (p.returncode, p.stderr))
        # The grep below can see the traces: a source's changes are in them in clear.
        check("the traces are greppable (the check below can fail)",
              grep_tree(data, "source_changed") != [])
        leaked = grep_tree(data, CREDENTIAL) + (
            [log_path] if CREDENTIAL in open(log_path, errors="replace").read() else [])
        check("the credential is nowhere in the data dir (db, traces, audit) or the log", not leaked,
              leaked)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
