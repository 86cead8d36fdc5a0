"""Database failures answer 503 in Spott's body; a deadlock or serialization failure says the
change lost to a concurrent one, anything else that the database is unavailable."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.exc import OperationalError, ProgrammingError
from starlette.requests import Request

from talentbase.api.errors import handle_database_unavailable


class _DriverError(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__("driver error")
        self.sqlstate = sqlstate


CONFLICT = (
    "The database cancelled this change in favour of a concurrent one; nothing was changed. Retry."
)


def _request() -> Request:
    return Request(
        {"type": "http", "method": "GET", "path": "/", "headers": [], "state": {"request_id": "r1"}}
    )


@pytest.mark.parametrize(
    ("sqlstate", "message"),
    [
        (
            "40P01",
            CONFLICT,
        ),
        (
            "40001",
            CONFLICT,
        ),
        ("08006", "The database is unavailable; nothing was changed. Retry shortly."),
        (None, "The database is unavailable; nothing was changed. Retry shortly."),
    ],
)
async def test_database_errors_are_503_with_what_happened(
    sqlstate: str | None, message: str
) -> None:
    error = OperationalError("SELECT 1", {}, _DriverError(sqlstate))
    response = await handle_database_unavailable(_request(), error)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert json.loads(bytes(response.body)) == {
        "status": 503,
        "message": message,
        "requestId": "r1",
    }


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            TimeoutError(),
            "The database did not answer in time; nothing was changed. Retry shortly.",
        ),
        (
            ProgrammingError("SELECT 1", {}, _DriverError("42P01")),
            "The database schema is not migrated (run `talentbase migrate`); nothing was changed.",
        ),
        (
            OperationalError("SELECT 1", {}, Exception("no such table: candidates")),
            "The database schema is not migrated (run `talentbase migrate`); nothing was changed.",
        ),
    ],
)
async def test_timeouts_and_missing_tables_are_503_saying_so(
    error: Exception, message: str
) -> None:
    response = await handle_database_unavailable(_request(), error)
    assert response.status_code == 503
    assert json.loads(bytes(response.body))["message"] == message


async def test_any_other_programming_error_is_a_bug_not_a_503() -> None:
    error = ProgrammingError("SELEC 1", {}, _DriverError("42601"))
    with pytest.raises(ProgrammingError):
        await handle_database_unavailable(_request(), error)
