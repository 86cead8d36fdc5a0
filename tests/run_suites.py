"""Runs the test suite on SQLite, then again on PostgreSQL when one is reachable.

``TALENTBASE_TEST_POSTGRES_URL`` names the PostgreSQL server (default the local one; each run
creates and drops its own database there). ``TALENTBASE_TEST_REQUIRE_POSTGRES=1`` (set by
``.ci/run``) makes an unreachable PostgreSQL a failure instead of a notice. Extra arguments are
passed to pytest. Exits non-zero if any run fails or runs no test.
"""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_reachable(url: str) -> bool:
    """Whether a connection to ``url`` succeeds within a few seconds."""
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(conninfo, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def run(backend: str, args: list[str]) -> int:
    """One pytest run against ``backend``; returns its exit code."""
    print(f"\n===== talentbase test suite on {backend} =====", flush=True)
    # a whole run also checks that every documented status was answered (tests/status_coverage)
    whole = not any(arg.startswith(("tests", "-k", "--deselect")) for arg in args)
    env = {
        **os.environ,
        "TALENTBASE_TEST_DATABASE": backend,
        "TALENTBASE_STATUS_COVERAGE": "1" if whole else "0",
    }
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def main() -> int:
    args = sys.argv[1:]
    failures = []
    if run("sqlite", args) != 0:
        failures.append("sqlite")
    url = os.environ.get("TALENTBASE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    if postgres_reachable(url):
        if run("postgres", args) != 0:
            failures.append("postgres")
    elif os.environ.get("TALENTBASE_TEST_REQUIRE_POSTGRES") == "1":
        print(f"PostgreSQL is required but not reachable at {url}", file=sys.stderr)
        failures.append("postgres (unreachable)")
    else:
        print(f"\nPostgreSQL not reachable at {url}: the PostgreSQL run was not done.")
    if failures:
        print(f"\nFAILED on: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
