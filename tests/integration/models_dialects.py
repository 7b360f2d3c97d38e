"""Groups of models_test.py for the Gemini and Responses dialects, /v1/responses and
/v1/embeddings (run by models_test.py, which starts Ward and the fake upstream)."""
import json
import re
import urllib.error
import urllib.request

from harness import check, http_request  # noqa
from models_test import (chat, model_calls, sse, upstream_count, upstream_last,  # noqa
                         ward_id)


def test_gemini_specifics(base, keys, data, fake):
    st, _, body = chat(base, keys["alice"], "g-think")
    msg = body["choices"][0]["message"] if st == 200 else {}
    calls = msg.get("tool_calls", [])
    check("gemini: Ward gives the call an id; the thought signature rides as extra_content",
          calls and calls[0]["id"].startswith("call_w-") and
          calls[0]["extra_content"]["google"]["thought_signature"] == "gsig-123" and
          body["choices"][0]["finish_reason"] == "tool_calls" and
          body["model"] == "think-2026-01-01", body)
    call_id = calls[0]["id"] if calls else "x"
    history = [{"role": "user", "content": "weather?"}, msg,
               {"role": "tool", "tool_call_id": call_id, "content": "sunny"}]
    st, _, body = http_request(base, "POST", "/v1/chat/completions",
                               {"model": "g-think", "messages": history}, key=keys["alice"])
    check("gemini: the signature goes back verbatim, the result names the function",
          st == 200 and body["choices"][0]["message"]["content"] == "The tool said: sunny", body)
    fwd = upstream_last(fake, "gemini:think")
    parts = [p for c in fwd.get("contents", []) for p in c.get("parts", [])]
    check("gemini: functionResponse carries the call's name and the id minted for Gemini",
          any(p.get("functionResponse", {}).get("name") == "get_weather" and
              re.fullmatch(r"call_[0-9a-f]{24}", p["functionResponse"].get("id", "")) and
              ward_id(p["functionResponse"]["id"]) == call_id for p in parts), fwd)
    stripped = json.loads(json.dumps(msg))
    if stripped.get("tool_calls"):
        stripped["tool_calls"][0].pop("extra_content", None)
    history[1] = stripped
    st, _, body = http_request(base, "POST", "/v1/chat/completions",
                               {"model": "g-think", "messages": history}, key=keys["alice"])
    check("gemini: without the signature the provider refuses (400 passed on)",
          st == 400 and "thought_signature" in body["error"]["message"], body)
    st, ev, _ = sse(base, keys["alice"], {"model": "g-think", "stream": True,
                                          "messages": [{"role": "user", "content": "Hi"}]})
    tc = [e for e in ev if isinstance(e, dict) and e.get("choices") and
          e["choices"][0]["delta"].get("tool_calls")]
    sig = tc[0]["choices"][0]["delta"]["tool_calls"][0].get("extra_content", {}) if tc else {}
    check("gemini: a streamed call arrives with its signature",
          sig.get("google", {}).get("thought_signature") == "gsig-123", ev)
    before = upstream_count(fake, "gemini:r429")
    st, _, body = chat(base, keys["alice"], "g-r429")
    a = model_calls(data)[-1]["attributes"]
    check("gemini: a 429 with RetryInfo is retried after the delay it names",
          st == 200 and upstream_count(fake, "gemini:r429") == before + 2 and
          a["attempts"][0].get("wait_ms") == 20, [body, a.get("attempts")])
    st, _, body = chat(base, keys["alice"], "g-empty_args")
    calls = body["choices"][0]["message"].get("tool_calls", []) if st == 200 else []
    check("gemini: a call without args has arguments {}",
          [c["function"]["arguments"] for c in calls] == ["{}"], body)
    tools = [{"type": "function", "function": {
        "name": "get_weather", "parameters": {
            "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
            "additionalProperties": False,
            "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    st, _, body = chat(base, keys["alice"], "g-echo", tools=tools, temperature=0.2,
                       max_tokens=50, messages=[{"role": "system", "content": "sys"},
                                                {"role": "user", "content": "Hi"}])
    fwd = json.loads(body["choices"][0]["message"]["content"]) if st == 200 else {}
    check("gemini: system, tools (schema reduced) and sampling in the dialect's shape",
          fwd.get("systemInstruction") == {"parts": [{"text": "sys"}]} and
          fwd["tools"][0]["functionDeclarations"][0]["parameters"] ==
          {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
          and fwd["generationConfig"] == {"temperature": 0.2, "maxOutputTokens": 50}, fwd)
    st, ev, _ = sse(base, keys["alice"], {"model": "g-midstream", "stream": True,
                                          "messages": [{"role": "user", "content": "Hi"}]})
    check("gemini: a mid-stream error chunk ends the stream with an error event, no [DONE]",
          st == 200 and ev and isinstance(ev[-1], dict) and "error" in ev[-1] and
          "[DONE]" not in ev, ev)
    a = model_calls(data)[-1]["attributes"]
    check("gemini: recorded with provider gemini and the served modelVersion",
          a["provider"] == "gemini" and a["requested_model"] == "g-midstream", a)


def responses_sse(base, key, body):
    """(status, [(event name, data)]) of a streamed POST /v1/responses."""
    req = urllib.request.Request(base + "/v1/responses", data=json.dumps(body).encode(),
                                 method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("Authorization", "Bearer " + key)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            raw, status = resp.read().decode(), resp.status
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
    events = []
    for block in raw.split("\n\n"):
        name = data = None
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
        if data is not None:
            events.append((name, data))
    return status, events


def test_responses_adapter(base, keys, data, fake):
    st, _, body = chat(base, keys["alice"], "r-reason")
    msg = body["choices"][0]["message"] if st == 200 else {}
    calls = msg.get("tool_calls", [])
    check("responses adapter: the reasoning item rides on the call as extra_content",
          calls and calls[0]["id"] == ward_id("call_a") and
          calls[0]["extra_content"]["openai"]["reasoning"][0]["encrypted_content"] == "enc-123",
          body)
    history = [{"role": "user", "content": "weather?"}, msg,
               {"role": "tool", "tool_call_id": ward_id("call_a"), "content": "sunny"}]
    st, _, body = http_request(base, "POST", "/v1/chat/completions",
                               {"model": "r-reason", "messages": history}, key=keys["alice"])
    check("responses adapter: the reasoning item goes back verbatim before the call",
          st == 200 and body["choices"][0]["message"]["content"] == "The tool said: sunny", body)
    fwd = upstream_last(fake, "responses:reason")
    check("responses adapter: store false, encrypted reasoning asked for, items in order",
          fwd.get("store") is False and fwd.get("include") == ["reasoning.encrypted_content"] and
          [i.get("type", "message") for i in fwd["input"]] ==
          ["message", "reasoning", "function_call", "function_call_output"], fwd)
    stripped = json.loads(json.dumps(msg))
    if stripped.get("tool_calls"):
        stripped["tool_calls"][0].pop("extra_content", None)
    history[1] = stripped
    st, _, body = http_request(base, "POST", "/v1/chat/completions",
                               {"model": "r-reason", "messages": history}, key=keys["alice"])
    check("responses adapter: without the reasoning item the provider refuses (400 passed on)",
          st == 400 and "reasoning" in body["error"]["message"], body)
    st, _, body = chat(base, keys["alice"], "r-r429")
    check("responses adapter: 429 with retry-after-ms is retried", st == 200, body)
    st, ev, _ = sse(base, keys["alice"], {"model": "r-midstream", "stream": True,
                                          "messages": [{"role": "user", "content": "Hi"}]})
    check("responses adapter: a mid-stream error event ends the stream, no [DONE]",
          st == 200 and isinstance(ev[-1], dict) and "error" in ev[-1], ev)
    st, _, body = chat(base, keys["alice"], "r-text", stop="END")
    check("responses adapter: stop (absent from the dialect) is a 400 naming it",
          st == 400 and "'stop'" in body["error"]["message"], body)


def test_responses_front_door(base, keys, data, fake):
    for model in ("m-text", "a-text", "g-text", "r-text"):
        st, _, body = http_request(base, "POST", "/v1/responses",
                                   {"model": model, "input": "Hi", "instructions": "be brief"},
                                   key=keys["alice"])
        out = body.get("output", []) if st == 200 else []
        check(f"/v1/responses over {model}: a message item with output_text, usage",
              st == 200 and body["object"] == "response" and body["status"] == "completed" and
              out and out[-1]["content"][0]["text"] == "Hello from the fake." and
              body["usage"]["input_tokens"] == 12, body)
    st, ev = responses_sse(base, keys["alice"], {"model": "g-tools2", "input": "Hi",
                                                 "stream": True})
    types = [n for n, _ in ev] if st == 200 else []
    done = [d for n, d in ev if n == "response.completed"] if st == 200 else []
    check("/v1/responses stream: named events in order, calls whole, completed with usage",
          st == 200 and types[0] == "response.created" and types[-1] == "response.completed" and
          [d["sequence_number"] for _, d in ev] == list(range(len(ev))) and
          types.count("response.function_call_arguments.done") == 2 and
          [o["name"] for o in done[0]["response"]["output"]] == ["get_weather", "get_time"] and
          done[0]["response"]["usage"]["input_tokens"] == 12, ev)
    before = len(model_calls(data))
    for field, value in (("store", True), ("previous_response_id", "resp_123")):
        st, _, body = http_request(base, "POST", "/v1/responses",
                                   {"model": "m-text", "input": "Hi", field: value},
                                   key=keys["alice"])
        check(f"/v1/responses: {field} is a 400 naming it (Ward keeps no provider state)",
              st == 400 and body["error"]["type"] == "invalid_request_error" and
              f"'{field}'" in body["error"]["message"], body)
    calls = model_calls(data)[before:]
    check("/v1/responses: both provider-state refusals are recorded as denied model calls",
          [(c["attributes"]["outcome"], c["attributes"]["claims"]) for c in calls] ==
          [("denied", {"provider_state": "store"}),
           ("denied", {"provider_state": "previous_response_id"})], calls)
    st, _, body = http_request(base, "POST", "/v1/responses",
                               {"model": "m-text", "input": [
                                   {"role": "user", "content": "Hi"},
                                   {"type": "item_reference", "id": "fc_1"}]}, key=keys["alice"])
    check("/v1/responses: an item_reference (provider-stored item) is a 400 naming it",
          st == 400 and "item_reference" in body["error"]["message"] and
          "store: false" in body["error"]["message"], body)
    st, _, body = http_request(base, "POST", "/v1/responses",
                               {"model": "m-text", "input": "Hi", "tools": [{"type": "web_search"}]},
                               key=keys["alice"])
    check("/v1/responses: hosted tools are a 400 naming them",
          st == 400 and "tools[0].type" in body["error"]["message"], body)
    st, _, body = http_request(base, "POST", "/v1/responses",
                               {"model": "m-secret", "input": "Hi"}, key=keys["alice"])
    check("/v1/responses: an ungranted model is the same 404", st == 404, body)


def test_embeddings(base, keys, data, fake):
    import base64
    import struct
    for model in ("e-openai", "e-gemini"):
        st, _, body = http_request(base, "POST", "/v1/embeddings",
                                   {"model": model, "input": ["hello world", "abc"]},
                                   key=keys["alice"])
        check(f"/v1/embeddings over {model}: float vectors in input order",
              st == 200 and body["object"] == "list" and
              [d["embedding"] for d in body["data"]] == [[11.0, 0.5, -1.25], [3.0, 0.5, -1.25]],
              body)
        st, _, body = http_request(base, "POST", "/v1/embeddings",
                                   {"model": model, "input": "hello", "encoding_format": "base64"},
                                   key=keys["alice"])
        vec = list(struct.unpack("<3f", base64.b64decode(body["data"][0]["embedding"]))) \
            if st == 200 else None
        check(f"/v1/embeddings over {model}: base64 little-endian float32", vec == [5.0, 0.5, -1.25],
              body)
    a = model_calls(data)[-1]["attributes"]
    check("/v1/embeddings: recorded as a model call (kind embedding)",
          a["requested_model"] == "e-gemini" and a["outcome"] == "ok" and
          a["parameters"]["kind"] == "embedding" and
          a["parameters"]["encoding_format"] == "base64", a)
    st, _, body = http_request(base, "POST", "/v1/embeddings",
                               {"model": "e-openai", "input": "x"}, key=keys["alice"])
    b = model_calls(data)[-1]["attributes"]
    check("/v1/embeddings: usage recorded from the provider",
          st == 200 and body["usage"]["prompt_tokens"] == 1 and
          (b.get("usage") or {}).get("input_tokens") == 1, [body, b])
    st, _, body = http_request(base, "POST", "/v1/embeddings",
                               {"model": "e-openai", "input": "x"}, key=keys["bob"])
    check("/v1/embeddings: an ungranted model is 404", st == 404, body)
    st, _, body = chat(base, keys["alice"], "e-openai")
    check("chat on an embedding model is the same 404", st == 404, body)
    st, _, body = http_request(base, "POST", "/v1/embeddings",
                               {"model": "m-text", "input": "x"}, key=keys["alice"])
    check("embeddings on a chat model is the same 404", st == 404, body)
    st, _, body = http_request(base, "POST", "/v1/embeddings",
                               {"model": "e-openai", "input": [[1, 2]]}, key=keys["alice"])
    check("/v1/embeddings: token arrays are a 400 naming input",
          st == 400 and "'input'" in body["error"]["message"], body)


def test_gemini_partial_args(base, keys, data, fake):
    """A function call Gemini streams in pieces (partialArgs) is forwarded once, whole."""
    st, ev, _ = sse(base, keys["alice"], {"model": "g-partial", "stream": True,
                                          "messages": [{"role": "user", "content": "Hi"}]})
    tc = [e for e in ev if isinstance(e, dict) and e.get("choices") and
          e["choices"][0]["delta"].get("tool_calls")]
    calls = tc[0]["choices"][0]["delta"]["tool_calls"] if tc else []
    check("gemini partialArgs: the pieces are assembled and the call forwarded once, complete",
          st == 200 and len(tc) == 1 and len(calls) == 1 and
          calls[0]["function"]["name"] == "get_weather" and
          json.loads(calls[0]["function"]["arguments"]) ==
          {"city": "Paris", "days": 3, "units": {"temp": "C"}} and
          ev[-2]["choices"][0]["finish_reason"] == "tool_calls" and ev[-1] == "[DONE]", ev)
    st, _, body = chat(base, keys["alice"], "g-partial")
    unstreamed = body["choices"][0]["message"]["tool_calls"] if st == 200 else []
    check("gemini partialArgs: the same call as unstreamed (same id, same arguments)",
          [(c["id"], json.loads(c["function"]["arguments"])) for c in unstreamed] ==
          [(c["id"], json.loads(c["function"]["arguments"])) for c in calls], [unstreamed, calls])
    st, ev, _ = sse(base, keys["alice"], {"model": "g-partial_cut", "stream": True,
                                          "messages": [{"role": "user", "content": "Hi"}]})
    sent = [e for e in ev if isinstance(e, dict) and e.get("choices") and
            e["choices"][0]["delta"].get("tool_calls")] if isinstance(ev, list) else []
    check("gemini partialArgs: a call whose last piece never comes is not forwarded (503)",
          st == 503 and not sent and "streamed function call" in json.dumps(ev), ev)
    a = model_calls(data)[-1]["attributes"]
    check("gemini partialArgs: the incomplete call is recorded as an error",
          a["requested_model"] == "g-partial_cut" and a["outcome"] == "error", a)


def test_embedding_budgets_and_fallbacks(base, keys, data, fake):
    """Token budgets and the fallback chain apply to /v1/embeddings as to chat."""
    ten_words = "one two three four five six seven eight nine ten"
    st, _, body = http_request(base, "POST", "/v1/embeddings",
                               {"model": "e-openai", "input": ten_words}, key=keys["dave"])
    check("embeddings: a budget admits the first request of its window (alone)",
          st == 200 and body["usage"]["prompt_tokens"] == 10, body)
    st, hdrs, body = http_request(base, "POST", "/v1/embeddings",
                                  {"model": "e-openai", "input": "x"}, key=keys["dave"])
    check("embeddings: over budget is 429 rate_limit_error with Retry-After",
          st == 429 and body["error"]["type"] == "rate_limit_error" and
          "tokens per day" in body["error"]["message"] and hdrs.get("Retry-After"), body)
    last = model_calls(data)[-1]
    check("embeddings: the budget refusal is recorded", last["principal"] == "dave" and
          last["attributes"]["outcome"] == "denied" and
          "budget" in last["attributes"]["error"], last)
    before = upstream_count(fake, "embeddings:embed_fail")
    st, _, body = http_request(base, "POST", "/v1/embeddings",
                               {"model": "e-fail", "input": "hello"}, key=keys["alice"])
    a = model_calls(data)[-1]["attributes"]
    check("embeddings: a primary 5xx falls back to a granted model, both hops recorded",
          st == 200 and body["data"][0]["embedding"] == [5.0, 0.5, -1.25] and
          upstream_count(fake, "embeddings:embed_fail") == before + 1 and
          [(x["model"], x.get("status"), x.get("fallback", False)) for x in a["attempts"]] ==
          [("e-fail", 500, False), ("e-openai", 200, True)] and
          a["requested_model"] == "e-fail" and a["model"] == "embed", a)
    st, _, body = http_request(base, "POST", "/v1/embeddings",
                               {"model": "e-fail-denied", "input": "hello"}, key=keys["alice"])
    a = model_calls(data)[-1]["attributes"]
    check("embeddings: a fallback to a model the caller may not use fails closed",
          st == 503 and [(x["model"], x.get("outcome")) for x in a["attempts"]] ==
          [("e-fail-denied", "error"), ("e-secret", "denied")] and a["outcome"] == "error", a)


def test_tool_call_ids(base, keys, data, fake):
    """One rule for every dialect: the client sees Ward's ids, streamed or not, and a tool result
    under Ward's id reaches the provider under its own (each fake answers 400 otherwise)."""
    results = [{"role": "tool", "content": "sunny"}, {"role": "tool", "content": "noon"}]
    for prefix, own in (("m-", ["call_a", "call_b"]), ("a-", ["call_a", "call_b"]),
                        ("g-", None), ("r-", ["call_a", "call_b"])):
        st, _, body = chat(base, keys["alice"], prefix + "tools2")
        msg = body["choices"][0]["message"] if st == 200 else {}
        ids = [c["id"] for c in msg.get("tool_calls", [])]
        check(f"{prefix}tools2: the client sees Ward's tool-call ids",
              len(ids) == 2 and all(re.fullmatch(r"call_w-[A-Za-z0-9_-]+", i) for i in ids) and
              (own is None or ids == [ward_id(o) for o in own]), body)
        st, ev, _ = sse(base, keys["alice"], {"model": prefix + "tools2", "stream": True,
                                              "messages": [{"role": "user", "content": "Hi"}]})
        streamed = [c["id"] for e in ev if isinstance(e, dict) and e.get("choices")
                    for c in e["choices"][0]["delta"].get("tool_calls") or []]
        check(f"{prefix}tools2: streamed, the same ids (deterministic)", streamed == ids,
              [streamed, ids])
        a = model_calls(data)[-1]["attributes"]
        check(f"{prefix}tools2: the trace records the ids the client saw",
              [c["id"] for c in a.get("tool_calls", [])] == ids, a)
        history = [{"role": "user", "content": "weather and time?"}, msg] + [
            dict(r, tool_call_id=i) for r, i in zip(results, ids)]
        st, _, body = http_request(base, "POST", "/v1/chat/completions",
                                   {"model": prefix + "tools2", "messages": history},
                                   key=keys["alice"])
        check(f"{prefix}tools2: results under Ward's ids reach the provider under its own",
              st == 200 and body["choices"][0]["message"]["content"].startswith("The tool said"),
              body)
        if own is None:
            continue  # Gemini: a result answering no earlier call is Ward's own 400
        forged = history[:2] + [dict(results[0], tool_call_id=ward_id("call_zz")),
                                dict(results[1], tool_call_id=ids[1] if ids else "x")]
        st, _, body = http_request(base, "POST", "/v1/chat/completions",
                                   {"model": prefix + "tools2", "messages": forged},
                                   key=keys["alice"])
        check(f"{prefix}tools2: an id the provider never issued is refused (by the fake, 400)",
              st == 400 and "not issued" in body["error"]["message"], body)
    # Gemini's own ids (when it sends one) go back as they came.
    st, _, body = chat(base, keys["alice"], "g-tool_id")
    msg = body["choices"][0]["message"] if st == 200 else {}
    ids = [c["id"] for c in msg.get("tool_calls", [])]
    check("gemini: a call with Gemini's own id is shown under Ward's id",
          ids == [ward_id("gcall-7f3")], body)
    history = [{"role": "user", "content": "weather?"}, msg,
               {"role": "tool", "tool_call_id": ids[0] if ids else "x", "content": "sunny"}]
    st, _, body = http_request(base, "POST", "/v1/chat/completions",
                               {"model": "g-tool_id", "messages": history}, key=keys["alice"])
    check("gemini: its own id comes back on functionCall and functionResponse",
          st == 200 and body["choices"][0]["message"]["content"] == "The tool said: sunny", body)
