"""Benchmark: 20 concurrent clients for 60 s against the country page, at nl scale.

Target (the web dashboard's issue): p95 latency at most 200 ms, and no errors.

The script simulates the nl scenario (2019-2023, a fixed seed), imports it into a fresh
database (SQLite in a temporary folder, or --db URL), adds a user, starts `retour serve`
in a child process on 127.0.0.1, signs every client in through the login form (each its
own session), waits until each country page has been served once (the first view of a
page computes its figures; that time is reported apart), and then lets the clients
request country pages round-robin for the duration. Loopback only; every loop is bounded
by the clock and by --max-requests.

    .venv/bin/python benchmarks/bench_web.py [--clients 20] [--seconds 60] [--db URL]

Prints one JSON object (and writes it to benchmarks/out/bench_web.json); exits 1 when the
target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
LOOPBACK = "127.0.0.1"
PASSWORD = "benchmark passphrase 2024"
SECRET = "benchmark-session-secret-0123456789abcdefghij"
P95_TARGET_MS = 200.0
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def retour(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "-m", "retour", *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def prepare(work: Path, db: str | None, seed: int) -> dict[str, str]:
    env = {
        **os.environ,
        "RETOUR_DB": db or str(work / "bench.sqlite"),
        "RETOUR_SESSION_SECRET": SECRET,
        "RETOUR_COOKIE_SECURE": "false",
        "RETOUR_SETTINGS": str(work / "settings.toml"),
        "RETOUR_DATA_DIR": str(work / "data"),
    }
    data = work / "nl"
    years = "2019-2023"
    retour(
        env,
        "simulate",
        "--scenario",
        "nl",
        "--years",
        years,
        "--seed",
        str(seed),
        "--out",
        str(data),
    )
    retour(env, "import", str(data))
    retour(env, "user", "add", "bench", "--role", "analyst", "--password", PASSWORD)
    return env


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [PYTHON, "-m", "retour", "serve", "--host", LOOPBACK, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"retour serve stopped with status {server.returncode}")
        try:
            if httpx.get(f"http://{LOOPBACK}:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("retour serve did not start within 60 s")


def signed_in_client(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    token = CSRF.search(client.get("/login").text)
    assert token, "no CSRF token on the login page"
    answer = client.post(
        "/login", data={"name": "bench", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/", "login failed"
    return client


def countries(client: httpx.Client, wanted: int) -> list[str]:
    found = re.findall(r'href="/countries/([A-Z]{2,4})"', client.get("/").text)
    assert found, "the overview lists no countries"
    return found[:wanted]


def load(
    clients: list[httpx.Client], pages: list[str], seconds: float, max_requests: int
) -> tuple[list[float], list[str], float]:
    """Every client requests the pages round-robin until the clock runs out (or its share
    of max_requests is done): the latencies (ms), the failures, the seconds taken."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    budget = max_requests // len(clients)

    def work_loop(index: int, client: httpx.Client) -> None:
        mine: list[float] = []
        bad: list[str] = []
        for n in range(budget):
            if time.monotonic() >= stop_at:
                break
            page = pages[(index + n) % len(pages)]
            t0 = time.perf_counter()
            try:
                response = client.get(page)
                ok = response.status_code == 200 and "<h1>" in response.text
                if not ok:
                    bad.append(f"{page}: {response.status_code}")
            except httpx.HTTPError as exc:
                bad.append(f"{page}: {type(exc).__name__}")
            mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=work_loop, args=(i, c)) for i, c in enumerate(clients)]
    t_start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t_start
    return latencies, failures, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--countries", type=int, default=10, help="Country pages to rotate.")
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--db", default=None, help="A database URL (default: a new SQLite).")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="retour-bench-web-"))
    started = time.perf_counter()
    env = prepare(work, args.db, args.seed)
    prepared_s = time.perf_counter() - started
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    server = start_server(env, port)
    try:
        clients = [signed_in_client(base) for _ in range(args.clients)]
        pages = [f"/countries/{c}" for c in countries(clients[0], args.countries)]
        cold = []
        for page in pages:  # the first view of each page computes its figures
            t0 = time.perf_counter()
            assert clients[0].get(page).status_code == 200, page
            cold.append((time.perf_counter() - t0) * 1000)
        latencies, failures, elapsed = load(clients, pages, args.seconds, args.max_requests)
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    result = {
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "pages": pages,
        "database": "sqlite" if args.db is None else args.db.split("://")[0],
        "prepare_s": round(prepared_s, 1),
        "cold_first_view_ms": [round(c) for c in cold],
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "errors": len(failures),
        "p50_ms": round(quantiles[49], 1),
        "p95_ms": round(quantiles[94], 1),
        "p99_ms": round(quantiles[98], 1),
        "max_ms": round(latencies[-1], 1),
        "target_p95_ms": P95_TARGET_MS,
    }
    result["target_met"] = result["p95_ms"] <= P95_TARGET_MS and not failures
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_web.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    if failures:
        print("first errors:", failures[:5], file=sys.stderr)
    sys.exit(0 if result["target_met"] else 1)


if __name__ == "__main__":
    main()
