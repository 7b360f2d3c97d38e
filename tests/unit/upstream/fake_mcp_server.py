#!/usr/bin/env python3
"""A small MCP server speaking the real wire format, for McpClient's unit tests.

stdio (newline-delimited JSON-RPC) by default; --http PORTFILE serves Streamable HTTP on a free
loopback port (written to PORTFILE). --era legacy|modern picks initialize/sessions or
server/discover/_meta. --sse answers POSTs as text/event-stream. Tools:
  echo {text}       -> text content
  crash {}          -> the process exits at once (stdio) without answering
  hang {}           -> never answers
  expire {}         -> HTTP: forgets every session, so the next request with one gets 404
  notify {}         -> sends notifications/tools/list_changed, then answers
stdio only (requests of the server; the replies it gets back are the tool's text, as JSON):
  malformed {}      -> sends server messages with wrong types (a method that is a number, params
                       that are a string, ...), waits for the replies
  elicit {}         -> sends elicitation/create, waits for the reply
  flood {count, refused} -> sends `count` elicitation/create at once; once `refused` replies came
                       back, sends notifications/tools/list_changed; text {"refused", "answered"}
modern era: ask_input {n} -> input_required with n elicitation inputRequests, then the
  inputResponses it got; ask_bad_input {} -> inputRequests of the wrong shapes.
HTTP only: loop {} -> (SSE) a ping request on the call's stream; every reply POST is answered
  with another ping (at most 5 deep); stats {} -> how many reply POSTs arrived;
  seen_headers {} -> the raw Mcp-Name values received and whether an X-Injected header came.
  Mcp-Name is checked against the body (after Base64-sentinel decoding): 400, -32020.
Flags: --slow-pages MS (tools/list: endless pages, each after MS ms), --big-pages (tools/list:
  endless pages of a 1 MiB tool), --list-waits (tools/list answers once an elicit was answered),
  --bad-init (initialize answers a protocolVersion and serverInfo of the wrong types),
  --tasks (declares 2025-11-25 tasks for tools/call; echo is taskSupport optional, hang
  required; a tools/call with `task` answers {"task": {"taskId": "up-<n>", "status": "working"}}).
"""
import base64
import json
import os
import queue
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERA = "legacy"
SSE = False
FLAGS = {}
SESSIONS = set()
LIST_PENDING = threading.Event()
ELICIT_DONE = threading.Event()
# stdio: replies to the server's own requests, by id
REPLIES = {}
REPLIES_CV = threading.Condition()
# HTTP
REPLY_POSTS = [0]
SEEN = {"mcp_names": [], "injected": False}
TOOLS = [
    {"name": "echo", "description": "Echoes text",
     "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}}},
    {"name": "crash", "description": "Exits", "inputSchema": {"type": "object"}},
    {"name": "hang", "description": "Never answers", "inputSchema": {"type": "object"}},
    {"name": "expire", "description": "Drops sessions", "inputSchema": {"type": "object"}},
    {"name": "notify", "description": "Announces a change", "inputSchema": {"type": "object"}},
]


def result(rid, res):
    if ERA == "modern":
        res = dict(res, resultType="complete")
    return {"jsonrpc": "2.0", "id": rid, "result": res}


def error(rid, code, message):
    return {"jsonrpc": "2.0", "id": rid, "error": {"code": code, "message": message}}


def await_replies(ids, timeout=10.0):
    """The replies (stdio) to the server requests with these ids, as they came within timeout."""
    end = time.time() + timeout
    with REPLIES_CV:
        while not all(i in REPLIES for i in ids) and time.time() < end:
            REPLIES_CV.wait(0.05)
        return {i: REPLIES.get(i) for i in ids}


def text_result(rid, value):
    return result(rid, {"content": [{"type": "text", "text": json.dumps(value)}]})


def server_tool(rid, name, args, out):
    """Tools that send requests of their own (stdio); None when `name` is not one of them."""
    if name == "malformed":
        out({"jsonrpc": "2.0", "id": "bad-method", "method": 5})
        out({"jsonrpc": "2.0", "method": 7, "params": "x"})
        out({"jsonrpc": "2.0", "id": "bad-params", "method": "elicitation/create", "params": "x"})
        out([1, 2, 3])
        out({"jsonrpc": "2.0", "id": {"nested": True}, "method": "ping"})
        got = await_replies(["bad-method", "bad-params"], 5)
        return text_result(rid, got)
    if name == "elicit":
        if FLAGS.get("list_waits"):
            LIST_PENDING.wait(10)
        out({"jsonrpc": "2.0", "id": "e-1", "method": "elicitation/create",
             "params": {"message": "Proceed?", "requestedSchema": {"type": "object"}}})
        got = await_replies(["e-1"])["e-1"]
        ELICIT_DONE.set()
        return text_result(rid, got)
    if name == "flood":
        ids = ["f-%d" % i for i in range(args.get("count", 20))]
        for i in ids:
            out({"jsonrpc": "2.0", "id": i, "method": "elicitation/create",
                 "params": {"message": "Proceed?", "requestedSchema": {"type": "object"}}})
        end = time.time() + 10
        with REPLIES_CV:
            while sum(i in REPLIES for i in ids) < args.get("refused", 0) and time.time() < end:
                REPLIES_CV.wait(0.05)
        out({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
        got = await_replies(ids)
        errors = [r for r in got.values() if r and "error" in r]
        return text_result(rid, {
            "refused": sum("limit" in r["error"].get("message", "") for r in errors),
            "answered": sum(1 for r in got.values() if r and "result" in r)})
    return None


def list_page(rid, params):
    cursor = int(params.get("cursor") or 0)
    if FLAGS.get("slow_pages"):
        time.sleep(FLAGS["slow_pages"] / 1000.0)
        tools = [dict(TOOLS[0], name="t%d" % cursor)]
    else:
        tools = [dict(TOOLS[0], name="t%d" % cursor, description="x" * (1 << 20))]
    return result(rid, {"tools": tools, "nextCursor": str(cursor + 1)})


def handle(msg, out_notify):
    """Returns the response (or None) for one message."""
    method, rid, params = msg.get("method"), msg.get("id"), msg.get("params") or {}
    if rid is None:
        return None
    if method == "server/discover":
        if ERA != "modern":
            return error(rid, -32601, "Method not found")
        return result(rid, {"supportedVersions": ["2026-07-28"], "capabilities": {"tools": {}},
                            "serverInfo": {"name": "fake", "version": "1"}})
    if ERA == "modern":
        meta = params.get("_meta") or {}
        if meta.get("io.modelcontextprotocol/protocolVersion") != "2026-07-28":
            return error(rid, -32602, "missing _meta protocol version")
    if method == "initialize":
        if ERA != "legacy":
            return error(rid, -32601, "Method not found")
        if FLAGS.get("bad_init"):
            return result(rid, {"protocolVersion": 5, "capabilities": {}, "serverInfo": "x"})
        caps = {"tools": {"listChanged": True}}
        if FLAGS.get("tasks"):
            caps["tasks"] = {"cancel": {}, "requests": {"tools": {"call": {}}}}
        return result(rid, {"protocolVersion": params.get("protocolVersion"),
                            "capabilities": caps,
                            "serverInfo": {"name": "fake", "version": "1"}})
    if method == "tools/list":
        if FLAGS.get("list_waits"):
            LIST_PENDING.set()
            ELICIT_DONE.wait(10)
        if FLAGS.get("slow_pages") or FLAGS.get("big_pages"):
            return list_page(rid, params)
        if FLAGS.get("tasks"):
            support = {"echo": "optional", "hang": "required"}
            return result(rid, {"tools": [dict(t, execution={"taskSupport": support[t["name"]]})
                                          if t["name"] in support else t for t in TOOLS]})
        return result(rid, {"tools": TOOLS})
    if method == "tools/call" and FLAGS.get("tasks") and isinstance(params.get("task"), dict):
        return result(rid, {"task": {"taskId": "up-%d" % rid, "status": "working",
                                     "ttl": params["task"].get("ttl")}})
    if method == "tools/call":
        name, args = params.get("name"), params.get("arguments") or {}
        mine = server_tool(rid, name, args, out_notify)
        if mine is not None:
            return mine
        if name == "ask_input":
            if "inputResponses" in params:
                return text_result(rid, params["inputResponses"])
            asks = {"r%d" % i: {"method": "elicitation/create",
                                "params": {"message": "Proceed?", "requestedSchema": {}}}
                    for i in range(args.get("n", 1))}
            return {"jsonrpc": "2.0", "id": rid, "result": {
                "resultType": "input_required", "inputRequests": asks, "requestState": "s"}}
        if name == "ask_bad_input":
            return {"jsonrpc": "2.0", "id": rid, "result": {
                "resultType": "input_required", "inputRequests": {"a": {"method": 5}}}}
        if name == "stats":
            return text_result(rid, {"reply_posts": REPLY_POSTS[0]})
        if name == "seen_headers":
            return text_result(rid, SEEN)
        if name == "echo":
            return result(rid, {"content": [{"type": "text", "text": args.get("text", "")}]})
        if name == "crash":
            os._exit(3)
        if name == "hang":
            return "hang"
        if name == "expire":
            SESSIONS.clear()
            return result(rid, {"content": []})
        if name == "notify":
            out_notify({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
            return result(rid, {"content": []})
        return result(rid, {"content": [{"type": "text", "text": "no such tool"}],
                            "isError": True})
    return error(rid, -32601, "Method not found")


def serve_stdio():
    lock = threading.Lock()

    def write(m):
        with lock:
            sys.stdout.write(json.dumps(m) + "\n")
            sys.stdout.flush()

    def run(msg):
        resp = handle(msg, write)
        if resp not in (None, "hang"):
            write(resp)

    for line in sys.stdin:
        if not line.strip():
            continue
        msg = json.loads(line)
        if "method" not in msg:  # a reply to one of the server's requests
            with REPLIES_CV:
                REPLIES[msg.get("id") if not isinstance(msg.get("id"), dict) else "?"] = msg
                REPLIES_CV.notify_all()
        elif msg.get("method") in ("tools/call", "tools/list"):
            # Tools may wait for replies, which this loop reads: each runs on its own thread.
            threading.Thread(target=run, args=(msg,), daemon=True).start()
        else:
            run(msg)


LOOP_REPLY = threading.Event()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body=b"", ctype="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def stream(self, messages):
        """Starts an SSE response (closed with the connection) and writes messages on it."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for m in messages:
            self.stream_more(m)

    def stream_more(self, m):
        self.wfile.write(("event: message\ndata: %s\n\n" % json.dumps(m)).encode())
        self.wfile.flush()

    def check_name(self, msg):
        """The Mcp-Name header against the body (2026-07-28): None when it matches."""
        raw = self.headers.get("Mcp-Name")
        params = msg.get("params") or {}
        want = params.get("uri") if msg.get("method") == "resources/read" else params.get("name")
        if raw is None or want is None:
            return None
        SEEN["mcp_names"].append(raw)
        value = raw
        if raw.startswith("=?base64?") and raw.endswith("?="):
            value = base64.b64decode(raw[9:-2]).decode("utf-8")
        return None if value == want else "Mcp-Name %r does not match %r" % (raw, want)

    def do_POST(self):
        msg = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        sid = self.headers.get("Mcp-Session-Id")
        headers = []
        if any(k.lower() == "x-injected" for k in self.headers.keys()):
            SEEN["injected"] = True
        if "method" not in msg:  # Ward's reply to a request of this server
            REPLY_POSTS[0] += 1
            LOOP_REPLY.set()
            if REPLY_POSTS[0] <= 5:
                return self.stream([{"jsonrpc": "2.0", "id": "srv-%d" % REPLY_POSTS[0],
                                     "method": "ping"}])
            return self.send(202)
        if ERA == "modern":
            mismatch = self.check_name(msg)
            if mismatch:
                body = json.dumps(error(msg.get("id"), -32020, mismatch)).encode()
                return self.send(400, body)
        if ERA == "legacy":
            if msg.get("method") == "initialize":
                sid = str(uuid.uuid4())
                SESSIONS.add(sid)
                headers.append(("Mcp-Session-Id", sid))
            elif sid not in SESSIONS:
                return self.send(404 if sid else 400, b'{"error":"no session"}')
        elif self.headers.get("MCP-Protocol-Version") != "2026-07-28":
            return self.send(400, b'{"error":"no version header"}')
        if (msg.get("params") or {}).get("name") == "loop":
            self.stream([{"jsonrpc": "2.0", "id": "srv-0", "method": "ping"}])
            LOOP_REPLY.wait(10)
            return self.stream_more(result(msg["id"], {"content": []}))
        notes = []
        resp = handle(msg, notes.append)
        if resp is None:
            return self.send(202)
        if resp == "hang":
            threading.Event().wait(3600)
        if SSE:
            body = "".join("event: message\ndata: %s\n\n" % json.dumps(m) for m in notes + [resp])
            return self.send(200, body.encode(), "text/event-stream", headers)
        self.send(200, json.dumps(resp).encode(), headers=headers)


def main():
    global ERA, SSE
    args = sys.argv[1:]
    if "--era" in args:
        ERA = args[args.index("--era") + 1]
    SSE = "--sse" in args
    FLAGS["list_waits"] = "--list-waits" in args
    FLAGS["big_pages"] = "--big-pages" in args
    FLAGS["bad_init"] = "--bad-init" in args
    FLAGS["tasks"] = "--tasks" in args
    if "--start-delay" in args:  # an interpreter that takes this long to start answering
        time.sleep(float(args[args.index("--start-delay") + 1]))
    if "--slow-pages" in args:
        FLAGS["slow_pages"] = int(args[args.index("--slow-pages") + 1])
    if "--http" in args:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        with open(args[args.index("--http") + 1] + ".tmp", "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(args[args.index("--http") + 1] + ".tmp", args[args.index("--http") + 1])
        server.serve_forever()
    else:
        serve_stdio()


if __name__ == "__main__":
    main()
