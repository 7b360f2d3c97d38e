#!/usr/bin/env python3
"""Replay of answers end to end (docs/design/answer.md "Replay"): answers given through
POST /v1/answers (extractive, and model-backed with a tool round through the gateway) record the
SHA-256 of the exact response bytes; `ward replay TRACE` re-runs the answer loop offline with the
fake model STOPPED (model responses from the cassettes, retrieval and tool results from the
record) and reports `identical`; forks to another fake model (`--model`, `--from-step`,
`--tools recorded|live|deny`) report the planted first divergence at the right step and the
changed citations; a changed link allow-list makes the offline replay diverge (so it can fail);
non-auditors cannot replay; replays are recorded.

Usage: WARD_BIN=build/ward WARD_REPO=. python3 tests/integration/answer_replay_test.py
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (WARD_BIN, check, http_request, run_ward, start_server,  # noqa: E402
                     stop_processes, summary, ward_ok)
from answers_test import FAKE, QUESTION, setup  # noqa: E402


def model_block(name, scenario, base, provider="openai"):
    return (f'\n[[models]]\nname = "{name}"\nprovider = "{provider}"\nbase_url = "{base}/v1"\n'
            f'model = "{scenario}"\napi_key_secret = "upstream_key"\n'
            f'allow = ["group:legal", "group:sales", "group:auditors"]\nallow_private = true\n')


def trace_events(data, trace):
    out = ward_ok(data, "trace", "show", trace, "--json")
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def answer_event(data, trace):
    return next(e for e in trace_events(data, trace) if e["kind"] == "answer")


def replay(data, trace, *args, who="rita"):
    r = run_ward(data, "replay", trace, "--as", who, "--json", *args)
    try:
        return r.returncode, json.loads(r.stdout), r
    except ValueError:
        return r.returncode, {}, r


def post_raw(base, key, body):
    st, _, raw = http_request(base, "POST", "/v1/answers", body, key=key, raw_body=True)
    return st, raw


def test_native(data, fake_base, trace):
    """Anthropic answers use native citations: search_result blocks in, search_result_location
    citations out, mapped to Ward citations and run through the same verifier."""
    import urllib.request
    with urllib.request.urlopen(fake_base + "/_last/anthropic", timeout=30) as r:
        sent = json.loads(r.read())
    user = next(m for m in sent["messages"] if m["role"] == "user")["content"]
    results = [b for b in user if b.get("type") == "search_result"]
    check("native: the passages go as search_result blocks with citations enabled",
          results and all(b.get("citations") == {"enabled": True} and
                          b["source"].startswith("ward://doc/") and "#chunk=" in b["source"] and
                          b["content"][0]["type"] == "text" for b in results) and
          "ward://doc/legal:contract.md@1#chunk=0" in [b["source"] for b in results] and
          user[-1] == {"type": "text", "text": "Question: " + QUESTION}, user)
    check("native: no JSON-schema output is asked of the model",
          "output_format" not in sent and "ward_answer" not in json.dumps(sent), sent.keys())
    ev = answer_event(data, trace)["attributes"]
    sentences = ev.get("sentences", [])
    verdicts = [[(c["verified"], c.get("failed_rule")) for c in s["citations"]]
                for s in sentences]
    check("native: the cited sentence is verified, the fabricated cited_text dropped (quote), "
          "the uncited block unsupported",
          ev.get("citation_mode") == "native" and ev["template"]["name"] == "answer_native" and
          verdicts == [[(True, None)], [(False, "quote")], []] and
          sentences[0]["citations"][0]["doc_id"] == "legal:contract.md" and
          "That is all." in ev.get("unsupported", []), (ev.get("citation_mode"), sentences))


def record_answers(data, fake_base):
    with open(os.path.join(data, "ward.toml"), "a") as f:
        for name, scenario in (("m-tool", "tool"), ("m-cite", "cite"), ("m-second", "second")):
            f.write(model_block(name, scenario, fake_base))
        f.write(model_block("m-native", "claude-fake", fake_base, provider="anthropic"))
    ward_ok(data, "secrets", "set", "upstream_key", stdin="test-upstream-key\n")
    ward_ok(data, "group", "add", "auditors")
    ward_ok(data, "user", "add", "rita", "--groups", "auditors")
    key = ward_ok(data, "key", "create", "dave")
    server, base = start_server(data)
    traces = {}
    try:
        for name, body in (("extractive", {"question": QUESTION}),
                           ("tool", {"question": QUESTION, "model": "m-tool"}),
                           ("cite", {"question": QUESTION, "model": "m-cite"}),
                           ("native", {"question": QUESTION, "model": "m-native"})):
            st, raw = post_raw(base, key, body)
            check(f"{name} answer: 200", st == 200, raw[:300])
            traces[name] = json.loads(raw)["trace_id"]
            ev = answer_event(data, traces[name])["attributes"]
            check(f"{name} answer: the event records the SHA-256 of the exact response bytes",
                  ev.get("client_sha256") == hashlib.sha256(raw).hexdigest(),
                  (ev.get("client_sha256"), hashlib.sha256(raw).hexdigest()))
            check(f"{name} answer: the retrieval is recorded with each passage's text hash",
                  ev["retrieved"] and all(len(p.get("text_sha256", "")) == 64
                                          for p in ev["retrieved"]), ev["retrieved"])
        test_native(data, fake_base, traces["native"])
        tool = answer_event(data, traces["tool"])["attributes"]
        check("tool answer: the fence marker, steps and each tool call's reply are recorded",
              tool.get("fence_marker", "").startswith("ward-data ") and
              tool.get("model_steps") == 2 and len(tool.get("tool_calls", [])) == 1 and
              tool["tool_calls"][0].get("tool") == "search" and
              tool["tool_calls"][0].get("step") == 0 and "hits" in tool["tool_calls"][0]["reply"],
              tool)
    finally:
        stop_processes(server)
    return traces


def test_forks(data, traces):
    # A fork to a model that answers at once, citing another passage: the tool call is missing
    # at step 0 and the citations changed.
    rc, out, r = replay(data, traces["tool"], "--model", "m-second")
    d = out.get("divergence", {})
    check("fork --model: first divergence at step 0, tool_call_set, /tool_calls/0",
          rc == 3 and out.get("identical") is False and d.get("step") == 0 and
          d.get("kind") == "tool_call_set" and d.get("pointer") == "/tool_calls/0",
          (rc, out, r.stderr))
    check("fork --model: the changed citations are listed per doc/chunk",
          {"doc_id": "legal:contract.md", "chunk": 0} in out.get("citations_removed", []) and
          any(c["doc_id"] == "hb:handbook.md" for c in out.get("citations_added", [])), out)

    # --from-step 1: step 0 (the tool call) from the cassette, its result from the record, step 1
    # live on the other model: the divergence is at step 1, in the text.
    rc, out, r = replay(data, traces["tool"], "--model", "m-second", "--from-step", "1")
    d = out.get("divergence", {})
    steps = out.get("steps", [])
    check("fork --from-step 1: step 0 from the record, step 1 live",
          [s.get("source") for s in steps] == ["cassette", "live"] and steps[0].get("identical"),
          (rc, out, r.stderr))
    check("fork --from-step 1: the recorded tool result is reused",
          [t.get("outcome") for t in out.get("tool_calls", [])] == ["ok"], out.get("tool_calls"))
    check("fork --from-step 1: the divergence is at step 1 in the text",
          rc == 3 and d.get("step") == 1 and d.get("kind") == "text" and
          d.get("pointer") == "/text" and d.get("context", "").startswith("at character"), d)

    # --tools deny: the same model again, its tool call refused: the next request differs.
    rc, out, r = replay(data, traces["tool"], "--model", "m-tool", "--tools", "deny")
    d = out.get("divergence", {})
    check("fork --tools deny: the call is refused and the step-1 request diverges",
          [t.get("outcome") for t in out.get("tool_calls", [])] == ["denied"] and
          d.get("step") == 1 and d.get("kind") == "request" and
          d.get("pointer", "").startswith("/messages/"), (rc, out, r.stderr))

    # --tools live: through the gateway as the original user (dave), in the replay's own trace.
    rc, out, r = replay(data, traces["tool"], "--model", "m-tool", "--tools", "live")
    check("fork --tools live: the tool runs again", rc in (0, 3) and
          [t.get("outcome") for t in out.get("tool_calls", [])] == ["ok"], (rc, out, r.stderr))
    shown = trace_events(data, out.get("replay_trace_id", "0" * 32))
    calls = [e for e in shown if e["kind"] == "tool_call"]
    check("fork --tools live: recorded as a new trace, the call made as dave",
          out.get("replay_trace_id") not in (None, traces["tool"]) and calls and
          calls[0]["principal"] == "dave", shown[:3])

    rc, out, r = replay(data, traces["tool"], "--from-step", "1")
    check("--from-step without --model is refused", rc != 0 and "need --model" in r.stderr,
          r.stderr)
    rc, out, r = replay(data, traces["tool"], "--model", "m-tool", "--tools", "maybe")
    check("--tools with an unknown mode is refused", rc != 0 and "--tools" in r.stderr, r.stderr)


def test_offline(data, traces):
    for name in ("extractive", "tool", "cite", "native"):
        rc, out, r = replay(data, traces[name])
        check(f"offline replay of the {name} answer is identical (fake model stopped)",
              rc == 0 and out.get("identical") is True and "divergence" not in out and
              out.get("recorded_sha256") == out.get("replayed_sha256") and
              len(out["recorded_sha256"]) == 64, (rc, out, r.stderr))
        print(f"measured: offline replay of the {name} answer took {out.get('replay_us')} us")
    rc, out, _ = replay(data, traces["tool"])
    check("offline replay of the tool answer: two steps from the cassettes, tool from the record",
          [s.get("source") for s in out.get("steps", [])] == ["cassette", "cassette"] and
          [t.get("outcome") for t in out.get("tool_calls", [])] == ["ok"], out)

    rc, out, r = replay(data, traces["tool"], who="dave")
    check("a non-auditor cannot replay an answer (cassettes need the auditor role)",
          rc != 0 and "auditor" in r.stderr, (rc, r.stderr))
    replays = ward_ok(data, "trace", "list", "--kind", "replay", "--json")
    reads = ward_ok(data, "trace", "list", "--kind", "trace_read", "--json")
    batch = [json.loads(line) for line in reads.splitlines()
             if '"action":"cassettes"' in line]
    check("a replay reads its steps' cassettes in one recorded read",
          any(len(r["attributes"].get("cassette_sha256s", [])) == 2 for r in batch),
          reads[-400:])
    check("answer replays are recorded", traces["tool"] in replays and
          traces["extractive"] in replays and '"target":"answer"' in replays, replays[-400:])

    # The link allow-list changed since: the image the model planted is kept now, so the offline
    # replay of the cite answer diverges in the text of the answer shown.
    path = os.path.join(data, "ward.toml")
    with open(path) as f:
        toml = f.read()
    at = toml.index("[answer]")
    cut = toml.index("link_hosts = []", at)
    with open(path, "w") as f:
        f.write(toml[:cut] + 'link_hosts = ["evil.example"]' + toml[cut + len("link_hosts = []"):])
    rc, out, r = replay(data, traces["cite"])
    d = out.get("divergence", {})
    check("a changed link allow-list: the offline replay diverges in the answer text",
          rc == 3 and out.get("identical") is False and d.get("kind") == "text" and
          d.get("pointer") == "/text" and "evil.example" in json.dumps(d.get("replayed")),
          (rc, out, r.stderr))


def main():
    if not WARD_BIN:
        print("set WARD_BIN")
        return 2
    tmp = tempfile.mkdtemp(prefix="ward-answer-replay-")
    fake = None
    try:
        data = setup(tmp)
        hold = os.path.join(tmp, "hold")
        os.makedirs(hold)
        fake = subprocess.Popen([sys.executable, FAKE, hold], stdout=subprocess.PIPE, text=True)
        fake_base = fake.stdout.readline().strip().split(" ", 2)[2]
        traces = record_answers(data, fake_base)
        test_forks(data, traces)
        stop_processes(fake)  # no model from here on: the replay must not need one
        fake = None
        test_offline(data, traces)
    finally:
        stop_processes(fake)
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
