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
from harness import (WARD_BIN, check, http_request, run_ward, start_server,  # noqa: E402
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
        for name, scenario in (("m-cite", "cite"), ("m-slow", "slow"), ("m-tool", "tool")):
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
