"""What every integration test shares: the pass/fail tally, running the real `ward` binary,
starting `ward serve` on port 0, and JSON-over-HTTP requests.

The binary comes from $WARD_BIN and the repository from $WARD_REPO (CTest sets both).
"""
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request

WARD_BIN = os.environ.get("WARD_BIN", "")
REPO = os.environ.get("WARD_REPO") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

_tally = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    """Counts one check and prints `ok NAME` or `FAIL NAME DETAIL`."""
    if condition:
        _tally["passed"] += 1
        print(f"ok   {name}")
    else:
        _tally["failed"] += 1
        print(f"FAIL {name} {str(detail)[:1500]}")


def failures():
    return _tally["failed"]


def summary():
    """Prints the tally; returns the process exit code (1 if any check failed)."""
    print(f"{_tally['passed']} passed, {_tally['failed']} failed")
    return 1 if _tally["failed"] else 0


def wait_until(predicate, what, limit=120.0):
    """Polls until predicate() is true. The limit only stops a hung run: it is never a timing
    assertion, so a busy machine makes a test slower, not red."""
    deadline = time.monotonic() + limit
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            print(f"gave up waiting for {what} after {limit:.0f} s")
            return False
        time.sleep(0.05)


def run_ward(data, *args, timeout=120, stdin=None, env=None):
    """Runs `ward [--data DATA] ARGS`; returns the CompletedProcess (never raises on exit codes)."""
    cmd = [WARD_BIN] + (["--data", data] if data else []) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=stdin,
                          env=env)


def ward_ok(data, *args, timeout=120, stdin=None):
    """Runs a CLI command that must succeed; returns its stdout (stripped)."""
    proc = run_ward(data, *args, timeout=timeout, stdin=stdin)
    if proc.returncode != 0:
        raise RuntimeError(f"ward {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc.stdout.strip()


def start_server(data, *extra, env=None, stderr=subprocess.DEVNULL):
    """Starts `ward serve` on a free loopback port; returns (process, base URL)."""
    proc = subprocess.Popen(
        [WARD_BIN, "--data", data, "serve", "--listen", "127.0.0.1:0", *extra],
        stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
    line = proc.stdout.readline().strip()
    m = re.match(r"^listening on (http://127\.0\.0\.1:\d+)$", line)
    if not m:
        proc.kill()
        proc.wait()
        raise RuntimeError(f"unexpected first line from ward serve: {line!r}")
    return proc, m.group(1)


def stop_server(proc, timeout=30):
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def stop_processes(*procs, timeout=20):
    """Stops each process that was started and is still running (SIGTERM, then SIGKILL)."""
    for p in procs:
        if p is not None and p.poll() is None:
            stop_server(p, timeout)


def run_upstream_suite(prefix, make_env, run, modules):
    """The shared main() of the upstream suites: skips (77) without the npm reference servers in
    `modules`; builds `make_env(tmp)` (with .close()), runs `run(env)`, prints the end of
    tmp/serve.err when a check failed, removes tmp; returns the exit code."""
    import shutil
    import tempfile
    if not WARD_BIN:
        print("set WARD_BIN")
        return 2
    if not os.path.isdir(os.path.join(modules, "server-everything")):
        print("SKIP: run `npm ci` in tests/upstream first (scripts/test.sh does)")
        return 77  # CTest reports it as skipped (SKIP_RETURN_CODE), never as passed
    tmp = tempfile.mkdtemp(prefix=prefix)
    env = None
    try:
        env = make_env(tmp)
        run(env)
    finally:
        if env:
            env.close()
        if failures() and os.path.exists(os.path.join(tmp, "serve.err")):
            print(open(os.path.join(tmp, "serve.err")).read()[-4000:])
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


def set_cli_tenant(data, tenant):
    """Points ward.toml's `tenant` (the one the CLI acts in) at `tenant`."""
    path = os.path.join(data, "ward.toml")
    lines = [f'tenant = "{tenant}"' if ln.startswith("tenant = ") else ln
             for ln in open(path).read().split("\n")]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def write_json_atomic(path, value):
    """Writes `value` as JSON to `path` through a rename, so a reader never sees half a file."""
    with open(path + ".tmp", "w") as f:
        json.dump(value, f)
    os.replace(path + ".tmp", path)


def check_clean_exit(proc, timeout=30):
    """Stops a server started with stderr=subprocess.PIPE and checks it exits 0 on SIGTERM."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
        check("server exits cleanly on SIGTERM", proc.returncode == 0,
              f"rc={proc.returncode} stderr={proc.stderr.read()[-2000:]}")
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        check("server exits cleanly on SIGTERM", False, f"did not exit within {timeout} s")


def http_request(base, method, path, body=None, key=None, headers=None, raw=None, timeout=60,
                 raw_body=False):
    """Sends JSON (or `raw` bytes) with an optional API key; returns (status, headers, body),
    the body parsed as JSON when it is JSON, else text (or the bytes as sent, with raw_body)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if key:
        req.add_header("Authorization", "Bearer " + key)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            payload, status, hdrs = resp.read(), resp.status, resp.headers
    except urllib.error.HTTPError as e:
        payload, status, hdrs = e.read(), e.code, e.headers
    if raw_body:
        return status, hdrs, payload
    try:
        return status, hdrs, json.loads(payload)
    except ValueError:
        return status, hdrs, payload.decode(errors="replace")


def error_message(body):
    """The message of a `{"error":{"code","message"}}` body (or the body as text)."""
    return body.get("error", {}).get("message", "") if isinstance(body, dict) else str(body)
