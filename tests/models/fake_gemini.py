"""The Gemini dialect of the fake upstream (fake_openai_upstream.py routes here).

POST /v1/models/{scenario}:generateContent and :streamGenerateContent?alt=sse, key in
`x-goog-api-key` (401 otherwise; 400 when a `key` is in the URL: Ward must never put it there).
Scenarios:

  text        "Hello from the fake."; a conversation ending in a function result gets
              "The tool said: <output>".
  tool        one functionCall get_weather {"city":"Paris"} (no id: Ward mints one).
  tool_id     the same call with Gemini's own id "gcall-7f3": every functionCall and
              functionResponse id of the next turn must be that id (400 otherwise).
  tools2      two functionCalls (streamed in two chunks, whole, as Gemini does).
  empty_args  one functionCall get_time without args.
  partial     get_weather {"city":"Paris","days":3,"units":{"temp":"C"}}; streamed in four
              pieces (partialArgs with jsonPath, willContinue; the city split in two strings),
              as Gemini does with functionCallingConfig.streamFunctionCallArguments.
  partial_cut the same pieces but the last, then the finish reason (an incomplete call).
  think       one functionCall with thoughtSignature "gsig-123"; the next turn is refused with
              400 INVALID_ARGUMENT unless the functionCall part carries it back verbatim.
  r429        429 RESOURCE_EXHAUSTED with RetryInfo retryDelay "0.02s" on the first request of
              each pair, then text.
  r529        503 UNAVAILABLE on the first request of each pair, then text (Gemini has no 529).
  midstream   streams one text chunk, then an error chunk.
  echo        answers with the JSON of the request it got.

Every request is checked like Gemini does: roles only user/model; a functionResponse must carry
the name of the functionCall it answers (matched by id when both have one); no
additionalProperties/$schema in function parameters; no id in Ward's form (fake_ids.py).
"""
import json
import time

import fake_ids

KEY = "test-upstream-key"
SIG = "gsig-123"
USAGE = {"promptTokenCount": 12, "cachedContentTokenCount": 2, "candidatesTokenCount": 4,
         "thoughtsTokenCount": 1, "totalTokenCount": 17}


def error_body(code, status, message, details=None):
    return {"error": {"code": code, "message": message, "status": status,
                      "details": details or []}}


def check(req, scenario):
    """An error message when the request breaks the dialect's rules, else None."""
    ids = [p[k].get("id") for c in req.get("contents", []) for p in c.get("parts", [])
           for k in ("functionCall", "functionResponse") if k in p]
    wrong = fake_ids.problem(ids, {"gcall-7f3"} if scenario == "tool_id" else None)
    if wrong:
        return wrong
    calls = {}
    for i, c in enumerate(req.get("contents", [])):
        if c.get("role") not in ("user", "model"):
            return f"contents[{i}].role: must be user or model"
        for j, p in enumerate(c.get("parts", [])):
            if "functionCall" in p:
                fc = p["functionCall"]
                calls[fc.get("id")] = fc.get("name")
                if scenario == "think" and j == 0 and p.get("thoughtSignature") != SIG:
                    return ("Function call is missing a thought_signature in functionCall parts. "
                            f"contents[{i}].parts[{j}]")
            if "functionResponse" in p:
                fr = p["functionResponse"]
                if not fr.get("name"):
                    return f"contents[{i}].parts[{j}].function_response.name: required"
                if fr.get("id") is not None and calls.get(fr["id"], fr["name"]) != fr["name"]:
                    return f"contents[{i}].parts[{j}]: name does not match the call"
    for t in req.get("tools", []):
        for d in t.get("functionDeclarations", []):
            text = json.dumps(d.get("parameters", {}))
            if "additionalProperties" in text or "$schema" in text:
                return ("Invalid JSON payload received. Unknown name \"additionalProperties\" at "
                        "'tools[0].function_declarations[0].parameters'")
    return None


def answer_parts(scenario, req):
    contents = req.get("contents", [])
    last = contents[-1] if contents else {}
    results = [p["functionResponse"] for p in last.get("parts", []) if "functionResponse" in p]
    if results:
        out = results[-1].get("response", {}).get("output")
        return [{"text": "The tool said: " + str(out)}]
    if scenario == "tool":
        return [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]
    if scenario in ("partial", "partial_cut"):
        return [{"functionCall": {"name": "get_weather",
                                  "args": {"city": "Paris", "days": 3, "units": {"temp": "C"}}}}]
    if scenario == "tool_id":
        return [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"},
                                  "id": "gcall-7f3"}}]
    if scenario == "think":
        return [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}},
                 "thoughtSignature": SIG}]
    if scenario == "tools2":
        return [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
                {"functionCall": {"name": "get_time", "args": {"tz": "CET"}}}]
    if scenario == "empty_args":
        return [{"functionCall": {"name": "get_time"}}]
    if scenario == "echo":
        return [{"text": json.dumps(req, sort_keys=True)}]
    return [{"text": "Hello from the fake."}]


