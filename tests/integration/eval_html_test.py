#!/usr/bin/env python3
"""The HTML report of `ward eval run --html` opens in a real browser: Debian's Chromium, headless,
driven by playwright-core (tests/eval, pinned). The golden suite's report loads with no console
error, no page error, no failed request and no request leaving the file, and every inline SVG
renders with a non-empty box; so does a `--gate-compare` report with its gate on/off charts. A
planted broken page (a throwing script, a missing image, an external stylesheet) shows the
harness sees each of those, so the check can fail.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import REPO, WARD_BIN, check, failures, run_ward, summary  # noqa: E402

SUITE = os.path.join(REPO, "examples", "evals", "northwind.toml")
COMPANY = os.path.join(REPO, "examples", "company")
CONSUMER_DIR = os.path.join(REPO, "tests", "eval")
CHROMIUM = os.environ.get("WARD_CHROMIUM", "/usr/bin/chromium")


def open_in_chromium(path):
    p = subprocess.run(["node", os.path.join(CONSUMER_DIR, "html_in_chromium.mjs"), path],
                       capture_output=True, text=True, timeout=180)
    check(f"Chromium opens {os.path.basename(path)}", p.returncode == 0, p.stderr[-1500:])
    return json.loads(p.stdout) if p.returncode == 0 else None


def main():
    if not WARD_BIN:
        print("set WARD_BIN")
        return 2
    # Both are installed by scripts/test.sh (install-deps.sh: chromium; npm ci in tests/eval):
    # their absence is a failure, not a skip.
    check("Chromium is installed (scripts/install-deps.sh)", os.access(CHROMIUM, os.X_OK), CHROMIUM)
    check("playwright-core is installed (npm ci in tests/eval)",
          os.path.isdir(os.path.join(CONSUMER_DIR, "node_modules", "playwright-core")))
    if failures():
        return summary()
    tmp = tempfile.mkdtemp(prefix="ward-eval-html-")
    try:
        broken = os.path.join(tmp, "broken.html")
        with open(broken, "w") as f:
            f.write("<!doctype html><html><head><title>broken</title>"
                    "<link rel=stylesheet href='http://127.0.0.1:9/x.css'></head><body>"
                    "<img src='missing.png'><script>throw new Error('planted')</script>"
                    "<svg width='0' height='0'></svg></body></html>")
        seen = open_in_chromium(broken)
        if seen:
            check("the harness sees a page error, a failed request and an external request",
                  any("planted" in e for e in seen["errors"]) and
                  any("requestfailed" in e for e in seen["errors"]) and
                  any(u.startswith("http://127.0.0.1:9/") for u in seen["external"]) and
                  seen["svgs"] == 1 and seen["drawn"] == 0, seen)

        data = os.path.join(tmp, "data")
        env = dict(os.environ, WARD_DATA=data)
        p = subprocess.run(["bash", os.path.join(REPO, "scripts", "load-examples.sh"), WARD_BIN,
                            COMPANY], capture_output=True, text=True, timeout=600, env=env)
        check("load-examples.sh succeeds", p.returncode == 0, p.stderr[-2000:])
        report = os.path.join(tmp, "report.html")
        p = run_ward(data, "eval", "run", SUITE, "--html", report, timeout=600)
        check("the golden suite passes and writes its HTML report",
              p.returncode == 0 and os.path.exists(report), p.stderr[-2000:])
        if os.path.exists(report):
            seen = open_in_chromium(report)
            if seen:
                check("the report loads without a console error, page error or failed request",
                      seen["errors"] == [], seen["errors"][:5])
                check("the report makes no request outside the file", seen["external"] == [],
                      seen["external"][:5])
                check("the report has a title and text", seen["title"] != "" and
                      seen["text_chars"] > 200, seen)
                check("every inline SVG renders with a non-empty box",
                      seen["svgs"] > 0 and seen["drawn"] == seen["svgs"], seen)
        # --gate-compare adds the gate on/off section (its charts) to the same page.
        gate = os.path.join(tmp, "gate.html")
        p = run_ward(data, "eval", "run", SUITE, "--gate-compare", "--html", gate, timeout=900)
        check("--gate-compare runs the golden suite twice and writes one HTML report",
              p.returncode == 0 and os.path.exists(gate), p.stderr[-2000:])
        if os.path.exists(gate):
            seen = open_in_chromium(gate)
            if seen:
                with open(gate) as f:
                    page = f.read()
                check("the gate on/off page loads cleanly and every SVG (its charts too) is drawn",
                      seen["errors"] == [] and seen["external"] == [] and
                      "Attack success rate, gate on and off" in page and
                      seen["svgs"] > 0 and seen["drawn"] == seen["svgs"], seen)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
