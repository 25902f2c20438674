"""Benchmark: 20 clients recording for 60 s through the API (issue: recording in retour).

Target: p95 latency of the writes (POST and PATCH) at most 150 ms, and no errors, against
the database of ``--requests`` requests (the issue asks for 1,000,000; the default here is
smaller so that the run fits a shared machine: say which was used).

The script writes the benchmark dataset (benchmarks/datagen.py, fixed seed), imports it
into a fresh database (SQLite in a temporary folder, or --db URL), adds a caseworker and a
bearer token, starts `retour serve` in a child process on 127.0.0.1 and lets every client,
each on rows of its own, alternate for the duration: record a new condition observation
(POST /api/conditions), read a request (GET /api/requests/ID) and correct it with its ETag
(PATCH, If-Match). Every answer must have the expected status (201, 200, 200). The GET of
the same rows in the same run is the anchor: the writes' p95 is also given as a ratio to it.

    .venv/bin/python benchmarks/bench_records.py [--clients 20] [--seconds 60]
        [--requests 100000] [--db URL] [--pause S] [--unsettled]
        [--keep DIR | --prepared DIR]

The clock starts once the server has finished its warm-up (the overview's figures and the
index it computes after a start; then it is idle for three seconds): a server that
has run for a while has done that long before its users record. Before the server starts,
the database is settled too (:func:`settle_database`; ``--unsettled`` skips it to measure
the first seconds after a large import). ``--keep DIR`` keeps the
prepared SQLite database, ``--prepared DIR`` starts the next run from a copy of it.

Prints one JSON object (and writes it to benchmarks/out/bench_records.json); exits 1 when
the target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_web import LOOPBACK, SECRET, free_port, retour, start_server  # noqa: E402

P95_TARGET_MS = 150.0
STATES = ("green", "red", "unknown")
COOPERATES = ("yes", "no", "unknown")
#: Rows of its own each client works on (cases and requests of the benchmark dataset).
PER_CLIENT = 50
TOKEN_FILE = "token.txt"


def _env(work: Path, db: str | None) -> dict[str, str]:
    return {
        **os.environ,
        "RETOUR_DB": db or str(work / "bench.sqlite"),
        "RETOUR_SESSION_SECRET": SECRET,
        "RETOUR_COOKIE_SECURE": "false",
        "RETOUR_SETTINGS": str(work / "settings.toml"),
        "RETOUR_DATA_DIR": str(work / "data"),
    }


def prepare(work: Path, db: str | None, requests: int) -> tuple[dict[str, str], str]:
    from datagen import make
    from retour.exchange import write_dataset

    env = _env(work, db)
    write_dataset(make(requests), work / "dataset")
    retour(env, "import", str(work / "dataset"))
    retour(env, "user", "add", "bench", "--role", "caseworker", "--password", "bench pass 2024!")
    token = retour(env, "token", "create", "bench").strip().splitlines()[-1]
    (work / TOKEN_FILE).write_text(token + "\n")
    return env, token


def from_prepared(work: Path, prepared: Path, db: str | None) -> tuple[dict[str, str], str]:
    """A copy of the SQLite database a run before prepared (``--keep``), so that every run
    starts from the same rows (the clients' conditions are new to it); with ``db``, that
    database is taken as prepared (a PostgreSQL copy: CREATE DATABASE ... TEMPLATE) and
    only the token is read from the folder."""
    names = (TOKEN_FILE,) if db is not None else ("bench.sqlite", TOKEN_FILE)
    for name in names:
        shutil.copyfile(prepared / name, work / name)
    return _env(work, db), (work / TOKEN_FILE).read_text().strip()


def settle_database(env: dict[str, str]) -> float:
    """Let the database finish what a bulk load leaves it to do before the clock starts,
    as it has long done on a server that has run for a while: on PostgreSQL ``VACUUM
    (ANALYZE)`` (what autovacuum starts within a minute of a large import, and whose
    writes, with the checkpoint after them, otherwise slow the first 20 s of writes) and a
    ``CHECKPOINT`` (skipped without the right to it); on SQLite a checkpoint of its
    write-ahead log. The seconds it took."""
    import sqlalchemy as sa

    from retour.config import database_url

    start = time.monotonic()
    url = database_url(env["RETOUR_DB"], Path(env["RETOUR_DATA_DIR"]))
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            conn.exec_driver_sql("VACUUM (ANALYZE)")
            with contextlib.suppress(sa.exc.DBAPIError):
                conn.exec_driver_sql("CHECKPOINT")
    engine.dispose()
    return time.monotonic() - start


def settled(pid: int, limit: float = 600.0) -> float:
    """Wait until the server has finished its warm-up (the overview's figures and the
    index, computed in the background after a start): until it used under 0.05 s of CPU
    in each of three seconds in a row (a busy process on a loaded machine still gets more).
    The seconds waited."""
    start = time.monotonic()
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    before, quiet = cpu(), 0
    while time.monotonic() - start < limit and quiet < 3:
        time.sleep(1.0)
        now = cpu()
        quiet = quiet + 1 if now - before < 0.05 else 0
        before = now
    return time.monotonic() - start


def _case(n: int) -> str:
    return f"C{n:08d}"


def _request(n: int) -> str:
    return f"R{n:09d}"


def work_loop(
    index: int,
    client: httpx.Client,
    stop_at: float,
    out: dict[str, list[float]],
    bad: list[str],
    pause: float = 0.0,
) -> None:
    """One client: POST a condition, GET a request, PATCH it; each timed (ms); then a
    pause of about ``pause`` seconds (0: the next at once). A pause is drawn between half
    and one and a half times ``pause`` (seeded by the client), and the first comes before
    the client's first step: people at their forms do not save in step with each other."""
    first = dt.date(2025, 1, 1)
    draw = random.Random(index)
    time.sleep(draw.uniform(0.0, pause))
    n = 0
    while time.monotonic() < stop_at:
        case = _case(index * PER_CLIENT + n % PER_CLIENT)
        row = {"case_id": case, "observed_on": (first + dt.timedelta(n)).isoformat(),
               "condition": "available", "state": STATES[n % 3]}  # fmt: skip
        _timed(out["post"], bad, 201, lambda r=row: client.post("/api/conditions", json=r))
        path = f"/api/requests/{_request(index * PER_CLIENT + n % PER_CLIENT)}"
        got = _timed(out["get"], bad, 200, lambda p=path: client.get(p))
        if got is not None:
            change = {"alien_cooperates": COOPERATES[(n + 1) % 3]}
            tag = {"If-Match": got.headers["etag"]}
            _timed(out["patch"], bad, 200,
                   lambda p=path, c=change, h=tag: client.patch(p, json=c, headers=h))  # fmt: skip
        n += 1
        time.sleep(pause * draw.uniform(0.5, 1.5))


def _timed(into: list[float], bad: list[str], status: int, send: object) -> httpx.Response | None:
    t0 = time.perf_counter()
    try:
        answer: httpx.Response = send()  # type: ignore[operator]
    except httpx.HTTPError as exc:
        bad.append(type(exc).__name__)
        return None
    into.append((time.perf_counter() - t0) * 1000)
    if answer.status_code != status:
        bad.append(f"{answer.request.method} {answer.status_code}: {answer.text[:120]}")
        return None
    return answer


def load(
    base: str, token: str, clients: int, seconds: float, pause: float
) -> tuple[dict[str, list[float]], list[str], float]:
    out: dict[str, list[float]] = {"post": [], "get": [], "patch": []}
    bad: list[str] = []
    stop_at = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}
    made = [httpx.Client(base_url=base, headers=headers, timeout=60) for _ in range(clients)]
    threads = [
        threading.Thread(target=work_loop, args=(i, c, stop_at, out, bad, pause))
        for i, c in enumerate(made)
    ]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    for c in made:
        c.close()
    return out, bad, elapsed


