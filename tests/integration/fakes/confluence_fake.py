"""A local Confluence Cloud that speaks the parts of the real REST API Ward's connector uses
(docs/design/ingest.md, "Confluence"; research note section 2.3), for the tests and the bench.

  GET /wiki/api/v2/spaces                          ?limit&cursor
  GET /wiki/api/v2/spaces/{id}/permissions         ?limit&cursor
  GET /wiki/api/v2/spaces/{id}/pages               ?limit&cursor&status (default current,archived;
                                                    repeated or comma-separated)&sort (id order,
                                                    or -modified-date: newest version first)
  GET /wiki/api/v2/pages/{id}/attachments          ?limit&cursor
  GET /wiki/api/v2/pages/{id}                      ?body-format=storage
  GET /wiki/rest/api/content/search                ?cql=space="KEY" and type=page&expand&limit&cursor
  GET /wiki/rest/api/content/{id}/restriction/byOperation/read
  GET /wiki/rest/api/group/{id}/membersByGroupId   ?limit&start
  GET /wiki/api/v2/attachments                     ?limit&cursor
  GET /wiki/download/attachments/{page}/{name}     -> 302 to /wiki/_media/{id} (the bytes)

Cursor pagination with `_links.next` (v2: starting /wiki; v1: relative to /wiki) and a `Link`
header; Basic `email:token` auth (or Bearer) checked on every call (401 otherwise); 429 with
Retry-After and 5xx injected on demand; trashed pages keep status "trashed" (listed only when asked
for), deleted ones are gone (404). As in Confluence, an edit moves a page's version and its
modified date (version.createdAt); a read restriction change, trashing and a move do not. Control, in-process (methods) or over HTTP: POST /_control/<op>
with a JSON body, where op is a method name below; GET /_control/stats gives the request counts.
Standalone: python3 confluence_fake.py [--port N] prints its base URL.
"""
import base64
import calendar
import json
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _cursor(offset):
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _offset(cursor):
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(text.split(":", 1)[1])
    except Exception:
        return -1


