#!/usr/bin/env python3
"""Git and archive sources on the real binary (docs/design/ingest.md, "Git", "Archives").

Usage: WARD_BIN=build/ward python3 tests/integration/git_sync_test.py

* a git repository built with `git` in a temp dir: the initial sync, an edit commit, a delete
  commit and a rename each leave search with exactly the new state; documents carry the commit
  and path in their metadata; a binary file is refused with its reason;
* the repository holds hooks (and a fsmonitor and a pack-objects hook in its config) that would
  create a marker file, and a submodule: neither runs, the marker never appears, the submodule's
  text is never indexed;
* roots Ward must refuse before git runs: an https host not on allowed_hosts, an allowed host
  that resolves to loopback (the SSRF rule), credentials in the URL, git's ext:: transport;
* an archive source (zip): a zip bomb (10 MB of zeros), a zip slip entry, a duplicate name and
  nested archives past the depth cap are each refused with a clear message while the rest of the
  archive syncs; a tar.gz source syncs; a FIFO as an archive is refused;
* a folder source with a 2 GB sparse file and a FIFO: both refused with a clear message (the
  sparse file by its size, without reading it), the rest syncs.
Prints "N passed, M failed" and exits non-zero on any failure.
"""

import base64
import http.server
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import threading
import warnings
import zipfile

from harness import WARD_BIN, check, run_ward as ward, summary

# The test's own git never runs the planted hooks either.
GIT_SAFE = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false",
            "-c", "protocol.file.allow=always"]
GIT_ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com")


