"""What the Python benches that run peers beside Ward share (bench/proxy_bench/run.py,
bench/mcp_peers/run.py): a nearest-rank percentile, a free loopback port, and waiting for a
started peer to listen."""
import socket
import time


def pct(values, p):
    """The p-th percentile (nearest rank) of `values`; NaN when empty."""
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))] if v else float("nan")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, limit=60.0):
    """Returns once 127.0.0.1:port accepts a connection; raises if `proc` exits first or after
    `limit` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {limit:.0f} s")
