#!/usr/bin/env python3
"""The github connector authenticated as a GitHub App, on the real binary against the fake
GitHub API (tests/integration/fakes/github_fake.py; docs/design/ingest.md, "GitHub", "App
authentication").

Usage: WARD_BIN=build/ward python3 tests/integration/github_app_test.py

* the App's private key (PEM, generated here with `openssl genrsa`) sits in the sealed secrets
  store; the fake verifies the RS256 JWT with the public key and its claims, and issues an
  installation token; the sync completes with it, and searches work as with a plain token;
* the installation token expires mid-run (401): one new token is asked for and the run
  completes, with every document;
* a run without an expiry asks for exactly one token (tokens live in memory only);
* a wrong key (another App's) fails the run clearly (naming the App and the secret), deletes
  nothing;
* options: app_id without installation_id or app_key_secret, token_secret beside app_id, and a
  missing key secret are refused with a clear message;
* no installation token, JWT or key appears in a URL, `ward sync --json`, an error text, the
  state file or any file of the data dir but the secrets store.
Prints "N passed, M failed" and exits non-zero on any failure.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fakes"))

from github_fake import GithubFake  # noqa: E402
from harness import check, run_ward as ward, summary  # noqa: E402

REPO = "acme/app-repo"
APP_ID = 424242
INSTALLATION = 777


def genkey(path):
    subprocess.run(["openssl", "genrsa", "-out", path, "2048"], check=True, capture_output=True)
    out = subprocess.run(["openssl", "rsa", "-in", path, "-noout", "-modulus"], check=True,
                         capture_output=True, text=True).stdout
    return out.strip().split("=", 1)[1]


def configure(data, base, options=None, token_secret=None):
    opts = {"repos": [REPO], "app_id": APP_ID, "installation_id": INSTALLATION,
            "app_key_secret": "gh_app_key"} if options is None else options
    path = os.path.join(data, "ward.toml")
    with open(path) as f:
        head = f.read().split("# --- sources (github_app_test) ---")[0]
    lines = "".join(f"{k} = {json.dumps(v)}\n" for k, v in opts.items())
    with open(path, "w") as f:
        f.write(head + "# --- sources (github_app_test) ---\n" + f"""
[[sources]]
name = "gh"
connector = "github"
base_url = "{base}"
allowed_hosts = ["127.0.0.1"]
allow_private = true
max_delete_share = 1.0
{f'token_secret = "{token_secret}"' if token_secret else ""}

[[sources.identities]]
match = "alice"
principal = "alice"