def response(scenario, parts, finish="STOP", usage=True):
    body = {"candidates": [{"content": {"role": "model", "parts": parts}, "index": 0}],
            "modelVersion": scenario + "-2026-01-01", "responseId": "gem-fake1"}
    if finish:
        body["candidates"][0]["finishReason"] = finish
    if usage:
        body["usageMetadata"] = USAGE
    return body


def stream_chunks(scenario, parts):
    """The SSE events of a streamed answer: text in 5-character pieces, calls one per chunk."""
    pieces = []
    for p in parts:
        if scenario in ("partial", "partial_cut") and "functionCall" in p:
            pieces += [
                {"functionCall": {"name": "get_weather", "willContinue": True, "partialArgs": [
                    {"jsonPath": "$.city", "stringValue": "Pa", "willContinue": True}]}},
                {"functionCall": {"willContinue": True, "partialArgs": [
                    {"jsonPath": "$.city", "stringValue": "ris"}]}},
                {"functionCall": {"willContinue": True, "partialArgs": [
                    {"jsonPath": "$.days", "numberValue": 3},
                    {"jsonPath": "$['units'].temp", "stringValue": "C"}]}}]
            if scenario == "partial":
                pieces.append({"functionCall": {}})  # the last piece: no willContinue
        elif "text" in p:
            pieces += [{"text": p["text"][k:k + 5]} for k in range(0, len(p["text"]), 5)]
        else:
            pieces.append(p)
    out = []
    for i, p in enumerate(pieces):
        final = i == len(pieces) - 1
        out.append(response(scenario, [p], "STOP" if final else None, usage=final))
    return ["data: " + json.dumps(c) + "\r\n\r\n" for c in out]


def handle(h, path, raw, counts, last, lock):
    """Serves one request on handler `h` (a BaseHTTPRequestHandler of the fake)."""
    route, _, query = path.partition("?")
    name, _, method = route[len("/v1/models/"):].partition(":")
    if "key=" in query:
        return h.send_json(400, error_body(400, "INVALID_ARGUMENT", "the key must not be in the URL"))
    if h.headers.get("x-goog-api-key") != KEY:
        return h.send_json(401, error_body(401, "UNAUTHENTICATED", "API key not valid."))
    if method == "batchEmbedContents":
        req = json.loads(raw)
        with lock:
            last["gemini:embed"] = req
        vectors = [{"values": [float(len(r["content"]["parts"][0]["text"])), 0.5, -1.25]}
                   for r in req.get("requests", []) if r.get("model") == "models/" + name]
        if len(vectors) != len(req.get("requests", [])):
            return h.send_json(400, error_body(400, "INVALID_ARGUMENT", "model mismatch"))
        return h.send_json(200, {"embeddings": vectors})
    if method not in ("generateContent", "streamGenerateContent"):
        return h.send_json(404, error_body(404, "NOT_FOUND", "no method " + method))
    stream = method == "streamGenerateContent"
    if stream and query != "alt=sse":
        return h.send_json(400, error_body(400, "INVALID_ARGUMENT", "tests expect alt=sse"))
    try:
        req = json.loads(raw)
    except ValueError:
        return h.send_json(400, error_body(400, "INVALID_ARGUMENT", "bad json"))
    scenario = name
    key = "gemini:" + scenario
    with lock:
        n = counts.get(key, 0)
        counts[key] = n + 1
        last[key] = req
    problem = check(req, scenario)
    if problem:
        return h.send_json(400, error_body(400, "INVALID_ARGUMENT", problem))
    if scenario == "r429" and n % 2 == 0:
        return h.send_json(429, error_body(429, "RESOURCE_EXHAUSTED", "Resource exhausted", [
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.02s"}]))
    if scenario == "r529" and n % 2 == 0:
        return h.send_json(503, error_body(503, "UNAVAILABLE", "The model is overloaded."))
    if not stream:
        return h.send_json(200, response(scenario, answer_parts(scenario, req)))
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream")
    h.send_header("Connection", "close")
    h.end_headers()
    if scenario == "midstream":
        first = response(scenario, [{"text": "Hel"}], finish=None, usage=False)
        h.wfile.write(("data: " + json.dumps(first) + "\r\n\r\n").encode())
        h.wfile.flush()
        time.sleep(0.01)
        h.wfile.write(("data: " + json.dumps(error_body(500, "INTERNAL", "Internal error")) +
                       "\r\n\r\n").encode())
        h.wfile.flush()
        h.close_connection = True
        return
    h.write_events(stream_chunks(scenario, answer_parts(scenario, req)))
