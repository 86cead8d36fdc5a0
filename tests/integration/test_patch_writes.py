"""The PATCH's write path (issue 7, ``db.batch``): every row of a change (the candidate, its
search row, its identifiers, the history entry, the outbox event) is written without the ORM's
flush, as one statement on PostgreSQL and one after the other on SQLite, and each row is what
the ORM's events wrote before."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import bindparam, create_engine, delete, insert, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from talentbase.candidates.models import Candidate
from talentbase.candidates.schemas import MAX_LIST_ITEMS
from talentbase.db.batch import WriteBatch, bound, prefixed
from talentbase.db.engine import Database
from talentbase.db.types import utcnow
from talentbase.db.urls import sync_url
from talentbase.events.models import OutboxEvent
from talentbase.search.models import CandidateSearch
from talentbase.workspaces.models import Workspace
from tests.conftest import backend, create_candidate, recorded_statements

WRITES = ("INSERT", "UPDATE", "DELETE", "WITH")


@pytest.fixture
def sync_engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(sync_url(database_url))
    yield engine
    engine.dispose()


def _identifiers(engine: Engine, candidate_id: str) -> dict[tuple[str, str], str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT kind, value, id FROM candidate_identifiers WHERE candidate_id = :id"),
            {"id": candidate_id},
        )
        return {(row.kind, row.value): row.id for row in rows}


def _search_row(engine: Engine, candidate_id: str) -> dict[str, Any] | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(
                CandidateSearch.first_name, CandidateSearch.emails, CandidateSearch.phones
            ).where(CandidateSearch.candidate_id == candidate_id)
        ).first()
        return dict(row._mapping) if row is not None else None


async def test_a_patch_writes_every_row_of_its_change_in_one_statement_on_postgresql(
    client: httpx.AsyncClient, database: Database, sync_engine: Engine
) -> None:
    candidate_id = await create_candidate(
        client,
        emails=[{"email": "kept@example.com"}, {"email": "gone@example.com"}],
        phoneNumbers=[{"phoneNumber": "+44 20 7946 0958"}],
    )
    before = _identifiers(sync_engine, candidate_id)
    assert set(before) == {
        ("email", "kept@example.com"),
        ("email", "gone@example.com"),
        ("phone", "+442079460958"),
    }
    with recorded_statements(database) as statements:
        response = await client.patch(
            f"/candidates/{candidate_id}",
            json={
                "firstName": "Zoë",
                "emails": [{"email": "kept@example.com"}, {"email": "new@example.com"}],
            },
        )
    assert response.status_code == 200, response.text
    assert response.json()["name"]["firstName"] == "Zoë"

    writes = [s for s in statements if s.startswith(WRITES)]
    tables = (
        "UPDATE candidates ",
        "UPDATE candidate_search ",
        "DELETE FROM candidate_identifiers ",
        "INSERT INTO candidate_identifiers ",
        "INSERT INTO candidate_history ",
        "INSERT INTO outbox_events ",
    )
    if backend() == "postgres":
        assert len(writes) == 1 and writes[0].startswith("WITH write_0 AS"), "\n".join(writes)
        assert all(table in writes[0] for table in tables), writes[0]
    else:
        assert sorted(w.split(" (")[0].split(" SET")[0].split(" WHERE")[0] for w in writes) == (
            sorted(table.strip() for table in tables)
        ), "\n".join(writes)

    after = _identifiers(sync_engine, candidate_id)
    assert set(after) == {
        ("email", "kept@example.com"),
        ("email", "new@example.com"),
        ("phone", "+442079460958"),
    }
    # the rows kept keep their ids (a duplicate's contactIdentifierId)
    assert after[("email", "kept@example.com")] == before[("email", "kept@example.com")]
    assert after[("phone", "+442079460958")] == before[("phone", "+442079460958")]
    search_row = _search_row(sync_engine, candidate_id)
    assert search_row is not None
    assert search_row["first_name"] == "zoe"
    assert "new@example.com" in search_row["emails"]
    assert "gone@example.com" not in search_row["emails"]

    history = await client.get(f"/candidates/{candidate_id}/history")
    assert history.status_code == 200, history.text
    latest = history.json()["items"][0]
    assert latest["version"] == 2
    assert set(latest["changes"]) == {"firstName", "emails"}
    assert latest["changes"]["firstName"] == {"before": "Jane", "after": "Zoë"}
    with sync_engine.connect() as connection:
        payloads = (
            connection.execute(
                select(OutboxEvent.payload).where(
                    OutboxEvent.candidate_id == candidate_id,
                    OutboxEvent.event_type == "candidate.updated",
                )
            )
            .scalars()
            .all()
        )
    assert len(payloads) == 1
    data = payloads[0]["data"]
    assert (data["candidateId"], data["version"]) == (candidate_id, 2)
    assert sorted(data["changedFields"]) == ["emails", "firstName"]


async def test_the_new_identifiers_of_a_patch_are_one_insert_and_every_row_is_stored(
    client: httpx.AsyncClient, database: Database, sync_engine: Engine
) -> None:
    candidate_id = await create_candidate(client, emails=[{"email": "kept@example.com"}])
    with recorded_statements(database) as statements:
        response = await client.patch(
            f"/candidates/{candidate_id}",
            json={
                "emails": [
                    {"email": "kept@example.com"},
                    {"email": "second@example.com"},
                    {"email": "third@example.com"},
                ],
                "phoneNumbers": [{"phoneNumber": "+44 20 7946 0958"}],
                "socialMedia": [
                    {"url": "https://www.linkedin.com/in/jane-new", "type": "LINKEDIN"}
                ],
            },
        )
    assert response.status_code == 200, response.text
    inserts = sum(s.count("INSERT INTO candidate_identifiers ") for s in statements)
    assert inserts == 1, "\n".join(statements)
    after = _identifiers(sync_engine, candidate_id)
    assert {(kind, value) for kind, value in after if kind != "linkedin"} == {
        ("email", "kept@example.com"),
        ("email", "second@example.com"),
        ("email", "third@example.com"),
        ("phone", "+442079460958"),
    }
    assert len(after) == 5 and len(set(after.values())) == 5, after


async def test_a_patch_replacing_every_identifier_at_the_list_limits_is_stored_whole(
    client: httpx.AsyncClient, database: Database, sync_engine: Engine
) -> None:
    # the longest lists a body may hold: 150 identifier rows gone and 150 new in one change
    def identifiers(tag: str, first_digit: int) -> dict[str, Any]:
        return {
            "emails": [{"email": f"{tag}{n}@example.com"} for n in range(MAX_LIST_ITEMS)],
            "phoneNumbers": [
                {"phoneNumber": f"+44 20 79{first_digit}6 {n:04d}"} for n in range(MAX_LIST_ITEMS)
            ],
            "socialMedia": [
                {"url": f"https://www.linkedin.com/in/{tag}-{n}", "type": "LINKEDIN"}
                for n in range(MAX_LIST_ITEMS)
            ],
        }

    candidate_id = await create_candidate(client, **identifiers("old", 4))
    assert len(_identifiers(sync_engine, candidate_id)) == 3 * MAX_LIST_ITEMS
    response = await client.patch(f"/candidates/{candidate_id}", json=identifiers("new", 5))
    assert response.status_code == 200, response.text
    after = _identifiers(sync_engine, candidate_id)
    assert len(after) == 3 * MAX_LIST_ITEMS
    assert ("email", f"new{MAX_LIST_ITEMS - 1}@example.com") in after
    assert not any("old" in value for _kind, value in after)
    assert ("phone", f"+44207956{MAX_LIST_ITEMS - 1:04d}") in after


async def test_a_patch_of_a_candidate_loaded_without_a_search_row_makes_one(
    client: httpx.AsyncClient, sync_engine: Engine
) -> None:
    """A bulk loader that skipped the search row (search.models): the PATCH's ``UPDATE`` of it
    finds none, so the row is inserted, and the candidate is found by its new name."""
    candidate_id = await create_candidate(client)
    with sync_engine.begin() as connection:
        connection.execute(
            delete(CandidateSearch).where(CandidateSearch.candidate_id == candidate_id)
        )
    assert _search_row(sync_engine, candidate_id) is None

    response = await client.patch(f"/candidates/{candidate_id}", json={"lastName": "Çelik"})
    assert response.status_code == 200, response.text

    row = _search_row(sync_engine, candidate_id)
    assert row is not None and row["first_name"] == "jane"
    found = await client.post("/candidates/_search", json={"filters": [{"value": "celik"}]})
    assert found.status_code == 200, found.text
    assert [item["id"] for item in found.json()["items"]] == [candidate_id]


async def test_a_batch_answers_each_writes_row_count_and_refuses_a_shared_parameter_name(
    database: Database, client: httpx.AsyncClient
) -> None:
    candidate_id = await create_candidate(client)
    rename = (
        update(Candidate)
        .where(Candidate.id == bound("r_", Candidate.__table__, ["id"])["id"])
        .values(bound("r_", Candidate.__table__, ["middle_name"]))
    )
    batch = WriteBatch()
    batch.add(rename, prefixed("r_", {"id": candidate_id, "middle_name": "Ann"}))
    with pytest.raises(ValueError, match="parameter names shared"):
        batch.add(rename, prefixed("r_", {"id": candidate_id, "middle_name": "Bea"}))
    workspace = insert(Workspace).values(
        bound("w_", Workspace.__table__, ["id", "name", "created_at"])
    )
    workspace_id = str(uuid.uuid4())
    made = {"id": workspace_id, "name": f"batch {workspace_id}", "created_at": utcnow()}
    batch.add(workspace, prefixed("w_", made))
    nothing = update(Candidate).where(Candidate.id == "no-such-candidate").values(gender="male")
    batch.add(nothing, {})
    async with database.transaction(write=True) as session:
        assert await batch.send(session) == [1, 1, 0]
        assert await batch.send(session) == []
    renamed = await client.get(f"/candidates/{candidate_id}")
    assert renamed.json()["name"]["middleName"] == "Ann"


async def test_a_batch_that_breaks_a_constraint_raises_sqlalchemys_error_and_writes_nothing(
    database: Database, client: httpx.AsyncClient
) -> None:
    """The driver's error comes back as SQLAlchemy's ``IntegrityError`` (what the callers
    catch), without the statement's parameters, and the transaction's earlier writes of the
    batch are rolled back with it."""
    candidate_id = await create_candidate(client)
    async with database.transaction(write=False) as session:
        workspace_id = await session.scalar(
            select(Candidate.workspace_id).where(Candidate.id == candidate_id)
        )
    rename = (
        update(Candidate)
        .where(Candidate.id == bound("r_", Candidate.__table__, ["id"])["id"])
        .values(bound("r_", Candidate.__table__, ["middle_name"]))
    )
    taken = insert(Workspace).values(bound("w_", Workspace.__table__, ["id", "name", "created_at"]))
    batch = WriteBatch()
    batch.add(rename, prefixed("r_", {"id": candidate_id, "middle_name": "Renamed"}))
    secret_name = f"never-shown-{uuid.uuid4()}"
    batch.add(
        taken, prefixed("w_", {"id": workspace_id, "name": secret_name, "created_at": utcnow()})
    )
    with pytest.raises(IntegrityError) as raised:
        async with database.transaction(write=True) as session:
            await batch.send(session)
    assert "INSERT INTO workspaces" in str(raised.value)
    assert secret_name not in str(raised.value)
    after = await client.get(f"/candidates/{candidate_id}")
    assert after.status_code == 200, after.text
    assert after.json()["name"]["middleName"] != "Renamed"


async def test_a_batched_write_with_an_expanding_parameter_is_refused(database: Database) -> None:
    """An ``IN`` list's SQL depends on its length, so a write compiled once cannot take one."""
    batch = WriteBatch()
    batch.add(delete(Candidate).where(Candidate.id.in_(bindparam("ids", expanding=True))), {})
    with pytest.raises(ValueError, match="expanding"):
        async with database.transaction(write=True) as session:
            await batch.send(session)
