"""``talentbase seed`` (issue 4 §6): seeded candidates are exactly what the API would store for
the same input, read back through the API, vary (names from many scripts, valid contacts), and
the same random seed gives the same people."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import phonenumbers
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from talentbase import seed as seed_module
from talentbase.candidates import enums, rules
from talentbase.cli import app as cli_app
from talentbase.db import models as _all_models  # noqa: F401  (every table registered)
from talentbase.db.base import Base
from talentbase.db.engine import Database
from talentbase.seed import ascii_slug, seed, sync_engine
from talentbase.views import iso
from talentbase.workspaces import service as workspaces
from tests.conftest import make_client

ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)
# the candidate columns a second, API-made copy of a seeded candidate cannot share
OWN_COLUMNS = {"id", "created_at", "modified_at"}


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[Engine]:
    result = sync_engine(database_url)
    yield result
    result.dispose()


def _rows(engine: Engine, sql: str, **params: Any) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(text(sql), params).mappings()]


def _json(value: Any) -> Any:
    """A JSON column as stored: SQLite hands back the text, PostgreSQL the parsed value."""
    return json.loads(value) if isinstance(value, str) else value


def _seed(database_url: str, count: int, random_seed: int = 7) -> tuple[str, str]:
    """Seeds a new workspace; returns its name and id."""
    name = f"seed-{uuid.uuid4().hex}"
    result = seed(database_url, name, count, random_seed=random_seed, anchor=ANCHOR, batch_size=16)
    assert result.candidates == count
    return name, result.workspace_id


async def _client_for(app: Any, database: Database, workspace_name: str) -> httpx.AsyncClient:
    async with database.transaction(write=True) as session:
        issued = await workspaces.issue_key(session, app.state.key_hasher, workspace_name, "t")
    return make_client(app, issued.secret)


async def _walk(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 50}
        if cursor is not None:
            params["cursor"] = cursor
        response = await http.get("/candidates", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        cursor = page["pageInfo"]["nextCursor"]
        if cursor is None:
            return items


@pytest.fixture(scope="module")
def seeded(database_url: str) -> tuple[str, str]:
    """120 candidates in a workspace of their own, seeded once for the module."""
    return _seed(database_url, 120)


async def test_every_seeded_candidate_reads_back_and_equals_its_list_item(
    app: Any, database: Database, seeded: tuple[str, str]
) -> None:
    async with await _client_for(app, database, seeded[0]) as http:
        items = await _walk(http)
        assert len(items) == 120
        assert len({item["id"] for item in items}) == 120
        for item in items:
            response = await http.get(f"/candidates/{item['id']}")
            assert response.status_code == 200, response.text
            assert response.json() == item


def _body_from(view: dict[str, Any], experiences: list[dict[str, Any]]) -> dict[str, Any]:
    """A ``POST /candidates`` body saying what the seeded candidate's view shows."""
    name = view["name"]
    body: dict[str, Any] = {
        key: name[key]
        for key in ("firstName", "lastName", "middleName", "secondLastName", "avatarUrl")
        if name[key] is not None
    }
    body |= {
        "nationality": view["nationality"]["nationality"],
        "status": view["status"]["status"],
        "emails": view["emails"]["emails"],
        "phoneNumbers": view["phoneNumbers"]["phoneNumbers"],
        "socialMedia": view["socialMedia"]["socialMedia"],
        "locations": [
            {
                key: value
                for key, value in location.items()
                if key not in ("rawCityCountry", "formattedAddress")
            }
            for location in view["locations"]["locations"]
        ],
        "languages": [
            {"language": item["language"], "fluency": item["fluency"]}
            for item in view["languages"]["languages"]
        ],
        "acquisitionSource": view["acquisitionSource"]["acquisitionSource"],
        "workExperiences": [
            {
                "companyId": row["company_id"],
                "jobTitle": row["job_title"],
                "location": _json(row["location"]),
                "description": row["description"],
                "startDate": iso(_utc(row["start_date"])),
                "endDate": iso(_utc(row["end_date"])),
            }
            for row in experiences
        ],
    }
    if view["gender"]["gender"] is not None:
        body["gender"] = view["gender"]["gender"]
    if view["dateOfBirth"]["dateOfBirth"] is not None:
        body["dateOfBirth"] = view["dateOfBirth"]["dateOfBirth"]
    if view["isVisibleIfClientContact"] is not None:
        body["visibleIfClientContact"] = view["isVisibleIfClientContact"]
    compensation = view["compensation"]["compensation"]
    if compensation is not None:
        body["compensation"] = {key: value for key, value in compensation.items() if key != "id"}
    if view["mainContact"]["user"] is not None:
        body["mainContact"] = {"userId": view["mainContact"]["user"]["userId"]}
    if view["lastInteractionDate"]["lastInteractionDate"] is not None:
        body["lastInteractionAt"] = view["lastInteractionDate"]["lastInteractionDate"]
    if view["lastInteractionWith"]["user"] is not None:
        body["lastInteractionWithId"] = view["lastInteractionWith"]["user"]["userId"]
    return body


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite's stored text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


