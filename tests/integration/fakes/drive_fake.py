#!/usr/bin/env python3
"""A fake Google Drive v3 + OAuth token endpoint for Ward's gdrive connector tests (stdlib only).

Usage: drive_fake.py --key-pem KEY.pem --client-email E --subject S   (prints "listening PORT")

* POST /token: the JWT bearer grant (RFC 7523). The assertion's RS256 signature is VERIFIED with
  the public half of KEY.pem (the modulus read by `openssl rsa`), and iss, sub, aud (this
  endpoint's URL), scope (drive.readonly) and iat/exp (at most one hour, not expired) checked.
* GET /drive/v3/files (pageSize, pageToken, q "trashed = false", fields with or without
  permissions), /drive/v3/files/ID?alt=media, /drive/v3/files/ID/export?mimeType=,
  /drive/v3/files/ID/permissions, /drive/v3/changes/startPageToken, /drive/v3/changes
  (pageToken, pageSize; nextPageToken while more, newStartPageToken on the last page;
  changes[] {kind, changeType "file", fileId, removed, time, file}; a token older than the
  feed's floor answers 400 "Invalid Value" as an expired one would).
  Every API call needs "Authorization: Bearer <a token this fake issued and did not expire>".
* Errors as Drive sends them: {"error": {"code", "message", "errors": [{"reason"}], "status"}}.
* Control (no auth): POST /_control/file {id, name, mimeType, text, permissions, trashed},
  /_control/delete {id, silent}, /_control/permissions {id, permissions}, /_control/lose_access
  {id} (the subject no longer sees it: the feed says removed), /_control/feed_floor {} (every
  feed token handed out so far expires), /_control/seed {count, prefix,
  permissions}, /_control/fail {status, reason, count, retry_after}, /_control/expire {after},
  /_control/malformed {entry}, /_control/truncate {after}, /_control/group {email,
  members} (GET /admin/directory/v1/groups/KEY/members, needs the directory scope),
  /_control/token (a token for
  the bench's own client); GET /_control/stats.
"""

import argparse
import base64
import hashlib
import json
import re
import secrets
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse, unquote

