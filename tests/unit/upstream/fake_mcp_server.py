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
"""
import json
import os
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERA = "legacy"
SSE = False
SESSIONS = set()
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
        return result(rid, {"protocolVersion": params.get("protocolVersion"),
                            "capabilities": {"tools": {"listChanged": True}},
                            "serverInfo": {"name": "fake", "version": "1"}})
    if method == "tools/list":
        return result(rid, {"tools": TOOLS})
    if method == "tools/call":
        name, args = params.get("name"), params.get("arguments") or {}
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

    for line in sys.stdin:
        if not line.strip():
            continue
        resp = handle(json.loads(line), write)
        if resp not in (None, "hang"):
            write(resp)


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

    def do_POST(self):
        msg = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        sid = self.headers.get("Mcp-Session-Id")
        headers = []
        if ERA == "legacy":
            if msg.get("method") == "initialize":
                sid = str(uuid.uuid4())
                SESSIONS.add(sid)
                headers.append(("Mcp-Session-Id", sid))
            elif sid not in SESSIONS:
                return self.send(404 if sid else 400, b'{"error":"no session"}')
        elif self.headers.get("MCP-Protocol-Version") != "2026-07-28":
            return self.send(400, b'{"error":"no version header"}')
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