def git(repo, *args):
    p = subprocess.run(["git", *GIT_SAFE, "-C", repo, *args], env=GIT_ENV, capture_output=True,
                       text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(f"git {args}: {p.stderr}")
    return p.stdout.strip()


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def configure(data, sources):
    path = os.path.join(data, "ward.toml")
    with open(path) as f:
        base = f.read().split("# --- sources (git_sync_test) ---")[0]
    with open(path, "w") as f:
        f.write(base + "# --- sources (git_sync_test) ---\n" + sources)


def source(name, connector, root, extra=""):
    return (f'[[sources]]\nname = "{name}"\nconnector = "{connector}"\nroot = "{root}"\n{extra}\n'
            '[[sources.acl]]\nglob = "*"\ngroups = ["staff"]\n\n')


def live_docs(data, src):
    """ext_id -> (text, metadata) of a source's live documents, read from ward.db."""
    db = sqlite3.connect(f"file:{os.path.join(data, 'ward.db')}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT d.ext_id, group_concat(c.text, ' '), d.metadata FROM documents d "
            "LEFT JOIN chunks c ON c.doc_id = d.id WHERE d.source = ? AND d.deleted = 0 "
            "GROUP BY d.id", (src,)).fetchall()
    finally:
        db.close()
    return {r[0]: (r[1] or "", json.loads(r[2] or "{}")) for r in rows}


def search_ids(data, query):
    p = ward(data, "search", query, "--as", "admin", "--json")
    if p.returncode != 0:
        return None
    return {h["doc_id"] for h in json.loads(p.stdout).get("hits", [])}


def sync(data, name):
    """(process, run JSON, the run's problems as "ITEM: MESSAGE" lines)."""
    p = ward(data, "sync", name, "--json", timeout=300)
    try:
        run = json.loads(p.stdout)
    except ValueError:
        run = {}
    problems = "\n".join(f"{x['item']}: {x['message']}" for x in run.get("problems", []))
    return p, run, problems


def plant_hooks(repo, marker):
    hook = f"#!/bin/sh\ntouch '{marker}'\n"
    hooks = os.path.join(repo, ".git", "hooks")
    for name in ("reference-transaction", "post-checkout", "post-merge", "post-update",
                 "pre-receive", "update", "post-receive", "pre-push", "post-rewrite",
                 "fsmonitor-watchman", "push-to-checkout"):
        write(os.path.join(hooks, name), hook)
        os.chmod(os.path.join(hooks, name), 0o755)
    script = os.path.join(repo, "marker.sh")
    write(script, hook)
    os.chmod(script, 0o755)
    git(repo, "config", "core.fsmonitor", script)
    git(repo, "config", "uploadpack.packObjectsHook", script)
    git(repo, "config", "core.hooksPath", hooks)


def test_git(data, tmp):
    marker = os.path.join(tmp, "HOOK_RAN")
    sub = os.path.join(tmp, "sub")
    os.makedirs(sub)
    git(sub, "init", "-q", "-b", "main")
    write(os.path.join(sub, "inside.md"), "# Sub\n\nsubmoduletoken\n")
    git(sub, "add", "-A")
    git(sub, "commit", "-q", "-m", "sub")
    sub_head = git(sub, "rev-parse", "HEAD")

    repo = os.path.join(tmp, "repo")
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    write(os.path.join(repo, "docs", "a.md"), "# A\n\nThe alphaone token.\n")
    write(os.path.join(repo, "docs", "b.md"), "# B\n\nThe bravoone token.\n")
    write(os.path.join(repo, "c.txt"), "The charlieone token.\n")
    write(os.path.join(repo, "d.md"), "# D\n\nThe deltaone token.\n")
    write(os.path.join(repo, "e.md"), "# E\n\nThe echoone token.\n")
    write(os.path.join(repo, "blob.md"), "bin\0ary\0binarytoken\n")
    write(os.path.join(repo, "x", "y", "z", "deep.md"), "# Deep\n\ngitdeeptoken\n")
    os.symlink("docs/a.md", os.path.join(repo, "link.md"))
    write(os.path.join(repo, ".gitmodules"),
          f'[submodule "vendor"]\n\tpath = vendor\n\turl = {sub}\n')
    git(repo, "add", "-A")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{sub_head},vendor")
    git(repo, "commit", "-q", "-m", "initial")
    plant_hooks(repo, marker)

    configure(data, source("repo", "git", repo,
                           'ref = "main"\nmax_delete_share = 1.0\nmax_depth = 3\n'))
    p, run, problems = sync(data, "repo")
    check("the initial git sync completes", p.returncode == 0 and run.get("outcome") == "completed",
          p.stdout + p.stderr)
    check("the binary file is refused with its reason",
          "repo:blob.md: binary file" in problems, problems)
    check("the submodule is refused, never fetched",
          "repo:vendor: submodule: never fetched" in problems, problems)
    check("the symbolic link is refused, not followed",
          "repo:link.md: symbolic link: not followed" in problems, problems)
    check("a path deeper than max_depth is refused",
          "repo:x/y/z/deep.md: deeper than 3 path components" in problems, problems)
    expected = {"repo:docs/a.md", "repo:docs/b.md", "repo:c.txt", "repo:d.md", "repo:e.md"}
    docs = live_docs(data, "repo")
    check("the store holds the tree's documents", set(docs) == expected, sorted(docs))
    head = git(repo, "rev-parse", "HEAD")
    meta = docs.get("repo:docs/a.md", ("", {}))[1]
    check("a document's metadata carries the commit and path",
          meta.get("commit") == head and meta.get("path") == "docs/a.md"
          and len(meta.get("blob", "")) == 40, meta)
    check("search finds the initial text", search_ids(data, "alphaone") == {"repo:docs/a.md"})
    check("the submodule's text is not indexed", search_ids(data, "submoduletoken") == set())
    check("the binary file's text is not indexed", search_ids(data, "binarytoken") == set())

    # An edit commit.
    write(os.path.join(repo, "docs", "a.md"), "# A\n\nThe alphatwo token.\n")
    git(repo, "commit", "-q", "-am", "edit a")
    p, run, problems = sync(data, "repo")
    check("the edit sync is a change-feed run that lists only the changed file",
          p.returncode == 0 and run.get("fetched") == 1 and run.get("listed") == 1
          and run.get("unchanged") == 0 and run.get("message", "").startswith("incremental"),
          p.stdout + p.stderr)
    print(f"     incremental edit run: listed {run.get('listed')}, fetched {run.get('fetched')}")
    check("the edit is searchable", search_ids(data, "alphatwo") == {"repo:docs/a.md"})
    check("the old text left search", search_ids(data, "alphaone") == set())

    # A delete commit.
    git(repo, "rm", "-q", "docs/b.md")
    write(os.path.join(repo, "later.md"), "late\0binary\0latebinarytoken\n")
    git(repo, "add", "later.md")
    git(repo, "commit", "-q", "-m", "delete b, add a binary file")
    p, run, problems = sync(data, "repo")
    check("a binary file added later is refused; the unchanged one is not listed again",
          "repo:later.md: binary file" in problems and "repo:blob.md" not in problems,
          problems)
    check("the delete sync deletes one document from the diff, listing nothing else",
          p.returncode == 0 and run.get("deleted") == 1 and run.get("fetched") == 0
          and run.get("listed") == 0, p.stdout + p.stderr)
    check("the deleted file left search", search_ids(data, "bravoone") == set())

    # A rename: the old id is deleted, the new one added.
    git(repo, "mv", "c.txt", "docs/c2.txt")
    git(repo, "commit", "-q", "-m", "rename c")
    p, run, problems = sync(data, "repo")
    check("the rename sync deletes the old path and adds the new one",
          p.returncode == 0 and run.get("deleted") == 1 and run.get("listed") == 1,
          p.stdout + p.stderr)
    check("search finds the renamed file under its new id",
          search_ids(data, "charlieone") == {"repo:docs/c2.txt"})
    docs = live_docs(data, "repo")
    expected = {"repo:docs/a.md", "repo:docs/c2.txt", "repo:d.md", "repo:e.md"}
    check("the store holds exactly the new tree", set(docs) == expected, sorted(docs))
    head = git(repo, "rev-parse", "HEAD")
    check("the renamed document carries the new commit",
          docs.get("repo:docs/c2.txt", ("", {}))[1].get("commit") == head, docs)
    check("no planted hook ever ran", not os.path.exists(marker))
    mirror = os.path.join(data, "sync", "git", "repo.git")
    check("the mirror is bare and has no hooks", os.path.isfile(os.path.join(mirror, "HEAD"))
          and not os.path.exists(os.path.join(mirror, "hooks"))
          and not os.path.exists(os.path.join(mirror, "index")), os.listdir(mirror))
    # A local root's objects are borrowed, not copied: the mirror names the repository's object
    # directory as an alternate and holds no pack or loose object of its own.
    with open(os.path.join(mirror, "objects", "info", "alternates")) as f:
        alternates = f.read().split("\n")
    own = [n for n in os.listdir(os.path.join(mirror, "objects")) if n not in ("info", "pack")]
    check("the mirror borrows the local root's objects instead of copying them",
          os.path.realpath(os.path.join(repo, ".git", "objects")) in alternates
          and not own and not os.listdir(os.path.join(mirror, "objects", "pack")),
          (alternates, own))
    # A hook planted in the mirror itself (the data dir tampered with) does not run either:
    # every git command Ward runs sets core.hooksPath=/dev/null.
    write(os.path.join(mirror, "hooks", "reference-transaction"), f"#!/bin/sh\ntouch '{marker}'\n")
    os.chmod(os.path.join(mirror, "hooks", "reference-transaction"), 0o755)
    write(os.path.join(repo, "e.md"), "# E\n\nThe echotwo token.\n")
    git(repo, "commit", "-q", "-am", "edit e")
    p, run, problems = sync(data, "repo")
    check("a sync that moves the mirror's ref completes", p.returncode == 0
          and run.get("fetched") == 1, p.stdout + p.stderr)
    check("the hook planted in the mirror never ran", not os.path.exists(marker))
    shutil.rmtree(os.path.join(mirror, "hooks"))
    p, run, problems = sync(data, "repo")
    check("a sync with no new commit reads nothing",
          p.returncode == 0 and run.get("fetched") == 0 and run.get("deleted") == 0, p.stdout)
    check("a sync with no new commit lists nothing",
          run.get("listed") == 0 and run.get("message", "").startswith("incremental"), p.stdout)

    # ward sync --full lists the whole tree (deletion detection) and probes the binary blobs again.
    p = ward(data, "sync", "repo", "--full", "--json", timeout=300)
    run = json.loads(p.stdout or "{}")
    check("--full lists the whole tree", p.returncode == 0 and run.get("listed") == 4
          and not run.get("message", "").startswith("incremental"), p.stdout + p.stderr)
    test_change_feed_edges(data, repo)
    test_git_refusals(data, marker)


def test_change_feed_edges(data, repo):
    # A force-push: the synced commit is no longer an ancestor, so the run lists the whole tree.
    write(os.path.join(repo, "f.md"), "# F\n\nThe foxtrotone token.\n")
    git(repo, "add", "f.md")
    git(repo, "commit", "-q", "-m", "add f")
    p, run, _ = sync(data, "repo")
    check("f is synced by a change-feed run", p.returncode == 0 and run.get("listed") == 1
          and search_ids(data, "foxtrotone") == {"repo:f.md"}, p.stdout + p.stderr)
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    write(os.path.join(repo, "g.md"), "# G\n\nThe golfone token.\n")
    git(repo, "add", "g.md")
    git(repo, "commit", "-q", "-m", "add g instead (force-pushed)")
    p, run, _ = sync(data, "repo")
    check("after a force-push the run lists the whole tree",
          p.returncode == 0 and run.get("listed") == 5
          and not run.get("message", "").startswith("incremental"), p.stdout + p.stderr)
    check("the commit dropped by the force-push left search",
          search_ids(data, "foxtrotone") == set() and search_ids(data, "golfone") == {"repo:g.md"})
    expected = {"repo:docs/a.md", "repo:docs/c2.txt", "repo:d.md", "repo:e.md", "repo:g.md"}
    check("the store holds exactly the force-pushed tree", set(live_docs(data, "repo")) == expected,
          sorted(live_docs(data, "repo")))

    # full_every_s = 0: every run lists the whole tree.
    configure(data, source("repo", "git", repo, 'ref = "main"\nmax_delete_share = 1.0\n'
                           'max_depth = 3\n[sources.options]\nfull_every_s = 0\n'))
    write(os.path.join(repo, "d.md"), "# D\n\nThe deltatwo token.\n")
    git(repo, "commit", "-q", "-am", "edit d")
    p, run, _ = sync(data, "repo")
    check("with full_every_s = 0 an edit run lists the whole tree",
          p.returncode == 0 and run.get("listed") == 5 and run.get("fetched") == 1,
          p.stdout + p.stderr)
    configure(data, source("repo", "git", repo, 'ref = "main"\n[sources.options]\n'
                           'full_every_s = "daily"\n'))
    p, run, _ = sync(data, "repo")
    check("a bad full_every_s is refused by name", p.returncode != 0
          and "options.full_every_s must be an integer" in p.stdout + p.stderr,
          p.stdout + p.stderr)


def test_change_feed_held(data, tmp):
    """A change-feed run whose deletions pass the guard is held; the next runs diff from the last
    completed run's commit, so the approval's run finds (and applies) the same deletions."""
    repo = os.path.join(tmp, "heldrepo")
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    for i in range(5):
        write(os.path.join(repo, f"h{i}.md"), f"# H{i}\n\nThe heldtoken{i} token.\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "five")
    configure(data, source("held", "git", repo, 'ref = "main"\n'))
    p, run, _ = sync(data, "held")
    check("the held-guard repository syncs", p.returncode == 0, p.stdout + p.stderr)
    git(repo, "rm", "-q", "h0.md", "h1.md", "h2.md")
    git(repo, "commit", "-q", "-m", "delete three of five")
    p, run, _ = sync(data, "held")
    check("a change-feed run deleting 3 of 5 is held (exit 5), nothing deleted",
          p.returncode == 5 and run.get("outcome") == "held"
          and run.get("message", "").startswith("incremental")
          and len(live_docs(data, "held")) == 5, p.stdout + p.stderr)
    p, run2, _ = sync(data, "held")
    check("the next run diffs from the last completed commit and is held again",
          p.returncode == 5 and run2.get("approval_id") == run.get("approval_id"), p.stdout)
    p = ward(data, "sync", "held", "--approve", run.get("approval_id", ""), "--json", timeout=300)
    out = json.loads(p.stdout or "{}")
    check("the approved change-feed run applies the three deletions", p.returncode == 0
          and out.get("deleted") == 3
          and set(live_docs(data, "held")) == {"held:h3.md", "held:h4.md"},
          p.stdout + p.stderr)


def test_git_refusals(data, marker):
    # Roots refused before git runs.
    refusals = [
        ("https://git.example.invalid/r.git", 'allowed_hosts = ["other.example"]',
         "is not on the source's allowed_hosts"),
        ("https://localhost/r.git", 'allowed_hosts = ["localhost"]',
         "resolves to a loopback address"),
        ("https://user:secret@localhost/r.git", 'allowed_hosts = ["localhost"]',
         "credentials in a URL are refused"),
        (f"ext::sh -c touch% {marker}", "", "only a local path, file:// and https://"),
        ("relative/repo", "", "must be absolute"),
    ]
    for root, extra, message in refusals:
        configure(data, source("bad", "git", root, extra))
        p, _, _ = sync(data, "bad")
        check(f"root {root} is refused ({message})",
              p.returncode != 0 and message in (p.stdout + p.stderr), p.stdout + p.stderr)
        if "secret" in root:
            check("credentials in a refused URL never reach the output",
                  "secret" not in p.stdout + p.stderr, p.stdout + p.stderr)
    check("no planted hook ran after the refusals either", not os.path.exists(marker))


class SmartHttp(http.server.BaseHTTPRequestHandler):
    """git's smart HTTP over `git http-backend` (CGI), answering 401 to a request without the
    expected Authorization header. The class attributes are set by the test."""
    project_root = ""
    expected_auth = ""
    seen_auth = []
    refused = 0

    def log_message(self, *args):
        pass

    def handle_one(self):
        auth = self.headers.get("Authorization", "")
        SmartHttp.seen_auth.append(auth)
        if auth != SmartHttp.expected_auth:
            SmartHttp.refused += 1
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        env = dict(GIT_ENV, GIT_PROJECT_ROOT=SmartHttp.project_root, GIT_HTTP_EXPORT_ALL="1",
                   PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD=self.command,
                   CONTENT_TYPE=self.headers.get("Content-Type", ""),
                   CONTENT_LENGTH=str(len(body)), REMOTE_ADDR="127.0.0.1")
        for h in ("Content-Encoding", "Git-Protocol"):
            if self.headers.get(h):
                env["HTTP_" + h.upper().replace("-", "_")] = self.headers[h]
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True,
                             timeout=120).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").split("\r\n"):
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.strip().split()[0])
            elif key:
                headers.append((key, value.strip()))
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = handle_one
    do_POST = handle_one