[sources.options]
{lines}""")


def sync(data, *extra):
    p = ward(data, "sync", "gh", "--json", *extra, timeout=300)
    try:
        run = json.loads(p.stdout)
    except ValueError:
        run = {}
    return p, run.get("run", run)


def ids_as(data, query, who):
    p = ward(data, "search", query, "--as", who, "--json", "--k", "50")
    return {h["doc_id"] for h in json.loads(p.stdout).get("hits", [])} if p.returncode == 0 \
        else None


def main():
    tmp = tempfile.mkdtemp(prefix="ward-ghapp-")
    fake = GithubFake()
    base = fake.start()
    outputs = []
    try:
        key = os.path.join(tmp, "app.pem")
        modulus = genkey(key)
        other = os.path.join(tmp, "other.pem")
        genkey(other)
        pem = open(key).read()
        fake.enable_app(APP_ID, INSTALLATION, modulus, token_ttl=3600)
        fake.add_repo(REPO, private=True, org=False)
        fake.set_file(REPO, "docs/guide.md", "# Guide\n\nappfiletoken lives here.\n")
        for i in range(60):
            fake.add_issue(REPO, f"Issue {i}", f"appissue{i}token")
        fake.set_collaborators(REPO, [{"login": "alice", "pull": True}])

        data = os.path.join(tmp, "data")
        ward(data, "init")
        ward(data, "user", "add", "alice")
        ward(data, "user", "add", "mallory")
        # `ward secrets set` reads one line: the PEM goes in as its base64 (`base64 -w0 app.pem`).
        ward(data, "secrets", "set", "gh_app_key",
             stdin=base64.b64encode(pem.encode()).decode() + "\n")

        # --- options are checked strictly ---
        configure(data, base, {"repos": [REPO], "app_id": APP_ID})
        p, _ = sync(data)
        outputs.append(p.stdout + p.stderr)
        check("app_id alone is refused, naming the keys that go with it",
              p.returncode != 0 and "installation_id" in p.stdout + p.stderr, p.stdout + p.stderr)
        ward(data, "secrets", "set", "gh_token", stdin="ghp_plain\n")
        configure(data, base, token_secret="gh_token")
        p, _ = sync(data)
        check("token_secret beside app_id is refused",
              p.returncode != 0 and "exclude each other" in p.stdout + p.stderr,
              p.stdout + p.stderr)
        configure(data, base, {"repos": [REPO], "app_id": APP_ID, "installation_id": INSTALLATION,
                               "app_key_secret": "no_such_secret"})
        p, _ = sync(data)
        check("a missing key secret is refused, naming it",
              p.returncode != 0 and "no_such_secret" in p.stdout + p.stderr, p.stdout + p.stderr)

        # --- initial sync as the App, the installation token expiring mid-run ---
        configure(data, base)
        fake.expire_token(after=4)  # a few requests into the run
        p, run = sync(data)
        outputs.append(p.stdout + p.stderr)
        stats = fake.stats()
        check("the App's sync completes although its token expired mid-run",
              p.returncode == 0 and run.get("outcome") == "completed", p.stdout + p.stderr)
        check("the fake verified the JWT and issued a second token after the expiry",
              stats["app_tokens_issued"] == 2 and not stats["app_jwt_refused"],
              json.dumps({k: stats[k] for k in ("app_tokens_issued", "app_jwt_refused")}))
        check("every document is synced", ids_as(data, "appissue59token", "alice") ==
              {f"gh:{REPO}#60"} and ids_as(data, "appfiletoken", "alice") ==
              {f"gh:{REPO}:docs/guide.md"}, str(ids_as(data, "appissue59token", "alice")))
        check("a non-collaborator reads nothing", ids_as(data, "appfiletoken", "mallory") == set())

        # --- a run without an expiry asks for one token (tokens are never stored) ---
        p, run = sync(data)
        outputs.append(p.stdout + p.stderr)
        check("a second run asks for exactly one token (held in memory only)",
              p.returncode == 0 and fake.stats()["app_tokens_issued"] == 3,
              json.dumps(fake.stats()["app_tokens_issued"]))

        # --- a wrong key: a clear failure, nothing deleted ---
        other_pem = open(other).read()  # this one as a PEM with its line breaks written "\n"
        ward(data, "secrets", "set", "gh_app_key", stdin=other_pem.replace("\n", "\\n") + "\n")
        p, run = sync(data)
        text = p.stdout + p.stderr
        outputs.append(text)
        check("a wrong key fails the run clearly, naming the App and the secret",
              run.get("outcome") == "failed" and str(APP_ID) in text and "gh_app_key" in text,
              text)
        check("the fake refused that JWT's signature",
              "invalid signature" in fake.stats()["app_jwt_refused"],
              json.dumps(fake.stats()["app_jwt_refused"]))
        check("nothing was deleted by the failed run",
              ids_as(data, "appfiletoken", "alice") == {f"gh:{REPO}:docs/guide.md"})

        # --- no secret anywhere ---
        tokens = fake.stats()["app_tokens"]
        stats = fake.stats()
        check("no token in any URL", not stats["leaks"], stats["leaks"])
        secrets = tokens + [pem.split("\n")[1], open(other).read().split("\n")[1]]
        shown = [t for t in secrets for o in outputs if t in o]
        check("no token or key in ward sync's output or errors", not shown, shown)
        leaked = []
        for root, _, files in os.walk(data):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    content = f.read()
                if any(t.encode() in content for t in secrets):
                    leaked.append(os.path.relpath(os.path.join(root, name), data))
        check("no token or key in any file of the data dir but the secrets store",
              all("secret" in n for n in leaked), leaked)
    finally:
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
