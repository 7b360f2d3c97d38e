#!/usr/bin/env python3
"""The OpenAI-compatible proxy end to end: `ward serve` in front of a fake OpenAI upstream
(tests/models/fake_openai_upstream.py, the real Chat Completions wire format).

Checks: grants per principal (deny by default) on /v1/models and /v1/chat/completions; the
OpenAI error shape for bad input, unknown and ungranted models, oversize prompts and missing
keys; body `user`/`metadata` recorded as claims only; retries (retry-after-ms, 529,
x-should-retry: false, a spend-limit 429 not retried); fallbacks re-authorised (an ungranted one
fails closed); streaming (role first, text pieces, tool calls only complete, usage, [DONE],
mid-stream errors, a stream dropped before usage); one model_call record per call; the API key
never in a trace, a log or an answer.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (REPO, WARD_BIN, check, http_request, start_server, stop_processes,  # noqa
                     summary, ward_ok)

UPSTREAM_KEY = "test-upstream-key"


def ward_id(provider_id):
    """Ward's tool-call id for a provider's (docs/design/models.md "Tool-call ids")."""
    return "call_w-" + base64.urlsafe_b64encode(provider_id.encode()).decode().rstrip("=")

CLIENT_DIR = os.path.join(REPO, "tests", "models")
FAKE = os.path.join(CLIENT_DIR, "fake_openai_upstream.py")

SCENARIOS = ["text", "tool", "tools2", "empty_args", "bad_args", "r429", "quota", "r529",
             "noretry", "fail", "midstream", "drop", "echo", "search"]


def model_block(name, scenario, base, allow, extra="", provider="openai"):
    return (f'\n[[models]]\nname = "{name}"\nprovider = "{provider}"\nbase_url = "{base}/v1"\n'
            f'model = "{scenario}"\napi_key_secret = "upstream_key"\nallow = {json.dumps(allow)}\n'
            f'allow_private = true\nretry_base_ms = 1\n{extra}')


ANTHROPIC_SCENARIOS = ["text", "tool", "tools2", "r529", "think"]
GEMINI_SCENARIOS = ["text", "tool", "tools2", "empty_args", "r429", "r529", "think", "midstream",
                    "echo", "tool_id", "partial", "partial_cut"]


RESPONSES_SCENARIOS = ["text", "tool", "tools2", "empty_args", "reason", "r429", "r529",
                       "midstream", "echo"]


def write_models(data, base):
    blocks = [model_block("m-" + s, s, base, ["group:ml"]) for s in SCENARIOS]
    # The same scenarios behind the Anthropic Messages dialect: "model swap" is this one line.
    blocks += [model_block("a-" + s, s, base, ["group:ml"], provider="anthropic")
               for s in ANTHROPIC_SCENARIOS]
    blocks += [model_block("g-" + s, s, base, ["group:ml"], provider="gemini")
               for s in GEMINI_SCENARIOS]
    blocks += [model_block("r-" + s, s, base, ["group:ml"], provider="openai-responses")
               for s in RESPONSES_SCENARIOS]
    blocks.append(model_block("e-openai", "embed", base, ["group:ml"], 'kind = "embedding"\n'))
    blocks.append(model_block("e-gemini", "embed", base, ["group:ml"], 'kind = "embedding"\n',
                              provider="gemini"))
    blocks.append(model_block("e-fail", "embed_fail", base, ["group:ml"],
                              'kind = "embedding"\nmax_retries = 0\nfallbacks = ["e-openai"]\n'))
    blocks.append(model_block("e-fail-denied", "embed_fail", base, ["group:ml"],
                              'kind = "embedding"\nmax_retries = 0\nfallbacks = ["e-secret"]\n'))
    blocks.append(model_block("e-secret", "embed", base, ["principal:admin"],
                              'kind = "embedding"\n'))
    blocks.append(model_block("m-fallback", "fail", base, ["group:ml"],
                              'max_retries = 0\nfallbacks = ["m-text"]\n'))
    blocks.append(model_block("m-fallback-denied", "fail", base, ["group:ml"],
                              'max_retries = 0\nfallbacks = ["m-secret"]\n'))
    blocks.append(model_block("m-secret", "text", base, ["principal:admin"]))
    blocks.append(model_block("m-small", "text", base, ["group:ml"], "max_prompt_bytes = 100\n"))
    blocks.append(model_block("m-nokey", "text", base, ["group:ml"])
                  .replace('"upstream_key"', '"missing_key"'))
    blocks.append(model_block("m-defaults", "echo", base, ["group:ml"],
                              "\n[models.params]\ntemperature = 0.3\nmax_tokens = 77\n"))
    blocks.append('\n[[model_budgets]]\nsubject = "principal:carol"\ntokens_per_day = 10\n')
    blocks.append('\n[[model_budgets]]\nsubject = "principal:dave"\ntokens_per_day = 5\n')
    with open(os.path.join(data, "ward.toml"), "a") as f:
        f.write("".join(blocks))


def chat(base, key, model, content="Hi", **extra):
    body = {"model": model, "messages": [{"role": "user", "content": content}]}
    body.update(extra)
    return http_request(base, "POST", "/v1/chat/completions", body, key=key)


def sse(base, key, body):
    """(status, [parsed data events, '[DONE]' kept as text], content type)."""
    req = urllib.request.Request(base + "/v1/chat/completions", data=json.dumps(body).encode(),
                                 method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("Authorization", "Bearer " + key)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            raw, status, ctype = resp.read().decode(), resp.status, resp.headers.get("Content-Type")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), e.headers.get("Content-Type")
    events = []
    for block in raw.split("\n\n"):
        for line in block.split("\n"):
            if line.startswith("data: "):
                d = line[6:]
                events.append(d if d == "[DONE]" else json.loads(d))
    return status, events, ctype


def upstream_count(fake, scenario):
    with urllib.request.urlopen(f"{fake}/_count/{scenario}", timeout=10) as r:
        return json.loads(r.read())["count"]


def upstream_last(fake, scenario):
    with urllib.request.urlopen(f"{fake}/_last/{scenario}", timeout=10) as r:
        return json.loads(r.read())


def model_calls(data):
    out = ward_ok(data, "trace", "list", "--kind", "model_call", "--json")
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_listing_and_errors(base, keys, data):
    st, _, body = http_request(base, "GET", "/v1/models", key=keys["alice"])
    ids = [m["id"] for m in body.get("data", [])] if isinstance(body, dict) else []
    check("/v1/models lists the caller's models in the OpenAI shape",
          st == 200 and body.get("object") == "list" and "m-text" in ids and
          "m-secret" not in ids and all(m["object"] == "model" for m in body["data"]), body)
    st, _, body = http_request(base, "GET", "/v1/models", key=keys["bob"])
    check("/v1/models is empty without grants (deny by default)",
          st == 200 and body["data"] == [], body)
    st, _, body = http_request(base, "GET", "/v1/models")
    check("no key: 401 in the OpenAI error shape",
          st == 401 and body["error"]["type"] == "authentication_error" and
          body["error"]["message"], body)

    before = len(model_calls(data))
    st, _, body = chat(base, keys["bob"], "m-text")
    check("an ungranted model is 404 not_found_error",
          st == 404 and body["error"]["type"] == "not_found_error" and
          "does not exist or you may not use it" in body["error"]["message"], body)
    st, _, body2 = chat(base, keys["alice"], "no-such-model")
    check("an unknown model gets the same answer", st == 404 and
          body2["error"]["message"].replace("no-such-model", "m-text") == body["error"]["message"],
          body2)
    calls = model_calls(data)[before:]
    check("both refusals are recorded as model_call outcome=denied",
          [(c["principal"], c["attributes"]["outcome"]) for c in calls] ==
          [("bob", "denied"), ("alice", "denied")], calls)

    st, _, body = http_request(base, "POST", "/v1/chat/completions", raw=b"{\"model\":",
                               key=keys["alice"])
    check("a malformed body is 400 invalid_request_error",
          st == 400 and body["error"]["type"] == "invalid_request_error", body)
    for bad, field in [({"model": "m-text"}, "messages"),
                       ({"model": "m-text", "messages": [{"role": "robot", "content": "x"}]},
                        "role"),
                       ({"model": "m-text", "messages": [{"role": "user", "content": "x"}],
                         "temperature": 7}, "temperature"),
                       ({"model": "m-text", "messages": [{"role": "user", "content": "x"}],
                         "frobnicate": 1}, "frobnicate"),
                       ({"model": "m-text", "messages": [{"role": "user", "content": "x"}],
                         "store": True}, "store")]:
        st, _, body = http_request(base, "POST", "/v1/chat/completions", bad, key=keys["alice"])
        check(f"bad request naming '{field}' is 400", st == 400 and
              field in body["error"]["message"], body)
    before = len(model_calls(data))
    st, _, body = chat(base, keys["alice"], "m-small", content="x" * 500)
    check("an oversize prompt is 400 naming max_prompt_bytes",
          st == 400 and "max_prompt_bytes" in body["error"]["message"], body)
    check("bad input records nothing half-way", len(model_calls(data)) == before)
    st, _, body = chat(base, keys["alice"], "m-nokey")
    check("a model whose key secret is missing is 503 naming the secret",
          st == 503 and "missing_key" in body["error"]["message"], body)


def test_calls(base, keys, data, fake):
    st, _, body = chat(base, keys["alice"], "m-text", user="admin",
                       metadata={"principal": "admin"})
    ok = st == 200 and isinstance(body, dict) and body.get("object") == "chat.completion"
    check("a call answers in the Chat Completions shape", ok and
          body["choices"][0]["message"]["content"] == "Hello from the fake." and
          body["choices"][0]["finish_reason"] == "stop" and body["model"] == "text-2026-01-01" and
          body["usage"]["prompt_tokens"] == 12 and
          body["usage"]["prompt_tokens_details"]["cached_tokens"] == 2, body)
    last = model_calls(data)[-1]
    a = last["attributes"]
    check("the call is one model_call record: caller, models, usage, latency, finish",
          last["principal"] == "alice" and a["outcome"] == "ok" and
          a["requested_model"] == "m-text" and a["model"] == "text" and
          a["model_version"] == "text-2026-01-01" and a["provider"] == "openai" and
          a["usage"]["input_tokens"] == 12 and a["finish_reason"] == "stop" and
          a["latency_ms"] >= 0 and a["prompt"]["stored"] is True, last)
    check("body user/metadata are claims: recorded, identity unchanged",
          a["claims"]["user"] == "admin" and a["claims"]["metadata"] == {"principal": "admin"}
          and last["principal"] == "alice", a)

    st, _, body = chat(base, keys["alice"], "m-echo", user="admin", metadata={"k": "v"},
                       temperature=0.5, seed=9, max_tokens=12)
    fwd = upstream_last(fake, "echo")
    check("the provider gets the sampling parameters but no client claims",
          st == 200 and fwd.get("temperature") == 0.5 and fwd.get("seed") == 9 and
          fwd.get("max_tokens") == 12 and "user" not in fwd and "metadata" not in fwd and
          fwd.get("model") == "echo", fwd)
    a = model_calls(data)[-1]["attributes"]
    check("every sampling parameter is recorded",
          a["parameters"] == {"temperature": 0.5, "seed": 9, "max_tokens": 12}, a)
    st, _, body = chat(base, keys["alice"], "m-defaults")
    fwd = upstream_last(fake, "echo")
    check("[models.params] defaults fill what the request leaves out",
          st == 200 and fwd.get("temperature") == 0.3 and fwd.get("max_tokens") == 77, fwd)

    st, _, body = chat(base, keys["alice"], "m-tools2",
                       tools=[{"type": "function", "function": {"name": "get_weather"}},
                              {"type": "function", "function": {"name": "get_time"}}])
    calls = body["choices"][0]["message"].get("tool_calls", []) if st == 200 else []
    check("two parallel tool calls come back whole",
          [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in calls] ==
          [(ward_id("call_a"), "get_weather", '{"city":"Paris"}'),
           (ward_id("call_b"), "get_time", '{"tz":"CET"}')]
          and body["choices"][0]["finish_reason"] == "tool_calls", body)
    a = model_calls(data)[-1]["attributes"]
    check("tools offered and tool calls are recorded",
          a["tools_offered"] == ["get_weather", "get_time"] and
          [c["name"] for c in a["tool_calls"]] == ["get_weather", "get_time"], a)
    for scen, args in [("empty_args", ""), ("bad_args", '{"city":')]:
        st, _, body = chat(base, keys["alice"], "m-" + scen)
        got = body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] \
            if st == 200 else None
        check(f"{scen}: the arguments pass through as the model wrote them", got == args, body)


def test_tool_call_policy(base, keys, data):
    """A tool call naming a gateway tool the caller may not use: refused streamed and not."""
    ward_ok(data, "tools", "add", os.path.join(REPO, "examples", "tools", "search_docs.json"))
    st, _, body = chat(base, keys["alice"], "m-search")
    a = model_calls(data)[-1]["attributes"]
    check("a model's call of an ungranted gateway tool is refused (403) and recorded",
          st == 403 and body["error"]["type"] == "permission_error" and
          "search_docs" in body["error"]["message"] and a["outcome"] == "denied" and
          a["tool_calls"][0]["name"] == "search_docs", (st, body, a))
    st, body, _ = sse(base, keys["alice"], {"model": "m-search", "stream": True,
                                            "messages": [{"role": "user", "content": "Hi"}]})
    b = model_calls(data)[-1]["attributes"]
    check("parity: the streamed call gets the same decision and the same record",
          st == 403 and b["outcome"] == "denied" and b["tool_calls"] == a["tool_calls"],
          (st, body, b))
    ward_ok(data, "grants", "add", "--tool", "search_docs", "--principal", "alice")
    st, _, body = chat(base, keys["alice"], "m-search")
    check("with a grant the tool call is returned to the app", st == 200 and
          body["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "search_docs",
          body)
    st, ev, _ = sse(base, keys["alice"], {"model": "m-search", "stream": True,
                                          "messages": [{"role": "user", "content": "Hi"}]})
    check("parity: streamed with a grant, too", st == 200 and ev[-1] == "[DONE]", ev)


def test_budgets(base, keys, data):
    st, _, body = chat(base, keys["carol"], "m-text")
    check("a budget admits the first request of its window", st == 200, body)
    st, hdrs, body = chat(base, keys["carol"], "m-text")
    check("a used-up token budget is 429 rate_limit_error with Retry-After",
          st == 429 and body["error"]["type"] == "rate_limit_error" and
          "tokens per day" in body["error"]["message"] and hdrs.get("Retry-After"), body)
    last = model_calls(data)[-1]
    check("the budget refusal is recorded", last["principal"] == "carol" and
          last["attributes"]["outcome"] == "denied" and
          "budget" in last["attributes"]["error"], last)
    st, _, body = chat(base, keys["alice"], "m-text", user="carol")
    check("another principal claiming to be carol in `user` is not charged to her", st == 200,
          body)


def test_retries_and_fallbacks(base, keys, data, fake):
    st, _, body = chat(base, keys["alice"], "m-r429")
    a = model_calls(data)[-1]["attributes"]
    check("429 with retry-after-ms is retried after the wait it names",
          st == 200 and upstream_count(fake, "r429") == 2 and
          a["attempts"][0]["status"] == 429 and a["attempts"][0]["wait_ms"] == 20, a)
    st, hdrs, body = chat(base, keys["alice"], "m-quota")
    check("a spend-limit 429 is not retried and reaches the client as 429 rate_limit_error",
          st == 429 and body["error"]["type"] == "rate_limit_error" and
          upstream_count(fake, "quota") == 1, body)
    st, _, body = chat(base, keys["alice"], "m-r529")
    check("529 overloaded is retried", st == 200 and upstream_count(fake, "r529") == 2, body)
    st, _, body = chat(base, keys["alice"], "m-noretry")
    check("x-should-retry: false stops retries (503)",
          st == 503 and upstream_count(fake, "noretry") == 1, body)
    st, _, body = chat(base, keys["alice"], "m-fallback")
    a = model_calls(data)[-1]["attributes"]
    check("a failing model falls back to a granted one, and the hop is recorded",
          st == 200 and body["choices"][0]["message"]["content"] == "Hello from the fake." and
          [(x["model"], x.get("status"), x.get("fallback", False)) for x in a["attempts"]] ==
          [("m-fallback", 500, False), ("m-text", 200, True)], a)
    text_before = upstream_count(fake, "text")
    st, _, body = chat(base, keys["alice"], "m-fallback-denied")
    a = model_calls(data)[-1]["attributes"]
    check("a fallback to a model the caller may not use fails closed",
          st == 503 and upstream_count(fake, "text") == text_before and
          a["attempts"][-1]["model"] == "m-secret" and a["attempts"][-1]["outcome"] == "denied",
          (st, body, a))


def test_streams(base, keys, data):
    st, ev, ctype = sse(base, keys["alice"], {"model": "m-text", "stream": True,
                                              "stream_options": {"include_usage": True},
                                              "messages": [{"role": "user", "content": "Hi"}]})
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in ev
                   if isinstance(e, dict) and e.get("choices"))
    check("a stream: SSE, role first, text pieces, finish, usage chunk, [DONE]",
          st == 200 and ctype.startswith("text/event-stream") and
          ev[0]["choices"][0]["delta"]["role"] == "assistant" and
          text == "Hello from the fake." and
          ev[-3]["choices"][0]["finish_reason"] == "stop" and ev[-2]["choices"] == [] and
          ev[-2]["usage"]["prompt_tokens"] == 12 and ev[-1] == "[DONE]" and
          len({e["id"] for e in ev if isinstance(e, dict)}) == 1, ev)
    a = model_calls(data)[-1]["attributes"]
    check("the stream is recorded with its usage", a["stream"] is True and
          a["usage"]["input_tokens"] == 12 and a["outcome"] == "ok", a)
    st, ev, _ = sse(base, keys["alice"], {"model": "m-text", "stream": True,
                                          "messages": [{"role": "user", "content": "Hi"}]})
    check("no usage chunk unless asked", st == 200 and
          all(e == "[DONE]" or e["choices"] for e in ev), ev)

    st, ev, _ = sse(base, keys["alice"], {"model": "m-tools2", "stream": True,
                                          "messages": [{"role": "user", "content": "Hi"}]})
    tc = [e for e in ev if isinstance(e, dict) and e.get("choices") and
          e["choices"][0]["delta"].get("tool_calls")]
    calls = tc[0]["choices"][0]["delta"]["tool_calls"] if tc else []
    check("interleaved tool-call deltas are forwarded once, complete",
          len(tc) == 1 and [(c["index"], c["id"], c["type"], c["function"]["name"],
                             c["function"]["arguments"]) for c in calls] ==
          [(0, ward_id("call_a"), "function", "get_weather", '{"city":"Paris"}'),
           (1, ward_id("call_b"), "function", "get_time", '{"tz":"CET"}')] and
          ev[-2]["choices"][0]["finish_reason"] == "tool_calls", ev)

    st, ev, _ = sse(base, keys["alice"], {"model": "m-midstream", "stream": True,
                                          "messages": [{"role": "user", "content": "Hi"}]})
    check("a mid-stream provider error ends the stream with an error event, no [DONE]",
          st == 200 and isinstance(ev[-1], dict) and "error" in ev[-1] and "[DONE]" not in ev,
          ev)
    a = model_calls(data)[-1]["attributes"]
    check("the broken stream is recorded as an error", a["outcome"] == "error", a)

    st, ev, _ = sse(base, keys["alice"], {"model": "m-drop", "stream": True,
                                          "messages": [{"role": "user", "content": "Hi"}]})
    a = model_calls(data)[-1]["attributes"]
    check("a stream dropped after the finish but before usage: answer complete, usage lost",
          st == 200 and ev[-1] == "[DONE]" and a["outcome"] == "ok" and "usage" not in a, (ev, a))

    st, body, _ = sse(base, keys["alice"], {"model": "m-quota", "stream": True,
                                            "messages": [{"role": "user", "content": "Hi"}]})
    check("a stream refused before its first byte is a plain HTTP 429",
          st == 429 and body["error"]["type"] == "rate_limit_error", body)
    st, body, _ = sse(base, keys["bob"], {"model": "m-text", "stream": True,
                                          "messages": [{"role": "user", "content": "Hi"}]})
    check("an ungranted stream is 404 before any stream starts", st == 404, body)


def run_openai_client(base, keys):
    node = os.path.join(CLIENT_DIR, "node_modules", ".bin", "node")
    env = dict(os.environ, WARD_BASE=base, WARD_KEY=keys["alice"], WARD_BOB_KEY=keys["bob"])
    proc = subprocess.run([node, os.path.join(CLIENT_DIR, "openai_client_test.mjs")],
                          capture_output=True, text=True, timeout=240, env=env, cwd=CLIENT_DIR)
    print(proc.stdout + proc.stderr[-3000:])
    check("the official openai npm client passes against the proxy", proc.returncode == 0,
          proc.returncode)
    if os.path.isdir(os.path.join(CLIENT_DIR, "node_modules", "ai")):
        proc = subprocess.run([node, os.path.join(CLIENT_DIR, "ai_sdk_test.mjs")],
                              capture_output=True, text=True, timeout=240, env=env, cwd=CLIENT_DIR)
        print(proc.stdout + proc.stderr[-3000:])
        check("the Vercel AI SDK passes against the proxy (chat and responses, every dialect)",
              proc.returncode == 0, proc.returncode)
    if os.path.isdir(os.path.join(CLIENT_DIR, "node_modules", "@openai", "agents")):
        proc = subprocess.run([node, os.path.join(CLIENT_DIR, "agents_test.mjs")],
                              capture_output=True, text=True, timeout=240, env=env, cwd=CLIENT_DIR)
        print(proc.stdout + proc.stderr[-3000:])
        check("the OpenAI Agents SDK passes against the proxy (chat, stream and responses, every "
              "dialect)", proc.returncode == 0, proc.returncode)
    else:
        print("SKIP the OpenAI Agents SDK: run `npm ci` in tests/models (scripts/test.sh does)")


def test_model_swap(base, keys, data, fake, prefix):
    """One request suite; `prefix` picks the provider dialect behind the same model names."""
    who = f"[{prefix}] "
    st, _, body = chat(base, keys["alice"], prefix + "text")
    check(who + "text answer and usage (cached tokens counted in the input)",
          st == 200 and body["choices"][0]["message"]["content"] == "Hello from the fake." and
          body["usage"]["prompt_tokens"] == 12 and
          body["usage"]["prompt_tokens_details"]["cached_tokens"] == 2, body)
    st, _, body = chat(base, keys["alice"], prefix + "tools2")
    calls = body["choices"][0]["message"].get("tool_calls", []) if st == 200 else []
    check(who + "two tool calls, arguments as JSON text",
          [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] ==
          [("get_weather", {"city": "Paris"}), ("get_time", {"tz": "CET"})] and
          body["choices"][0]["finish_reason"] == "tool_calls", body)
    # A history whose tool-call id another provider minted (dots and colons).
    history = [{"role": "user", "content": "weather?"},
               {"role": "assistant", "content": None, "tool_calls": [
                   {"id": "call.a:1", "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]},
               {"role": "tool", "tool_call_id": "call.a:1", "content": "sunny"}]
    st, _, body = http_request(base, "POST", "/v1/chat/completions",
                               {"model": prefix + "text", "messages": history},
                               key=keys["alice"])
    check(who + "a tool result continues the conversation (foreign tool-call ids mapped)",
          st == 200 and body["choices"][0]["message"]["content"] == "The tool said: sunny", body)
    st, ev, _ = sse(base, keys["alice"], {"model": prefix + "text", "stream": True,
                                          "stream_options": {"include_usage": True},
                                          "messages": [{"role": "user", "content": "Hi"}]})
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in ev
                   if isinstance(e, dict) and e.get("choices"))
    check(who + "streamed text, finish, usage, [DONE]",
          st == 200 and text == "Hello from the fake." and ev[-1] == "[DONE]" and
          ev[-2]["usage"]["prompt_tokens"] == 12 and
          ev[-3]["choices"][0]["finish_reason"] == "stop", ev)
    st, ev, _ = sse(base, keys["alice"], {"model": prefix + "tools2", "stream": True,
                                          "messages": [{"role": "user", "content": "Hi"}]})
    tc = [e for e in ev if isinstance(e, dict) and e.get("choices") and
          e["choices"][0]["delta"].get("tool_calls")]
    calls = tc[0]["choices"][0]["delta"]["tool_calls"] if tc else []
    check(who + "streamed tool calls forwarded once, complete",
          len(tc) == 1 and [(c["index"], c["function"]["name"],
                             json.loads(c["function"]["arguments"])) for c in calls] ==
          [(0, "get_weather", {"city": "Paris"}), (1, "get_time", {"tz": "CET"})], ev)
    st, _, body = chat(base, keys["alice"], prefix + "r529")
    check(who + "529 overloaded is retried", st == 200, body)


def test_anthropic_specifics(base, keys, data, fake):
    st, _, body = chat(base, keys["alice"], "a-think")
    msg = body["choices"][0]["message"] if st == 200 else {}
    calls = msg.get("tool_calls", [])
    check("anthropic: thinking + signature ride on the tool call as extra_content",
          calls and calls[0]["id"] == ward_id("toolu_a") and
          calls[0]["extra_content"]["anthropic"]["thinking"][0]["signature"] == "sig-123", body)
    history = [{"role": "user", "content": "weather?"}, msg,
               {"role": "tool", "tool_call_id": ward_id("toolu_a"), "content": "sunny"}]
    st, _, body = http_request(base, "POST", "/v1/chat/completions",
                               {"model": "a-think", "messages": history}, key=keys["alice"])
    check("anthropic: the signature goes back verbatim and the loop continues",
          st == 200 and body["choices"][0]["message"]["content"] == "The tool said: sunny", body)
    stripped = json.loads(json.dumps(msg))
    if stripped.get("tool_calls"):
        stripped["tool_calls"][0].pop("extra_content", None)
    history[1] = stripped
    st, _, body = http_request(base, "POST", "/v1/chat/completions",
                               {"model": "a-think", "messages": history}, key=keys["alice"])
    check("anthropic: without the signature the provider refuses (400 passed on)",
          st == 400 and "signature" in body["error"]["message"], body)
    st, ev, _ = sse(base, keys["alice"], {"model": "a-think", "stream": True,
                                          "messages": [{"role": "user", "content": "Hi"}]})
    tc = [e for e in ev if isinstance(e, dict) and e.get("choices") and
          e["choices"][0]["delta"].get("tool_calls")]
    sig = tc[0]["choices"][0]["delta"]["tool_calls"][0].get("extra_content", {}) if tc else {}
    check("anthropic: a streamed thinking signature arrives whole with the tool call",
          sig.get("anthropic", {}).get("thinking", [{}])[0].get("signature") == "sig-123", ev)
    fwd = upstream_last(fake, "anthropic:think")
    check("anthropic: system/tools/max_tokens in the dialect's shape",
          isinstance(fwd.get("max_tokens"), int) and fwd["messages"][0]["role"] == "user", fwd)
    a = model_calls(data)[-1]["attributes"]
    check("anthropic: the call is recorded with provider anthropic",
          a["provider"] == "anthropic" and a["requested_model"] == "a-think", a)


def main():
    import models_dialects as dialects  # the Gemini, Responses and embeddings groups
    if not WARD_BIN:
        print("set WARD_BIN to the ward binary")
        return 2
    client_only = "--openai-client" in sys.argv[1:]
    if client_only and not os.path.isdir(os.path.join(CLIENT_DIR, "node_modules", "openai")):
        print("SKIP: run `npm ci` in tests/models first (scripts/test.sh does)")
        return 77
    tmp = tempfile.mkdtemp(prefix="ward_models_")
    data = os.path.join(tmp, "data")
    fake = server = None
    try:
        fake = subprocess.Popen([sys.executable, FAKE], stdout=subprocess.PIPE, text=True)
        fake_base = fake.stdout.readline().strip().split(" ")[-1]
        ward_ok(data, "init")
        write_models(data, fake_base)
        ward_ok(data, "secrets", "set", "upstream_key", stdin=UPSTREAM_KEY + "\n")
        ward_ok(data, "group", "add", "ml")
        ward_ok(data, "user", "add", "alice", "--groups", "ml")
        ward_ok(data, "user", "add", "bob")
        ward_ok(data, "user", "add", "carol", "--groups", "ml")
        ward_ok(data, "user", "add", "dave", "--groups", "ml")
        keys = {n: ward_ok(data, "key", "create", n)
                for n in ("admin", "alice", "bob", "carol", "dave")}
        err_path = os.path.join(tmp, "serve.err")
        server, base = start_server(data, stderr=open(err_path, "w"))
        if client_only:
            run_openai_client(base, keys)
            return summary()
        for t in (lambda: test_listing_and_errors(base, keys, data),
                  lambda: test_calls(base, keys, data, fake_base),
                  lambda: test_budgets(base, keys, data),
                  lambda: test_tool_call_policy(base, keys, data),
                  lambda: test_retries_and_fallbacks(base, keys, data, fake_base),
                  lambda: test_streams(base, keys, data),
                  lambda: test_model_swap(base, keys, data, fake_base, "m-"),
                  lambda: test_model_swap(base, keys, data, fake_base, "a-"),
                  lambda: test_anthropic_specifics(base, keys, data, fake_base),
                  lambda: test_model_swap(base, keys, data, fake_base, "g-"),
                  lambda: dialects.test_gemini_specifics(base, keys, data, fake_base),
                  lambda: dialects.test_gemini_partial_args(base, keys, data, fake_base),
                  lambda: test_model_swap(base, keys, data, fake_base, "r-"),
                  lambda: dialects.test_responses_adapter(base, keys, data, fake_base),
                  lambda: dialects.test_responses_front_door(base, keys, data, fake_base),
                  lambda: dialects.test_embeddings(base, keys, data, fake_base),
                  lambda: dialects.test_embedding_budgets_and_fallbacks(base, keys, data,
                                                                        fake_base),
                  lambda: dialects.test_tool_call_ids(base, keys, data, fake_base)):
            try:
                t()
            except Exception as ex:  # a crash in one group must not hide the others
                import traceback
                check("test group ran", False, traceback.format_exc() + repr(ex))
        listing = ward_ok(data, "trace", "list", "--kind", "model_call", "--json")
        log = open(err_path).read()
        check("the upstream API key is in no trace and no log",
              UPSTREAM_KEY not in listing and UPSTREAM_KEY not in log)
        trace_id = [c for c in model_calls(data)
                    if c["attributes"]["requested_model"] == "a-think"][-1]["trace_id"]
        x = ward_ok(data, "explain", trace_id)
        check("ward explain shows the model call with its outcome and usage",
              "Model calls:" in x and "asked for a-think: ok" in x and "usage:" in x, x)
    finally:
        stop_processes(server, fake)
        if not os.environ.get("KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept", tmp)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
