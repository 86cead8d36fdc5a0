"""Every documented status is reachable (issue 6 §4): a pytest plugin that records the
``(route template, method, status)`` of every answer the in-process apps give during the run,
and at the end compares them with the OpenAPI document.

Route-specific statuses (2xx, 400, 404, 409, 413, 415, ...) must each have been answered by
that very route; the statuses every route shares through common code (401 auth, 413 and 415
from the body guard, 429 rate limit, 500 internal error, 503 database unavailable) must each
have been answered somewhere.
The check runs only over a whole suite (``TALENTBASE_STATUS_COVERAGE=1``, set by
``tests/run_suites.py``): a partial run would miss statuses it did not try.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from starlette.types import Scope

from talentbase.api import middleware

SHARED = {"401", "413", "415", "429", "500", "503"}
OBSERVED: set[tuple[str, str, str]] = set()

_record = middleware.RequestContextMiddleware._record


def _recording(
    self: middleware.RequestContextMiddleware,
    scope: Scope,
    method: str,
    status: int,
    seconds: float,
) -> None:
    OBSERVED.add((middleware._route_of(scope), method.lower(), str(status)))
    _record(self, scope, method, status, seconds)


middleware.RequestContextMiddleware._record = _recording  # type: ignore[method-assign]


def unreached(document: dict[str, Any]) -> list[str]:
    """Documented statuses no answer of the run gave, as ``"METHOD path status"`` lines."""
    missing = []
    seen_anywhere = {status for _, _, status in OBSERVED}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status in operation["responses"]:
                if status in SHARED:
                    if status not in seen_anywhere:
                        missing.append(f"(any route) {status}")
                elif (path, method, status) not in OBSERVED:
                    missing.append(f"{method.upper()} {path} {status}")
    return sorted(set(missing))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("TALENTBASE_STATUS_COVERAGE") != "1" or exitstatus != 0:
        return
    from talentbase.app import create_app
    from talentbase.settings import Settings

    document = create_app(Settings(database_url="sqlite:///unused.db")).openapi()
    missing = unreached(document)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if missing:
        if reporter is not None:
            reporter.write_line("Documented statuses no test reached:", red=True)
            for line in missing:
                reporter.write_line(f"  {line}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif reporter is not None:
        reporter.write_line(f"Every documented status was reached ({len(OBSERVED)} seen).")
