"""The PATCH hot path against the stack's own ceilings, measured side by side (issue 7).

One command (see bench/README.md):

    .venv/bin/python bench/perf.py

For each database (SQLite, PostgreSQL) it makes a fresh database, seeds it with
``talentbase seed`` (100 000 candidates by default), starts the real server (``talentbase serve``,
production settings: access log on, JSON logs to a file; only the rate limit is raised so it
does not throttle the load) and drives it with ``wrk`` from a separate process at concurrency 1,
16 and 64, for: PATCH with the seed's full body, PATCH of one field, GET one candidate, a list
page of 50, POST create. In the same run it starts the same app with two ceiling routes
(bench/ceilings.py: the key check alone, and the key check plus one single-row UPDATE) and
measures them the same way, side by side: at each concurrency the lower ceiling runs before
and after the product's operations, and its row is the mean of the two (this machine's
throughput drifts over minutes). PATCH is also measured with 1 and 2 worker processes. It prints,
per operation, requests per second, p50, p99, non-2xx answers, the throughput as a share of
the lower ceiling and the CPU per request of the server, the database and wrk; under the table,
two workers' PATCH throughput over one worker's beside the most the machine's cores allow. It
writes all that to ``--out`` and records the resident memory of each worker process after its
runs. wrk is installed with apt-get if missing.

A narrower run, repeated, for one target on a noisy machine (each row is then the median of the
rounds; each round measures the lower ceiling before and after the operations, and the worker
counts alternate round by round, each round with freshly started servers; the resident memory
is that after the last round):

    .venv/bin/python bench/perf.py --operations "PATCH full body" --concurrency 16 \
        --workers 1 --repeat 5 --out bench/results/perf-share.md
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from seed_body import seed_body
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
KEY = "tb_bench-key-0123456789abcdef0123"
WORKSPACE = "bench"
SECRET = "bench-server-secret"

FULL_BODY: dict[str, Any] = seed_body(
    middleName="@@NAME@@",
    mainContact={"userId": "@@MAIN@@"},
    lastInteractionWithId="@@OTHER@@",
)

LUA_COMMON = r"""
local ids = {}
local counter = 1
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
local letters = "abcdefghijklmnopqrstuvwxyz"
local function word(n)
  local t = {}
  for i = 1, n do
    local k = math.random(1, 26)
    t[i] = letters:sub(k, k)
  end
  return string.upper(t[1]) .. table.concat(t, "", 2)
