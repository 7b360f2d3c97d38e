#!/usr/bin/env python3
"""A fake of Slack's Web API for the Slack connector's tests (docs/design/ingest.md, "Slack").

Speaks the methods the connector calls, with Slack's shapes: GET /api/<method>?params with the bot
token in `Authorization: Bearer xoxb-...`; replies are HTTP 200 `{"ok": true, ...}` or
`{"ok": false, "error": CODE}`; lists page with `limit` and `cursor` and say where the next page
starts in `response_metadata.next_cursor`; a rate limit is HTTP 429 with `Retry-After` and
`{"ok": false, "error": "ratelimited"}`.

  auth.test, users.list, users.info, conversations.list (types, exclude_archived),
  conversations.history (oldest, latest, inclusive; newest first; parents only, with
  reply_count / latest_reply), conversations.replies (the parent first), conversations.members

Errors: not_authed (no token), invalid_auth (a wrong one), token_expired (after
/_control/token), channel_not_found, not_in_channel (/_control/not_in_channel), thread_not_found.
A token sent in the URL (`?token=`) is refused and counted (stats.token_in_url).

Control (POST /_control/<op>, JSON body; GET /_control/stats):
  seed {users, external, channels, messages: {CHANNEL: [message]}}  replace the
    workspace (external users: of another workspace, known to users.info only)
  post {channel, user, text, ts?, thread_ts?} -> {ts}     edit {channel, ts, text}
  delete {channel, ts}                                     members {channel, members}
  user {id, ...fields}  (adds or updates a user)
  archive {channel}    remove_channel {channel}            not_in_channel {channel, on}
  fail {method ("*" = any), status (429|500), count, retry_after?}
  token {expired: bool} | {expire_after: N requests}      malformed {channel, raw}
  clear {} (failures, expiry, planted items)   reset_stats {}
Usage: python3 slack_fake.py [--port N]  (prints "listening on http://127.0.0.1:PORT")
"""
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TOKEN = "xoxb-fake-slack-token"
TEAM_URL = "https://ward-test.slack.com/"
MAX_LIMIT = {"conversations.history": 999, "conversations.replies": 1000}


class Workspace:
    def __init__(self):
        self.lock = threading.Lock()
        self.users = []
        self.external = []  # users of another workspace: users.info only, not users.list
        self.channels = {}
        self.messages = {}  # channel -> list of message dicts (parents and replies)
        self.raw = {}       # channel -> planted malformed entries
        self.not_in = set()
        self.fails = []     # [method, status, count, retry_after]
        self.expired = False
        self.expire_after = None
        self.clock = 1_800_000_000
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"requests": {}, "total": 0, "token_in_url": 0, "messages_served": 0,
                      "started": time.monotonic(), "busy_s": 0.0}

    def next_ts(self):
        self.clock += 1
        return f"{self.clock}.000100"


WS = Workspace()


def ts_key(ts):
    return float(ts)


