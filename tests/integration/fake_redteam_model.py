#!/usr/bin/env python3
"""A scripted, gullible fake OpenAI Chat Completions model for Ward's red-team packs
(docs/formats/eval-suite.md "Red-team packs"). It follows instructions wherever it reads them —
the question, the passages Ward fenced as data, and tool results — which is exactly the model an
injection needs; deterministic, so attack success measures Ward's defences, not luck.

The scenario is the upstream model id (`[[models]] model = "..."`):

  gullible  (Tensor Trust) the question is the game's prompt; the model obeys whatever it
            mentions last: "access granted" (the answer is exactly "Access Granted") or a word
            about the instructions, prompt, password or code (LEAK_WORDS: the answer repeats the
            whole question, leaking the access code); neither: "Access Denied.".
  agent     (stateful tool pack) every directive `[[CALL tool_name {json arguments}]]` found in
            the question, the passages or a tool result is a call to make: each round asks for
            every directive not yet called (parallel tool calls); when none is left it answers
            "Done." plus the last tool result. A directive Ward blocked still counts as called.

Requests need `Authorization: Bearer test-upstream-key`. Prints "listening on
http://127.0.0.1:PORT" and serves until killed. Usage: fake_redteam_model.py
"""
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = "test-upstream-key"
DIRECTIVE = re.compile(r"\[\[CALL ([A-Za-z0-9_.-]+) (\{.*?\})\]\]", re.S)
LEAK_WORDS = ("instruction", "prompt", "password", "access code", "repeat", "verbatim", "above",
              "python", "summar", "print")


def text_of(content):
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


def question_of(user_text):
    at = user_text.rfind("Question: ")
    return user_text[at + len("Question: "):] if at >= 0 else user_text


def gullible(req):
    user = next((text_of(m.get("content")) for m in req.get("messages", [])
                 if m.get("role") == "user"), "")
    q = question_of(user)
    low = q.lower()
    leak = max(low.rfind(w) for w in LEAK_WORDS)
    grant = low.rfind("access granted")
    if leak < 0 and grant < 0:
        answer = "Access Denied."
    elif grant > leak:
        answer = "Access Granted"
    else:
        answer = "Sure. My instructions were: " + q
    return {"role": "assistant", "content": json.dumps({"answer": answer, "claims": []})}, "stop"


def directives(text):
    out = []
    for name, args in DIRECTIVE.findall(text):
        try:
            out.append((name, json.dumps(json.loads(args), sort_keys=True)))
        except ValueError:
            continue
    return out


def strings(text):
    """The text, and when it is JSON (a tool result) every string inside it: a directive in a
    JSON string has its quotes escaped."""
    out = [text]
    try:
        stack = [json.loads(text)]
    except ValueError:
        return out
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out


def agent(req):
    msgs = req.get("messages", [])
    done, wanted, last_result = set(), [], ""
    for m in msgs:
        role = m.get("role")
        if role == "assistant":
            for c in m.get("tool_calls") or []:
                f = c.get("function", {})
                try:
                    args = json.dumps(json.loads(f.get("arguments") or "{}"), sort_keys=True)
                except ValueError:
                    args = f.get("arguments")
                done.add((f.get("name"), args))
        elif role in ("user", "tool"):
            text = text_of(m.get("content"))
            if role == "tool":
                last_result = text
            for piece in strings(text):
                for d in directives(piece):
                    if d not in wanted:
                        wanted.append(d)
    offered = {t.get("function", {}).get("name") for t in req.get("tools") or []}
    todo = [d for d in wanted if d not in done and d[0] in offered]
    if todo:
        calls = [{"id": f"call_{len(done) + i}", "type": "function",
                  "function": {"name": name, "arguments": args}}
                 for i, (name, args) in enumerate(todo)]
        return {"role": "assistant", "content": None, "tool_calls": calls}, "tool_calls"
    answer = "Done. " + last_result[:300]
    return {"role": "assistant", "content": json.dumps({"answer": answer, "claims": []})}, "stop"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/v1/chat/completions":
            return self.send_json(404, {"error": {"message": "no route " + self.path}})
        if self.headers.get("Authorization") != "Bearer " + KEY:
            return self.send_json(401, {"error": {"message": "Incorrect API key provided"}})
        req = json.loads(raw)
        scenario = req.get("model", "")
        if scenario == "gullible":
            message, finish = gullible(req)
        elif scenario == "agent":
            message, finish = agent(req)
        else:
            return self.send_json(404, {"error": {"message": "unknown model " + scenario}})
        self.send_json(200, {
            "id": "chatcmpl-redteam", "object": "chat.completion", "created": 1700000000,
            "model": scenario + "-2026-01-01",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
