"""A fake GitHub REST API (the part the github connector reads), Python 3 stdlib only.

It speaks the wire format of api.github.com for: GET /repos/{o}/{r}, the git trees
(`/git/trees/{ref}?recursive=1`; an empty repository's is a 409) and blobs (`/git/blobs/{sha}`,
base64 with line breaks), the issues listing (`/issues?state=all&sort=&direction=&since=&
per_page=&page=`, pull requests being issues with a `pull_request` object), one issue
(`/issues/{n}`: 404 or 410 once deleted, 301 once transferred), its comments and the
repository's (`/issues/comments?since=`), `/collaborators?affiliation=all` (with
`permissions.pull`; 403 once the token may not list them), `/repos/{o}/{r}/teams` (404 for a
user's repository) and `/orgs/{org}/teams/{slug}/members`.

Like GitHub: the token must come as `Authorization: Bearer TOKEN` (else 401 "Bad credentials");
lists are paged with `Link: <...>; rel="next"` (per_page default 30, at most 100); every 200 has an
ETag and a matching `If-None-Match` answers 304 **without** spending the rate limit; every reply
carries `x-ratelimit-limit/remaining/used/reset/resource`, and at 0 remaining a request gets 403
"API rate limit exceeded". Faults for the tests: a secondary limit (403 with retry-after, or
none), 429s with retry-after, 5xx replies, a token that expires after N more requests, a
truncated tree, a malformed issue, Link headers naming another host. It records whether a token
ever appeared in a URL (`leaks`) and every request's path.

GitHub App mode (`enable_app`): `POST /app/installations/{id}/access_tokens` takes the App's JWT
as `Authorization: Bearer JWT`, VERIFIES its RS256 signature with the App's public key (modulus
and exponent given to enable_app) and its claims (iss = the App id, exp - iat <= 10 minutes, not
expired, iat not in the future), and answers 201 {token, expires_at} with a fresh `ghs_` token
that expires after `token_ttl` seconds (then 401, as on GitHub); API calls then take only those
tokens (a JWT is refused on them). `expire_token(after=N)` expires every issued token after N
more requests.

Use it in-process (`GithubFake().start()`, then call its methods), or over HTTP: POST
/_control/METHOD with a JSON object of keyword arguments calls that method (see CONTROL), GET
/_control/stats returns the counters. Run standalone: python3 github_fake.py [PORT].
"""
import base64
import calendar
import hashlib
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_VERSION = "2022-11-28"
CONTROL = {"add_repo", "set_file", "delete_file", "add_issue", "edit_issue", "add_comment",
           "delete_issue", "transfer_issue", "set_collaborators", "set_teams",
           "set_team_members", "set_rate", "inject", "expire_token", "set_token",
           "truncate_tree", "plant_malformed_issue", "set_link_base", "forbid_collaborators",
           "reset_counters", "enable_app"}
# PKCS#1 v1.5 DigestInfo prefix of SHA-256 (RFC 8017, section 9.2).
DIGEST_INFO_SHA256 = bytes.fromhex("3031300d060960864801650304020105000420")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_iso(text):
    try:
        return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))
    except (ValueError, OverflowError):
        return None