CANDIDATE_JSON = frozenset(
    {
        "emails",
        "phone_numbers",
        "social_media",
        "locations",
        "languages",
        "nationality",
        "status",
        "compensation",
    }
)


def _comparable(
    row: dict[str, Any], drop: set[str], json_columns: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """A stored row without its own ids and times; the ids inside ``languages`` and
    ``compensation`` (new for every created candidate) blanked. JSON columns are compared as
    re-serialised text, so key order counts too."""
    result = {}
    for key, value in row.items():
        if key in drop:
            continue
        if key in json_columns and value is not None:
            value = _json(value)
            if key == "languages":
                value = [{**item, "id": "*"} for item in value]
            elif key == "compensation":
                value = {**value, "id": "*"}
            value = json.dumps(value)
        result[key] = value
    return result


async def test_seeded_rows_are_what_the_api_stores_for_the_same_input(
    app: Any, database: Database, engine: Engine, seeded: tuple[str, str]
) -> None:
    seeded_ids = [
        row["id"]
        for row in _rows(
            engine,
            "SELECT id FROM candidates WHERE workspace_id = :w ORDER BY id",
            w=seeded[1],
        )
    ]
    async with await _client_for(app, database, seeded[0]) as http:
        for candidate_id in seeded_ids[:60]:
            view = (await http.get(f"/candidates/{candidate_id}")).json()
            experiences = _rows(
                engine,
                "SELECT * FROM work_experiences WHERE candidate_id = :c ORDER BY start_date",
                c=candidate_id,
            )
            response = await http.post("/candidates", json=_body_from(view, experiences))
            assert response.status_code == 201, response.text
            twin_id = response.json()
            [original] = _rows(engine, "SELECT * FROM candidates WHERE id = :c", c=candidate_id)
            [twin] = _rows(engine, "SELECT * FROM candidates WHERE id = :c", c=twin_id)
            assert _comparable(original, OWN_COLUMNS, CANDIDATE_JSON) == _comparable(
                twin, OWN_COLUMNS, CANDIDATE_JSON
            )
            twin_experiences = _rows(
                engine,
                "SELECT * FROM work_experiences WHERE candidate_id = :c ORDER BY start_date",
                c=twin_id,
            )
            drop = {"id", "candidate_id", "created_at"}
            assert [_comparable(row, drop, frozenset({"location"})) for row in experiences] == [
                _comparable(row, drop, frozenset({"location"})) for row in twin_experiences
            ]
            search_rows = [
                _rows(engine, "SELECT * FROM candidate_search WHERE candidate_id = :c", c=cid)
                for cid in (candidate_id, twin_id)
            ]
            drop = {"doc_id", "candidate_id"}
            assert [_comparable(row, drop) for row in search_rows[0]] == [
                _comparable(row, drop) for row in search_rows[1]
            ]
            assert len(search_rows[0]) == 1
            assert _rows_beside(engine, candidate_id) == _rows_beside(engine, twin_id)


# tables that log what happened (a seed is a bulk load, not a series of API calls)
LOG_TABLES = frozenset({"outbox_events", "candidate_history", "webhook_deliveries"})


def _rows_beside(engine: Engine, candidate_id: str) -> dict[str, int]:
    """How many rows every table that refers to candidates (but the event logs) holds for this
    one: whatever the API writes beside a new candidate, the seed must write too."""
    counts = {}
    for table in Base.metadata.sorted_tables:
        if table.name in LOG_TABLES:
            continue
        for column in ("candidate_id", "entity_id"):
            if column in table.columns:
                [row] = _rows(
                    engine,
                    f"SELECT count(*) AS n FROM {table.name} WHERE {column} = :c",
                    c=candidate_id,
                )
                counts[table.name] = row["n"]
    return counts


def test_names_vary_across_countries_and_scripts(engine: Engine, database_url: str) -> None:
    _, workspace_id = _seed(database_url, 600, random_seed=11)
    rows = _rows(engine, "SELECT * FROM candidates WHERE workspace_id = :w", w=workspace_id)
    last_names = Counter(row["last_name"] for row in rows)
    assert len(last_names) > 200
    assert last_names.most_common(1)[0][1] < 20
    names = " ".join(f"{row['first_name']} {row['last_name']}" for row in rows)

    def has(low: int, high: int) -> bool:
        return any(low <= ord(char) <= high for char in names)

    assert has(0x4E00, 0x9FFF)  # CJK (Japanese, Chinese)
    assert has(0x0600, 0x06FF)  # Arabic
    assert has(0x0400, 0x04FF)  # Cyrillic
    assert has(0x0370, 0x03FF)  # Greek
    assert has(0xAC00, 0xD7AF)  # Hangul
    assert any(char in names for char in "łŁşğıİøåæðþő")
    assert "'" in names and "’" in names
    assert any(row["middle_name"] for row in rows)
    assert any(row["second_last_name"] for row in rows)
    for row in rows:
        for key in ("first_name", "middle_name", "last_name", "second_last_name"):
            if row[key] is not None:
                assert rules.person_name(row[key]) == row[key]


def test_seeded_contacts_and_enums_are_valid(engine: Engine, database_url: str) -> None:
    _, workspace_id = _seed(database_url, 300, random_seed=5)
    rows = _rows(engine, "SELECT * FROM candidates WHERE workspace_id = :w", w=workspace_id)
    emails = [item["email"] for row in rows for item in _json(row["emails"])]
    assert all(1 <= len(_json(row["emails"])) <= 3 for row in rows)
    assert len({email.casefold() for email in emails}) == len(emails)
    for email in emails:
        rules.email_address(email)
    phone_counts = Counter(len(_json(row["phone_numbers"])) for row in rows)
    assert set(phone_counts) == {0, 1, 2}
    for row in rows:
        for phone in _json(row["phone_numbers"]):
            parsed = phonenumbers.parse(phone["phoneNumber"])
            assert phonenumbers.is_valid_number(parsed)
            assert phone["e164"] == phonenumbers.format_number(
                parsed, phonenumbers.PhoneNumberFormat.E164
            )
        for location in _json(row["locations"]):
            if location["country"] is not None:
                rules.country(location["country"])
        assert set(_json(row["nationality"])) <= set(enums.NATIONALITIES)
        assert set(_json(row["status"])) <= set(enums.STATUSES)
        assert row["acquisition_source"] in enums.ACQUISITION_SOURCES
        assert row["created_at"] <= row["modified_at"]
    assert len({location["country"] for row in rows for location in _json(row["locations"])}) > 20
    with_work = _rows(
        engine,
        "SELECT count(DISTINCT candidate_id) AS n FROM work_experiences WHERE workspace_id = :w",
        w=workspace_id,
    )[0]["n"]
    assert 0.7 * len(rows) < with_work < len(rows)
    contacts = {row["main_contact_user_id"] for row in rows} - {None}
    assert 2 <= len(contacts) <= 6


def test_many_candidates_share_one_modified_at(engine: Engine, database_url: str) -> None:
    _, workspace_id = _seed(database_url, 400, random_seed=3)
    rows = _rows(
        engine,
        "SELECT created_at, modified_at FROM candidates WHERE workspace_id = :w",
        w=workspace_id,
    )
    shared = Counter(_utc(row["modified_at"]) for row in rows).most_common(1)[0][1]
    assert shared >= 30
    created = sorted(_utc(row["created_at"]) for row in rows)
    assert (created[-1] - created[0]).days > 365 * 4
    assert max(_utc(row["modified_at"]) for row in rows) <= ANCHOR  # type: ignore[type-var]


def _content(engine: Engine, workspace_id: str) -> list[dict[str, Any]]:
    """The seeded candidates of a workspace with every id left out, in a stable order."""
    rows = _rows(engine, "SELECT * FROM candidates WHERE workspace_id = :w", w=workspace_id)
    drop = {"id", "workspace_id", "main_contact_user_id", "last_interaction_with_id"}
    return sorted(
        (_comparable(row, drop, CANDIDATE_JSON) for row in rows),
        key=lambda row: json.dumps(row, sort_keys=True, default=str),
    )


def test_the_same_random_seed_gives_the_same_candidates(engine: Engine, database_url: str) -> None:
    _, first = _seed(database_url, 50, random_seed=42)
    _, second = _seed(database_url, 50, random_seed=42)
    _, other = _seed(database_url, 50, random_seed=43)
    assert _content(engine, first) == _content(engine, second)
    assert _content(engine, first) != _content(engine, other)


def test_seed_command_fills_the_named_workspace(engine: Engine, database_url: str) -> None:
    workspace = f"cli-{uuid.uuid4().hex}"
    result = CliRunner().invoke(
        cli_app,
        [
            "seed",
            "--candidates",
            "25",
            "--workspace",
            workspace,
            "--seed-random",
            "1",
            "--database-url",
            database_url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Added 25 candidates" in result.stdout
    [row] = _rows(
        engine,
        "SELECT count(*) AS n FROM candidates JOIN workspaces ON workspaces.id = "
        "candidates.workspace_id WHERE workspaces.name = :name",
        name=workspace,
    )
    assert row["n"] == 25


def test_ascii_slug_drops_accents_and_punctuation() -> None:
    assert ascii_slug("Ó Súilleabháin") == "osuilleabhain"
    assert ascii_slug("Łukasz") == "lukasz"
    assert ascii_slug("O’Connor") == "oconnor"
    assert ascii_slug("Guðmundsdóttir") == "gudmundsdottir"
    assert ascii_slug("Þórsson") == "thorsson"


def test_a_seed_over_several_transactions_keeps_every_batch(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seed_module, "COMMIT_EVERY", 32)
    _, workspace_id = _seed(database_url, 100)
    [row] = _rows(
        engine, "SELECT count(*) AS n FROM candidates WHERE workspace_id = :w", w=workspace_id
    )
    assert row["n"] == 100


def test_a_failed_seed_leaves_no_candidate_of_its_open_transaction(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = 0
    make = seed_module._Generator.candidate

    def failing(self: Any) -> Any:
        nonlocal made
        made += 1
        if made > 40:
            raise RuntimeError("disk full")
        return make(self)

    monkeypatch.setattr(seed_module._Generator, "candidate", failing)
    name = f"seed-{uuid.uuid4().hex}"
    with pytest.raises(RuntimeError, match="disk full"):
        seed(database_url, name, 100, random_seed=1, anchor=ANCHOR, batch_size=16)
    [row] = _rows(
        engine,
        "SELECT count(*) AS n FROM candidates JOIN workspaces ON workspaces.id = "
        "candidates.workspace_id WHERE workspaces.name = :name",
        name=name,
    )
    assert row["n"] == 0