def _quantiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {"n": len(values)}
    q = statistics.quantiles(sorted(values), n=100, method="inclusive")
    return {"n": len(values), "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1),
            "p99_ms": round(q[98], 1), "max_ms": round(max(values), 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="A database URL (default: a new SQLite).")
    parser.add_argument(
        "--pause", type=float, default=0.0, help="Seconds each client waits between its steps."
    )
    parser.add_argument(
        "--keep", type=Path, help="Keep the prepared SQLite database (or --db's token) here."
    )
    parser.add_argument(
        "--prepared",
        type=Path,
        help="Start from a copy of the SQLite database --keep kept (with --db: that database "
        "is prepared, a copy of the kept one; the token is read from here).",
    )
    parser.add_argument(
        "--unsettled",
        action="store_true",
        help="Start the clients right after the import, without settle_database (the "
        "first seconds after a large import).",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="retour-bench-records-"))
    started = time.perf_counter()
    if args.prepared is not None:
        env, token = from_prepared(work, args.prepared, args.db)
    else:
        env, token = prepare(work, args.db, args.requests)
    if args.keep is not None and args.prepared is None:
        args.keep.mkdir(parents=True, exist_ok=True)
        for name in (TOKEN_FILE,) if args.db else ("bench.sqlite", TOKEN_FILE):
            shutil.copyfile(work / name, args.keep / name)
    prepared = time.perf_counter() - started
    settling = None if args.unsettled else settle_database(env)
    port = free_port()
    server = start_server(env, port)
    warm_up = settled(server.pid)
    try:
        out, bad, elapsed = load(
            f"http://{LOOPBACK}:{port}", token, args.clients, args.seconds, args.pause
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    writes = out["post"] + out["patch"]
    result: dict[str, object] = {
        "clients": args.clients,
        "pause_s": args.pause,
        "pause_drawn": "uniform(0.5, 1.5) x pause, seeded per client",
        "seconds": round(elapsed, 1),
        "requests_in_database": args.requests,
        "database": "sqlite" if args.db is None else args.db.split("://")[0],
        "prepare_s": round(prepared, 1),
        "database_settled_s": None if settling is None else round(settling, 1),
        "server_warm_up_s": round(warm_up, 1),
        "writes": _quantiles(writes),
        "post": _quantiles(out["post"]),
        "patch": _quantiles(out["patch"]),
        "get_anchor": _quantiles(out["get"]),
        "writes_per_s": round(len(writes) / elapsed, 1),
        "errors": len(bad),
        "target_p95_ms": P95_TARGET_MS,
    }
    p95 = _quantiles(writes).get("p95_ms", float("inf"))
    anchor = _quantiles(out["get"]).get("p95_ms")
    result["writes_p95_over_get_p95"] = round(p95 / anchor, 2) if anchor else None
    result["target_met"] = p95 <= P95_TARGET_MS and not bad
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "bench_records.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if bad:
        print("first errors:", bad[:5], file=sys.stderr)
    sys.exit(0 if result["target_met"] else 1)


if __name__ == "__main__":
    main()
