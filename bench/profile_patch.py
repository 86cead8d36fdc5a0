"""Profile of the PATCH hot path (issue 7): the full-body PATCH run in-process (httpx's ASGI
transport, no network, no load generator) under pyinstrument, with the SQL statements of one
PATCH listed.

    .venv/bin/python bench/profile_patch.py --database-url sqlite:////tmp/profile.db
    .venv/bin/python bench/profile_patch.py --database-url postgresql://postgres@127.0.0.1/profile

Writes ``bench/results/profile-<backend>.txt`` (the call tree, time in each function) and
prints the statements one PATCH sends and the milliseconds per PATCH without the profiler (the
best of ``--rounds`` rounds of ``--count`` PATCHes, wall clock and process CPU: on a shared
machine the best round is the least disturbed one). The database is migrated and gets a fresh
workspace.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from pyinstrument import Profiler
from seed_body import seed_body
from sqlalchemy import event

from talentbase.app import create_app
from talentbase.db import migrate
from talentbase.logging import configure_logging
from talentbase.settings import Settings
from talentbase.workspaces import service as workspaces

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("Williama", "Williamb")


async def main(database_url: str, count: int, rounds: int) -> None:
    os.environ.setdefault("TALENTBASE_SECRET_KEY", "profile-secret")
    migrate.upgrade(database_url)
    app = create_app(
        Settings(
            database_url=database_url,
            access_log=True,
            rate_limit_per_minute=10**9,
            webhook_worker=False,
        )
    )
    async with app.state.database.transaction(write=True) as session:
        key = (
            await workspaces.issue_key(session, app.state.key_hasher, f"profile-{uuid.uuid4()}")
        ).secret
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://profile", headers={"x-api-key": key}
    ) as http:
        users = [
            (await http.post("/users", json={"name": n, "email": f"{n}@p.example"})).json()
            for n in ("ann", "bob")
        ]
        candidate_id = (
            await http.post("/candidates", json={"firstName": "A", "lastName": "B"})
        ).json()
        bodies = [
            seed_body(
                middleName=name,
                mainContact={"userId": users[0]["userId"]},
                lastInteractionWithId=users[1]["userId"],
            )
            for name in NAMES
        ]
        for index in range(50):  # warm-up
            await http.patch(f"/candidates/{candidate_id}", json=bodies[index % 2])

        statements: list[str] = []

        def record(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
            statements.append(" ".join(statement.split())[:140])

        engine = app.state.database.engine.sync_engine
        event.listen(engine, "before_cursor_execute", record)
        await http.patch(f"/candidates/{candidate_id}", json=bodies[0])
        event.remove(engine, "before_cursor_execute", record)

        walls, cpus = [], []
        for _ in range(rounds):
            started, cpu_started = time.perf_counter(), time.process_time()
            for index in range(count):
                answer = await http.patch(f"/candidates/{candidate_id}", json=bodies[index % 2])
                assert answer.status_code == 200, answer.text
            walls.append((time.perf_counter() - started) / count * 1000)
            cpus.append((time.process_time() - cpu_started) / count * 1000)

        profiler = Profiler(interval=0.0005, async_mode="enabled")
        started = time.perf_counter()
        with profiler:
            for index in range(count):
                answer = await http.patch(f"/candidates/{candidate_id}", json=bodies[index % 2])
                assert answer.status_code == 200, answer.text
        elapsed = time.perf_counter() - started
    await app.state.database.dispose()
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    out = ROOT / "bench" / "results" / f"profile-{backend}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    print(
        f"in-process, no profiler: {min(walls):.2f} ms per PATCH ({min(cpus):.2f} ms CPU), "
        f"best of {rounds} rounds of {count}"
    )
    print(f"{count} PATCHes in-process under the profiler: {elapsed / count * 1000:.2f} ms each")
    print(f"statements of one PATCH ({len(statements)}):")
    for statement in statements:
        print("  ", statement)
    print(f"profile written to {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    # the access log as in production (JSON lines), written where it does not flood the output
    with open(os.devnull, "w") as sink:
        configure_logging("info", sink)
        asyncio.run(main(args.database_url, args.count, args.rounds))
