"""A first look at the PATCH path: the real server, full-body PATCHes that each change the
candidate, from a Python client on the same machine.

    .venv/bin/python bench/patch_smoke.py --database-url sqlite:////tmp/bench.db
    .venv/bin/python bench/patch_smoke.py --database-url postgresql://postgres@127.0.0.1/bench

The client shares the machine's two cores with the server, so these numbers are a floor for
what the server does, not its ceiling; a proper load generator comes with the benchmark issue.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time

import httpx
from seed_body import seed_body

KEY = "bench-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def worker(
    http: httpx.AsyncClient, candidate_id: str, user_id: str, count: int, out: list[float]
) -> None:
    bodies = [
        seed_body(firstName=name, mainContact={"userId": user_id}, lastInteractionWithId=user_id)
        for name in ("John", "Johan")
    ]
    for index in range(count):
        started = time.perf_counter()
        response = await http.patch(f"/candidates/{candidate_id}", json=bodies[index % 2])
        out.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(response.text)


async def run(base: str, requests: int, concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base, headers={"x-api-key": KEY}, limits=limits, timeout=30
    ) as http:
        user = (
            await http.post(
                "/users", json={"name": "Bench", "email": f"bench{time.time_ns()}@x.example"}
            )
        ).json()
        ids = [
            (await http.post("/candidates", json={"firstName": "A", "lastName": "B"})).json()
            for _ in range(concurrency)
        ]
        latencies: list[float] = []
        started = time.perf_counter()
        await asyncio.gather(
            *(
                worker(http, candidate_id, user["userId"], requests // concurrency, latencies)
                for candidate_id in ids
            )
        )
        elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"concurrency {concurrency}: {len(latencies) / elapsed:.0f} req/s, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms ({len(latencies)} full-body PATCHes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    port = free_port()
    # the benchmark measures the server, not the per-key budget
    env = {
        **os.environ,
        "TALENTBASE_BOOTSTRAP_API_KEY": KEY,
        "TALENTBASE_RATE_LIMIT_PER_MINUTE": "100000000",
    }
    command = [sys.executable, "-m", "talentbase.cli", "serve", "--port", str(port)]
    command += ["--database-url", args.database_url]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        for concurrency in (1, 16):
            asyncio.run(run(base, args.requests, concurrency))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
