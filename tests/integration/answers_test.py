#!/usr/bin/env python3
"""The answer loop end to end on the real binary: `ward ask` and POST /v1/answers as two users
on a small corpus (legal's contract is invisible to bob: never cited, never quoted), the
extractive default, a model-backed answer against a local fake model (a fabricated quote and an
invented doc id dropped, a Markdown image to an outside host stripped), a revocation between
retrieval and answer honoured (the fake model holds the request while dave leaves `legal`),
prompt templates, the `answer` trace event and the metrics.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (REPO, WARD_BIN, check, http_request, run_ward, start_server,  # noqa: E402
                     stop_processes, summary, wait_until, ward_ok)

FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_answer_model.py")
CONTRACT = ("# Termination\n\nEither party may terminate this agreement with 30 days written "
            "notice. The termination fee is $5,000 payable on exit.\n")
HANDBOOK = ("# Sales handbook\n\nSales staff cannot terminate customer agreements on their own. "
            "The warranty lasts 24 months from delivery.\n")
SECRET_PHRASE = "30 days written notice"
QUESTION = "How can the agreement be terminated?"


def setup(tmp):
    data = os.path.join(tmp, "data")
    ward_ok(data, "init")
    ward_ok(data, "group", "add", "legal")
    ward_ok(data, "group", "add", "sales")
    ward_ok(data, "user", "add", "dave", "--groups", "legal")
    ward_ok(data, "user", "add", "bob", "--groups", "sales")
    for folder, name, text in (("legal", "contract.md", CONTRACT), ("hb", "handbook.md", HANDBOOK)):
        os.makedirs(os.path.join(tmp, folder))
        with open(os.path.join(tmp, folder, name), "w") as f:
            f.write(text)
    ward_ok(data, "ingest", os.path.join(tmp, "legal"), "--source", "legal", "--acl-groups", "legal")
    ward_ok(data, "ingest", os.path.join(tmp, "hb"), "--source", "hb", "--public")
    # A write tool only dave is granted (the proxy's ward.tools checks).
    ward_ok(data, "tools", "add", os.path.join(REPO, "examples", "tools", "refund_invoice.json"))
    ward_ok(data, "grants", "add", "--tool", "refund_invoice", "--principal", "dave")
    return data


def ask_json(data, *args):
    proc = run_ward(data, "ask", *args, "--json")
    if proc.returncode != 0:
        return None, proc
    return json.loads(proc.stdout), proc


def cited_docs(answer):
    return sorted({c["doc_id"] for c in answer["citations"]})


def test_cli(data):
    dave, proc = ask_json(data, QUESTION, "--as", "dave")
    check("ask as dave succeeds", dave is not None, proc.stderr)
    check("dave's answer is extractive", dave["mode"] == "extractive", dave)
    check("dave's answer cites the contract", "legal:contract.md" in cited_docs(dave), dave)
    check("dave's answer quotes the contract", SECRET_PHRASE in dave["answer"], dave["answer"])
    check("every shown citation passed every check",
          all(c["verified"] and c["checks_passed"] == ["retrieved", "readable", "quote", "facts"]
              for s in dave["sentences"] for c in s["citations"]), dave)
    check("precision and coverage are 1 for an extractive answer",
          dave["citation_precision"] == 1 and dave["citation_coverage"] == 1, dave)
    check("citation offsets point at the quote in the chunk",
          all(c["char_end"] - c["char_start"] == len(c["quote"]) for c in dave["citations"]),
          dave["citations"])

    bob, proc = ask_json(data, QUESTION, "--as", "bob")
    check("ask as bob succeeds", bob is not None, proc.stderr)
    check("bob's answer never cites the contract", "legal:contract.md" not in cited_docs(bob), bob)
    check("bob's output never quotes the contract", SECRET_PHRASE not in proc.stdout, proc.stdout)
    check("bob's answer differs from dave's", bob["answer"] != dave["answer"], bob)
    check("bob's answer cites the handbook", cited_docs(bob) == ["hb:handbook.md"], bob)

    # An agent acting for dave reads only inside its scope (the handbook's source).
    ward_ok(data, "user", "add", "helper", "--agent")
    ward_ok(data, "agent", "scope", "add", "helper", "--source", "hb")
    via_agent, proc = ask_json(data, QUESTION, "--as", "dave", "--agent", "helper")
    check("ask --agent: only what both dave and the agent's scope allow",
          via_agent is not None and cited_docs(via_agent) == ["hb:handbook.md"] and
          SECRET_PHRASE not in proc.stdout, (proc.stderr, proc.stdout[:800]))

    human = ward_ok(data, "ask", QUESTION, "--as", "dave")
    check("human output: answer, label and numbered citations",
          "extractive answer" in human and "Citations:" in human and "[1] legal:contract.md" in human,
          human)

    none, _ = ask_json(data, "zebra unicorn", "--as", "bob")
    check("an empty retrieval answers 'no readable sources' without citations",
          none["answer"] == "no readable sources" and none["citations"] == [], none)

    for args, what in (((" ", "--as", "bob"), "empty question"),
                       ((QUESTION, "--as", "bob", "--k", "0"), "k out of range"),
                       ((QUESTION, "--as", "nobody"), "unknown user"),
                       ((QUESTION, "--as", "bob", "--model", "nope"), "unknown model"),
                       (("zebra unicorn", "--as", "bob", "--model", "nope"),
                        "unknown model, nothing retrieved")):
        proc = run_ward(data, "ask", *args)
        check(f"ask refuses: {what}", proc.returncode != 0 and "error:" in proc.stderr,
              (proc.returncode, proc.stderr))

    listing = ward_ok(data, "prompts", "list")
    check("prompts list names the answer template with its hash",
          listing.startswith("answer@1  sha256:"), listing)
    shown = ward_ok(data, "prompts", "show", "answer")
    check("prompts show prints the template", "DATA, not instructions" in shown, shown)
    check("prompts show refuses an unknown one",
          run_ward(data, "prompts", "show", "nope").returncode != 0)

    explained = ward_ok(data, "explain", dave["trace_id"])
    check("explain shows the answer's sentences, citations and the checks each passed",
          "Answers:" in explained and "extractive answer" in explained and
          "verified doc legal:contract.md" in explained and
          "passed retrieved,readable,quote,facts" in explained, explained)
    check("explain shows the retrieval of the same trace",
          "Retrieved:" in explained and "doc legal:contract.md" in explained, explained)
    return dave


def configure_models(data, tmp, base):
    with open(os.path.join(data, "ward.toml"), "a") as f:
        for name, scenario in (("m-cite", "cite"), ("m-slow", "slow"), ("m-tool", "tool"),
                               ("m-bad", "badtool"), ("m-exfil", "exfil")):
            f.write(f'\n[[models]]\nname = "{name}"\nprovider = "openai"\nbase_url = "{base}/v1"\n'
                    f'model = "{scenario}"\napi_key_secret = "upstream_key"\n'
                    f'allow = ["group:legal", "group:sales"]\nallow_private = true\n')
    ward_ok(data, "secrets", "set", "upstream_key", stdin="test-upstream-key\n")


def test_http(data, tmp, fake_base):
    keys = {u: ward_ok(data, "key", "create", u) for u in ("dave", "bob")}
    server, base = start_server(data)
    try:
        st, _, body = http_request(base, "POST", "/v1/answers", {"question": QUESTION},
                                   key=keys["bob"])
        check("POST /v1/answers as bob: 200", st == 200, body)
        check("POST /v1/answers as bob never cites or quotes the contract",
              "legal:contract.md" not in json.dumps(body) and SECRET_PHRASE not in json.dumps(body),
              body)
        st, _, body = http_request(base, "POST", "/v1/answers", {"question": QUESTION, "k": 5},
                                   key=keys["dave"])
        check("POST /v1/answers as dave cites the contract",
              st == 200 and "legal:contract.md" in cited_docs(body), body)
        for bad, what in (({"question": QUESTION, "extra": 1}, "unknown field"),
                          ({"question": ""}, "empty question"),
                          ({"question": QUESTION, "k": 0}, "k out of range"),
                          ({"k": 3}, "missing question")):
            st, _, body = http_request(base, "POST", "/v1/answers", bad, key=keys["bob"])
            check(f"POST /v1/answers refuses {what} with 400", st == 400, (st, body))
        st, _, _ = http_request(base, "POST", "/v1/answers", {"question": QUESTION})
        check("POST /v1/answers needs authentication", st == 401, st)

        # A model-backed answer: the fabricated quote and the invented doc are dropped, the
        # image to an outside host is stripped.
        st, _, body = http_request(base, "POST", "/v1/answers",
                                   {"question": QUESTION, "model": "m-cite"}, key=keys["dave"])
        check("model answer: 200 with mode model", st == 200 and body.get("mode") == "model", body)
        dropped = {d["failed_rule"] for d in body.get("dropped_citations", [])}
        check("model answer: the fabricated quote is dropped by the quote rule", "quote" in dropped,
              body)
        check("model answer: the invented doc id is dropped by the retrieved rule",
              "retrieved" in dropped, body)
        check("model answer: only the good citation is shown",
              len(body.get("citations", [])) == 1 and
              all("99 years" not in c["quote"] for c in body["citations"]), body)
        check("model answer: unsupported sentences are marked",
              "It lasts 99 years." in body.get("unsupported", []), body)
        check("model answer: precision 1/3", abs(body.get("citation_precision", 0) - 1 / 3) < 1e-9,
              body)
        check("model answer: the image to evil.example is stripped",
              "evil.example" not in body.get("answer", "x") and
              any(r["host"] == "evil.example" for r in body.get("removed_links", [])), body)
        with urllib_get(fake_base + "/_last/cite") as last:
            sent = json.loads(last.read())
        system = sent["messages"][0]["content"]
        user = sent["messages"][1]["content"]
        marker = user.split(">>>", 1)[0][3:]
        check("the model got the strict JSON schema response format",
              sent.get("response_format", {}).get("type") == "json_schema" and
              sent["response_format"]["json_schema"]["strict"] is True, sent.get("response_format"))
        check("the passages are fenced under the per-turn marker named in the system prompt",
              marker.startswith("ward-data ") and f"<<<{marker}>>>" in system and
              f"<<<end {marker}>>>" in user, (marker, system[:300]))

        explained = ward_ok(data, "explain", body["trace_id"])
        check("explain shows the dropped citations with the rule that failed",
              "by model m-cite" in explained and "failed quote" in explained and
              "failed retrieved" in explained and "UNSUPPORTED" in explained and
              "prompt template answer@1" in explained and "removed image to evil.example"
              in explained, explained)

        st, _, body = http_request(base, "POST", "/v1/answers",
                                   {"question": "zebra unicorn", "model": "m-cite"},
                                   key=keys["bob"])
        check("a granted model with nothing retrieved: no readable sources, no model call",
              st == 200 and body.get("answer") == "no readable sources" and
              body.get("citations") == [], (st, body))

        # The model's tool call goes through the gateway as the user; its result goes back.
        st, _, body = http_request(base, "POST", "/v1/answers",
                                   {"question": QUESTION, "model": "m-tool"}, key=keys["bob"])
        check("tool-calling model answer: 200 with a verified citation",
              st == 200 and len(body.get("citations", [])) == 1, body)
        with urllib_get(fake_base + "/_last/tool") as last:
            sent = json.loads(last.read())
        offered = [t["function"]["name"] for t in sent.get("tools", [])]
        tool_msgs = [m for m in sent["messages"] if m["role"] == "tool"]
        check("the model was offered the tools bob may call", "search" in offered, offered)
        check("the gateway's search result went back to the model as bob (no contract)",
              len(tool_msgs) == 1 and "hits" in tool_msgs[0]["content"] and
              "legal:contract.md" not in tool_msgs[0]["content"], tool_msgs)
        explained = ward_ok(data, "explain", body["trace_id"])
        check("explain shows the gateway's call of search in the answer's trace",
              "Tool calls:\n  " in explained and "search" in explained.split("Tool calls:")[1]
              .split("Approvals:")[0], explained)

        # The model copies a retrieved passage into a tool argument: the gateway flags it.
        st, _, body = http_request(base, "POST", "/v1/answers",
                                   {"question": QUESTION, "model": "m-exfil"}, key=keys["dave"])
        calls = [json.loads(l) for l in
                 ward_ok(data, "trace", "list", "--kind", "tool_call", "--json").splitlines()]
        mine = [c for c in calls if c.get("trace_id") == body.get("trace_id")]
        flag = mine[0]["attributes"].get("exfil_suspect", {}) if mine else {}
        check("answer loop: a tool argument carrying a retrieved passage is flagged exfil_suspect",
              st == 200 and flag.get("doc_id") in ("legal:contract.md", "hb:handbook.md") and
              flag.get("length", 0) >= 80 and
              flag.get("pointer") == "/query", (st, mine))
        check("answer loop: a flagged read still runs",
              mine and mine[0]["attributes"].get("decision") == "executed", mine)
        st, _, body = http_request(base, "POST", "/v1/answers",
                                   {"question": QUESTION, "model": "m-tool"}, key=keys["dave"])
        calls = [json.loads(l) for l in
                 ward_ok(data, "trace", "list", "--kind", "tool_call", "--json").splitlines()]
        mine = [c for c in calls if c.get("trace_id") == body.get("trace_id")]
        check("answer loop: a short tool argument is not flagged",
              mine and "exfil_suspect" not in mine[0]["attributes"], mine)

        test_proxy(data, base, keys, fake_base)

        # Revocation between retrieval and answer: dave leaves legal while the model holds.
        hold = os.path.join(tmp, "hold")
        result = {}

        def slow_ask():
            result["r"] = http_request(base, "POST", "/v1/answers",
                                       {"question": QUESTION, "model": "m-slow"},
                                       key=keys["dave"], timeout=180)
        t = threading.Thread(target=slow_ask)
        t.start()
        wait_until(lambda: os.path.exists(os.path.join(hold, "called")), "the model call")
        ward_ok(data, "group", "leave", "dave", "legal")
        open(os.path.join(hold, "release"), "w").close()
        t.join(timeout=180)
        st, _, body = result.get("r", (0, None, {}))
        check("revoked mid-answer: 200", st == 200, body)
        check("revoked mid-answer: the contract citation is dropped by the readable rule",
              body.get("citations") == [] and
              any(d["doc_id"] == "legal:contract.md" and d["failed_rule"] == "readable"
                  for d in body.get("dropped_citations", [])), body)

        st, _, text = http_request(base, "GET", "/metrics")
        check("metrics: dropped citations by rule",
              'ward_answer_citations_dropped_total{rule="quote"}' in text and
              'ward_answer_citations_dropped_total{rule="readable"}' in text, str(text)[:300])
        check("metrics: precision and coverage histograms",
              "ward_answer_citation_precision_bucket" in text and
              "ward_answer_citation_coverage_bucket" in text)
    finally:
        stop_processes(server)


def chat(base, key, model, extra=None, content=QUESTION):
    body = {"model": model, "messages": [{"role": "user", "content": content}]}
    body.update(extra or {})
    return http_request(base, "POST", "/v1/chat/completions", body, key=key)


def test_proxy(data, base, keys, fake_base):
    """The proxy's `ward` extension: opt-in retrieval (issue 13) and ward.tools = "execute"
    (issue 12) on POST /v1/chat/completions, against the fake model."""
    retrieval = {"ward": {"retrieval": {"k": 5, "cite": True}}}
    st, _, body = chat(base, keys["dave"], "m-cite", retrieval)
    w = body.get("ward", {}) if isinstance(body, dict) else {}
    r = w.get("retrieval", {})
    content = (body.get("choices") or [{}])[0].get("message", {}).get("content", "") \
        if st == 200 else ""
    check("proxy retrieval as dave: 200, an OpenAI response plus a ward object",
          st == 200 and body.get("object") == "chat.completion" and
          len(w.get("trace_id", "")) == 32, body)
    check("proxy retrieval: passage 1 is cited and verified (one citation)",
          [c["doc_id"] for c in r.get("citations", [])] ==
          [r.get("retrieved", [{}])[0].get("doc_id")] and
          "legal:contract.md" in [p["doc_id"] for p in r.get("retrieved", [])], r)
    check("proxy retrieval: the fabricated quote and the invented doc are dropped",
          {d["failed_rule"] for d in r.get("dropped_citations", [])} == {"quote", "retrieved"}, r)
    check("proxy retrieval: the client gets the verified answer text, links stripped",
          "It lasts 99 years." in content and "evil.example" not in content and
          not content.lstrip().startswith("{"), content)
    with urllib_get(fake_base + "/_last/cite") as last:
        sent = json.loads(last.read())
    user = [m for m in sent["messages"] if m["role"] == "user"][-1]["content"]
    check("proxy retrieval: the passages are fenced under the marker, the question after them",
          sent["messages"][0]["role"] == "system" and "<<<ward-data " in user and
          user.rstrip().endswith("Question: " + QUESTION) and
          sent.get("response_format", {}).get("type") == "json_schema", sent["messages"][0])
    answers = [json.loads(l) for l in
               ward_ok(data, "trace", "list", "--kind", "answer", "--json").splitlines()]
    check("proxy retrieval: one answer event in the call's trace, front door proxy",
          any(a.get("trace_id") == w.get("trace_id") and
              a["attributes"].get("front_door") == "proxy" for a in answers), len(answers))
    st, _, body = chat(base, keys["bob"], "m-cite", retrieval)
    with urllib_get(fake_base + "/_last/cite") as last:
        sent = json.dumps(json.loads(last.read()))
    check("proxy retrieval as bob: the contract is never sent to the model nor cited",
          st == 200 and SECRET_PHRASE not in sent and "legal:contract.md" not in json.dumps(body),
          body)
    for extra, field in (({"ward": {"bogus": 1}}, "ward.bogus"),
                         ({"ward": {"retrieval": {"k": 5, "top": 1}}}, "ward.retrieval.top"),
                         ({"ward": {"retrieval": {"k": 0}}}, "ward.retrieval.k"),
                         ({"ward": {"tools": "run"}}, "ward.tools"),
                         ({"ward": {"retrieval": {}}, "stream": True}, "stream"),
                         ({"ward": {"retrieval": {}}, "response_format": {"type": "text"}},
                          "ward.retrieval.cite")):
        st, _, body = chat(base, keys["dave"], "m-cite", extra)
        check(f"proxy: a bad ward extension is a 400 naming '{field}'",
              st == 400 and f"'{field}'" in body.get("error", {}).get("message", ""), (st, body))

    # ward.tools: the default passes the model's tool call to the client; "execute" runs it.
    st, _, body = chat(base, keys["bob"], "m-tool")
    msg = (body.get("choices") or [{}])[0].get("message", {}) if st == 200 else {}
    check("proxy tools by default: the tool call goes back to the client",
          st == 200 and msg.get("tool_calls", [{}])[0].get("function", {}).get("name") ==
          "search" and "ward" not in body, body)
    st, _, body = chat(base, keys["bob"], "m-tool", {"ward": {"tools": "execute"}})
    msg = (body.get("choices") or [{}])[0].get("message", {}) if st == 200 else {}
    check("proxy tools execute: Ward ran search through the gateway and returned the final message",
          st == 200 and not msg.get("tool_calls") and "answer" in msg.get("content", "") and
          body.get("ward", {}).get("tool_calls") == [{"tool": "search", "outcome": "ok"}], body)
    with urllib_get(fake_base + "/_last/tool") as last:
        sent = json.loads(last.read())
    tool_msgs = [m for m in sent["messages"] if m["role"] == "tool"]
    check("proxy tools execute: the search ran as bob (no contract) and went back to the model",
          len(tool_msgs) == 1 and "hits" in tool_msgs[0]["content"] and
          "legal:contract.md" not in tool_msgs[0]["content"], tool_msgs)
    calls = [json.loads(l) for l in
             ward_ok(data, "trace", "list", "--kind", "tool_call", "--json").splitlines()]
    check("proxy tools execute: the call is the gateway's tool_call record, front door proxy",
          any(c["attributes"].get("via", {}).get("front_door") == "proxy" and
              c.get("principal") == "bob" and c.get("trace_id") == body.get("ward", {})
              .get("trace_id") for c in calls), len(calls))
    st, _, body = chat(base, keys["bob"], "m-bad", {"ward": {"tools": "execute"}})
    check("proxy tools execute: a call to an ungranted gateway tool is refused (403)",
          st == 403 and "refund_invoice" in body.get("error", {}).get("message", ""), (st, body))
    calls = [json.loads(l) for l in
             ward_ok(data, "trace", "list", "--kind", "tool_call", "--json").splitlines()]
    refunds = [c for c in calls if "refund_invoice" in c["attributes"].get("tool", "")]
    models = [json.loads(l) for l in
              ward_ok(data, "trace", "list", "--kind", "model_call", "--json").splitlines()]
    check("proxy tools execute: the refusal is recorded and nothing ran",
          not refunds and any(m.get("principal") == "bob" and
                              "refund_invoice" in json.dumps(m.get("attributes", {}))
                              for m in models), len(models))
    # dave may refund, but after retrieval the turn is tainted: the write parks for approval.
    st, _, body = chat(base, keys["dave"], "m-bad",
                       {"ward": {"tools": "execute", "retrieval": {"cite": False}}})
    check("proxy tools execute after retrieval: the granted write is parked (untrusted content)",
          st == 200 and body.get("ward", {}).get("tool_calls") ==
          [{"tool": "refund_invoice", "outcome": "pending"}] and
          body["ward"]["retrieval"].get("retrieved") and
          "citations" not in body["ward"]["retrieval"], (st, body))
    calls = [json.loads(l) for l in
             ward_ok(data, "trace", "list", "--kind", "tool_call", "--json").splitlines()]
    parked = [c for c in calls if c.get("trace_id") == body.get("ward", {}).get("trace_id")]
    check("proxy tools execute after retrieval: recorded pending at the untrusted_content stage",
          parked and parked[0]["attributes"].get("decision") == "pending" and
          parked[0]["attributes"].get("stage") == "untrusted_content", parked)


def urllib_get(url):
    import urllib.request
    return urllib.request.urlopen(url, timeout=30)


def main():
    if not WARD_BIN:
        print("set WARD_BIN")
        return 2
    tmp = tempfile.mkdtemp(prefix="ward-answers-")
    fake = None
    try:
        data = setup(tmp)
        test_cli(data)
        hold = os.path.join(tmp, "hold")
        os.makedirs(hold)
        fake = subprocess.Popen([sys.executable, FAKE, hold], stdout=subprocess.PIPE, text=True)
        fake_base = fake.stdout.readline().strip().split(" ", 2)[2]
        configure_models(data, tmp, fake_base)
        test_http(data, tmp, fake_base)
    finally:
        stop_processes(fake)
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
