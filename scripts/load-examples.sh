#!/usr/bin/env bash
# Loads an example company folder (people.json, acl.json, documents) into $WARD_DATA.
# Idempotent: existing principals are kept and unchanged documents create no new version.
# Usage: scripts/load-examples.sh WARD_BIN COMPANY_DIR
set -euo pipefail
WARD="$1"
DIR="$2"
"$WARD" init >/dev/null
python3 - "$WARD" "$DIR" <<'PY'
import json, os, subprocess, sys
ward, root = sys.argv[1], sys.argv[2]

def run(*args, quiet_exists=False):
    p = subprocess.run([ward, *args], capture_output=True, text=True)
    if p.returncode != 0 and not (quiet_exists and "already exists" in p.stderr):
        sys.stderr.write(p.stderr)
        sys.exit(p.returncode)
    return p.stdout

people = json.load(open(os.path.join(root, "people.json")))
groups = people.get("groups", [])
for g in groups:
    run("group", "add", g["name"], quiet_exists=True)
for g in groups:
    for parent in g.get("member_of", []):
        run("group", "join", g["name"], parent)
for u in people.get("users", []):
    if u["name"] == "admin":
        continue
    args = ["user", "add", u["name"]] + (["--admin"] if u.get("admin") else [])
    run(*args, quiet_exists=True)
    for g in u.get("groups", []):
        run("group", "join", u["name"], g)

rules = json.load(open(os.path.join(root, "acl.json")))
rules = rules["rules"] if isinstance(rules, dict) else rules
# Longest matching path wins; files no rule covers are not ingested.
files = []
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
    for f in sorted(filenames):
        rel = os.path.relpath(os.path.join(dirpath, f), root)
        best = None
        for r in rules:
            p = r["path"].rstrip("/")
            if rel == p or rel.startswith(p + "/"):
                if best is None or len(p) > len(best["path"].rstrip("/")):
                    best = r
        if best is not None:
            files.append((rel, best))
for rel, r in files:
    path = os.path.join(root, rel)
    if r.get("jsonl"):
        out = run("ingest", "--jsonl", path, "--source", r.get("source", "records"))
    else:
        args = ["ingest", path, "--root", root, "--source", r.get("source", "files")]
        if r.get("public"):
            args.append("--public")
        if r.get("users"):
            args += ["--acl-users", ",".join(r["users"])]
        if r.get("groups"):
            args += ["--acl-groups", ",".join(r["groups"])]
        out = run(*args)
    print(f"{rel}: {out.strip()}")
PY