class ConfluenceFake:
    def __init__(self, email="bot@example.com", token="api-token-1", bearer=None):
        self.lock = threading.Lock()
        self.auth = {"Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()}
        if bearer:
            self.auth.add("Bearer " + bearer)
        self.expired = False
        self.spaces = {}       # id -> {id, key, name}
        self.space_perms = {}  # space id -> [(type, id)]
        self.pages = {}        # id -> page dict
        self.groups = {}       # id -> {name, members: [accountIds]}
        self.attachments = {}  # id -> {id, pageId, title, data, version}
        self.emails = {}       # accountId -> email (shown in payloads when set)
        self.faults = []       # [{status, count, retry_after, path}]
        self.malformed = {}    # space id -> number of broken entries in its listing
        self.broken_bodies = set()
        self.stats = {}
        self.started = 0.0
        self.served = 0
        self.next_id = 1000
        self.server = None

    # ---- control -------------------------------------------------------------------------
    def add_space(self, key, id=None, readers=()):
        with self.lock:
            sid = str(id or self._new_id())
            self.spaces[sid] = {"id": sid, "key": key, "name": f"Space {key}"}
            self.space_perms[sid] = [tuple(r) for r in readers]
            return sid

    def set_space_readers(self, space, readers):
        with self.lock:
            self.space_perms[space] = [tuple(r) for r in readers]

    def add_page(self, space, title, body, parent=None, id=None, users=(), groups=()):
        with self.lock:
            pid = str(id or self._new_id())
            self.pages[pid] = {"id": pid, "spaceId": space, "title": title, "status": "current",
                               "parentId": parent, "version": 1, "body": body,
                               "createdAt": self._now(), "users": list(users),
                               "groups": list(groups)}
            return pid

    def edit_page(self, id, body=None, title=None):
        with self.lock:
            p = self.pages[id]
            if body is not None:
                p["body"] = body
            if title is not None:
                p["title"] = title
            p["version"] += 1
            p["createdAt"] = self._now()

    def add_attachment(self, page, title, data, size=None):
        """`size` overrides the fileSize the listing declares (a lie, for the limit tests)."""
        with self.lock:
            aid = f"att{self._new_id()}"
            self.attachments[aid] = {"id": aid, "pageId": page, "title": title, "data": data,
                                     "version": 1, "size": size, "createdAt": self._now()}
            return aid

    def edit_attachment(self, id, data):
        with self.lock:
            self.attachments[id]["data"] = data
            self.attachments[id]["version"] += 1

    def restrict(self, id, users=(), groups=()):
        """The page's read restriction (empty: none, it inherits). No version bump, as in
        Confluence."""
        with self.lock:
            self.pages[id]["users"] = list(users)
            self.pages[id]["groups"] = list(groups)
            return time.time()

    def backdate(self, seconds):
        """Every page and attachment was last modified `seconds` earlier (the site's history)."""
        with self.lock:
            for x in list(self.pages.values()) + list(self.attachments.values()):
                t = calendar.timegm(time.strptime(x["createdAt"], "%Y-%m-%dT%H:%M:%S.000Z"))
                x["createdAt"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t - seconds))

    def move(self, id, parent):
        """A new parent (None: the space's root); no version bump."""
        with self.lock:
            self.pages[id]["parentId"] = parent

    def trash(self, id):
        with self.lock:
            self.pages[id]["status"] = "trashed"

    def purge(self, id):
        with self.lock:
            del self.pages[id]

    def set_group(self, id, name, members):
        with self.lock:
            self.groups[id] = {"name": name, "members": list(members)}
            return time.time()

    def set_email(self, account, email):
        with self.lock:
            self.emails[account] = email

    def fault(self, status, count=1, retry_after=None, path=""):
        with self.lock:
            self.faults.append({"status": status, "count": count, "retry_after": retry_after,
                                "path": path})

    def clear_faults(self):
        with self.lock:
            self.faults = []

    def expire_token(self, expired=True):
        with self.lock:
            self.expired = expired

    def plant_malformed(self, space, count=1):
        with self.lock:
            self.malformed[space] = count

    def break_body(self, id, broken=True):
        with self.lock:
            (self.broken_bodies.add if broken else self.broken_bodies.discard)(id)

    def reset_stats(self):
        with self.lock:
            self.stats = {}
            self.served = 0
            self.started = time.monotonic()

    def get_stats(self):
        with self.lock:
            return {"requests": dict(self.stats), "total": sum(self.stats.values()),
                    "served": self.served}

    def generate(self, space, n, readers_group=None, restricted_every=0, restrict_to=()):
        """n pages in `space` (a tree: page i's parent is page (i-1)//10), a restriction on every
        `restricted_every`-th page (0 = none). Returns the ids."""
        ids = []
        for i in range(n):
            parent = ids[(i - 1) // 10] if i > 0 else None
            users = restrict_to if restricted_every and i % restricted_every == 0 and i else ()
            body = (f"<h1>Page {i}</h1><p>Generated page {i} with token gen{i:05d}x about "
                    f"topic {i % 97}.</p><table><tbody><tr><th>k</th><th>v</th></tr>"
                    f"<tr><td>row</td><td>{i}</td></tr></tbody></table>"
                    + "<p>" + "lorem ipsum dolor sit amet " * 20 + "</p>")
            ids.append(self.add_page(space, f"Generated {i}", body, parent=parent, users=users))
        return ids

    # ---- serving -------------------------------------------------------------------------
    def _new_id(self):
        self.next_id += 1
        return self.next_id

    @staticmethod
    def _now():
        return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without this, Nagle's algorithm and the
            # client's delayed ACK add ~40 ms to every reply (not Confluence's cost).
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._handle(self, "GET", b"")

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                fake._handle(self, "POST", self.rfile.read(n) if n else b"")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.started = time.monotonic()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def _send(self, h, status, body, headers=()):
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _handle(self, h, method, body):
        url = urllib.parse.urlsplit(h.path)
        q = urllib.parse.parse_qs(url.query)
        path = url.path
        if path.startswith("/_control/"):
            op = path[len("/_control/"):]
            if op == "stats":
                return self._send(h, 200, self.get_stats())
            fn = getattr(self, op, None)
            if fn is None or op.startswith("_") or op in ("start", "stop"):
                return self._send(h, 404, {"message": f"no control op {op}"})
            args = json.loads(body or b"{}")
            return self._send(h, 200, {"result": fn(**args)})
        kind = re.sub(r"/\d+", "/{id}", path)
        with self.lock:
            self.stats[kind] = self.stats.get(kind, 0) + 1
            auth = h.headers.get("Authorization", "")
            if "token" in q or "access_token" in q:
                return self._send(h, 400, {"message": "credentials in the URL"})
            if auth not in self.auth or self.expired:
                return self._send(h, 401, {"code": 401, "message": "Unauthorized; scope does "
                                           "not match"})
            for f in self.faults:
                if f["count"] > 0 and path.startswith(f["path"] or "/"):
                    f["count"] -= 1
                    hdrs = [("Retry-After", str(f["retry_after"]))] if f["retry_after"] else []
                    if f["status"] == 429:
                        hdrs.append(("X-RateLimit-Remaining", "0"))
                    return self._send(h, f["status"], {"message": "injected"}, hdrs)
            m = re.fullmatch(r"/wiki/download/attachments/(\w+)/(.+)", path)
            if m:
                name = urllib.parse.unquote(m.group(2))
                hit = [a for a in self.attachments.values()
                       if a["pageId"] == m.group(1) and a["title"] == name]
                if not hit:
                    return self._send(h, 404, {"message": "no attachment"})
                return self._send_raw(h, 302, b"", [("Location", f"/wiki/_media/{hit[0]['id']}")])
            m = re.fullmatch(r"/wiki/_media/(\w+)", path)
            if m and m.group(1) in self.attachments:
                self.served += 1
                return self._send_raw(h, 200, self.attachments[m.group(1)]["data"].encode())
            try:
                status, out, hdrs = self._route(path, q)
            except KeyError:
                status, out, hdrs = 404, {"message": "not found"}, []
            if status == 200:
                self.served += 1
        return self._send(h, status, out, hdrs)

    def _send_raw(self, h, status, data, headers=()):
        h.send_response(status)
        h.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _page_json(self, p, body=False):
        out = {"id": p["id"], "status": p["status"], "title": p["title"], "spaceId": p["spaceId"],
               "parentId": p["parentId"], "parentType": "page" if p["parentId"] else "space",
               "authorId": "acc-author", "createdAt": p["createdAt"],
               "version": {"number": p["version"], "createdAt": p["createdAt"],
                           "minorEdit": False, "authorId": "acc-author"},
               "_links": {"webui": f"/spaces/{self.spaces[p['spaceId']]['key']}/pages/{p['id']}",
                          "tinyui": f"/x/{p['id']}"}}
        if body:
            out["body"] = {"storage": {"representation": "storage", "value": p["body"]}}
        return out

    def _user(self, account):
        u = {"type": "known", "accountId": account, "publicName": account}
        if account in self.emails:
            u["email"] = self.emails[account]
        return u

    def _restriction(self, p):
        users = [self._user(a) for a in p["users"]]
        groups = [{"type": "group", "name": self.groups.get(g, {}).get("name", g), "id": g}
                  for g in p["groups"]]
        return {"user": {"results": users, "start": 0, "limit": 200, "size": len(users)},
                "group": {"results": groups, "start": 0, "limit": 200, "size": len(groups)}}

    def _paged(self, items, q, link_path, extra_query, v1=False, build=None):
        """One page of `items` (each passed through `build` when given, for that page only)."""
        limit = max(1, min(int(q.get("limit", ["25"])[0]), 250))
        off = _offset(q.get("cursor", [""])[0])
        if off < 0:
            return 400, {"message": "bad cursor"}, []
        chunk = items[off:off + limit]
        if build:
            chunk = [build(x) for x in chunk]
        out = {"results": chunk, "_links": {"base": self.base + "/wiki"}}
        hdrs = []
        if off + limit < len(items):
            qs = urllib.parse.urlencode(dict(extra_query, limit=limit, cursor=_cursor(off + limit)),
                                        doseq=True)
            nxt = f"{link_path}?{qs}"
            out["_links"]["next"] = nxt
            hdrs.append(("Link", f'<{nxt if not v1 else "/wiki" + nxt}>; rel="next"'))
        if v1:
            out.update({"start": off, "limit": limit, "size": len(chunk)})
        return 200, out, hdrs

    def _route(self, path, q):
        m = re.fullmatch(r"/wiki/api/v2/spaces", path)
        if m:
            items = [self.spaces[k] for k in sorted(self.spaces)]
            return self._paged(items, q, "/wiki/api/v2/spaces", {})
        m = re.fullmatch(r"/wiki/api/v2/spaces/(\w+)/permissions", path)
        if m:
            sid = m.group(1)
            perms = [{"id": f"perm-{i}", "principal": {"type": t, "id": pid},
                      "operation": {"key": "read", "targetType": "space"}}
                     for i, (t, pid) in enumerate(self.space_perms[sid])]
            perms.append({"id": "perm-x", "principal": {"type": "user", "id": "acc-editor"},
                          "operation": {"key": "create", "targetType": "page"}})
            return self._paged(perms, q, m.group(0), {})
        m = re.fullmatch(r"/wiki/api/v2/spaces/(\w+)/pages", path)
        if m:
            sid = m.group(1)
            self.spaces[sid]
            wanted = set(",".join(q.get("status", ["current,archived"])).split(","))
            items = [p for p in self.pages.values()  # insertion order = id order
                     if p["spaceId"] == sid and p["status"] in wanted]
            sort = q.get("sort", [""])[0]
            if sort == "-modified-date":
                items.sort(key=lambda p: (p["createdAt"], int(p["id"])), reverse=True)
            elif sort:
                return 400, {"message": f"sort {sort} not supported by the fake"}, []
            for i in range(self.malformed.get(sid, 0)):
                items.insert(1, {"title": f"broken {i}", "status": "current",
                                 "version": "not a version"})
            return self._paged(items, q, m.group(0),
                               {k: v for k, v in q.items() if k in ("status", "sort")},
                               build=lambda p: self._page_json(p) if "id" in p else p)
        m = re.fullmatch(r"/wiki/api/v2/pages/(\w+)", path)
        if m:
            p = self.pages[m.group(1)]
            if q.get("body-format", [""])[0] != "storage":
                return 400, {"message": "body-format=storage expected"}, []
            if p["id"] in self.broken_bodies:
                return 200, {"id": p["id"], "body": {"storage": {"value": 42}}}, []
            return 200, self._page_json(p, body=True), []
        if path == "/wiki/rest/api/content/search":
            cql = q.get("cql", [""])[0]
            km = re.search(r'space\s*=\s*"([^"]+)"', cql)
            key = km.group(1) if km else None
            sids = {s["id"] for s in self.spaces.values() if key is None or s["key"] == key}
            expand = q.get("expand", [""])[0]
            # CQL hides trashed pages.
            items = [p for p in self.pages.values()
                     if p["spaceId"] in sids and p["status"] in ("current", "archived")]

            def build(p):
                item = {"id": p["id"], "type": "page", "status": p["status"], "title": p["title"]}
                if "restrictions.read.restrictions.user" in expand:
                    item["restrictions"] = {"read": {"operation": "read",
                                                     "restrictions": self._restriction(p)}}
                return item
            return self._paged(items, q, "/rest/api/content/search",
                               {"cql": cql, "expand": expand}, v1=True, build=build)
        m = re.fullmatch(r"/wiki/api/v2/pages/(\w+)/attachments", path)
        if path == "/wiki/api/v2/attachments" or m:
            items = [a for a in self.attachments.values() if a["pageId"] in self.pages
                     and self.pages[a["pageId"]]["status"] == "current"
                     and (not m or a["pageId"] == m.group(1))]
            if m and m.group(1) not in self.pages:
                return 404, {"message": "no such page"}, []

            def build(a):
                p = self.pages[a["pageId"]]
                key = self.spaces[p["spaceId"]]["key"]
                return {"id": a["id"], "status": "current", "title": a["title"],
                        "pageId": a["pageId"], "mediaType": "text/plain",
                        "fileSize": a["size"] if a["size"] is not None else len(a["data"]),
                        "version": {"number": a["version"], "createdAt": a["createdAt"]},
                        "webuiLink": f"/spaces/{key}/pages/{p['id']}?preview=/{a['title']}",
                        "downloadLink": f"/download/attachments/{p['id']}/"
                                        f"{urllib.parse.quote(a['title'])}?version={a['version']}"
                                        "&api=v2"}
            return self._paged(items, q, path, {}, build=build)
        m = re.fullmatch(r"/wiki/rest/api/content/(\w+)/restriction/byOperation/read", path)
        if m:
            p = self.pages[m.group(1)]
            return 200, {"operation": "read", "restrictions": self._restriction(p)}, []
        m = re.fullmatch(r"/wiki/rest/api/group/([\w-]+)/membersByGroupId", path)
        if m:
            g = self.groups[m.group(1)]
            return self._paged([self._user(a) for a in g["members"]], q, path[len("/wiki"):],
                               {}, v1=True)
        return 404, {"message": "no such endpoint"}, []


if __name__ == "__main__":
    fake = ConfluenceFake().start()
    print(fake.base, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()
