"""Latency at 10 000, 100 000 and 1 000 000 candidates (issue 4, Benchmarks), one command:

    .venv/bin/python bench/scale.py
    .venv/bin/python bench/scale.py --sizes 10000,100000 --databases sqlite,postgres

For each database and size it makes a fresh database, fills it with ``talentbase seed`` (timed),
starts the real server (``talentbase serve`` with its defaults; only the rate limit is raised)
and sends sequential requests from this process with httpx over keep-alive, measuring median
and p99 latency of:

- ``list first`` / ``list middle`` / ``list last``: ``GET /candidates?limit=50`` at the start of
  the walk, with cursors at half way and at the last page (20 cursors around each position);
- ``search name``: ``POST /candidates/_search``, ``candidate.lastName`` equals a seeded name
  (a common name has ~100 times the matches at 1M that it has at 10k, each counted and sorted);
- ``search email``: ``candidate.email`` equals a seeded address (one match at every size);
- ``search free text``: ``candidate.any`` contains a seeded first and last name;
- ``search date range``: ``candidate.createdAt`` between two instants about 50 candidates apart;
- ``search people``: ``GET /search/people`` by full name, reversed name, email prefix, the last
  digits of a phone number;
- ``duplicate check``: ``POST /candidates`` with a seeded email and ``"onDuplicate": "reject"``
  (a 409; no write).

An operation whose route the server does not document (``/openapi.json``) is skipped, and the
output says so. Afterwards each operation runs once more in-process with every SQL statement
recorded, and the statements are explained (PostgreSQL: ``EXPLAIN (ANALYZE, BUFFERS)``; SQLite:
``EXPLAIN QUERY PLAN``) into ``explain-<database>-<size>.txt``. Results go to ``--out`` as JSON
(merged with earlier runs, so sizes can be measured separately) and as Markdown tables with the
ratio of the largest size's median to the smallest's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from talentbase.api.pagination import encode_cursor
from talentbase.candidates.models import Candidate
from talentbase.db.urls import sync_url
from talentbase.views import iso
from talentbase.workspaces.models import Workspace

ROOT = Path(__file__).resolve().parent.parent
KEY = "tb_scale-bench-key-0123456789abcdef"
WORKSPACE = "scale"
SECRET = "scale-bench-server-secret"
LIMIT = 50
SAMPLES = 20
DEFAULT_SIZES = "10000,100000,1000000"


@dataclass
class Operation:
    """One measured operation: how to send it (``requests`` rotate), what answers are right."""

    name: str
    method: str
    path: str
    requests: list[dict[str, Any]]
    expected: tuple[int, ...] = (200,)
    route: str = ""


@dataclass
class Measurement:
    """Latencies of one operation at one size, in milliseconds."""

    name: str
    p50: float | None = None
    p99: float | None = None
    mean: float | None = None
    count: int = 0
    errors: int = 0
    matches: str = ""
    skipped: str = ""


@dataclass
class Run:
    database: str
    size: int
    seed_seconds: float | None
    measured_at: str
    measurements: list[Measurement] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fresh_database(database: str, size: int, args: argparse.Namespace) -> str:
    """An empty database for one run; its URL."""
    if database == "sqlite":
        path = Path(args.workdir) / f"scale-{size}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    name = f"talentbase_scale_{size}"
    admin = create_engine(sync_url(args.postgres_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(args.postgres_url).set(database=name).render_as_string(hide_password=False)


def existing_database(database: str, size: int, args: argparse.Namespace) -> str:
    if database == "sqlite":
        return f"sqlite:///{Path(args.workdir) / f'scale-{size}.db'}"
    name = f"talentbase_scale_{size}"
    return make_url(args.postgres_url).set(database=name).render_as_string(hide_password=False)


def seed(url: str, size: int) -> float:
    """Runs ``talentbase seed`` (migrations included); returns the seconds the seed reported."""
    command = [sys.executable, "-m", "talentbase.cli", "seed", "--candidates", str(size)]
    command += ["--workspace", WORKSPACE, "--seed-random", "1", "--database-url", url]
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    print(done.stdout.strip())
    found = re.search(r"in ([0-9.]+) s", done.stdout.replace("\n", " "))
    return float(found.group(1)) if found else math.nan


def _uuid_at(fraction: float) -> str:
    value = int(fraction * (1 << 128))
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def inputs(engine: Engine, size: int) -> dict[str, Any]:
    """What the operations ask for, read from the seeded data: cursors at the walk's middle and
    last page, a few seeded people, a creation-date window about 50 candidates wide."""
    rng = random.Random(1)
    with Session(engine) as session:
        workspace_id = session.scalar(select(Workspace.id).where(Workspace.name == WORKSPACE))
        count = session.scalar(select(func.count()).where(Candidate.workspace_id == workspace_id))
        assert count == size, f"workspace has {count} candidates, expected {size}"

        def cursors(offset: int) -> list[str]:
            rows = session.execute(
                select(Candidate.modified_at, Candidate.id)
                .where(Candidate.workspace_id == workspace_id)
                .order_by(Candidate.modified_at, Candidate.id)
                .offset(max(0, offset))
                .limit(SAMPLES)
            ).all()
            return [encode_cursor(moment, id_) for moment, id_ in rows]

        people = []
        for _ in range(SAMPLES):
            row = session.scalar(
                select(Candidate)
                .where(
                    Candidate.workspace_id == workspace_id,
                    Candidate.id >= _uuid_at(rng.random()),
                )
                .order_by(Candidate.id)
                .limit(1)
            )
            if row is not None:
                people.append(row)
        windows = []
        for _ in range(SAMPLES):
            window = session.scalars(
                select(Candidate.created_at)
                .where(Candidate.workspace_id == workspace_id)
                .order_by(Candidate.created_at, Candidate.id)
                .offset(int(rng.random() * (size - LIMIT)))
                .limit(LIMIT)
            ).all()
            windows.append((window[0], window[-1]))
        return {
            "middle": cursors(size // 2 - SAMPLES // 2),
            # cursors of the last pages: each page answers rows up to the walk's end
            "last": cursors(size - LIMIT - SAMPLES),
            "people": people,
            "windows": windows,
        }


def operations(data: dict[str, Any]) -> list[Operation]:
    people: list[Candidate] = data["people"]
    people_queries: list[str] = []
    for index, person in enumerate(people):
        kind = index % 4
        if kind == 0:
            people_queries.append(f"{person.first_name} {person.last_name}")
        elif kind == 1:
            people_queries.append(f"{person.last_name} {person.first_name}")
        elif kind == 2:
            people_queries.append(person.emails[0]["email"].split("@")[0] + "@")
        else:
            phones = [item["e164"] for item in person.phone_numbers]
            people_queries.append(phones[0][-6:] if phones else person.last_name)
    search = "/candidates/_search"

    def text_search(
        name: str, operator: str, path: str, value: Callable[[Candidate], str]
    ) -> Operation:
        """``_search`` with one text filter, its value taken from each seeded person."""
        requests = [
            {
                "json": {
                    "filters": [
                        {"type": "text", "operator": operator, "path": path, "value": value(p)}
                    ]
                }
            }
            for p in people
        ]
        return Operation(name, "POST", search, requests)

    return [
        Operation("list first", "GET", "/candidates", [{"params": {"limit": LIMIT}}]),
        Operation(
            "list middle",
            "GET",
            "/candidates",
            [{"params": {"limit": LIMIT, "cursor": cursor}} for cursor in data["middle"]],
        ),
        Operation(
            "list last",
            "GET",
            "/candidates",
            [{"params": {"limit": LIMIT, "cursor": cursor}} for cursor in data["last"]],
        ),
        text_search("search name", "equals", "candidate.lastName", lambda p: p.last_name),
        text_search("search email", "equals", "candidate.email", lambda p: p.emails[0]["email"]),
        text_search(
            "search free text",
            "contains",
            "candidate.any",
            lambda p: f"{p.first_name} {p.last_name}",
        ),
        Operation(
            "search date range",
            "POST",
            search,
            [
                {
                    "json": {
                        "filters": [
                            {
                                "type": "date",
                                "operator": "greaterThanOrEqual",
                                "path": "candidate.createdAt",
                                "value": iso(low),
                            },
                            {
                                "type": "date",
                                "operator": "lessThanOrEqual",
                                "path": "candidate.createdAt",
                                "value": iso(high),
                            },
                        ]
                    }
                }
                for low, high in data["windows"]
            ],
        ),
        Operation(
            "search people",
            "GET",
            "/search/people",
            [{"params": {"query": query, "limit": 10}} for query in people_queries],
        ),
        Operation(
            "duplicate check",
            "POST",
            "/candidates",
            [
                {
                    "json": {
                        "firstName": "Dup",
                        "lastName": "Check",
                        "emails": [{"email": person.emails[0]["email"].upper()}],
                        "onDuplicate": "reject",
                    }
                }
                for person in people
            ],
            expected=(409,),
            route="POST /candidates with onDuplicate",
        ),
    ]


def missing_route(operation: Operation, document: dict[str, Any]) -> str | None:
    """Why the server cannot answer ``operation`` yet (its route or field is undocumented)."""
    paths = document.get("paths", {})
    method = operation.method.lower()
    if method not in paths.get(operation.path, {}):
        return f"route {operation.method} {operation.path} is not served"
    if operation.name == "duplicate check":
        schemas = document.get("components", {}).get("schemas", {})
        body = paths[operation.path][method].get("requestBody", {})
        reference = json.dumps(body)
        names = re.findall(r"#/components/schemas/([A-Za-z0-9_]+)", reference)
        fields = {key for name in names for key in schemas.get(name, {}).get("properties", {})}
        if "onDuplicate" not in fields:
            return "POST /candidates has no onDuplicate field"
    return None


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    return values[max(0, math.ceil(share * len(values)) - 1)]


def measure(http: httpx.Client, operation: Operation, count: int, warmup: int) -> Measurement:
    result = Measurement(operation.name)
    latencies: list[float] = []
    matches: set[int] = set()
    for index in range(warmup + count):
        request = operation.requests[index % len(operation.requests)]
        started = time.perf_counter()
        response = http.request(operation.method, operation.path, **request)
        elapsed = (time.perf_counter() - started) * 1000
        if index < warmup:
            continue
        latencies.append(elapsed)
        if response.status_code not in operation.expected:
            result.errors += 1
            if result.errors == 1:
                print(f"    unexpected {response.status_code}: {response.text[:300]}")
        elif response.status_code == 200:
            body = response.json()
            pagination = body.get("pagination") if isinstance(body, dict) else None
            if pagination is not None:
                matches.add(int(pagination["totalItems"]))
    latencies.sort()
    result.p50 = statistics.median(latencies)
    result.p99 = percentile(latencies, 0.99)
    result.mean = statistics.fmean(latencies)
    result.count = len(latencies)
    if matches:
        result.matches = f"{min(matches)}–{max(matches)}" if len(matches) > 1 else str(min(matches))
    return result


def server_env(url: str, workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TALENTBASE_DATABASE_URL": url,
        "TALENTBASE_BOOTSTRAP_API_KEY": KEY,
        "TALENTBASE_BOOTSTRAP_WORKSPACE": WORKSPACE,
        "TALENTBASE_SECRET_KEY": SECRET,
        "TALENTBASE_ATTACHMENTS_DIR": str(workdir / "attachments"),
        "TALENTBASE_RATE_LIMIT_PER_MINUTE": "100000000",
    }


def run_server_measurements(
    url: str, run: Run, data: dict[str, Any], args: argparse.Namespace
) -> list[Operation]:
    """Starts the server, measures every operation it serves; returns the ones it served."""
    workdir = Path(args.workdir)
    port = free_port()
    log = open(workdir / f"server-{run.database}-{run.size}.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "talentbase.cli", "serve", "--port", str(port)],
        env=server_env(url, workdir),
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=workdir,
    )
    base = f"http://127.0.0.1:{port}"
    served = []
    try:
        # ``serve`` migrates first, which on a big database that lacks a new table may take
        # minutes (a migration fills it for every stored candidate)
        deadline = time.monotonic() + 3600
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start; see {log.name}")
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        with httpx.Client(base_url=base, headers={"x-api-key": KEY}, timeout=60) as http:
            document = http.get("/openapi.json").json()
            for operation in operations(data):
                why = missing_route(operation, document)
                if why is not None:
                    print(f"  {operation.name:<18} skipped: {why}")
                    run.measurements.append(Measurement(operation.name, skipped=why))
                    continue
                result = measure(http, operation, args.requests, args.warmup)
                run.measurements.append(result)
                served.append(operation)
                print(
                    f"  {operation.name:<18} p50 {result.p50:7.2f} ms   p99 {result.p99:7.2f} ms"
                    f"   errors {result.errors}"
                    + (f"   matches {result.matches}" if result.matches else "")
                )
    finally:
        server.terminate()
        server.wait()
        log.close()
    return served


async def explain(
    url: str, database: str, operations_served: list[Operation], workdir: Path
) -> str:
    """Each served operation once, in-process, with its SQL statements explained."""
    from talentbase.app import create_app
    from talentbase.settings import Settings

    os.environ["TALENTBASE_SECRET_KEY"] = SECRET
    settings = Settings(
        database_url=url,
        access_log=False,
        rate_limit_per_minute=100_000_000,
        attachments_dir=workdir / "attachments",
    )
    app = create_app(settings)
    captured: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        captured.append((statement, parameters))

    engine = app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    explainer = create_engine(sync_url(url))
    out: list[str] = []
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://scale.bench", headers={"x-api-key": KEY}
        ) as http:
            for operation in operations_served:
                request = operation.requests[len(operation.requests) // 2]
                captured.clear()
                response = await http.request(operation.method, operation.path, **request)
                out.append(f"## {operation.name}: {operation.method} {operation.path} {request}")
                out.append(f"-- answered {response.status_code}\n")
                for number, (statement, parameters) in enumerate(list(captured), 1):
                    if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                        continue
                    shown = repr(parameters)
                    shown = shown if len(shown) <= 400 else shown[:400] + " …"
                    out.append(f"-- statement {number}\n{statement}\n-- parameters {shown}")
                    prefix = (
                        "EXPLAIN (ANALYZE, BUFFERS) "
                        if database == "postgres"
                        else "EXPLAIN QUERY PLAN "
                    )
                    with explainer.connect() as connection:
                        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
                        connection.rollback()
                    if database == "postgres":
                        out.extend(str(row[0]) for row in rows)
                    else:
                        out.extend(f"{row[1]:>4} {row[2]:>4} {row[3]}" for row in rows)
                    out.append("")
    finally:
        event.remove(engine, "before_cursor_execute", record)
        explainer.dispose()
        await app.state.database.dispose()
    return "\n".join(out) + "\n"


def load_results(path: Path) -> dict[str, Any]:
    if path.exists():
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded
    return {}


def label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def tables(results: dict[str, Any]) -> str:
    """Markdown: per database, one row per operation, p50 / p99 per size, and the ratio of the
    largest size's median to the smallest's."""
    lines: list[str] = []
    for database in ("sqlite", "postgres"):
        runs = sorted(
            (run for key, run in results.items() if key.startswith(database + ":")),
            key=lambda run: run["size"],
        )
        if not runs:
            continue
        sizes = [run["size"] for run in runs]
        title = "SQLite" if database == "sqlite" else "PostgreSQL"
        ratio = f"{label(sizes[-1])} / {label(sizes[0])}" if len(sizes) > 1 else "ratio"
        lines.append(f"### {title}\n")
        seeds = ", ".join(
            f"{label(run['size'])}: {run['seed_seconds']:.0f} s"
            for run in runs
            if run.get("seed_seconds") is not None
        )
        if seeds:
            lines.append(f"Seeding: {seeds}.\n")
        header = "| operation | " + " | ".join(f"{label(size)} p50 / p99 (ms)" for size in sizes)
        lines.append(header + f" | {ratio} (p50) | matches |")
        lines.append("|---" * (len(sizes) + 3) + "|")
        names = [measurement["name"] for measurement in runs[0]["measurements"]]
        for name in names:
            cells = []
            found = []
            for run in runs:
                measurement = next(
                    (item for item in run["measurements"] if item["name"] == name), None
                )
                found.append(measurement)
                if measurement is None or measurement["skipped"]:
                    cells.append("skipped")
                elif measurement["errors"]:
                    cells.append(f"{measurement['errors']} wrong answers")
                else:
                    cells.append(f"{measurement['p50']:.1f} / {measurement['p99']:.1f}")
            first, last = found[0], found[-1]
            usable = [item for item in (first, last) if item and not item["skipped"]]
            if len(found) > 1 and len(usable) == 2 and not any(item["errors"] for item in usable):
                ratio_cell = f"{usable[1]['p50'] / usable[0]['p50']:.2f}"
            else:
                ratio_cell = "–"
            matches = " / ".join(item["matches"] for item in found if item and item["matches"])
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio_cell} | {matches} |")
        skipped = {
            item["name"]: item["skipped"]
            for run in runs
            for item in run["measurements"]
            if item["skipped"]
        }
        for name, why in skipped.items():
            lines.append(f"\n- {name} skipped: {why}")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated candidate counts")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per operation")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--workdir", default="/tmp/talentbase-scale")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument(
        "--reuse", action="store_true", help="measure databases a previous run seeded"
    )
    args = parser.parse_args()
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "scale-results.json"
    results = load_results(results_path)
    sizes = [int(size) for size in args.sizes.split(",")]
    for database in args.databases.split(","):
        for size in sizes:
            print(f"{database}, {size:,} candidates")
            if args.reuse:
                url = existing_database(database, size, args)
                seconds = results.get(f"{database}:{size}", {}).get("seed_seconds")
            else:
                url = fresh_database(database, size, args)
                seconds = seed(url, size)
            engine = create_engine(sync_url(url))
            try:
                data = inputs(engine, size)
            finally:
                engine.dispose()
            run = Run(database, size, seconds, datetime.now(UTC).isoformat(timespec="seconds"))
            served = run_server_measurements(url, run, data, args)
            plans = asyncio.run(explain(url, database, served, Path(args.workdir)))
            (out / f"explain-{database}-{label(size)}.txt").write_text(plans)
            results[f"{database}:{size}"] = asdict(run)
            results_path.write_text(json.dumps(results, indent=1))
    report = tables(results)
    (out / "scale-results.md").write_text(report)
    print()
    print(report)


if __name__ == "__main__":
    main()