def page(items, q, default=100, cap=1000):
    limit = max(1, min(int(q.get("limit", [default])[0] or default), cap))
    cursor = q.get("cursor", [""])[0]
    start = int(base64.b64decode(cursor).decode()[4:]) if cursor else 0
    chunk = items[start:start + limit]
    nxt = start + limit
    meta = {"next_cursor": base64.b64encode(f"off:{nxt}".encode()).decode()
            if nxt < len(items) else ""}
    return chunk, meta


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes: without TCP_NODELAY the body waits for the
    # client's delayed ACK (about 40 ms a request), a cost of the fake and not of Slack.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def reply(self, code, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        url = urlparse(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"{}")
        if not url.path.startswith("/_control/"):
            return self.reply(404, {"ok": False, "error": "unknown_method"})
        with WS.lock:
            out = control(url.path[len("/_control/"):], body)
        self.reply(200 if out is not None else 404, out or {"error": "unknown control"})

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/_control/stats":
            with WS.lock:
                s = dict(WS.stats)
                s["elapsed_s"] = time.monotonic() - s["started"]
            return self.reply(200, s)
        if not url.path.startswith("/api/"):
            return self.reply(404, {"ok": False, "error": "unknown_method"})
        method = url.path[len("/api/"):]
        q = parse_qs(url.query)
        t0 = time.monotonic()
        with WS.lock:
            WS.stats["total"] += 1
            WS.stats["requests"][method] = WS.stats["requests"].get(method, 0) + 1
            if "token" in q:
                WS.stats["token_in_url"] += 1
                return self.reply(200, {"ok": False, "error": "invalid_arg_name"})
            for f in WS.fails:
                if f[2] > 0 and f[0] in ("*", method):
                    f[2] -= 1
                    if f[1] == 429:
                        return self.reply(429, {"ok": False, "error": "ratelimited"},
                                          {"Retry-After": str(f[3])})
                    return self.reply(f[1], {"ok": False, "error": "fatal_error"})
            auth = self.headers.get("Authorization", "")
            if not auth:
                return self.reply(200, {"ok": False, "error": "not_authed"})
            if auth != "Bearer " + TOKEN:
                return self.reply(200, {"ok": False, "error": "invalid_auth"})
            if WS.expire_after is not None:
                WS.expire_after -= 1
                if WS.expire_after < 0:
                    WS.expired = True
            if WS.expired:
                return self.reply(200, {"ok": False, "error": "token_expired"})
            code, out = api(method, q)
            WS.stats["busy_s"] += time.monotonic() - t0
        self.reply(code, out)


def parents_of(channel):
    msgs = WS.messages.get(channel, [])
    replies = {}  # parent ts -> its replies' ts
    for r in msgs:
        if r.get("thread_ts") and r["thread_ts"] != r["ts"]:
            replies.setdefault(r["thread_ts"], []).append(r["ts"])
    out = []
    for m in msgs:
        if m.get("thread_ts") and m["thread_ts"] != m["ts"]:
            continue
        p = dict(m)
        if m["ts"] in replies:
            p["thread_ts"] = m["ts"]
            p["reply_count"] = len(replies[m["ts"]])
            p["latest_reply"] = max(replies[m["ts"]], key=ts_key)
        out.append(p)
    return out


def api(method, q):
    arg = lambda k: q.get(k, [""])[0]
    if method == "auth.test":
        return 200, {"ok": True, "url": TEAM_URL, "team": "Ward Test", "user_id": "UBOT"}
    if method == "users.list":
        chunk, meta = page(WS.users, q, 100, 1000)
        return 200, {"ok": True, "members": chunk, "response_metadata": meta}
    if method == "users.info":
        for u in WS.users + WS.external:
            if u.get("id") == arg("user"):
                return 200, {"ok": True, "user": u}
        return 200, {"ok": False, "error": "user_not_found"}
    if method == "conversations.list":
        types = set((arg("types") or "public_channel").split(","))
        out = []
        for c in sorted(WS.channels.values(), key=lambda c: c["id"]):
            kind = ("im" if c.get("is_im") else "mpim" if c.get("is_mpim")
                    else "private_channel" if c.get("is_private") else "public_channel")
            if kind not in types:
                continue
            if arg("exclude_archived") in ("true", "1") and c.get("is_archived"):
                continue
            out.append({k: v for k, v in c.items() if k != "members"})
        chunk, meta = page(out, q, 100, 1000)
        return 200, {"ok": True, "channels": chunk, "response_metadata": meta}
    ch = arg("channel")
    if ch not in WS.channels:
        return 200, {"ok": False, "error": "channel_not_found"}
    if method == "conversations.members":
        chunk, meta = page(WS.channels[ch].get("members", []), q, 100, 1000)
        return 200, {"ok": True, "members": chunk, "response_metadata": meta}
    if ch in WS.not_in:
        return 200, {"ok": False, "error": "not_in_channel"}
    if method == "conversations.history":
        inclusive = arg("inclusive") in ("true", "1")
        oldest = float(arg("oldest") or 0)
        latest = float(arg("latest") or 1e12)
        msgs = [m for m in parents_of(ch)
                if (oldest <= ts_key(m["ts"]) if inclusive else oldest < ts_key(m["ts"]))
                and (ts_key(m["ts"]) <= latest if inclusive else ts_key(m["ts"]) < latest)]
        msgs.sort(key=lambda m: ts_key(m["ts"]), reverse=True)
        msgs = WS.raw.get(ch, []) + msgs
        chunk, meta = page(msgs, q, 100, MAX_LIMIT[method])
        WS.stats["messages_served"] += len(chunk)
        return 200, {"ok": True, "messages": chunk, "has_more": bool(meta["next_cursor"]),
                     "response_metadata": meta}
    if method == "conversations.replies":
        ts = arg("ts")
        msgs = WS.messages.get(ch, [])
        parent = [m for m in msgs if m["ts"] == ts]
        if not parent:
            return 200, {"ok": False, "error": "thread_not_found"}
        replies = sorted((m for m in msgs if m.get("thread_ts") == ts and m["ts"] != ts),
                         key=lambda m: ts_key(m["ts"]))
        chunk, meta = page([dict(parent[0], thread_ts=ts)] + replies, q, 100,
                           MAX_LIMIT[method])
        WS.stats["messages_served"] += len(chunk)
        return 200, {"ok": True, "messages": chunk, "has_more": bool(meta["next_cursor"]),
                     "response_metadata": meta}
    return 200, {"ok": False, "error": "unknown_method"}