def grep_tree(root, needles):
    """The files under root holding any of the byte strings `needles`."""
    hits = []
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            if any(n in data for n in needles):
                hits.append(os.path.relpath(path, root))
    return hits


def test_git_token(data, tmp):
    token = "wardgittoken-" + os.urandom(8).hex()
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    work = os.path.join(tmp, "tokrepo")
    os.makedirs(work)
    git(work, "init", "-q", "-b", "main")
    write(os.path.join(work, "secret-plan.md"), "# Plan\n\nThe hoteltokenone token.\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "initial")
    served = os.path.join(tmp, "served")
    os.makedirs(served)
    subprocess.run(["git", *GIT_SAFE, "clone", "-q", "--bare", work,
                    os.path.join(served, "repo.git")], env=GIT_ENV, check=True, timeout=120)
    SmartHttp.project_root = served
    SmartHttp.expected_auth = "Basic " + basic
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SmartHttp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/repo.git"
    try:
        p = ward(data, "secrets", "set", "gittok", stdin=token + "\n")
        check("the token is stored as a tenant secret", p.returncode == 0, p.stderr)
        extra = 'allowed_hosts = ["127.0.0.1"]\n'
        configure(data, source("anon", "git", url, extra + "allow_private = true\n"))
        p, run, _ = sync(data, "anon")
        check("the test's server refuses git without the token (401)",
              p.returncode != 0 and SmartHttp.refused > 0, p.stdout + p.stderr)
        configure(data, source("tok", "git", url, extra + 'token_secret = "gittok"\n'))
        p, run, _ = sync(data, "tok")
        check("http:// is refused without allow_private",
              p.returncode != 0 and "http:// is refused" in p.stdout + p.stderr,
              p.stdout + p.stderr)
        SmartHttp.seen_auth = []
        configure(data, source("tok", "git", url,
                               extra + 'token_secret = "gittok"\nallow_private = true\n'))
        p, run, _ = sync(data, "tok")
        logs = p.stdout + p.stderr
        check("a git remote with a token syncs", p.returncode == 0
              and run.get("outcome") == "completed" and run.get("listed") == 1, logs)
        check("git sent the token as Basic x-access-token in every request",
              SmartHttp.seen_auth and all(a == "Basic " + basic for a in SmartHttp.seen_auth),
              SmartHttp.seen_auth[:3])
        check("the remote's text is searchable",
              search_ids(data, "hoteltokenone") == {"tok:secret-plan.md"})
        # A second commit, fetched incrementally with the token.
        write(os.path.join(work, "secret-plan.md"), "# Plan\n\nThe hoteltokentwo token.\n")
        git(work, "commit", "-q", "-am", "edit")
        git(work, "push", "-q", os.path.join(served, "repo.git"), "main")
        p, run, _ = sync(data, "tok")
        logs += p.stdout + p.stderr
        check("the next commit is fetched with the token", p.returncode == 0
              and run.get("fetched") == 1 and search_ids(data, "hoteltokentwo") ==
              {"tok:secret-plan.md"}, p.stdout + p.stderr)
        # A wrong token: the run fails, and neither token reaches the output.
        ward(data, "secrets", "set", "gittok", stdin="wrong-" + token + "\n")
        p, run, _ = sync(data, "tok")
        logs += p.stdout + p.stderr
        check("a wrong token fails the run", p.returncode != 0
              and run.get("outcome") == "failed", p.stdout + p.stderr)
        needles = [token.encode(), basic.encode(),
                   base64.b64encode(f"x-access-token:wrong-{token}".encode())]
        check("the token is in no output", not any(n.decode() in logs for n in needles), logs)
        check("the token is nowhere in the data dir (mirror config, traces, store, logs)",
              grep_tree(data, needles) == [], grep_tree(data, needles))
        p = ward(data, "trace", "list", "--kind", "sync_run")
        last = p.stdout.strip().splitlines()[-1].split("\t")[-1] if p.stdout.strip() else ""
        shown = ward(data, "trace", "show", last) if last else p
        check("the failed run's sync_run event carries git's error, scrubbed of the token",
              shown.returncode == 0 and "tok" in shown.stdout and "failed" in shown.stdout
              and not any(n.decode() in shown.stdout for n in needles),
              shown.stdout[-800:] + shown.stderr)
    finally:
        server.shutdown()
        server.server_close()


def test_git_canary(data, tmp):
    work = os.path.join(tmp, "canwork")
    os.makedirs(work)
    git(work, "init", "-q", "-b", "main")
    write(os.path.join(work, "n.md"), "# N\n\nThe canaryneighbourgit token.\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "initial")
    bare = os.path.join(tmp, "can.git")
    subprocess.run(["git", *GIT_SAFE, "clone", "-q", "--bare", work, bare], env=GIT_ENV,
                   check=True, timeout=120)
    configure(data, source("gcan", "git", bare, 'ref = "main"\n'))
    p, run, _ = sync(data, "gcan")
    check("the bare repository syncs", p.returncode == 0, p.stdout + p.stderr)
    before = git(bare, "rev-parse", "main")
    p = ward(data, "sync", "canary", "gcan", "--json", timeout=300)
    out = json.loads(p.stdout) if p.returncode == 0 else {}
    print(f"     git canary figures (seconds): {out.get('seconds')}")
    check("a git canary times create, update and delete until search reflects each",
          set(out.get("seconds", {})) == {"create", "update", "delete"}, p.stdout + p.stderr)
    log = git(bare, "log", "--format=%s", "main")
    check("the canary committed a create, an update and a delete to the branch",
          log.count("ward sync canary: ward-canary-") == 3, log)
    check("the branch's tree holds no canary file afterwards",
          "ward-canary-" not in git(bare, "ls-tree", "-r", "--name-only", "main"))
    check("the history before the canary is kept",
          git(bare, "merge-base", "--is-ancestor", before, "main") == "")
    check("the canary left search", search_ids(data, "wardcanary") == set())
    # Refused: a non-bare repository and a remote root.
    configure(data, source("gwork", "git", work, 'ref = "main"\n'))
    p = ward(data, "sync", "canary", "gwork")
    check("a canary in a non-bare repository is refused", p.returncode != 0
          and "a local bare repository Ward may write to" in p.stderr, p.stdout + p.stderr)
    configure(data, source("gremote", "git", "https://git.example.com/r.git",
                           'allowed_hosts = ["git.example.com"]\n'))
    p = ward(data, "sync", "canary", "gremote")
    check("a canary of a remote root is refused", p.returncode != 0
          and "the root is remote" in p.stderr, p.stdout + p.stderr)


def test_folder_archives(data, tmp):
    root = os.path.join(tmp, "farch")
    write(os.path.join(root, "plain.md"), "# Plain\n\nfolderplaintoken\n")
    write(os.path.join(root, "kit", "bundle.zip"), make_zip([
        ("guide.md", "# Guide\n\nfolderzipguidetoken\n"),
        ("old.md", "# Old\n\nfolderzipoldtoken\n"),
        ("../slip.md", "# Slip\n\nfoldersliptoken\n"),
    ]), "wb")
    write(os.path.join(root, "bomb.zip"), make_zip([("z.txt", b"\0" * (10 << 20))]), "wb")
    tgz = os.path.join(root, "t.tar.gz")
    with tarfile.open(tgz, "w:gz") as t:
        body = b"# Tar\n\nfoldertartoken\n"
        info = tarfile.TarInfo("in/t.md")
        info.size = len(body)
        t.addfile(info, io.BytesIO(body))
    configure(data, '[[sources]]\nname = "farch"\nconnector = "folder"\n'
              f'root = "{root}"\nmax_delete_share = 1.0\npage_items = 2\n'
              '[[sources.acl]]\nglob = "kit/*"\ngroups = ["kitreaders"]\n'
              '[[sources.acl]]\nglob = "*"\ngroups = ["staff"]\n')
    p, run, problems = sync(data, "farch")
    check("a folder with archives syncs; the bomb and the slip are refused, the run completes",
          p.returncode == 0 and run.get("outcome") == "completed", p.stdout + p.stderr)
    check("the zip slip entry is refused by name",
          "farch:kit/bundle.zip!/../slip.md: entry name refused (zip slip)" in problems, problems)
    check("the zip bomb is refused", "farch:bomb.zip!/z.txt: the archive inflates past" in problems,
          problems)
    docs = live_docs(data, "farch")
    expected = {"farch:plain.md", "farch:kit/bundle.zip!/guide.md", "farch:kit/bundle.zip!/old.md",
                "farch:t.tar.gz!/in/t.md"}
    check("each archive entry is a document <source>:<path>!/<entry>", set(docs) == expected,
          sorted(docs))
    meta = docs.get("farch:kit/bundle.zip!/guide.md", ("", {}))[1]
    check("an entry's parent is the archive", meta.get("parent") == "farch:kit/bundle.zip", meta)
    check("an entry takes the ACL of the archive's path",
          search_ids(data, "folderzipguidetoken") == {"farch:kit/bundle.zip!/guide.md"})
    for group in ("staff", "kitreaders"):
        ward(data, "group", "add", group)
    ward(data, "user", "add", "stella", "--groups", "staff")
    ward(data, "user", "add", "kim", "--groups", "kitreaders")

    def hits_as(who, query):
        p = ward(data, "search", query, "--as", who, "--json")
        return {h["doc_id"] for h in json.loads(p.stdout).get("hits", [])} if p.returncode == 0 \
            else None
    check("a reader of the archive's path sees its entries",
          hits_as("kim", "folderzipguidetoken") == {"farch:kit/bundle.zip!/guide.md"})
    check("a user outside the archive's path rule does not see its entries",
          hits_as("stella", "folderzipguidetoken") == set()
          and hits_as("stella", "folderplaintoken") == {"farch:plain.md"})
    check("no entry was extracted", not os.path.exists(os.path.join(root, "slip.md"))
          and sorted(os.listdir(os.path.join(root, "kit"))) == ["bundle.zip"])
    # The archive changes: old.md goes, new.md comes.
    write(os.path.join(root, "kit", "bundle.zip"), make_zip([
        ("guide.md", "# Guide\n\nfolderzipguidetoken\n"),
        ("new.md", "# New\n\nfolderzipnewtoken\n"),
    ]), "wb")
    p, run, problems = sync(data, "farch")
    docs = live_docs(data, "farch")
    check("a changed archive re-lists its entries and deletes the vanished one",
          p.returncode == 0 and "farch:kit/bundle.zip!/old.md" not in docs
          and "farch:kit/bundle.zip!/new.md" in docs and run.get("deleted") == 1,
          p.stdout + sorted(docs).__repr__())
    check("the vanished entry left search", search_ids(data, "folderzipoldtoken") == set())


def make_zip(entries):
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the duplicate name, on purpose
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in entries:
                z.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def test_archives(data, tmp):
    deep = make_zip([("deep.md", "# Deep\n\ndeeptoken\n")])
    inner = make_zip([("mid.md", "# Mid\n\nmidtoken\n"), ("deeper.zip", deep)])
    archive = make_zip([
        ("ok.md", "# Ok\n\nzipoktoken\n"),
        ("../slip.md", "# Slip\n\nsliptoken\n"),
        ("ok.md", "# Dup\n\nduptoken\n"),
        ("nested.zip", inner),
        ("bomb.txt", b"\0" * (10 << 20)),
        ("after.md", "# After\n\naftertoken\n"),
    ])
    path = os.path.join(tmp, "bundle.zip")
    write(path, archive, "wb")
    configure(data, source("zipped", "archive", path))
    p, run, problems = sync(data, "zipped")
    out = p.stdout + p.stderr
    check("the zip bomb stops the archive: the run is partial (exit 1)",
          p.returncode == 1 and run.get("outcome") == "partial" and not run.get("exhausted"), out)
    check("the zip bomb is refused by its ratio",
          "zipped:bomb.txt: the archive inflates past 100 times its size" in problems, problems)
    check("the zip slip entry is refused", "zipped:../slip.md: entry name refused (zip slip)"
          in problems, problems)
    check("the duplicate name is refused", "zipped:ok.md: entry name refused: a duplicate"
          in problems, problems)
    check("the archive nested past the cap is refused",
          "zipped:nested.zip!/deeper.zip: an archive nested deeper than 2 levels" in problems,
          problems)
    docs = live_docs(data, "zipped")
    check("the rest of the archive synced",
          set(docs) == {"zipped:ok.md", "zipped:nested.zip!/mid.md"}, sorted(docs))
    check("the first ok.md is the one indexed", "zipoktoken" in docs.get("zipped:ok.md", ("",))[0])
    for token in ("sliptoken", "duptoken", "deeptoken"):
        check(f"{token} is not searchable", search_ids(data, token) == set())
    check("no file was extracted next to the archive", sorted(os.listdir(tmp)).count("slip.md") == 0)

    tgz = os.path.join(tmp, "bundle.tar.gz")
    with tarfile.open(tgz, "w:gz") as t:
        body = b"# Tar\n\ntartoken\n"
        info = tarfile.TarInfo("docs/t.md")
        info.size = len(body)
        t.addfile(info, io.BytesIO(body))
    configure(data, source("tarred", "archive", tgz))
    p, run, problems = sync(data, "tarred")
    check("a tar.gz source syncs", p.returncode == 0 and run.get("outcome") == "completed",
          p.stdout + p.stderr)
    check("its entry is searchable", search_ids(data, "tartoken") == {"tarred:docs/t.md"})

    fifo = os.path.join(tmp, "fifo.zip")
    os.mkfifo(fifo)
    configure(data, source("fifo", "archive", fifo))
    p, run, problems = sync(data, "fifo")
    check("a FIFO as an archive is refused, never opened for reading",
          p.returncode != 0 and "not a regular file" in p.stdout + p.stderr, p.stdout + p.stderr)


def test_relative_data_dir(tmp):
    """`ward --data DIR` with DIR relative to the working directory: the mirror goes under DIR."""
    repo = os.path.join(tmp, "relrepo")
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    write(os.path.join(repo, "r.md"), "# R\n\nThe relativeone token.\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "r")
    work = os.path.join(tmp, "relwork")
    os.makedirs(work)

    def rel(*args):
        return subprocess.run([WARD_BIN, "--data", "reldata", *args], cwd=work,
                              capture_output=True, text=True, timeout=300)

    check("relative data dir: init", rel("init").returncode == 0)
    configure(os.path.join(work, "reldata"), source("rel", "git", repo, 'ref = "main"\n'))
    p = rel("sync", "rel", "--json")
    check("relative data dir: the git sync succeeds", p.returncode == 0, p.stderr[-500:])
    check("relative data dir: the mirror is under the data dir",
          os.path.isdir(os.path.join(work, "reldata", "sync", "git", "rel.git")))
    docs = live_docs(os.path.join(work, "reldata"), "rel")
    check("relative data dir: the file is indexed", set(docs) == {"rel:r.md"}, sorted(docs))


def test_folder_refusals(data, tmp):
    root = os.path.join(tmp, "folder-src")
    write(os.path.join(root, "fine.md"), "# Fine\n\nfolderfinetoken\n")
    big = os.path.join(root, "huge.md")
    with open(big, "wb") as f:
        f.truncate(2 << 30)  # 2 GiB, sparse: reading it would take seconds and memory
    os.mkfifo(os.path.join(root, "pipe.md"))
    configure(data, source("folder", "folder", root))
    p, run, problems = sync(data, "folder")
    check("the 2 GB sparse file is refused by its size",
          "folder:huge.md: larger than the source's max_file_bytes (2147483648 > " in problems,
          problems)
    check("the FIFO is refused", "pipe.md: FIFO" in problems, problems)
    check("the rest of the folder synced",
          search_ids(data, "folderfinetoken") == {"folder:fine.md"} and run.get("listed") == 1,
          p.stdout)


def main():
    if shutil.which("git") is None:
        print("git is not installed")
        return 77
    tmp = tempfile.mkdtemp(prefix="ward_git_")
    try:
        data = os.path.join(tmp, "data")
        if ward(data, "init").returncode != 0:
            print("ward init failed")
            return 1
        test_git(data, tmp)
        test_change_feed_held(data, tmp)
        test_git_token(data, tmp)
        test_git_canary(data, tmp)
        test_folder_archives(data, tmp)
        test_archives(data, tmp)
        test_folder_refusals(data, tmp)
        test_relative_data_dir(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
