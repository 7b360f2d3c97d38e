"""The OpenAI Responses dialect of the fake upstream (fake_openai_upstream.py routes here).

POST /v1/responses, `Authorization: Bearer test-upstream-key`. The scenario is the `model`:

  text        "Hello from the fake."; an input ending in function_call_output gets
              "The tool said: <output>".
  tool        one function_call get_weather {"city":"Paris"} (call_id "call_a").
  tools2      two function_calls; streamed with interleaved argument deltas.
  empty_args  one function_call get_time with arguments "".
  reason      a reasoning item (encrypted_content "enc-123") before a function_call; the next
              turn is refused with 400 unless that item comes back verbatim before it.
  r429        429 with retry-after-ms: 20 on the first request of each pair, then text.
  r529        529 overloaded on the first request of each pair, then text.
  midstream   streams one text delta, then an `error` event.
  echo        answers with the JSON of the request it got.

Every request must say `store: false` (Ward keeps no provider state): 400 otherwise. No call_id
in Ward's form, and in the scenarios that issue calls only the call_ids issued (fake_ids.py).
"""
import json
import time

import fake_ids

KEY = "test-upstream-key"
REASONING = {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "enc-123"}
USAGE = {"input_tokens": 12, "input_tokens_details": {"cached_tokens": 2}, "output_tokens": 5,
         "output_tokens_details": {"reasoning_tokens": 1}, "total_tokens": 17}


def call(call_id, name, args):
    return {"type": "function_call", "id": "fc_" + call_id, "call_id": call_id, "name": name,
            "arguments": args, "status": "completed"}


def message(text):
    return {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}


def check(req, scenario):
    if req.get("store") is not False:
        return "store must be false through Ward"
    items = req.get("input", [])
    wrong = fake_ids.problem(
        [it.get("call_id") for it in items
         if it.get("type") in ("function_call", "function_call_output")],
        {"call_a", "call_b"} if scenario in ("tool", "reason", "tools2", "empty_args") else None)
    if wrong:
        return wrong
    if scenario == "reason":
        for i, it in enumerate(items):
            if it.get("type") == "function_call" and (i == 0 or items[i - 1] != REASONING):
                return (f"input[{i}]: the reasoning item (encrypted_content) must precede the "
                        "function_call")
    return None


def output_for(scenario, req):
    items = req.get("input", [])
    last = items[-1] if items else {}
    if last.get("type") == "function_call_output":
        return [message("The tool said: " + str(last.get("output")))]
    if scenario == "tool":
        return [call("call_a", "get_weather", "{\"city\":\"Paris\"}")]
    if scenario == "reason":
        return [REASONING, call("call_a", "get_weather", "{\"city\":\"Paris\"}")]
    if scenario == "tools2":
        return [call("call_a", "get_weather", "{\"city\":\"Paris\"}"),
                call("call_b", "get_time", "{\"tz\":\"CET\"}")]
    if scenario == "empty_args":
        return [call("call_a", "get_time", "")]
    if scenario == "echo":
        return [message(json.dumps(req, sort_keys=True))]
    return [message("Hello from the fake.")]


def response(scenario, output, status="completed"):
    return {"id": "resp_fake1", "object": "response", "created_at": 1700000000, "status": status,
            "model": scenario + "-2026-01-01", "output": output, "usage": USAGE, "error": None,
            "incomplete_details": None}


def events(scenario, output):
    ev = []
    seq = [0]

    def emit(etype, data):
        data = dict(data, type=etype, sequence_number=seq[0])
        seq[0] += 1
        ev.append(f"event: {etype}\ndata: {json.dumps(data)}\n\n")

    head = response(scenario, [], "in_progress")
    emit("response.created", {"response": head})
    emit("response.in_progress", {"response": head})
    calls = []
    for i, item in enumerate(output):
        if item["type"] == "message":
            emit("response.output_item.added", {"output_index": i, "item": dict(
                item, content=[], status="in_progress")})
            text = item["content"][0]["text"]
            for k in range(0, len(text), 5):
                emit("response.output_text.delta", {"item_id": item["id"], "output_index": i,
                                                    "content_index": 0, "delta": text[k:k + 5]})
            emit("response.output_item.done", {"output_index": i, "item": item})
        elif item["type"] == "function_call":
            emit("response.output_item.added", {"output_index": i, "item": dict(
                item, arguments="", status="in_progress")})
            calls.append((i, item))
        else:
            emit("response.output_item.added", {"output_index": i, "item": item})
            emit("response.output_item.done", {"output_index": i, "item": item})
    # Argument pieces of all calls interleave (tools2), then each call is done.
    pieces = [(i, it["arguments"][:7]) for i, it in calls] + \
             [(i, it["arguments"][7:]) for i, it in calls]
    for i, piece in pieces:
        if piece:
            emit("response.function_call_arguments.delta",
                 {"item_id": output[i]["id"], "output_index": i, "delta": piece})
    for i, it in calls:
        emit("response.function_call_arguments.done",
             {"item_id": it["id"], "output_index": i, "arguments": it["arguments"]})
        emit("response.output_item.done", {"output_index": i, "item": it})
    emit("response.completed", {"response": response(scenario, output)})
    return ev


def handle(h, raw, counts, last, lock):
    if h.headers.get("Authorization") != "Bearer " + KEY:
        return h.send_json(401, {"error": {"message": "Incorrect API key provided",
                                           "type": "invalid_request_error",
                                           "code": "invalid_api_key"}})
    try:
        req = json.loads(raw)
    except ValueError:
        return h.send_json(400, {"error": {"message": "bad json", "type": "invalid_request_error"}})
    scenario = req.get("model", "text")
    key = "responses:" + scenario
    with lock:
        n = counts.get(key, 0)
        counts[key] = n + 1
        last[key] = req
    problem = check(req, scenario)
    if problem:
        return h.send_json(400, {"error": {"message": problem, "type": "invalid_request_error",
                                           "code": None, "param": None}})
    if scenario == "r429" and n % 2 == 0:
        return h.send_json(429, {"error": {"message": "Rate limit reached", "type": "requests",
                                           "code": "rate_limit_exceeded"}},
                           {"retry-after-ms": "20"})
    if scenario == "r529" and n % 2 == 0:
        return h.send_json(529, {"error": {"message": "Overloaded", "type": "overloaded_error"}})
    if not req.get("stream"):
        return h.send_json(200, response(scenario, output_for(scenario, req)))
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream")
    h.send_header("Connection", "close")
    h.end_headers()
    if scenario == "midstream":
        ev = events(scenario, [message("Hello from the fake.")])[:4]
        ev.append("event: error\ndata: " + json.dumps({
            "type": "error", "code": "server_error", "message": "The server had an error",
            "param": None, "sequence_number": 4}) + "\n\n")
        for e in ev:
            h.wfile.write(e.encode())
            h.wfile.flush()
            time.sleep(0.005)
        h.close_connection = True
        return
    h.write_events(events(scenario, output_for(scenario, req)))
