#!/usr/bin/env python3
"""Model-call cassettes end to end (docs/formats/cassette-store.md): `ward serve` in front of the
fake OpenAI upstream (tests/models/fake_openai_upstream.py). A proxied call, streamed and not,
leaves one sealed cassette per attempt whose response bytes equal the bytes the fake sent and
whose request body equals what the fake received; the API key is in no cassette; a non-auditor
cannot read one (refusal recorded); erasing the subject makes it unreadable.

Usage: WARD_BIN=build/ward WARD_REPO=. python3 tests/integration/cassette_test.py
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (REPO, WARD_BIN, check, http_request, run_ward, start_server,  # noqa
                     stop_processes, summary, ward_ok)
from models_test import model_block, sse  # noqa

UPSTREAM_KEY = "test-upstream-key"  # what the fake upstream accepts
FAKE = os.path.join(REPO, "tests", "models", "fake_openai_upstream.py")


def fake_get(fake, what, scenario):
    with urllib.request.urlopen(f"{fake}/_{what}/{scenario}", timeout=10) as r:
        return json.loads(r.read())


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def last_call(data):
    out = ward_ok(data, "trace", "list", "--kind", "model_call", "--json")
    return [json.loads(line) for line in out.splitlines() if line.strip()][-1]


def last_cassette(data):
    return last_call(data)["attributes"]["attempts"][-1].get("cassette", "")


def check_exchange(name, base, keys, fake, sha):
    st, _, body = http_request(base, "GET", f"/v1/cassettes/{sha}", key=keys["rita"])
    c = body.get("cassette", {}) if isinstance(body, dict) else {}
    sent = base64.b64decode(fake_get(fake, "sent", "tool")["b64"])
    received = fake_get(fake, "last", "tool")
    check(f"{name}: an auditor reads the cassette", st == 200 and not body.get("erased"), body)
    check(f"{name}: the response bytes are exactly what the upstream sent",
          sent and b64url(c.get("response_b64", "")) == sent, (len(sent), c.get("response_bytes")))
    check(f"{name}: the request body is what the upstream received",
          json.loads(b64url(c.get("upstream_body_b64", "")) or b"null") == received)
    check(f"{name}: status, adapter, URL without query, hashes",
          c.get("status") == 200 and c.get("adapter") == "openai" and
          c.get("url", "").endswith("/v1/chat/completions") and
          len(c.get("request_sha256", "")) == 64 and len(c.get("response_sha256", "")) == 64, c)
    check(f"{name}: the API key is in no cassette", UPSTREAM_KEY not in json.dumps(body))
    return c


def sent_digest(data, trace):
    out = ward_ok(data, "trace", "show", trace, "--json")
    shown = [json.loads(line) for line in out.splitlines() if line.strip()]
    sent = [e for e in shown if e["kind"] == "response_sent"]
    return sent[0]["attributes"] if sent else {}


def raw_stream(base, key, body, path="/v1/chat/completions"):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("Authorization", "Bearer " + key)
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.status, resp.read()


def main():
    if not WARD_BIN:
        print("set WARD_BIN to the ward binary")
        return 2
    tmp = tempfile.mkdtemp(prefix="ward_cassette_")
    data = os.path.join(tmp, "data")
    fake = server = None
    try:
        fake = subprocess.Popen([sys.executable, FAKE], stdout=subprocess.PIPE, text=True)
        fake_base = fake.stdout.readline().strip().split(" ")[-1]
        ward_ok(data, "init")
        with open(os.path.join(data, "ward.toml"), "a") as f:
            f.write(model_block("m-tool", "tool", fake_base, ["group:ml"]))
            # A second model that answers differently (text, no tool call): the fork target.
            f.write(model_block("m-text", "text", fake_base, ["group:ml", "group:auditors"]))
        ward_ok(data, "secrets", "set", "upstream_key", stdin=UPSTREAM_KEY + "\n")
        for g in ("ml", "auditors"):
            ward_ok(data, "group", "add", g)
        ward_ok(data, "user", "add", "alice", "--groups", "ml")
        ward_ok(data, "user", "add", "rita", "--groups", "auditors")
        keys = {n: ward_ok(data, "key", "create", n) for n in ("alice", "rita")}
        server, base = start_server(data)

        body = {"model": "m-tool", "messages": [{"role": "user", "content": "Weather?"}]}
        st, _, raw = http_request(base, "POST", "/v1/chat/completions", body, key=keys["alice"],
                                  raw_body=True)
        out = json.loads(raw)
        check("non-streamed call with a tool call", st == 200 and
              out["choices"][0]["message"].get("tool_calls"), out)
        plain = last_cassette(data)
        plain_trace = last_call(data)["trace_id"]
        check("the model_call attempt names its cassette", len(plain) == 64, plain)
        c = check_exchange("non-streamed", base, keys, fake_base, plain)
        check("non-streamed: no chunk offsets", c.get("stream") is False and
              "chunk_offsets" not in c, c)
        digest = sent_digest(data, plain_trace)
        check("non-streamed: the SHA-256 of the body bytes sent is recorded (response_sent)",
              digest.get("client_sha256") == hashlib.sha256(raw).hexdigest() and
              digest.get("client_bytes") == len(raw) and digest.get("stream") is False, digest)
        plain_sha = hashlib.sha256(raw).hexdigest()
        st, raw = raw_stream(base, keys["alice"], dict(body, stream=True,
                                                       stream_options={"include_usage": True}))
        usage_trace = last_call(data)["trace_id"]
        usage_sha = hashlib.sha256(raw).hexdigest()
        digest = sent_digest(data, usage_trace)
        check("streamed: the SHA-256 of every SSE byte sent is recorded (response_sent)",
              st == 200 and raw.endswith(b"data: [DONE]\n\n") and
              digest.get("client_sha256") == usage_sha and digest.get("stream") is True,
              (digest, len(raw)))
        # /v1/responses, not streamed: its response_sent shares the model_call's durable append.
        st, _, raw_r = http_request(base, "POST", "/v1/responses",
                                    {"model": "m-text", "input": "Weather?"}, key=keys["alice"],
                                    raw_body=True)
        digest = sent_digest(data, last_call(data)["trace_id"])
        check("/v1/responses non-streamed: the SHA-256 of the body bytes sent is recorded",
              st == 200 and digest.get("front_door") == "responses" and
              digest.get("client_sha256") == hashlib.sha256(raw_r).hexdigest() and
              digest.get("client_bytes") == len(raw_r) and digest.get("stream") is False,
              (st, digest))

        # /v1/responses, streamed and not, with tools and metadata the response object echoes.
        resp_body = {"model": "m-tool", "input": "Weather?", "metadata": {"ticket": "T-1"},
                     "tools": [{"type": "function", "name": "get_weather",
                                "parameters": {"type": "object"}}]}
        responses = {}
        for name, extra in (("responses", {}), ("responses streamed", {"stream": True})):
            st, raw = raw_stream(base, keys["alice"], dict(resp_body, **extra), "/v1/responses")
            trace = last_call(data)["trace_id"]
            responses[name] = (trace, hashlib.sha256(raw).hexdigest())
            digest = sent_digest(data, trace)
            check(f"{name}: the client bytes and what replay needs to render them are recorded",
                  st == 200 and digest.get("client_sha256") == responses[name][1] and
                  digest.get("response_id", "").startswith("resp_") and
                  digest.get("request_echo", {}).get("metadata") == {"ticket": "T-1"}, digest)
        # An echo that redaction changes (an email address in the metadata) cannot be rendered
        # again; replay says so instead of reporting a divergence.
        raw_stream(base, keys["alice"], dict(resp_body, metadata={"who": "alice@example.com"}),
                   "/v1/responses")
        redacted_trace = last_call(data)["trace_id"]
        # An echo over 64 KiB (kMaxRecordedEchoBytes) is recorded by its digest alone.
        big = dict(resp_body, tools=[dict(resp_body["tools"][0], description="d" * (64 * 1024))])
        raw_stream(base, keys["alice"], big, "/v1/responses")
        big_trace = last_call(data)["trace_id"]
        digest = sent_digest(data, big_trace)
        check("an echo over 64 KiB is recorded by its digest alone",
              "request_echo" not in digest and len(digest.get("echo_sha256", "")) == 64, digest)

        st, events, _ = sse(base, keys["alice"], dict(body, stream=True))
        check("streamed call", st == 200 and events and events[-1] == "[DONE]", events)
        streamed = last_cassette(data)
        streamed_trace = last_call(data)["trace_id"]
        c = check_exchange("streamed", base, keys, fake_base, streamed)
        offsets = c.get("chunk_offsets", [])
        check("streamed: chunk offsets start at 0 and rise within the bytes",
              c.get("stream") is True and offsets and offsets[0] == 0 and
              offsets == sorted(offsets) and offsets[-1] < c.get("response_bytes", 0), offsets)

        st, _, denied = http_request(base, "GET", f"/v1/cassettes/{plain}", key=keys["alice"])
        check("a non-auditor cannot read a cassette (403)", st == 403, (st, denied))
        st, _, _ = http_request(base, "GET", "/v1/cassettes/" + "0" * 64, key=keys["rita"])
        check("an unknown cassette is 404", st == 404, st)
        stop_processes(server)
        server = None

        reads = ward_ok(data, "trace", "list", "--kind", "trace_read", "--json")
        check("auditor reads are recorded", '"cassette"' in reads, reads[-300:])
        refusals = ward_ok(data, "trace", "list", "--kind", "authz_denied", "--json")
        check("the refusal is recorded", "cassette" in refusals, refusals[-300:])

        # A fork: the recorded request sent live to another model reports the planted divergence.
        r = run_ward(data, "replay", plain_trace, "--as", "rita", "--model", "m-text", "--json")
        out = json.loads(r.stdout) if r.stdout.strip() else {}
        d = out.get("divergence", {})
        check("a fork to another model reports the first divergence (kind and pointer)",
              r.returncode == 3 and out.get("identical") is False and d.get("step") == 0 and
              d.get("kind") == "tool_call_set" and d.get("pointer") == "/tool_calls/0" and
              d.get("recorded") == ["get_weather"] and d.get("replayed") == [],
              (r.returncode, r.stdout, r.stderr))
        stop_processes(fake)  # no upstream from here on: the replays must not need one
        fake = None
        # ward replay: offline, from the cassette, through the same adapter.
        for name, trace in (("non-streamed", plain_trace), ("streamed", streamed_trace)):
            r = run_ward(data, "replay", trace, "--as", "rita", "--json")
            out = json.loads(r.stdout) if r.returncode == 0 else {}
            check(f"replay of the {name} call is identical, offline", out.get("identical") is True
                  and len(out.get("steps", [])) == 1 and "divergence" not in out,
                  (r.returncode, r.stdout, r.stderr))
            print(f"measured: replay of one {name} recorded call took {out.get('replay_us')} us "
                  "(ward replay --json, replay_us)")
        for name, trace, sha in (("non-streamed", plain_trace, plain_sha),
                                 ("streamed with usage", usage_trace, usage_sha)):
            r = run_ward(data, "replay", trace, "--as", "rita", "--json")
            out = json.loads(r.stdout) if r.returncode == 0 else {}
            step = (out.get("steps") or [{}])[0]
            check(f"replay of the {name} call renders the client bytes again, hash equal",
                  out.get("identical") is True and step.get("recorded_client_sha256") == sha and
                  step.get("replayed_client_sha256") == sha, (r.returncode, r.stdout, r.stderr))
        for name, (trace, sha) in responses.items():
            r = run_ward(data, "replay", trace, "--as", "rita", "--json")
            out = json.loads(r.stdout) if r.returncode == 0 else {}
            step = (out.get("steps") or [{}])[0]
            check(f"replay of the {name} call renders the client bytes again, hash equal",
                  out.get("identical") is True and step.get("recorded_client_sha256") == sha and
                  step.get("replayed_client_sha256") == sha and
                  "client_bytes_checked" not in step, (r.returncode, r.stdout, r.stderr))
        r = run_ward(data, "replay", redacted_trace, "--as", "rita", "--json")
        out = json.loads(r.stdout) if r.returncode == 0 else {}
        step = (out.get("steps") or [{}])[0]
        check("a Responses call whose recorded echo was redacted is not byte-checked, and says why",
              step.get("client_bytes_checked") is False and
              "redaction" in step.get("client_bytes_unchecked_reason", ""),
              (r.returncode, r.stdout, r.stderr))
        r = run_ward(data, "replay", big_trace, "--as", "rita", "--json")
        out = json.loads(r.stdout) if r.returncode == 0 else {}
        step = (out.get("steps") or [{}])[0]
        check("a Responses call whose echo was over 64 KiB is not byte-checked, and says why",
              step.get("client_bytes_checked") is False and
              "64 KiB" in step.get("client_bytes_unchecked_reason", ""),
              (r.returncode, r.stdout, r.stderr))
        r = run_ward(data, "replay", plain_trace, "--as", "alice", "--json")
        check("a non-auditor cannot replay (cassettes need the auditor role)", r.returncode != 0,
              r.stdout)
        replays = ward_ok(data, "trace", "list", "--kind", "replay", "--json")
        check("replays are recorded", plain_trace in replays and streamed_trace in replays,
              replays[-300:])

        ward_ok(data, "audit", "erase", "--subject", "alice")
        cli = run_ward(data, "trace", "cassette", plain, "--as", "rita")
        shown = json.loads(cli.stdout) if cli.returncode == 0 else {}
        check("after erasing the subject the cassette is unreadable (crypto-shredded)",
              shown.get("erased") is True and "cassette" not in shown, (cli.stdout, cli.stderr))
        files = os.listdir(os.path.join(data, "cassettes", "default"))
        raw = "".join(open(os.path.join(data, "cassettes", "default", f)).read() for f in files)
        check("cassettes are sealed on disk", files and "get_weather" not in raw and
              UPSTREAM_KEY not in raw, files)
    finally:
        stop_processes(server, fake)
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