end
function init(args)
  math.randomseed(os.time() + (tid or 1) * 7919)
  for line in io.lines("@@IDS@@") do ids[#ids + 1] = line end
end
local function any_id() return ids[math.random(#ids)] end
local headers = {["x-api-key"] = "@@KEY@@", ["Content-Type"] = "application/json"}
"""

LUA_REQUESTS = {
    "PATCH full body": r"""
local prefix, suffix = [==[@@PREFIX@@]==], [==[@@SUFFIX@@]==]
function request()
  return wrk.format("PATCH", "/candidates/" .. any_id(), headers, prefix .. word(9) .. suffix)
end
""",
    "PATCH one field": r"""
function request()
  return wrk.format("PATCH", "/candidates/" .. any_id(), headers,
    '{"middleName": "' .. word(9) .. '"}')
end
""",
    "GET one candidate": r"""
function request()
  return wrk.format("GET", "/candidates/" .. any_id(), headers)
end
""",
    "GET list page of 50": r"""
function request()
  return wrk.format("GET", "/candidates?limit=50", headers)
end
""",
    "POST create": r"""
function request()
  return wrk.format("POST", "/candidates", headers,
    '{"firstName": "Bench", "lastName": "' .. word(10) .. '"}')
end
""",
    "ceiling: key check only": r"""
function request()
  return wrk.format("GET", "/_bench/constant", headers)
end
""",
    "ceiling: key check + 1 UPDATE": r"""
function request()
  return wrk.format("PATCH", "/_bench/update/" .. any_id(), headers)
end
""",
}
PRODUCT_OPERATIONS = (
    "PATCH full body",
    "PATCH one field",
    "GET one candidate",
    "GET list page of 50",
    "POST create",
)
CEILINGS = ("ceiling: key check only", "ceiling: key check + 1 UPDATE")


@dataclass
class Result:
    """One wrk run."""

    database: str
    workers: int
    operation: str
    concurrency: int
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    errors: int
    # CPU per request (ms) of the server's processes, the database's own processes (none for
    # SQLite, which runs inside the server) and the load generator, from /proc and os.times
    server_cpu_ms: float
    database_cpu_ms: float
    wrk_cpu_ms: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian's packages if missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (apt-get)", flush=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed")
    return found


def fresh_database(kind: str, work: Path, postgres: str) -> str:
    """An empty database URL of ``kind`` (sqlite or postgres)."""
    if kind == "sqlite":
        path = work / "perf.db"
        for leftover in work.glob("perf.db*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    admin = create_engine(
        postgres.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text('DROP DATABASE IF EXISTS "talentbase_perf" WITH (FORCE)'))
        connection.execute(text('CREATE DATABASE "talentbase_perf"'))
    admin.dispose()
    return make_url(postgres).set(database="talentbase_perf").render_as_string(hide_password=False)


def server_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "TALENTBASE_DATABASE_URL": url,
        "TALENTBASE_BOOTSTRAP_API_KEY": KEY,
        "TALENTBASE_BOOTSTRAP_WORKSPACE": WORKSPACE,
        "TALENTBASE_SECRET_KEY": SECRET,
        # Spott's budget (1000/min) would throttle the load generator after a second
        "TALENTBASE_RATE_LIMIT_PER_MINUTE": "1000000000",
        "PYTHONPATH": str(ROOT),
    }


def seed(url: str, candidates: int) -> float:
    """Migrates, makes the bench key's workspace, seeds it; returns the seconds it took."""
    env = server_env(url)
    started = time.perf_counter()
    talentbase = [PYTHON, "-m", "talentbase.cli"]
    subprocess.run([*talentbase, "migrate", "--database-url", url], env=env, check=True)
    subprocess.run(
        [*talentbase, "seed", "--candidates", str(candidates), "--workspace", WORKSPACE,
         "--database-url", url],
        env=env,
        check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def candidate_ids(url: str, path: Path) -> int:
    """Writes the bench workspace's candidate ids, one per line; returns how many."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        ids = (
            connection.execute(
                text(
                    "SELECT c.id FROM candidates c JOIN workspaces w ON w.id = c.workspace_id "
                    "WHERE w.name = :name ORDER BY c.id"
                ),
                {"name": WORKSPACE},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    path.write_text("\n".join(ids) + "\n")
    return len(ids)


class Server:
    """A server process (the product, or the ceiling app) with ``workers`` workers."""

    def __init__(self, url: str, workers: int, log: Path, *, ceilings: bool) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        if ceilings:
            command = [
                PYTHON, "-m", "uvicorn", "--factory", "bench.ceilings:ceiling_app",
                "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers),
                "--loop", "uvloop", "--http", "httptools", "--no-access-log",
                "--log-level", "warning",
            ]  # fmt: skip
        else:
            command = [
                PYTHON, "-m", "talentbase.cli", "serve", "--database-url", url,
                "--port", str(self.port), "--workers", str(workers),
            ]  # fmt: skip
        env = server_env(url)
        if ceilings:
            # it runs beside the product's server: its webhook worker would take a share of
            # the product's events to fan out, work the product's own process should do
            env["TALENTBASE_WEBHOOK_WORKER"] = "false"
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start; see {log}")
            time.sleep(0.3)

    def pids(self) -> list[int]:
        """The supervisor and its worker processes."""
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        return [self.process.pid, *(int(pid) for pid in children)]

    def resident_mb(self) -> list[float]:
        """Resident memory of each worker process (the supervisor's children, or itself)."""
        supervisor, *children = self.pids()
        rss = subprocess.run(
            ["ps", "-o", "rss=", "-p", ",".join(str(pid) for pid in children or [supervisor])],
            capture_output=True, text=True, check=False,
        ).stdout.split()  # fmt: skip
        return [round(int(kb) / 1024, 1) for kb in rss]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def lua_script(operation: str, work: Path, ids: Path, users: tuple[str, str]) -> Path:
    body = json.dumps(FULL_BODY).replace("@@MAIN@@", users[0]).replace("@@OTHER@@", users[1])
    prefix, suffix = body.split("@@NAME@@")
    source = (LUA_COMMON + LUA_REQUESTS[operation]).replace("@@IDS@@", str(ids))
    source = source.replace("@@KEY@@", KEY).replace("@@PREFIX@@", prefix)
    source = source.replace("@@SUFFIX@@", suffix)
    path = work / (re.sub(r"[^a-z0-9]+", "-", operation.lower()) + ".lua")
    path.write_text(source)
    return path


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(wrk: str, base: str, script: Path, concurrency: int, duration: int) -> dict[str, Any]:
    """One wrk run: requests per second, p50 and p99 in ms, non-2xx answers, socket errors."""
    threads = min(2, concurrency)
    output = subprocess.run(
        [wrk, f"-t{threads}", f"-c{concurrency}", f"-d{duration}s", "--latency",
         "--timeout", "10s", "-s", str(script), base],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def make_users(base: str) -> tuple[str, str]:
    """Two recruiters for the full body's mainContact and lastInteractionWithId."""
    ids = []
    with httpx.Client(base_url=base, headers={"x-api-key": KEY}, timeout=10) as http:
        for name in ("Ann", "Bob"):
            answer = http.post(
                "/users", json={"name": f"{name} Bench", "email": f"{name.lower()}@bench.example"}
            )
            answer.raise_for_status()
            ids.append(answer.json()["userId"])
    return ids[0], ids[1]


TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def cpu_ticks(pids: list[int]) -> dict[int, int]:
    """User plus system CPU ticks of each live process in ``pids``."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def database_pids(database: str) -> list[int]:
    """The local PostgreSQL server's processes (postmaster and backends); none for SQLite,
    whose work is done inside the server's own processes."""
    if database != "postgres":
        return []
    found = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True, check=False)
    return [int(pid) for pid in found.stdout.split()]


def _one(
    wrk: str, server: Server, database: str, script: Path, concurrency: int, duration: int
) -> dict[str, Any]:
    """A 2 s warm-up, then one measured wrk run with the CPU per request of the server, the
    database and wrk over the measured run (a backend that starts during it counts from 0)."""
    run_wrk(wrk, server.base, script, concurrency, 2)
    server_before = cpu_ticks(server.pids())
    database_before = cpu_ticks(database_pids(database))
    wrk_before = os.times()
    measured = run_wrk(wrk, server.base, script, concurrency, duration)
    wrk_after = os.times()
    server_after = cpu_ticks(list(server_before))
    database_after = cpu_ticks(database_pids(database))
    requests = max(measured["rps"] * duration, 1.0)

    def per_request(before: dict[int, int], after: dict[int, int]) -> float:
        used = sum(ticks - before.get(pid, 0) for pid, ticks in after.items())
        return used * TICK_MS / requests

    wrk_seconds = (wrk_after.children_user + wrk_after.children_system) - (
        wrk_before.children_user + wrk_before.children_system
    )
    return {
        **measured,
        "server_cpu_ms": per_request(server_before, server_after),
        "database_cpu_ms": per_request(database_before, database_after),
        "wrk_cpu_ms": wrk_seconds * 1000 / requests,
    }


def _bracketed(first: dict[str, Any], last: dict[str, Any]) -> dict[str, Any]:
    """The lower ceiling measured before and after the product's runs at one concurrency:
    their mean throughput, p50 and CPU per request, the worse p99, all non-2xx answers and
    errors."""
    mean = ("rps", "p50_ms", "server_cpu_ms", "database_cpu_ms", "wrk_cpu_ms")
    return {
        **{name: (first[name] + last[name]) / 2 for name in mean},
        "p99_ms": max(first["p99_ms"], last["p99_ms"]),
        "non_2xx": first["non_2xx"] + last["non_2xx"],
        "errors": first["errors"] + last["errors"],
    }


def measure(
    wrk: str, product: Server, ceiling: Server, database: str, workers: int,
    operations: tuple[str, ...], scripts: dict[str, Path], concurrencies: list[int],
    duration: int, results: list[Result],
) -> None:  # fmt: skip
    """At each concurrency: the lower ceiling, the key check alone, every product operation,
    then the lower ceiling again (its row is the mean of the two). This machine's throughput
    drifts by ±15% over minutes; measured side by side, an operation and its ceiling see the
    same machine."""
    key_only, lower = CEILINGS
    for concurrency in concurrencies:
        before = _one(wrk, ceiling, database, scripts[lower], concurrency, duration)
        runs = [(key_only, _one(wrk, ceiling, database, scripts[key_only], concurrency, duration))]
        for operation in operations:
            runs.append(
                (operation, _one(wrk, product, database, scripts[operation], concurrency, duration))
            )
        after = _one(wrk, ceiling, database, scripts[lower], concurrency, duration)
        runs.insert(0, (lower, _bracketed(before, after)))
        for operation, measured in runs:
            result = Result(database, workers, operation, concurrency, **measured)
            results.append(result)
            print(
                f"{database:10} w{workers} {operation:30} c{concurrency:<3} "
                f"{result.rps:9.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
                f"p99 {result.p99_ms:8.2f} ms  non-2xx {result.non_2xx}  errors {result.errors}  "
                f"CPU ms/req server {result.server_cpu_ms:.2f} database "
                f"{result.database_cpu_ms:.2f} wrk {result.wrk_cpu_ms:.2f}",
                flush=True,
            )


def medians(results: list[Result]) -> list[Result]:
    """One row per database, workers, operation and concurrency, in first-seen order: the
    median throughput, p50, p99 and CPU per request of its rounds, and all non-2xx answers and
    errors."""
    rounds: dict[tuple[str, int, str, int], list[Result]] = {}
    for result in results:
        key = (result.database, result.workers, result.operation, result.concurrency)
        rounds.setdefault(key, []).append(result)
    return [
        Result(
            *key,
            rps=statistics.median(r.rps for r in runs),
            p50_ms=statistics.median(r.p50_ms for r in runs),
            p99_ms=statistics.median(r.p99_ms for r in runs),
            non_2xx=sum(r.non_2xx for r in runs),
            errors=sum(r.errors for r in runs),
            server_cpu_ms=statistics.median(r.server_cpu_ms for r in runs),
            database_cpu_ms=statistics.median(r.database_cpu_ms for r in runs),
            wrk_cpu_ms=statistics.median(r.wrk_cpu_ms for r in runs),
        )
        for key, runs in rounds.items()
    ]


def table(results: list[Result]) -> list[str]:
    """The markdown table, with each operation's share of the lower ceiling."""
    lower = {
        (result.database, result.workers, result.concurrency): result.rps
        for result in results
        if result.operation == CEILINGS[1]
    }
    lines = [
        "| database | workers | operation | concurrency | req/s | p50 ms | p99 ms | p99/p50 "
        "| non-2xx | errors | share of lower ceiling | CPU ms/req: server / database / wrk |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ceiling = lower.get((r.database, r.workers, r.concurrency))
        share = f"{r.rps / ceiling:.0%}" if ceiling else "—"
        lines.append(
            f"| {r.database} | {r.workers} | {r.operation} | {r.concurrency} | {r.rps:.0f} | "
            f"{r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.p99_ms / r.p50_ms:.1f} | {r.non_2xx} | "
            f"{r.errors} | {share} | {r.server_cpu_ms:.2f} / {r.database_cpu_ms:.2f} / "
            f"{r.wrk_cpu_ms:.2f} |"
        )
    return lines


def scaling(results: list[Result]) -> list[str]:
    """Two workers against one on the full-body PATCH, beside what the machine's cores allow.

    With every process CPU-bound on ``os.cpu_count()`` cores, two workers can serve at most
    ``cores × 1000 / (s + d + w)`` req/s, where s, d and w are the server's, the database's
    and wrk's CPU ms per request with two workers: the database and the load generator take
    their share of the same cores. That over the one-worker throughput is the most the ratio
    can be on this machine, whatever the server does."""
    by_key = {(r.database, r.workers, r.operation, r.concurrency): r for r in results}
    cores = os.cpu_count() or 1
    lines = []
    for r in results:
        if r.operation != "PATCH full body" or r.workers != 2:
            continue
        one = by_key.get((r.database, 1, r.operation, r.concurrency))
        if one is None:
            continue
        spent = r.server_cpu_ms + r.database_cpu_ms + r.wrk_cpu_ms
        bound = cores * 1000 / spent / one.rps
        lines.append(
            f"- {r.database}, concurrency {r.concurrency}: two workers {r.rps / one.rps:.2f}× "
            f"one; the {cores} cores allow at most {bound:.2f}× ({spent:.1f} ms of CPU per "
            f"PATCH with two workers: server {r.server_cpu_ms:.1f}, database "
            f"{r.database_cpu_ms:.1f}, wrk {r.wrk_cpu_ms:.1f})"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "perf.md"))
    parser.add_argument(
        "--operations", default=",".join(PRODUCT_OPERATIONS), help="product operations to run"
    )
    parser.add_argument("--workers", default="1,2", help="worker counts to run")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; rows are their medians")
    args = parser.parse_args()
    chosen = args.operations.split(",")
    unknown = set(chosen) - set(PRODUCT_OPERATIONS)
    if unknown:
        parser.error(f"unknown operations {sorted(unknown)}; choose from {PRODUCT_OPERATIONS}")
    wrk = ensure_wrk()
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    worker_counts = [int(w) for w in args.workers.split(",")]
    work = Path(tempfile.mkdtemp(prefix="talentbase-perf-"))
    results: list[Result] = []
    notes: list[str] = []
    for database in args.databases.split(","):
        url = fresh_database(database, work, args.postgres)
        seconds = seed(url, args.candidates)
        ids = work / f"ids-{database}.txt"
        count = candidate_ids(url, ids)
        notes.append(f"- {database}: seeded {count} candidates in {seconds:.0f} s")
        users: tuple[str, str] | None = None
        resident: dict[int, tuple[list[float], list[float]]] = {}
        # the worker counts alternate round by round, each round with fresh servers: measured
        # one after the other, the two counts saw different states of the machine
        for _ in range(args.repeat):
            for workers in worker_counts:
                server = Server(
                    url, workers, work / f"server-{database}-{workers}.log", ceilings=False
                )
                ceiling = Server(
                    url, workers, work / f"ceiling-{database}-{workers}.log", ceilings=True
                )
                if users is None:
                    users = make_users(server.base)
                scripts = {op: lua_script(op, work, ids, users) for op in LUA_REQUESTS}
                # with two workers only the PATCH's scaling is asked for (issue 7)
                offered = PRODUCT_OPERATIONS if workers == 1 else ("PATCH full body",)
                operations = tuple(op for op in offered if op in chosen)
                measure(wrk, server, ceiling, database, workers, operations, scripts,
                        concurrencies, args.duration, results)  # fmt: skip
                resident[workers] = (server.resident_mb(), ceiling.resident_mb())
                server.stop()
                ceiling.stop()
        for workers, (product_mb, ceiling_mb) in resident.items():
            notes.append(f"- {database}, {workers} worker(s), product: RSS MB per worker "
                         f"{product_mb}")  # fmt: skip
            notes.append(f"- {database}, {workers} worker(s), ceiling app: RSS MB per worker "
                         f"{ceiling_mb}")  # fmt: skip
    lines = [
        f"# perf run {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"`{shlex.join(sys.argv)}` — {args.candidates} candidates, {args.duration} s per run, "
        f"wrk {concurrencies} connections, 2 threads"
        + (f", median of {args.repeat} rounds." if args.repeat > 1 else "."),
        "",
        *table(medians(results)),
        "",
        *scaling(medians(results)),
        "",
        *notes,
        "",
    ]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"written to {out}; logs and scripts in {work}")


if __name__ == "__main__":
    main()
