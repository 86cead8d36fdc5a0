"""``dateOfBirth`` is a calendar date (API.md §1): it is stored as a date, shown as
``YYYY-MM-DDT00:00:00.000Z``, and never shifts with the server's time zone or an offset in the
input."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.conftest import create_candidate

ReadRow = Callable[[str], dict[str, Any] | None]

EXPECTED_VIEW = "1990-05-15T00:00:00.000Z"
EXPECTED_DATE = "1990-05-15"

INPUTS = [
    pytest.param("1990-05-15", id="date"),
    pytest.param("1990-05-15T00:00:00.000Z", id="midnight-utc"),
    pytest.param("1990-05-15T23:59:59.999Z", id="last-ms-utc"),
    pytest.param("1990-05-15T23:30:00-08:00", id="late-negative-offset"),
    pytest.param("1990-05-15T00:30:00+13:00", id="early-positive-offset"),
]


@pytest.fixture(params=["Pacific/Auckland", "America/Los_Angeles", "Pacific/Kiritimati"])
def process_time_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """Runs the test with the whole process in another time zone, then restores it."""
    zone: str = request.param
    saved = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        offset = datetime(1990, 5, 15, 12).astimezone().utcoffset()
        assert offset is not None and offset.total_seconds() != 0, "the time zone did not apply"
        yield zone
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


def assert_stored_date(read_row: ReadRow, candidate_id: str) -> None:
    row = read_row(candidate_id)
    assert row is not None
    assert str(row["date_of_birth"]) == EXPECTED_DATE


@pytest.mark.parametrize("given", INPUTS)
async def test_date_of_birth_on_create_stays_the_written_date_in_any_process_time_zone(
    process_time_zone: str, client: httpx.AsyncClient, read_row: ReadRow, given: str
) -> None:
    candidate_id = await create_candidate(client, dateOfBirth=given)

    view = (await client.get(f"/candidates/{candidate_id}")).json()

    assert view["dateOfBirth"] == {
        "viewType": "candidateDateOfBirth",
        "dateOfBirth": EXPECTED_VIEW,
    }
    assert_stored_date(read_row, candidate_id)


@pytest.mark.parametrize("given", INPUTS)
async def test_date_of_birth_on_patch_stays_the_written_date_in_any_process_time_zone(
    process_time_zone: str, client: httpx.AsyncClient, read_row: ReadRow, given: str
) -> None:
    candidate_id = await create_candidate(client)

    response = await client.patch(f"/candidates/{candidate_id}", json={"dateOfBirth": given})

    assert response.status_code == 200, response.text
    assert response.json()["dateOfBirth"]["dateOfBirth"] == EXPECTED_VIEW
    fetched = (await client.get(f"/candidates/{candidate_id}")).json()
    assert fetched["dateOfBirth"]["dateOfBirth"] == EXPECTED_VIEW
    assert_stored_date(read_row, candidate_id)


async def test_resending_the_shown_date_of_birth_is_a_no_op_in_any_process_time_zone(
    process_time_zone: str, client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    candidate_id = await create_candidate(client, dateOfBirth="1990-05-15")
    before = (await client.get(f"/candidates/{candidate_id}")).json()
    row_before = read_row(candidate_id)

    for shown in (before["dateOfBirth"]["dateOfBirth"], EXPECTED_DATE):
        response = await client.patch(f"/candidates/{candidate_id}", json={"dateOfBirth": shown})
        assert response.status_code == 200, response.text
        assert response.json() == before

    assert read_row(candidate_id) == row_before


async def test_date_of_birth_written_in_one_time_zone_reads_the_same_in_another(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    saved = os.environ.get("TZ")
    try:
        os.environ["TZ"] = "Pacific/Auckland"
        time.tzset()
        candidate_id = await create_candidate(client, dateOfBirth="1990-05-15T00:00:00.000Z")
        os.environ["TZ"] = "America/Los_Angeles"
        time.tzset()
        view = (await client.get(f"/candidates/{candidate_id}")).json()
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()

    assert view["dateOfBirth"]["dateOfBirth"] == EXPECTED_VIEW
    assert_stored_date(read_row, candidate_id)


async def test_clearing_date_of_birth_with_null_in_another_time_zone(
    process_time_zone: str, client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    candidate_id = await create_candidate(client, dateOfBirth="1990-05-15")

    response = await client.patch(f"/candidates/{candidate_id}", json={"dateOfBirth": None})

    assert response.status_code == 200, response.text
    assert response.json()["dateOfBirth"] == {
        "viewType": "candidateDateOfBirth",
        "dateOfBirth": None,
    }
    row = read_row(candidate_id)
    assert row is not None and row["date_of_birth"] is None
