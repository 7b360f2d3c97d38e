#!/usr/bin/env python3
"""`ward eval stability` and tool cases through the proxy, on the real binary over the example
company, against scripted fake models (fake_answer_model.py).

Stability: the built-in `answer` template dumped as a sectioned file whose sections concatenate
to the built-in text; each section ablated against the fake `sections`, which reacts to three of
them (a tool call without the fence notice, prose without the output format, no claims without
the citation instructions) and ignores two: the report calls those two "removable" (and both
together), the other three "needed" with the measure that moved, tokens saved per ablation, the
noise floor, a trace per run that records the template override, the HTML page in Chromium; a
section marked `expect = "removable"` that is needed exits 1; bad input exits 2.

Proxy: `target.via = "proxy"` sends a tool case through POST /v1/chat/completions with
`ward.tools = "execute"`; the fake `proxy` asks for search (executed) and refund_invoice (granted,
but the search result tainted the turn: the untrusted-content gate parks it, so it does not run);
the case is scored on the gateway's tool_call events read from the case's trace.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eval_html_test import open_in_chromium  # noqa: E402
from eval_test import FAKE, StrictHtml, load_examples, run_suite  # noqa: E402
from harness import REPO, WARD_BIN, check, run_ward, stop_processes, summary, ward_ok  # noqa: E402

QUESTION = "How much notice is needed to terminate the agreement?"


def write_suite(tmp, name, cases, target=""):
    with open(os.path.join(tmp, f"{name}.jsonl"), "w") as f:
        f.write("".join(json.dumps(c) + "\n" for c in cases))
    path = os.path.join(tmp, f"{name}.toml")
    with open(path, "w") as f:
        f.write(f'name = "{name}"\ncases = ["{name}.jsonl"]\n{target}')
    return path


RUNS = [0]


def stability(data, tmp, suite, *extra):
    RUNS[0] += 1
    out = {k: os.path.join(tmp, f"stab-{RUNS[0]}.{k}") for k in ("json", "html", "md")}
    p = run_ward(data, "eval", "stability", suite, "--json", out["json"], "--html", out["html"],
                 "--md", out["md"], *extra, timeout=600)
    report = None
    if os.path.exists(out["json"]):
        with open(out["json"]) as f:
            report = json.load(f)
    return p, report, out


def test_dump(data, tmp):
    p = run_ward(data, "eval", "stability", "--template", "default", "--dump")
    check("--template default --dump prints the template file (exit 0)", p.returncode == 0,
          p.stderr)
    try:
        t = tomllib.loads(p.stdout)
    except tomllib.TOMLDecodeError as e:
        check("the dumped template is TOML", False, e)
        return None
    with open(os.path.join(REPO, "src", "answer", "templates", "answer.v1.txt")) as f:
        builtin = f.read()
    ids = [s["id"] for s in t.get("sections", [])]
    check("five named sections that concatenate to the built-in `answer` template",
          t.get("template") == "answer" and
          ids == ["role", "fence", "format", "citations", "no_answer"] and
          "".join(s["text"] for s in t["sections"]) == builtin, ids)
    path = os.path.join(tmp, "answer-template.toml")
    with open(path, "w") as f:
        f.write(p.stdout)
    return path


def test_stability(data, tmp, template_file):
    suite = write_suite(tmp, "stab", [
        {"id": "stab-notice", "kind": "stability", "as": "dave", "question": QUESTION},
        {"id": "stab-answer", "kind": "answer", "as": "dave", "question": QUESTION,
         "must_cite": ["legal:legal/master-services-agreement.pdf"]},
        {"id": "stab-skipped", "kind": "retrieval", "as": "dave", "query": "termination notice",
         "expected": ["legal:legal/master-services-agreement.pdf"]},
    ], '[target]\nmodel = "m-sections"\n')
    p, report, out = stability(data, tmp, suite, "--template", template_file, "--repeat", "2")
    check("ward eval stability runs every ablation (exit 0)", p.returncode == 0 and report,
          p.stdout[-2000:] + p.stderr[-2000:])
    if not report:
        return suite
    variants = {v["id"]: v for v in report["variants"]}
    check("the variants: the full template, one per section, the removable ones together",
          list(variants) == ["full", "-role", "-fence", "-format", "-citations", "-no_answer",
                             "-role-no_answer"], list(variants))
    check("the noise floor of the deterministic fake is 1 on every measure",
          report["noise_floor"] == {"tool_calls": 1, "structured": 1, "cited_jaccard": 1},
          report["noise_floor"])
    verdicts = {k: v["verdict"] for k, v in variants.items()}
    check("role and no_answer are removable (alone and together); fence, format, citations needed",
          verdicts == {"full": "baseline", "-role": "removable", "-fence": "needed",
                       "-format": "needed", "-citations": "needed", "-no_answer": "removable",
                       "-role-no_answer": "removable"}, verdicts)
    moved = {k: sorted({u["measure"] for u in v["unstable_cases"]}) for k, v in variants.items()}
    check("each needed section names the measure that moved past the noise floor",
          moved["-fence"] == ["tool_calls"] and "structured" in moved["-format"] and
          moved["-citations"] == ["cited"] and moved["-role"] == [], moved)
    check("agreement with the full template: the fence ablation's tool calls differ (0)",
          variants["-fence"]["agreement"]["tool_calls"] == 0 and
          variants["-citations"]["agreement"]["cited_jaccard"] == 0 and
          variants["-role"]["agreement"] == {"tool_calls": 1, "structured": 1,
                                             "cited_jaccard": 1}, variants["-fence"]["agreement"])
    full_tokens = report["template"]["tokens"]
    check("tokens saved per ablation (bytes / 4), the removable ones together save the sum",
          full_tokens > 100 and all(v["tokens_saved"] > 0 for k, v in variants.items()
                                    if k != "full") and
          variants["-role-no_answer"]["tokens_saved"] >=
          variants["-role"]["tokens_saved"] + variants["-no_answer"]["tokens_saved"] - 1 and
          variants["-role"]["tokens"] == full_tokens - variants["-role"]["tokens_saved"],
          {k: v["tokens_saved"] for k, v in variants.items()})
    check("the retrieval case is skipped (the template does not reach it)",
          report["skipped_cases"] == ["stab-skipped"], report["skipped_cases"])
    check("each variant's template hash is its own; two runs per case",
          len({v["template_sha256"] for v in variants.values()}) == len(variants) and
          all(len(c["trace_ids"]) == 2 for v in variants.values() for c in v["cases"]))
    trace = variants["-fence"]["cases"][0]["trace_ids"][0]
    shown = run_ward(data, "trace", "show", trace, "--json")
    events = [json.loads(line) for line in shown.stdout.splitlines() if line.strip()]
    answers = [e for e in events if e.get("kind") == "answer"]
    tpl = answers[0].get("attributes", {}).get("template", {}) if answers else {}
    check("the ablated answer is a normal trace recording the template override and its hash",
          shown.returncode == 0 and tpl.get("override") is True and
          tpl.get("sha256") == variants["-fence"]["template_sha256"] and
          any(e.get("kind") == "tool_call" for e in events), (shown.stderr, tpl))
    explained = run_ward(data, "explain", trace)
    check("ward explain reads an ablation's trace", explained.returncode == 0, explained.stderr)
    with open(out["md"]) as f:
        md = f.read()
    check("the Markdown summary: a row per variant with its verdict",
          md.startswith("## Ward stability: stab") and "| -fence |" in md and
          "needed: stab-notice (tool_calls)" in md and md in p.stdout, md[:800])
    with open(out["html"]) as f:
        page = f.read()
    parser = StrictHtml()
    parser.feed(page)
    check("the HTML report is self-contained with inline SVG charts",
          "svg" in parser.tags and parser.scripts == 0 and not parser.external and
          "Tokens saved per ablation" in page, parser.external[:3])
    seen = open_in_chromium(out["html"])  # Debian's Chromium, headless (eval_html_test.py)
    if seen:
        check("the stability page opens in Chromium: no error, no outside request, both charts "
              "drawn", seen["errors"] == [] and seen["external"] == [] and seen["svgs"] == 2 and
              seen["drawn"] == 2, seen)
    return suite


def test_expectations(data, tmp, template_file, suite):
    with open(template_file) as f:
        text = f.read()
    for section in ("role", "fence"):
        text = text.replace(f'id = "{section}"\n', f'id = "{section}"\nexpect = "removable"\n')
    marked = os.path.join(tmp, "marked.toml")
    with open(marked, "w") as f:
        f.write(text)
    p, report, _ = stability(data, tmp, suite, "--template", marked, "--repeat", "1", "--quiet")
    check("a section marked removable that is needed: exit 1 naming it (the other holds)",
          p.returncode == 1 and report and len(report["expectation_failures"]) == 1 and
          "section 'fence' is expected removable but is needed" in
          report["expectation_failures"][0] and "expectation failed" in p.stdout,
          (p.returncode, report and report["expectation_failures"], p.stderr[-500:]))


def test_bad_input(data, tmp, suite):
    dup = os.path.join(tmp, "dup.toml")
    with open(dup, "w") as f:
        f.write('template = "answer"\n[[sections]]\nid = "a"\ntext = "x"\n'
                '[[sections]]\nid = "a"\ntext = "y"\n')
    unknown = os.path.join(tmp, "unknown.toml")
    with open(unknown, "w") as f:
        f.write('template = "answer"\ncolour = 1\n[[sections]]\nid = "a"\ntext = "x"\n')
    nomodel = write_suite(tmp, "nomodel", [
        {"id": "n", "kind": "stability", "as": "dave", "question": QUESTION}])
    for what, args, needle in (
            ("a duplicate section id", [suite, "--template", dup], "duplicate section id 'a'"),
            ("an unknown key", [suite, "--template", unknown], "unknown key 'colour'"),
            ("no such template", [suite, "--template", os.path.join(tmp, "absent.toml")],
             "no built-in template or file"),
            ("no model (extractive answers use no template)", [nomodel, "--template", "default"],
             "name a model"),
            ("--repeat 0", [suite, "--template", "default", "--repeat", "0"], "--repeat")):
        p = run_ward(data, "eval", "stability", *args)
        check(f"stability with {what}: exit 2 naming it", p.returncode == 2 and needle in p.stderr,
              (p.returncode, p.stderr[-400:]))
    # Under `ward eval run` a stability case checks the structured output.
    p, report, _, _ = run_suite(data, tmp, "stab-run", suite=nomodel)
    check("under eval run, an extractive stability case passes (exit 0)", p.returncode == 0,
          p.stdout[-800:])


def test_proxy(data, tmp):
    ward_ok(data, "tools", "add", os.path.join(REPO, "examples", "tools", "refund_invoice.json"))
    ward_ok(data, "grants", "add", "--tool", "refund_invoice", "--principal", "dave")
    q = "Refund INV-2024-0001 and tell me the warranty terms."
    suite = write_suite(tmp, "proxy", [
        {"id": "proxy-tools", "kind": "tool", "as": "dave", "question": q, "expected_tools": [
            {"name": "search", "arguments": {"query": "warranty"}, "outcome": "executed"},
            {"name": "refund_invoice", "outcome": "refused"}]},
        {"id": "proxy-wants-refund", "kind": "tool", "as": "dave", "question": q,
         "expected_tools": [{"name": "refund_invoice", "outcome": "executed"}]},
    ], '[target]\nmodel = "m-proxy"\nvia = "proxy"\n')
    p, report, junit, _ = run_suite(data, tmp, "proxy", suite=suite)
    cases = {c["id"]: c for c in (report or {}).get("cases", [])}
    ok = cases.get("proxy-tools", {})
    run = ok.get("run_details", [{}])[0]
    decisions = {c["tool"]: c.get("decision") for c in run.get("observed", {}).get("tool_calls", [])}
    check("a tool case through the proxy: scored on what the gateway did (F1 1, one blocked)",
          ok.get("passed") and ok["metrics"].get("tool_f1") == 1.0 and run.get("mode") == "proxy"
          and run.get("blocked_by_policy") == 1 and
          decisions == {"search": "executed", "refund_invoice": "pending"},
          (p.returncode, p.stderr[-800:], ok.get("failures"), decisions))
    bad = cases.get("proxy-wants-refund", {})
    check("a case expecting the refused call executed fails, naming the gateway's outcome (exit 1)",
          p.returncode == 1 and not bad.get("passed") and
          "expected call refund_invoice{} (executed) not made: the gateway's outcome was pending" in
          " ".join(bad.get("failures", [])), (p.returncode, bad.get("failures")))
    shown = run_ward(data, "trace", "show", run.get("trace_id", ""), "--json")
    events = [json.loads(line) for line in shown.stdout.splitlines() if line.strip()]
    calls = [e for e in events if e.get("kind") == "tool_call"]
    check("the case's trace holds the proxy's model calls and the gateway's tool_call events",
          shown.returncode == 0 and len(calls) == 2 and
          all(e["attributes"].get("via") == {"front_door": "proxy"} for e in calls) and
          any(e.get("kind") == "model_call" for e in events),
          [(e.get("kind"), e.get("attributes", {}).get("decision")) for e in events])
    for what, target, case, needle in (
            ("no model", '[target]\nvia = "proxy"\n', {}, "need a model"),
            ("an agent", '[target]\nmodel = "m-proxy"\nvia = "proxy"\n', {"agent": "helper"},
             "'agent' is not supported"),
            ("a bad via", '[target]\nvia = "smoke-signals"\n', {}, "target.via")):
        bad_suite = write_suite(tmp, "proxy-bad", [dict(
            {"id": "p", "kind": "tool", "as": "dave", "question": q,
             "expected_tools": [{"name": "search"}]}, **case)], target)
        p = run_ward(data, "eval", "run", bad_suite)
        check(f"via proxy with {what}: exit 2 naming it", p.returncode == 2 and needle in p.stderr,
              (p.returncode, p.stderr[-400:]))


def main():
    if not WARD_BIN:
        print("set WARD_BIN")
        return 2
    tmp = tempfile.mkdtemp(prefix="ward-stability-")
    fake = None
    try:
        data = os.path.join(tmp, "data")
        load_examples(data)
        ward_ok(data, "user", "add", "helper", "--agent")
        hold = os.path.join(tmp, "hold")
        os.makedirs(hold)
        fake = subprocess.Popen([sys.executable, FAKE, hold], stdout=subprocess.PIPE, text=True)
        base = fake.stdout.readline().strip().split(" ", 2)[2]
        with open(os.path.join(data, "ward.toml"), "a") as f:
            for name, model in (("m-sections", "sections"), ("m-proxy", "proxy")):
                f.write(f'\n[[models]]\nname = "{name}"\nprovider = "openai"\n'
                        f'base_url = "{base}/v1"\nmodel = "{model}"\n'
                        'api_key_secret = "upstream_key"\nallow = ["group:legal"]\n'
                        'allow_private = true\n')
        ward_ok(data, "secrets", "set", "upstream_key", stdin="test-upstream-key\n")
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        template_file = test_dump(data, work)
        if template_file:
            suite = test_stability(data, work, template_file)
            test_expectations(data, work, template_file, suite)
            test_bad_input(data, work, suite)
        test_proxy(data, work)
    finally:
        if fake is not None:
            stop_processes(fake)
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