def find(channel, ts):
    for m in WS.messages.get(channel, []):
        if m["ts"] == ts:
            return m
    return None


def control(op, b):
    if op == "seed":
        WS.users = b.get("users", [])
        WS.external = b.get("external", [])
        WS.channels = {c["id"]: c for c in b.get("channels", [])}
        WS.messages = {k: list(v) for k, v in b.get("messages", {}).items()}
        WS.raw, WS.not_in, WS.fails = {}, set(), []
        WS.expired, WS.expire_after = False, None
        return {"ok": True}
    if op == "post":
        m = {"type": "message", "user": b.get("user", ""), "text": b["text"],
             "ts": b.get("ts") or WS.next_ts()}
        if b.get("thread_ts"):
            m["thread_ts"] = b["thread_ts"]
        WS.messages.setdefault(b["channel"], []).append(m)
        return {"ok": True, "ts": m["ts"]}
    if op == "edit":
        m = find(b["channel"], b["ts"])
        if m is None:
            return None
        m["text"] = b["text"]
        m["edited"] = {"user": m.get("user", ""), "ts": WS.next_ts()}
        return {"ok": True}
    if op == "delete":
        WS.messages[b["channel"]] = [m for m in WS.messages.get(b["channel"], [])
                                     if m["ts"] != b["ts"]]
        return {"ok": True}
    if op == "user":
        for u in WS.users:
            if u["id"] == b["id"]:
                u.update(b)
                return {"ok": True}
        WS.users.append(b)
        return {"ok": True}
    if op == "members":
        WS.channels[b["channel"]]["members"] = b["members"]
        return {"ok": True}
    if op == "archive":
        WS.channels[b["channel"]]["is_archived"] = True
        return {"ok": True}
    if op == "remove_channel":
        WS.channels.pop(b["channel"], None)
        return {"ok": True}
    if op == "not_in_channel":
        (WS.not_in.add if b.get("on", True) else WS.not_in.discard)(b["channel"])
        return {"ok": True}
    if op == "fail":
        WS.fails.append([b.get("method", "*"), int(b["status"]), int(b.get("count", 1)),
                         int(b.get("retry_after", 1))])
        return {"ok": True}
    if op == "token":
        WS.expired = bool(b.get("expired", False))
        WS.expire_after = b.get("expire_after")
        return {"ok": True}
    if op == "malformed":
        WS.raw.setdefault(b["channel"], []).append(b["raw"])
        return {"ok": True}
    if op == "clear":
        WS.raw, WS.not_in, WS.fails = {}, set(), []
        WS.expired, WS.expire_after = False, None
        return {"ok": True}
    if op == "reset_stats":
        WS.reset_stats()
        return {"ok": True}
    return None


def start(port=0):
    """Starts the fake in a thread; returns (server, base URL of the API)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


if __name__ == "__main__":
    port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 0
    srv, base = start(port)
    print(f"listening on {base}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