SCOPE = "https://www.googleapis.com/auth/drive.readonly"
DIRECTORY_SCOPE = "https://www.googleapis.com/auth/admin.directory.group.member.readonly"
GOOGLE_DOC = "application/vnd.google-apps.document"
GOOGLE_SHEET = "application/vnd.google-apps.spreadsheet"
DIGEST_INFO_SHA256 = bytes.fromhex("3031300d060960864801650304020105000420")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class State:
    def __init__(self, modulus, exponent, client_email, subject):
        self.lock = threading.Lock()
        self.n, self.e = modulus, exponent
        self.client_email, self.subject = client_email, subject
        self.files = {}        # id -> dict
        self.malformed = []    # raw entries appended to listings
        self.changes = []      # [(fileId, removed)]
        self.feed_floor = 0    # feed tokens below it are refused (expired)
        self.tokens = {}       # token -> expiry
        self.fail = None       # {"status", "reason", "count", "retry_after"}
        self.truncate_after = None
        self.expire_after = None
        self.groups = {}       # group email -> member emails (the Directory API)
        self.token_scopes = {}  # token -> scopes granted
        self.token_ttl = 3600
        self.stats = {"api": 0, "token_grants": 0, "token_refusals": 0, "downloads": 0,
                      "list_pages": 0, "served_files": 0, "unauthorized": 0, "change_pages": 0,
                      "served_changes": 0, "first_list_at": 0.0,
                      "last_list_at": 0.0}

    def put(self, f):
        old = self.files.get(f["id"], {})
        f.setdefault("mimeType", old.get("mimeType", GOOGLE_DOC))
        f.setdefault("name", old.get("name", f["id"]))
        f.setdefault("permissions", old.get("permissions", []))
        f.setdefault("text", old.get("text", ""))
        f["version"] = str(int(old.get("version", "0")) + 1)
        f["modifiedTime"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        self.files[f["id"]] = f
        self.changes.append((f["id"], False))

    def verify_assertion(self, assertion, aud):
        parts = assertion.split(".")
        if len(parts) != 3:
            return "assertion is not a JWT"
        header, claims = json.loads(b64url_decode(parts[0])), json.loads(b64url_decode(parts[1]))
        if header.get("alg") != "RS256":
            return "alg must be RS256"
        sig = int.from_bytes(b64url_decode(parts[2]), "big")
        k = (self.n.bit_length() + 7) // 8
        em = pow(sig, self.e, self.n).to_bytes(k, "big")
        digest = hashlib.sha256((parts[0] + "." + parts[1]).encode()).digest()
        t = DIGEST_INFO_SHA256 + digest
        expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
        if em != expected:
            return "invalid signature"
        now = time.time()
        if claims.get("iss") != self.client_email:
            return "wrong iss"
        if claims.get("sub") != self.subject:
            return "wrong sub"
        if claims.get("aud") != aud:
            return "wrong aud"
        if SCOPE not in str(claims.get("scope", "")).split():
            return "wrong scope"
        iat, exp = claims.get("iat", 0), claims.get("exp", 0)
        if exp - iat > 3600 or exp < now or iat > now + 300:
            return "bad iat/exp"
        return None


def drive_error(code, reason, message):
    status = {401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
              429: "RESOURCE_EXHAUSTED"}.get(code, "INTERNAL")
    return {"error": {"code": code, "message": message,
                      "errors": [{"domain": "usageLimits" if "Rate" in reason else "global",
                                  "reason": reason, "message": message}], "status": status}}


def public_file(f, with_permissions):
    out = {k: f[k] for k in ("id", "name", "mimeType", "version", "modifiedTime")}
    out["webViewLink"] = f"https://docs.google.com/document/d/{f['id']}/edit"
    out["trashed"] = bool(f.get("trashed", False))
    if not f["mimeType"].startswith("application/vnd.google-apps."):
        data = f["text"].encode()
        out["md5Checksum"] = hashlib.md5(data).hexdigest()
        out["size"] = str(len(data))
    if with_permissions and not f.get("no_permissions_field"):
        out["permissions"] = f["permissions"]
    return out


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One write per reply, no Nagle delay: the fake must not be the bench's bottleneck.
        wbufsize = 1 << 16
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def reply(self, code, body, headers=None, raw=None):
            data = raw if raw is not None else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json" if raw is None else "text/plain")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def do_POST(self):
            url = urlparse(self.path)
            raw = self.body()
            if url.path == "/token":
                return self.token(raw)
            if not url.path.startswith("/_control/"):
                return self.reply(404, drive_error(404, "notFound", "no such endpoint"))
            req = json.loads(raw or b"{}")
            what = url.path[len("/_control/"):]
            with state.lock:
                if what == "file":
                    state.put(dict(req))
                elif what == "delete":  # silent: the feed does not report it (a lost change)
                    state.files.pop(req["id"], None)
                    if not req.get("silent"):
                        state.changes.append((req["id"], True))
                elif what == "lose_access":
                    state.files[req["id"]]["hidden"] = True
                    state.changes.append((req["id"], True))
                elif what == "feed_floor":  # every token handed out so far expires
                    state.feed_floor = len(state.changes) + 1
                elif what == "permissions":
                    f = dict(state.files[req["id"]])
                    f["permissions"] = req["permissions"]
                    state.files[req["id"]] = f
                    f["modifiedTime"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
                    state.changes.append((req["id"], False))
                elif what == "seed":
                    for i in range(req["count"]):
                        fid = f"{req.get('prefix', 'f')}{i:06d}"
                        state.put({"id": fid, "name": f"Doc {fid}", "mimeType": GOOGLE_DOC,
                                   "text": f"Document {fid} body text token{fid}.\n",
                                   "permissions": req.get("permissions", [])})
                elif what == "fail":
                    state.fail = req if req.get("count", 0) > 0 else None
                elif what == "expire":  # now, or after `after` more API calls (mid-run)
                    if req.get("after"):
                        state.expire_after = req["after"]
                    else:
                        state.tokens.clear()
                elif what == "malformed":  # {"entry": {...}} adds one, {"clear": true} none
                    if req.get("clear"):
                        state.malformed = []
                    else:
                        state.malformed.append(req["entry"])
                elif what == "truncate":
                    state.truncate_after = req.get("after")
                elif what == "token":  # the bench's own client (the ceiling)
                    token = "ya29." + secrets.token_urlsafe(24)
                    state.tokens[token] = time.time() + state.token_ttl
                    return self.reply(200, {"access_token": token})
                elif what == "group":  # {"email", "members": [emails]}
                    state.groups[req["email"].lower()] = req["members"]
                elif what == "token_ttl":
                    state.token_ttl = req["seconds"]
                else:
                    return self.reply(404, {"error": "unknown control " + what})
            return self.reply(200, {"ok": True})

        def token(self, raw):
            form = parse_qs(raw.decode())
            aud = f"http://{self.headers.get('Host')}/token"
            if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
                return self.reply(400, {"error": "unsupported_grant_type"})
            scopes = []
            try:
                problem = state.verify_assertion(form.get("assertion", [""])[0], aud)
                scopes = json.loads(b64url_decode(form["assertion"][0].split(".")[1]))[
                    "scope"].split()
            except Exception as e:  # noqa: BLE001 - any malformed assertion is a refusal
                problem = f"malformed assertion: {e}"
            with state.lock:
                if problem:
                    state.stats["token_refusals"] += 1
                    return self.reply(400, {"error": "invalid_grant",
                                            "error_description": problem})
                token = "ya29." + secrets.token_urlsafe(24)
                state.tokens[token] = time.time() + state.token_ttl
                state.token_scopes[token] = scopes
                state.stats["token_grants"] += 1
            return self.reply(200, {"access_token": token, "expires_in": state.token_ttl,
                                    "token_type": "Bearer"})

        def do_GET(self):
            url = urlparse(self.path)
            qs = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/_control/stats":
                with state.lock:
                    return self.reply(200, dict(state.stats, tokens=len(state.tokens)))
            auth = self.headers.get("Authorization", "")
            with state.lock:
                state.stats["api"] += 1
                if state.expire_after is not None:
                    state.expire_after -= 1
                    if state.expire_after < 0:
                        state.tokens.clear()
                        state.expire_after = None
                exp = state.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
                if exp is None or exp < time.time():
                    state.stats["unauthorized"] += 1
                    return self.reply(401, drive_error(401, "authError", "Invalid Credentials"),
                                      {"WWW-Authenticate": "Bearer"})
                if state.fail:
                    fail = state.fail
                    fail["count"] -= 1
                    if fail["count"] <= 0:
                        state.fail = None
                    hdrs = {"Retry-After": str(fail["retry_after"])} if "retry_after" in fail else {}
                    return self.reply(fail["status"], drive_error(fail["status"],
                                      fail.get("reason", "backendError"), "injected"), hdrs)
                if url.path.startswith("/admin/directory/v1/groups/"):
                    if DIRECTORY_SCOPE not in state.token_scopes.get(auth[7:], []):
                        return self.reply(403, drive_error(403, "insufficientPermissions",
                                                           "Request had insufficient scopes"))
                    return self.members(url.path, qs)
                return self.api(url.path, qs)

        def members(self, path, qs):
            m = re.match(r"^/admin/directory/v1/groups/([^/]+)/members$", path)
            key = unquote(m.group(1)).lower() if m else ""
            if key not in state.groups:
                return self.reply(404, drive_error(404, "notFound", "Resource Not Found: groupKey"))
            return self.reply(200, {"kind": "admin#directory#members", "members": [
                {"kind": "admin#directory#member", "email": e, "role": "MEMBER", "type": "USER",
                 "status": "ACTIVE"} for e in state.groups[key]]})

        def api(self, path, qs):
            if path == "/drive/v3/files":
                return self.list_files(qs)
            if path == "/drive/v3/changes/startPageToken":
                return self.reply(200, {"startPageToken": str(len(state.changes))})
            if path == "/drive/v3/changes":
                return self.list_changes(qs)
            m = re.match(r"^/drive/v3/files/([^/]+)(/export|/permissions)?$", path)
            if not m or unquote(m.group(1)) not in state.files:
                return self.reply(404, drive_error(404, "notFound", "File not found"))
            f = state.files[unquote(m.group(1))]
            if m.group(2) == "/permissions":
                return self.reply(200, {"permissions": f["permissions"]})
            state.stats["downloads"] += 1
            if m.group(2) == "/export":
                if not f["mimeType"].startswith("application/vnd.google-apps."):
                    return self.reply(403, drive_error(403, "fileNotExportable", "not exportable"))
                return self.reply(200, None, raw=f["text"].encode())
            if qs.get("alt") == "media":
                if f["mimeType"].startswith("application/vnd.google-apps."):
                    return self.reply(403, drive_error(403, "fileNotDownloadable", "use export"))
                return self.reply(200, None, raw=f["text"].encode())
            return self.reply(200, public_file(f, True))

        def list_changes(self, qs):
            token = qs.get("pageToken", "")
            if not token.isdigit() or int(token) < state.feed_floor or \
                    int(token) > len(state.changes):
                return self.reply(400, drive_error(400, "invalid", "Invalid Value"))
            start, size = int(token), min(int(qs.get("pageSize", "100")), 1000)
            now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
            out = []
            for fid, removed in state.changes[start:start + size]:
                f = state.files.get(fid)
                c = {"kind": "drive#change", "changeType": "file", "fileId": fid, "time": now,
                     "removed": removed or f is None or bool(f.get("hidden"))}
                if not c["removed"]:
                    c["file"] = public_file(f, "permissions" in qs.get("fields", ""))
                out.append(c)
            body = {"kind": "drive#changeList", "changes": out}
            if start + size < len(state.changes):
                body["nextPageToken"] = str(start + size)
            else:
                # Planted malformed entries come last, as changes of their file.
                out += [{"kind": "drive#change", "changeType": "file", "fileId": e.get("id"),
                         "removed": False, "file": e} if "id" in e else {"file": e}
                        for e in state.malformed]
                body["newStartPageToken"] = str(len(state.changes))
            state.stats["change_pages"] += 1
            state.stats["served_changes"] += len(out)
            return self.reply(200, body)

        def list_files(self, qs):
            size = min(int(qs.get("pageSize", "100")), 1000)
            offset = int(qs.get("pageToken", "p0")[1:])
            q = qs.get("q", "")
            ids = sorted(i for i, f in state.files.items()
                         if not (("trashed = false" in q) and f.get("trashed"))
                         and not f.get("hidden"))
            if state.truncate_after is not None:
                ids = ids[:state.truncate_after]
            page = [public_file(state.files[i], "permissions" in qs.get("fields", ""))
                    for i in ids[offset:offset + size]]
            if offset + size >= len(ids):
                page += state.malformed
            body = {"kind": "drive#fileList", "files": page}
            if offset + size < len(ids):
                body["nextPageToken"] = f"p{offset + size}"
            now = time.time()
            state.stats["list_pages"] += 1
            state.stats["served_files"] += len(page)
            if not state.stats["first_list_at"]:
                state.stats["first_list_at"] = now
            state.stats["last_list_at"] = now
            return self.reply(200, body)

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key-pem", required=True)
    ap.add_argument("--client-email", required=True)
    ap.add_argument("--subject", required=True)
    args = ap.parse_args()
    out = subprocess.run(["openssl", "rsa", "-in", args.key_pem, "-noout", "-modulus"],
                         capture_output=True, text=True, check=True).stdout
    modulus = int(out.strip().split("=", 1)[1], 16)
    state = State(modulus, 65537, args.client_email, args.subject)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.daemon_threads = True
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
