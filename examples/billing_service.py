#!/usr/bin/env python3
"""A small billing backend for Ward's example tools (standard library only).

Usage: python3 examples/billing_service.py [--port N] [--port-file PATH] [--token TOKEN]

Serves on 127.0.0.1 (default 7480, the port examples/tools/*.json name; 0 = pick one; the chosen port is printed and written to --port-file):
  GET    /invoices/{id}          an invoice (404 if unknown)
  POST   /invoices/{id}/refund   {"amount", "reason"} -> a refund (counted)
  DELETE /customers/{id}         deletes a customer (counted)
  GET    /stats                  how many times each mutation executed, and the last headers seen
When --token is given, every request must carry "Authorization: Bearer TOKEN" (else 401).
"""

import argparse
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INVOICES = {
    "INV-2024-0042": {"customer": "acme", "amount": 1250.0, "currency": "EUR"},
    "INV-2024-0043": {"customer": "globex", "amount": 300.0, "currency": "EUR"},
    "INV-2024-0044": {"customer": "initech", "amount": 80.0, "currency": "USD"},
}
CUSTOMERS = {"acme", "globex", "initech", "umbrella"}
LOCK = threading.Lock()
STATS = {"refunds": 0, "deletes": 0, "lookups": 0, "refund_ids": [], "last_traceparent": "",
         "last_idempotency_key": ""}


class Handler(BaseHTTPRequestHandler):
    token = None
    refund_delay = 0.0
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return None

    def authorized(self):
        with LOCK:
            STATS["last_traceparent"] = self.headers.get("traceparent", "")
            STATS["last_idempotency_key"] = self.headers.get("Idempotency-Key", "")
        if self.token and self.headers.get("Authorization") != "Bearer " + self.token:
            self.reply(401, {"error": "missing or wrong service-account token"})
            return False
        return True

    def do_GET(self):
        if self.path == "/stats":
            with LOCK:
                return self.reply(200, dict(STATS))
        if not self.authorized():
            return
        if self.path == "/redirect":  # for tests: the gateway must not follow redirects
            self.send_response(302)
            self.send_header("Location", "/invoices/INV-2024-0042")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/big":  # for tests: a response over the gateway's size limit
            return self.reply(200, {"blob": "x" * (5 << 20)})
        m = re.fullmatch(r"/invoices/([A-Za-z0-9-]+)", self.path)
        if m and m.group(1) in INVOICES:
            with LOCK:
                STATS["lookups"] += 1
            inv = INVOICES[m.group(1)]
            return self.reply(200, {"id": m.group(1), **inv, "status": "paid"})
        self.reply(404, {"error": "no such invoice"})

    def do_POST(self):
        if not self.authorized():
            return
        body = self.read_body()
        m = re.fullmatch(r"/invoices/([A-Za-z0-9-]+)/refund", self.path)
        if body is None:
            return self.reply(400, {"error": "body is not JSON"})
        if not m or m.group(1) not in INVOICES:
            return self.reply(404, {"error": "no such invoice"})
        if self.refund_delay:
            time.sleep(self.refund_delay)
        with LOCK:
            STATS["refunds"] += 1
            refund_id = "RF-%04d" % STATS["refunds"]
            STATS["refund_ids"].append(refund_id)
        self.reply(200, {"refund_id": refund_id, "invoice_id": m.group(1),
                         "amount": body.get("amount"), "status": "refunded"})

    def do_DELETE(self):
        if not self.authorized():
            return
        m = re.fullmatch(r"/customers/([A-Za-z0-9-]+)", self.path)
        if not m or m.group(1) not in CUSTOMERS:
            return self.reply(404, {"error": "no such customer"})
        with LOCK:
            STATS["deletes"] += 1
        self.reply(200, {"customer_id": m.group(1), "deleted": True})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=7480)
    ap.add_argument("--port-file")
    ap.add_argument("--token")
    ap.add_argument("--refund-delay-ms", type=int, default=0,
                    help="slow refunds down (tests use it to overlap duplicate calls)")
    args = ap.parse_args()
    Handler.token = args.token
    Handler.refund_delay = args.refund_delay_ms / 1000.0
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    print("billing service on 127.0.0.1:%d" % port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
