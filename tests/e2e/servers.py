"""Real ``talentbase serve`` processes for end-to-end tests: started on a free port, waited
for until ``/healthz`` answers, stopped afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    """A started server: its base URL and process."""

    base: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or an OOM kill."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait (a normal shutdown), unless it is already gone."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def start_server(
    database_url: str,
    log: Path,
    env: dict[str, str],
    port: int | None = None,
    workers: int = 1,
) -> ServerProcess:
    """Starts ``talentbase serve`` (``workers`` processes) on ``database_url`` with ``env``
    added to this process's environment and waits until it answers. Raises ``RuntimeError``
    with the server's output if it does not within 30 s."""
    port = port or free_port()
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "talentbase.cli",
                "serve",
                "--database-url",
                database_url,
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env={**os.environ, **env},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = ServerProcess(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{server.base}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError("server did not start:\n" + log.read_text())
        time.sleep(0.2)


@contextmanager
def running_server(database_url: str, log: Path, env: dict[str, str]) -> Iterator[str]:
    """``start_server`` as a context: yields the base URL, stops the server afterwards."""
    server = start_server(database_url, log, env)
    try:
        yield server.base
    finally:
        server.stop()