class GithubFake:
    def __init__(self, token="ghp_fake_token_0123456789"):
        self.lock = threading.RLock()
        self.token = token
        self.repos = {}
        self.team_members = {}
        self.now = int(time.time()) - 86400 * 30  # the fake's clock: each change ticks it a minute
        self.limit = 5000
        self.remaining = 5000
        self.reset = int(time.time()) + 3600
        self.faults = {"secondary": 0, "too_many": 0, "server_error": 0}
        self.fault_wait = {"secondary": 60, "too_many": 1}
        self.expire_after = None
        self.comment_ids = 0
        self.link_base = None  # a host for Link headers other than the request's (an attack)
        self.leaks = []
        self.app = None  # GitHub App mode: {app_id, installation_id, n, e, token_ttl}
        self.app_tokens = {}  # installation token -> expiry (time.time())
        self.app_tokens_issued = 0
        self.app_jwt_refused = []  # why each refused JWT was refused
        self.reset_counters()
        self.server = None

    # --- the data (each change ticks the clock, as updated_at would) ---

    def tick(self):
        self.now += 60
        return self.now

    def add_repo(self, repo, private=True, org=False, default_branch="main"):
        with self.lock:
            owner = repo.split("/")[0]
            self.repos[repo] = {"private": private, "org": org, "owner": owner,
                                "branch": default_branch, "files": {}, "issues": {},
                                "malformed": [], "collaborators": [], "teams": [],
                                "truncated": False, "next": 1}

    def set_file(self, repo, path, text=None, data_b64=None, mode="100644"):
        with self.lock:
            data = base64.b64decode(data_b64) if data_b64 is not None else text.encode()
            self.repos[repo]["files"][path] = (data, mode)

    def delete_file(self, repo, path):
        with self.lock:
            del self.repos[repo]["files"][path]

    def add_issue(self, repo, title, body="", pr=False, user="octocat", state="open",
                  comments=()):
        with self.lock:
            r = self.repos[repo]
            n = r["next"]
            r["next"] += 1
            t = self.tick()
            r["issues"][n] = {"number": n, "title": title, "body": body, "pr": pr, "user": user,
                              "state": state, "created": t, "updated": t, "comments": [],
                              "gone": None}
            for c in comments:
                self.add_comment(repo, n, c)
            return n

    def edit_issue(self, repo, number, **fields):
        with self.lock:
            issue = self.repos[repo]["issues"][number]
            issue.update(fields)
            issue["updated"] = self.tick()

    def add_comment(self, repo, number, body, user="hubot"):
        with self.lock:
            issue = self.repos[repo]["issues"][number]
            t = self.tick()
            self.comment_ids += 1
            issue["comments"].append({"id": self.comment_ids, "body": body,
                                      "user": user, "created": t})
            issue["updated"] = t  # a comment moves the issue's updated_at, as on GitHub

    def delete_issue(self, repo, number, status=404):
        with self.lock:
            self.repos[repo]["issues"][number]["gone"] = status

    def transfer_issue(self, repo, number, to):
        with self.lock:
            self.repos[repo]["issues"][number]["gone"] = ("moved", to)

    def set_collaborators(self, repo, collaborators):
        """collaborators: [{"login": L, "pull": bool, "email": E?}]"""
        with self.lock:
            self.repos[repo]["collaborators"] = list(collaborators)

    def forbid_collaborators(self, repo, forbidden=True):
        """The token loses push access: listing collaborators answers 403, as on GitHub."""
        with self.lock:
            self.repos[repo]["collaborators_forbidden"] = forbidden

    def set_teams(self, repo, slugs):
        with self.lock:
            self.repos[repo]["teams"] = list(slugs)

    def set_team_members(self, org, slug, logins):
        with self.lock:
            self.team_members[(org, slug)] = list(logins)

    def truncate_tree(self, repo, truncated=True):
        with self.lock:
            self.repos[repo]["truncated"] = truncated

    def set_link_base(self, base=None):
        with self.lock:
            self.link_base = base

    def plant_malformed_issue(self, repo):
        with self.lock:
            self.repos[repo]["malformed"].append(
                {"number": 9999, "title": 42, "updated_at": iso(self.tick())})

    # --- limits and faults ---

    def set_rate(self, remaining, limit=None, reset_in=3600):
        with self.lock:
            self.remaining = remaining
            self.limit = limit if limit is not None else max(self.limit, remaining)
            self.reset = int(time.time()) + reset_in

    def inject(self, kind, count, wait=None):
        """kind: secondary (403 + retry-after), too_many (429 + retry-after), server_error."""
        with self.lock:
            self.faults[kind] = count
            if wait is not None:
                self.fault_wait[kind] = wait

    def expire_token(self, after=0):
        with self.lock:
            self.expire_after = after

    def set_token(self, token):
        with self.lock:
            self.token = token
            self.expire_after = None

    def enable_app(self, app_id, installation_id, modulus_hex, exponent=65537, token_ttl=3600):
        """GitHub App mode: installation tokens for the App whose public key is (n, e)."""
        with self.lock:
            self.app = {"app_id": int(app_id), "installation_id": int(installation_id),
                        "n": int(modulus_hex, 16), "e": int(exponent), "token_ttl": token_ttl}

    def verify_app_jwt(self, jwt):
        """None when `jwt` is the App's valid RS256 JWT, else why not."""
        parts = jwt.split(".")
        if len(parts) != 3:
            return "not a JWT"
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            sig = int.from_bytes(b64url_decode(parts[2]), "big")
        except ValueError:
            return "malformed JWT"
        if header.get("alg") != "RS256":
            return "alg must be RS256"
        n, e = self.app["n"], self.app["e"]
        k = (n.bit_length() + 7) // 8
        if sig >= n:
            return "invalid signature"
        em = pow(sig, e, n).to_bytes(k, "big")
        t = DIGEST_INFO_SHA256 + hashlib.sha256((parts[0] + "." + parts[1]).encode()).digest()
        if em != b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t:
            return "invalid signature"
        now = time.time()
        iat, exp = claims.get("iat"), claims.get("exp")
        if str(claims.get("iss")) != str(self.app["app_id"]):
            return "wrong iss"
        if not isinstance(iat, int) or not isinstance(exp, int):
            return "iat and exp must be integers"
        if exp - iat > 600:
            return "exp is more than 10 minutes after iat"
        if exp <= now or iat > now + 5:
            return "expired or issued in the future"
        return None

    def issue_app_token(self, h, path):
        """POST /app/installations/{id}/access_tokens (the lock is held)."""
        auth = h.headers.get("Authorization", "")
        jwt = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        why = self.verify_app_jwt(jwt)
        if why is not None:
            self.app_jwt_refused.append(why)
            return self.send(h, 401, {"message": "A JSON web token could not be decoded",
                                      "documentation_url": "https://docs.github.com/rest"})
        if path != f"/app/installations/{self.app['installation_id']}/access_tokens":
            return self.send(h, 404, {"message": "Not Found"})
        token = "ghs_" + hashlib.sha256(f"{time.time()}-{self.app_tokens_issued}".encode()) \
            .hexdigest()[:36]
        expiry = time.time() + self.app["token_ttl"]
        self.app_tokens[token] = expiry
        self.app_tokens_issued += 1
        return self.send(h, 201, {"token": token, "expires_at": iso(expiry),
                                  "permissions": {"contents": "read", "issues": "read",
                                                  "metadata": "read"},
                                  "repository_selection": "all"})

    def reset_counters(self):
        with self.lock:
            self.requests = 0
            self.not_modified = 0
            self.served_items = 0
            self.refused_primary = 0
            self.paths = []
            self.versions_ok = True

    def stats(self):
        with self.lock:
            return {"app_tokens_issued": self.app_tokens_issued,
                    "app_jwt_refused": list(self.app_jwt_refused),
                    "app_tokens": list(self.app_tokens),
                    "requests": self.requests, "not_modified": self.not_modified,
                    "remaining": self.remaining, "served_items": self.served_items,
                    "paths": list(self.paths), "leaks": list(self.leaks),
                    "versions_ok": self.versions_ok, "refused_primary": self.refused_primary}

    # --- payloads ---

    @staticmethod
    def blob_sha(data):
        return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()

    def issue_json(self, base, repo, i):
        kind = "pull" if i["pr"] else "issues"
        j = {"id": 100000 + i["number"], "number": i["number"], "title": i["title"],
             "body": i["body"], "state": i["state"], "user": {"login": i["user"]},
             "comments": len(i["comments"]), "created_at": iso(i["created"]),
             "updated_at": iso(i["updated"]),
             "html_url": f"https://github.com/{repo}/{kind}/{i['number']}",
             "url": f"{base}/repos/{repo}/issues/{i['number']}"}
        if i["pr"]:
            j["pull_request"] = {"url": f"{base}/repos/{repo}/pulls/{i['number']}",
                                 "html_url": j["html_url"]}
        return j

    def tree_json(self, repo):
        r = self.repos[repo]
        entries, dirs = [], set()
        for path, (data, mode) in sorted(r["files"].items()):
            parts = path.split("/")
            for k in range(1, len(parts)):
                dirs.add("/".join(parts[:k]))
            if mode == "160000":
                entries.append({"path": path, "mode": mode, "type": "commit",
                                "sha": hashlib.sha1(data).hexdigest()})
            else:
                entries.append({"path": path, "mode": mode, "type": "blob",
                                "sha": self.blob_sha(data), "size": len(data)})
        for d in dirs:
            entries.append({"path": d, "mode": "040000", "type": "tree",
                            "sha": hashlib.sha1(d.encode()).hexdigest()})
        entries.sort(key=lambda e: e["path"])
        truncated = r["truncated"]
        if truncated:
            entries = entries[: len(entries) // 2]
        sha = hashlib.sha1(json.dumps(entries).encode()).hexdigest()
        return {"sha": sha, "url": "", "tree": entries, "truncated": truncated}

    # --- the HTTP side ---

    def start(self, port=0):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.handle(self, "GET")

            def do_POST(self):
                fake.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def send(self, h, status, body=None, headers=None):
        raw = b"" if body is None else json.dumps(body).encode()
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(raw)))
        h.end_headers()
        if raw:
            h.wfile.write(raw)

    def rate_headers(self):
        return {"x-ratelimit-limit": str(self.limit), "x-ratelimit-remaining": str(self.remaining),
                "x-ratelimit-used": str(self.limit - self.remaining),
                "x-ratelimit-reset": str(self.reset), "x-ratelimit-resource": "core"}

    def handle(self, h, method):
        url = urllib.parse.urlsplit(h.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path.startswith("/_control/"):
            return self.control(h, method, url.path[len("/_control/"):])
        with self.lock:
            self.requests += 1
            self.paths.append(h.path)
            if self.token in h.path:
                self.leaks.append(h.path)
            if h.headers.get("X-GitHub-Api-Version") != API_VERSION:
                self.versions_ok = False
            auth = h.headers.get("Authorization", "")
            if any(t in h.path for t in self.app_tokens):
                self.leaks.append(h.path)
            if self.expire_after is not None:
                if self.expire_after <= 0:
                    self.token = "expired-" + self.token
                    for t in self.app_tokens:
                        self.app_tokens[t] = 0  # every issued installation token expires
                    self.expire_after = None
                else:
                    self.expire_after -= 1
            if self.app is not None and method == "POST" and url.path.startswith("/app/"):
                return self.issue_app_token(h, url.path)
            if self.app is not None:
                token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
                if self.app_tokens.get(token, 0) <= time.time():
                    return self.send(h, 401, {"message": "Bad credentials",
                                              "documentation_url": "https://docs.github.com/rest"})
            elif auth != "Bearer " + self.token:
                return self.send(h, 401, {"message": "Bad credentials",
                                          "documentation_url": "https://docs.github.com/rest"})
            if self.faults["server_error"] > 0:
                self.faults["server_error"] -= 1
                return self.send(h, 502, {"message": "Server Error"})
            if self.faults["too_many"] > 0:
                self.faults["too_many"] -= 1
                return self.send(h, 429, {"message": "Too many requests"},
                                 {"retry-after": str(self.fault_wait["too_many"])})
            if self.faults["secondary"] > 0:
                self.faults["secondary"] -= 1
                wait = self.fault_wait["secondary"]  # 0: no retry-after header
                return self.send(h, 403, {"message": "You have exceeded a secondary rate limit."},
                                 {**({"retry-after": str(wait)} if wait else {}),
                                  **self.rate_headers()})
            if self.remaining <= 0:
                self.remaining = 0
                self.refused_primary += 1
                return self.send(h, 403, {"message": "API rate limit exceeded for user."},
                                 self.rate_headers())
            base = f"http://{h.headers.get('Host')}"
            status, body, headers = self.route(base, url.path, query)
            raw = json.dumps(body).encode() if body is not None else b""
            etag = 'W/"' + hashlib.sha256(raw).hexdigest()[:40] + '"'
            if status == 200 and h.headers.get("If-None-Match") == etag:
                self.not_modified += 1  # a 304 costs no rate limit
                return self.send(h, 304, None, {"ETag": etag, **headers, **self.rate_headers()})
            self.remaining -= 1
            if status == 200:
                headers["ETag"] = etag
            return self.send(h, status, body, {**headers, **self.rate_headers()})

    def page(self, base, path, query, items):
        per_page = min(100, max(1, int(query.get("per_page", "30") or 30)))
        page = max(1, int(query.get("page", "1") or 1))
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        base = self.link_base or base
        last = max(1, (len(items) + per_page - 1) // per_page)
        if page < last:
            q = dict(query, page=str(page + 1))
            ql = dict(query, page=str(last))
            headers["Link"] = (f'<{base}{path}?{urllib.parse.urlencode(q)}>; rel="next", '
                               f'<{base}{path}?{urllib.parse.urlencode(ql)}>; rel="last"')
        self.served_items += len(chunk)
        return 200, chunk, headers

    def route(self, base, path, query):
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
        missing = (404, {"message": "Not Found"}, {})
        if len(parts) >= 5 and parts[0] == "orgs" and parts[2] == "teams" and parts[4] == "members":
            members = self.team_members.get((parts[1], parts[3]))
            if members is None:
                return missing
            return self.page(base, path, query, [{"login": m, "id": hash(m) % 10**6,
                                                  "type": "User"} for m in members])
        if len(parts) < 3 or parts[0] != "repos":
            return missing
        repo = parts[1] + "/" + parts[2]
        r = self.repos.get(repo)
        if r is None:
            return missing
        rest = parts[3:]
        if not rest:
            return 200, {"id": hash(repo) % 10**6, "full_name": repo, "name": parts[2],
                         "private": r["private"],
                         "visibility": "private" if r["private"] else "public",
                         "default_branch": r["branch"], "html_url": f"https://github.com/{repo}",
                         "owner": {"login": r["owner"],
                                   "type": "Organization" if r["org"] else "User"}}, {}
        if rest[:2] == ["git", "trees"] and len(rest) >= 3:
            ref = "/".join(rest[2:])
            if ref != r["branch"]:
                return missing
            if not r["files"]:
                return 409, {"message": "Git Repository is empty."}, {}
            return 200, self.tree_json(repo), {}
        if rest[:2] == ["git", "blobs"] and len(rest) == 3:
            for data, mode in r["files"].values():
                if self.blob_sha(data) == rest[2]:
                    b64 = base64.b64encode(data).decode()
                    lines = "\n".join(b64[i:i + 60] for i in range(0, len(b64), 60)) + "\n"
                    self.served_items += 1
                    return 200, {"sha": rest[2], "size": len(data), "content": lines,
                                 "encoding": "base64", "node_id": "B_x", "url": ""}, {}
            return missing
        if rest == ["collaborators"]:
            if r.get("collaborators_forbidden"):
                return 403, {"message": "Must have push access to view collaborators."}, {}
            out = []
            for c in r["collaborators"]:
                pull = bool(c.get("pull", True))
                j = {"login": c["login"], "id": hash(c["login"]) % 10**6, "type": "User",
                     "permissions": {"pull": pull, "triage": False, "push": False,
                                     "maintain": False, "admin": False},
                     "role_name": "read" if pull else "none"}
                if c.get("email"):
                    j["email"] = c["email"]
                out.append(j)
            return self.page(base, path, query, out)
        if rest == ["teams"]:
            if not r["org"]:
                return missing
            return self.page(base, path, query, [{"id": i, "slug": s, "name": s,
                                                  "permission": "pull"}
                                                 for i, s in enumerate(r["teams"])])
        if rest == ["issues"]:
            since = parse_iso(query["since"]) if "since" in query else None
            if "since" in query and since is None:
                return 422, {"message": "Validation Failed: since"}, {}
            key = "updated" if query.get("sort") == "updated" else "created"
            issues = [i for i in r["issues"].values() if i["gone"] is None
                      and (since is None or i["updated"] >= since)
                      and query.get("state", "open") in ("all", i["state"])]
            issues.sort(key=lambda i: (i[key], i["number"]),
                        reverse=query.get("direction", "desc") == "desc")
            items = [self.issue_json(base, repo, i) for i in issues] + list(r["malformed"])
            return self.page(base, path, query, items)
        if rest == ["issues", "comments"]:
            since = parse_iso(query["since"]) if "since" in query else None
            out = [(c["created"], c["id"], i["number"], c) for i in r["issues"].values()
                   if i["gone"] is None for c in i["comments"]
                   if since is None or c["created"] >= since]
            out.sort(reverse=query.get("direction", "desc") == "desc")
            return self.page(base, path, query, [
                {"id": cid, "body": c["body"], "user": {"login": c["user"]},
                 "created_at": iso(t), "updated_at": iso(t),
                 "issue_url": f"{base}/repos/{repo}/issues/{n}",
                 "html_url": f"https://github.com/{repo}/issues/{n}#issuecomment-{cid}"}
                for t, cid, n, c in out])
        if len(rest) >= 2 and rest[0] == "issues" and rest[1].isdigit():
            i = r["issues"].get(int(rest[1]))
            if i is None:
                return missing
            if isinstance(i["gone"], tuple):
                moved = f"{base}/repos/{i['gone'][1]}/issues/{i['number']}"
                return 301, {"message": "Moved Permanently", "url": moved}, {"Location": moved}
            if i["gone"] is not None:
                return i["gone"], {"message": "Not Found" if i["gone"] == 404 else
                                   "This issue was deleted"}, {}
            if len(rest) == 2:
                return 200, self.issue_json(base, repo, i), {}
            if rest[2:] == ["comments"]:
                return self.page(base, path, query, [
                    {"id": c["id"], "body": c["body"], "user": {"login": c["user"]},
                     "created_at": iso(c["created"]), "updated_at": iso(c["created"]),
                     "html_url": f"https://github.com/{repo}/issues/{i['number']}"}
                    for c in i["comments"]])
        return missing

    def control(self, h, method, name):
        length = int(h.headers.get("Content-Length", "0") or 0)
        raw = h.rfile.read(length) if length else b""
        if method == "GET" and name == "stats":
            return self.send(h, 200, self.stats())
        if method != "POST" or name not in CONTROL:
            return self.send(h, 404, {"message": "unknown control " + name})
        try:
            kwargs = json.loads(raw or b"{}")
            result = getattr(self, name)(**kwargs)
        except (ValueError, TypeError, KeyError) as e:
            return self.send(h, 400, {"message": str(e)})
        return self.send(h, 200, {"result": result})


if __name__ == "__main__":
    fake = GithubFake()
    print(fake.start(int(sys.argv[1]) if len(sys.argv) > 1 else 0), flush=True)
    threading.Event().wait()
