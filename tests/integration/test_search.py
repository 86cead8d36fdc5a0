"""POST /candidates/_search (API.md §4, issue 4 §3): every filter type and operator, the free
text's folding (case, accents, apostrophes, letters NFKD leaves alone, phone digits), paging with
ties, bad filters, workspaces, and the search table kept in step with the candidates.

The cases assert exact answers; the suite runs them on SQLite and on PostgreSQL
(``TALENTBASE_TEST_DATABASE=postgres``), so both databases give these same answers.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, event, insert, text, update

from talentbase.api.deps import before_commit, read_only, writes
from talentbase.candidates.models import Candidate
from talentbase.db import migrate
from talentbase.db.engine import Database
from talentbase.db.urls import sync_url
from talentbase.search.models import CandidateSearch, row_for
from talentbase.workspaces import service as workspaces
from tests.conftest import backend, create_candidate, create_user, make_client, workspace_id_of

# the world's people by a short key, created in this order (see ``_when``)
PEOPLE: dict[str, dict[str, Any]] = {
    "garcia": {
        "firstName": "José",
        "lastName": "García",
        "emails": [{"email": "Jose.Garcia@Example.com"}],
        "phoneNumbers": [{"phoneNumber": "+34 612 345 678"}],
        "status": ["actively_looking"],
        "nationality": ["Spanish"],
    },
    "obrien": {
        "firstName": "Seán",
        "lastName": "O'Brien",
        "emails": [{"email": "sean.obrien@example.ie"}],
        "phoneNumbers": [{"phoneNumber": "+353 85 123 4567"}],
        "status": ["not_actively_looking"],
        "nationality": ["Irish"],
    },
    "wojcik": {
        "firstName": "Łukasz",
        "lastName": "Wójcik",
        "emails": [{"email": "lukasz.wojcik@example.pl"}],
        "phoneNumbers": [{"phoneNumber": "+48 512 345 678"}],
        "nationality": ["Polish"],
    },
    "smith": {
        "firstName": "John",
        "lastName": "Smith",
        "emails": [
            {"email": "john.smith@example.com"},
            {"email": "jsmith@work.example", "isPrimary": True},
        ],
        "phoneNumbers": [{"phoneNumber": "+44 20 7946 0958"}],
        "status": ["actively_looking", "do_not_poach"],
        "nationality": ["British"],
    },
    "smithers": {
        "firstName": "Johnny",
        "lastName": "Smithers",
        "emails": [{"email": "johnny@example.com"}],
        "phoneNumbers": [{"phoneNumber": "+1 202 555 0147"}],
    },
    "kierkegaard": {"firstName": "Søren", "middleName": "Aabye", "lastName": "Kierkegaard"},
    "li": {"firstName": "Wei", "lastName": "Li", "emails": [{"email": "li_wei@example.cn"}]},
    "muller": {"firstName": "Anna", "lastName": "Müller", "secondLastName": "Straße"},
}
KEYS = tuple(PEOPLE)
EVERYONE = set(KEYS)


def _when(key: str, month: int) -> datetime:
    """The world's fixed timestamps: the n-th person was created on January n, 10:00 UTC and
    last modified on February n (so the answer order is known: latest first)."""
    return datetime(2024, month, KEYS.index(key) + 1, 10, tzinfo=UTC)


@dataclass
class World:
    """A workspace holding ``PEOPLE`` (``ids`` by key), two users, custom definitions
    (``definitions`` by name) and a client for it."""

    http: httpx.AsyncClient
    ids: dict[str, str]
    users: dict[str, str]
    definitions: dict[str, str]

    def keys(self, body: dict[str, Any]) -> list[str]:
        names = {candidate_id: key for key, candidate_id in self.ids.items()}
        return [names[item["id"]] for item in body["items"]]


DEFINITIONS: dict[str, dict[str, Any]] = {
    "level": {"viewType": "customText"},
    "years": {"viewType": "customNumber"},
    "salary": {"viewType": "customCurrency"},
    "remote": {"viewType": "customCheckbox"},
    "tier": {"viewType": "customSelect", "options": ["Gold", "Silver", "Bronze"]},
    "skills": {"viewType": "customMultiSelect", "options": ["Python", "SQL", "Go"]},
    "start": {"viewType": "customDate"},
    "site": {"viewType": "customUrl"},
}
VALUES: dict[str, dict[str, Any]] = {
    "garcia": {
        "level": "Senior Engineer",
        "years": 12,
        "salary": {"amount": 90000, "currency": "EUR"},
        "remote": True,
        "tier": "Gold",
        "skills": ["Python", "SQL"],
        "start": "2024-03-01",
        "site": "https://garcia.example/cv",
    },
    "obrien": {
        "level": "junior engineer",
        "years": 3,
        "salary": {"amount": 40000, "currency": "EUR"},
        "remote": False,
        "tier": "Silver",
        "skills": ["Go"],
        "start": "2023-12-31T23:30:00Z",
    },
    "wojcik": {"years": 7.5, "salary": {"amount": 90000, "currency": "PLN"}},
}


async def _client_of_new_workspace(app: Any, database: Database) -> httpx.AsyncClient:
    async with database.transaction(write=True) as session:
        issued = await workspaces.issue_key(
            session, app.state.key_hasher, f"search-{uuid.uuid4().hex}", "test"
        )
    return make_client(app, issued.secret)


async def _set_times(database: Database, times: dict[str, tuple[datetime, datetime]]) -> None:
    """Sets ``createdAt`` / ``modifiedAt`` of candidates by id (a Core UPDATE: the searched
    fields are untouched)."""
    async with database.transaction(write=True) as session:
        for candidate_id, (created, modified) in times.items():
            await session.execute(
                update(Candidate)
                .where(Candidate.id == candidate_id)
                .values(created_at=created, modified_at=modified)
            )


async def _build_world(app: Any, database: Database) -> World:
    http = await _client_of_new_workspace(app, database)
    users = {
        "ana": (await create_user(http, "Ana Recruiter", "ana@agency.example"))["userId"],
        "ben": (await create_user(http, "Ben Recruiter", "ben@agency.example"))["userId"],
    }
    definitions = {}
    for name, body in DEFINITIONS.items():
        response = await http.post(
            "/custom-attributes/candidate/definitions", json={"label": name, **body}
        )
        assert response.status_code == 201, response.text
        definitions[name] = response.json()["id"]
    contacts = {"garcia": "ana", "smith": "ana", "obrien": "ben"}
    ids = {}
    for key, fields in PEOPLE.items():
        body = dict(fields)
        if key in contacts:
            body["mainContact"] = {"userId": users[contacts[key]]}
        body["customAttributes"] = [
            {"attributeDefinitionId": definitions[name], "value": value}
            for name, value in VALUES.get(key, {}).items()
        ]
        ids[key] = await create_candidate(http, **body)
    await _set_times(database, {ids[key]: (_when(key, 1), _when(key, 2)) for key in KEYS})
    return World(http, ids, users, definitions)


@pytest.fixture(scope="module")
async def world(app: Any, database: Database) -> AsyncIterator[World]:
    built = await _build_world(app, database)
    yield built
    await built.http.aclose()


async def _search(http: httpx.AsyncClient, *filters: dict[str, Any], **body: Any) -> Any:
    response = await http.post("/candidates/_search", json={"filters": list(filters), **body})
    assert response.status_code == 200, response.text
    return response.json()


def _text(path: str, operator: str, value: Any) -> dict[str, Any]:
    return {"type": "text", "operator": operator, "path": f"candidate.{path}", "value": value}


def _any(value: str) -> dict[str, Any]:
    return _text("any", "contains", value)


def _select(path: str, operator: str, value: Any) -> dict[str, Any]:
    return {
        "type": "entitySelect",
        "operator": operator,
        "path": f"candidate.{path}",
        "value": value,
    }


def _date(path: str, operator: str, value: Any) -> dict[str, Any]:
    return {"type": "date", "operator": operator, "path": f"candidate.{path}", "value": value}


def _in_order(keys: set[str]) -> list[str]:
    """``keys`` in the answer's order: most recently modified first (the world's order
    reversed)."""
    return [key for key in reversed(KEYS) if key in keys]


# ---- free text ------------------------------------------------------------------------------

FREE_TEXT_CASES = [
    ("jose", {"garcia"}),
    ("JOSÉ GARCÍA", {"garcia"}),
    ("garcia jose", {"garcia"}),
    ("José García", {"garcia"}),
    ("O’Brien", {"obrien"}),
    ("o'brien", {"obrien"}),
    ("OBrien", {"obrien"}),
    ("sean", {"obrien"}),
    ("lukasz", {"wojcik"}),
    ("ŁUKASZ WÓJCIK", {"wojcik"}),
    ("wojcik", {"wojcik"}),
    ("soren", {"kierkegaard"}),
    ("aabye", {"kierkegaard"}),
    ("strasse", {"muller"}),
    ("Straße", {"muller"}),
    ("mueller", set()),
    ("muller", {"muller"}),
    ("smith", {"smith", "smithers"}),
    ("Smith, John", {"smith", "smithers"}),
    ("Smith, Johnny", {"smithers"}),
    ("jsmith@", {"smith"}),
    ("JOHN.SMITH@EXAMPLE.COM", {"smith"}),
    ("example.com", {"garcia", "smith", "smithers"}),
    ("0958", {"smith"}),
    ("+44 20 7946 0958", {"smith"}),
    ("020 7946 0958", {"smith"}),
    ("(202) 555-0147", {"smithers"}),
    ("345 678", {"garcia", "wojcik"}),
    ("li_wei", {"li"}),
    ("li%wei", set()),
    ("liXwei", set()),
    ("li", {"li"}),
    ("an", {"obrien", "muller"}),
    ("nobody", set()),
]


@pytest.mark.parametrize(("query", "expected"), FREE_TEXT_CASES)
async def test_free_text_finds_names_emails_and_phones_folded(
    world: World, query: str, expected: set[str]
) -> None:
    body = await _search(world.http, _any(query))
    assert world.keys(body) == _in_order(expected)
    assert body["pagination"] == {"totalItems": len(expected), "page": 0, "hasNextPage": False}


async def test_a_filter_with_only_a_value_is_a_free_text_search(world: World) -> None:
    assert world.keys(await _search(world.http, {"value": "jose"})) == ["garcia"]
    assert world.keys(await _search(world.http, {"type": "text", "value": "lukasz"})) == ["wojcik"]


async def test_no_filters_answers_every_candidate_latest_first(world: World) -> None:
    body = await _search(world.http)
    assert world.keys(body) == list(reversed(KEYS))
    assert body["pagination"] == {"totalItems": len(KEYS), "page": 0, "hasNextPage": False}


async def test_items_are_the_candidate_views(world: World) -> None:
    body = await _search(world.http, _any("jose"))
    view = await world.http.get(f"/candidates/{world.ids['garcia']}")
    assert body["items"] == [view.json()]


# ---- text fields ----------------------------------------------------------------------------

TEXT_CASES = [
    ("firstName", "equals", "jose", {"garcia"}),
    ("firstName", "equals", "JOSÉ", {"garcia"}),
    ("firstName", "equals", "jos", set()),
    ("firstName", "startsWith", "jo", {"garcia", "smith", "smithers"}),
    ("firstName", "contains", "ohn", {"smith", "smithers"}),
    ("firstName", "notEquals", "john", EVERYONE - {"smith"}),
    ("firstName", "equals", "Søren", {"kierkegaard"}),
    ("lastName", "equals", "li", {"li"}),
    ("lastName", "equals", "O’Brien", {"obrien"}),
    ("lastName", "startsWith", "smith", {"smith", "smithers"}),
    ("lastName", "contains", "ll", {"muller"}),
    ("lastName", "contains", "aabye", set()),
    ("lastName", "notEquals", "smith", EVERYONE - {"smith"}),
    ("email", "equals", "JOHN.SMITH@example.com", {"smith"}),
    ("email", "equals", "john.smith@example", set()),
    ("email", "startsWith", "jsmith@", {"smith"}),
    ("email", "startsWith", "work.example", set()),
    ("email", "contains", "example.com", {"garcia", "smith", "smithers"}),
    ("email", "contains", "li_wei", {"li"}),
    ("email", "contains", "com jsmith", set()),
    ("email", "notEquals", "johnny@example.com", EVERYONE - {"smithers"}),
    ("phoneNumber", "equals", "+442079460958", {"smith"}),
    ("phoneNumber", "equals", "020 7946 0958", {"smith"}),
    ("phoneNumber", "equals", "7946 0958", set()),
    ("phoneNumber", "startsWith", "+44", {"smith"}),
    ("phoneNumber", "startsWith", "0", {"smith", "obrien"}),
    ("phoneNumber", "contains", "345 678", {"garcia", "wojcik"}),
    ("phoneNumber", "notEquals", "+34 612 345 678", EVERYONE - {"garcia"}),
]


@pytest.mark.parametrize(("path", "operator", "value", "expected"), TEXT_CASES)
async def test_text_filters(
    world: World, path: str, operator: str, value: str, expected: set[str]
) -> None:
    body = await _search(world.http, _text(path, operator, value))
    assert world.keys(body) == _in_order(expected)


async def test_text_operator_defaults_to_contains(world: World) -> None:
    body = await _search(world.http, {"path": "candidate.lastName", "value": "mit"})
    assert world.keys(body) == _in_order({"smith", "smithers"})


# ---- entity selects -------------------------------------------------------------------------

SELECT_CASES = [
    ("status", "in", ["actively_looking"], {"garcia", "smith"}),
    ("status", "in", ["do_not_poach", "not_actively_looking"], {"obrien", "smith"}),
    ("status", "notIn", ["actively_looking"], EVERYONE - {"garcia", "smith"}),
    ("nationality", "in", ["Irish", "Polish"], {"obrien", "wojcik"}),
    ("nationality", "notIn", ["British"], EVERYONE - {"smith"}),
]


@pytest.mark.parametrize(("path", "operator", "value", "expected"), SELECT_CASES)
async def test_status_and_nationality_filters(
    world: World, path: str, operator: str, value: list[str], expected: set[str]
) -> None:
    body = await _search(world.http, _select(path, operator, value))
    assert world.keys(body) == _in_order(expected)


async def test_main_contact_filters(world: World) -> None:
    ana, ben = world.users["ana"], world.users["ben"]
    found = await _search(world.http, _select("mainContact", "in", [ana]))
    assert world.keys(found) == _in_order({"garcia", "smith"})
    found = await _search(world.http, _select("mainContact", "in", [ana, ben, ana]))
    assert world.keys(found) == _in_order({"garcia", "smith", "obrien"})
    found = await _search(world.http, _select("mainContact", "notIn", [ana]))
    assert world.keys(found) == _in_order(EVERYONE - {"garcia", "smith"})
    found = await _search(
        world.http, {"type": "entitySelect", "path": "candidate.mainContact", "value": [ben]}
    )
    assert world.keys(found) == ["obrien"]


# ---- dates ----------------------------------------------------------------------------------

DATE_CASES = [
    ("createdAt", "equals", "2024-01-03", {"wojcik"}),
    ("createdAt", "equals", "2024-01-03T10:00:00.000Z", {"wojcik"}),
    ("createdAt", "equals", "2024-01-03T12:00:00+02:00", {"wojcik"}),
    ("createdAt", "equals", "2024-01-03T10:00:00.001Z", set()),
    ("createdAt", "notEquals", "2024-01-01", EVERYONE - {"garcia"}),
    ("createdAt", "notEquals", "2024-01-01T10:00:00Z", EVERYONE - {"garcia"}),
    ("createdAt", "lessThanOrEqual", "2024-01-02", {"garcia", "obrien"}),
    ("createdAt", "lessThanOrEqual", "2024-01-02T10:00:00Z", {"garcia", "obrien"}),
    ("createdAt", "lessThanOrEqual", "2024-01-02T09:59:59.999Z", {"garcia"}),
    ("createdAt", "greaterThanOrEqual", "2024-01-07", {"li", "muller"}),
    ("createdAt", "greaterThanOrEqual", "2024-01-07T10:00:00.001Z", {"muller"}),
    ("modifiedAt", "greaterThanOrEqual", "2024-02-08", {"muller"}),
    ("modifiedAt", "lessThanOrEqual", "2024-01-31", set()),
    ("modifiedAt", "equals", "2024-02-04", {"smith"}),
]


@pytest.mark.parametrize(("path", "operator", "value", "expected"), DATE_CASES)
async def test_date_filters(
    world: World, path: str, operator: str, value: str, expected: set[str]
) -> None:
    body = await _search(world.http, _date(path, operator, value))
    assert world.keys(body) == _in_order(expected)


async def test_a_date_range_is_two_filters(world: World) -> None:
    body = await _search(
        world.http,
        _date("createdAt", "greaterThanOrEqual", "2024-01-02"),
        _date("createdAt", "lessThanOrEqual", "2024-01-04"),
    )
    assert world.keys(body) == ["smith", "wojcik", "obrien"]


async def test_filters_combine_with_and(world: World) -> None:
    body = await _search(world.http, _any("smith"), _select("status", "in", ["actively_looking"]))
    assert world.keys(body) == ["smith"]


# ---- custom attributes ----------------------------------------------------------------------

CUSTOM_CASES = [
    ("level", "customText", "contains", "ENGINEER", {"garcia", "obrien"}),
    ("level", "text", "equals", "senior engineer", {"garcia"}),
    ("level", "customText", "startsWith", "Jun", {"obrien"}),
    ("level", "customText", "notEquals", "Senior Engineer", EVERYONE - {"garcia"}),
    ("level", "customText", "contains", "%", set()),
    ("site", "customUrl", "contains", "GARCIA.example", {"garcia"}),
    ("site", "text", "startsWith", "https://", {"garcia"}),
    ("years", "customNumber", "greaterThanOrEqual", 7.5, {"garcia", "wojcik"}),
    ("years", "customNumber", "lessThanOrEqual", 3, {"obrien"}),
    ("years", "customNumber", "equals", 12, {"garcia"}),
    ("years", "customNumber", "equals", 12.0, {"garcia"}),
    ("years", "customNumber", "notEquals", 12, EVERYONE - {"garcia"}),
    (
        "salary",
        "customCurrency",
        "greaterThanOrEqual",
        {"amount": 90000, "currency": "EUR"},
        {"garcia"},
    ),
    ("salary", "customCurrency", "equals", {"amount": 90000, "currency": "PLN"}, {"wojcik"}),
    (
        "salary",
        "customCurrency",
        "lessThanOrEqual",
        {"amount": 50000, "currency": "EUR"},
        {"obrien"},
    ),
    (
        "salary",
        "customCurrency",
        "notEquals",
        {"amount": 90000, "currency": "EUR"},
        EVERYONE - {"garcia"},
    ),
    ("remote", "customCheckbox", "equals", True, {"garcia"}),
    ("remote", "boolean", "equals", False, EVERYONE - {"garcia"}),
    ("tier", "customSelect", "in", ["Gold", "Bronze"], {"garcia"}),
    ("tier", "entitySelect", "notIn", ["Gold"], EVERYONE - {"garcia"}),
    ("skills", "customMultiSelect", "in", ["SQL", "Go"], {"garcia", "obrien"}),
    ("skills", "entitySelect", "notIn", ["Python"], EVERYONE - {"garcia"}),
    ("start", "customDate", "greaterThanOrEqual", "2024-01-01", {"garcia"}),
    ("start", "date", "lessThanOrEqual", "2023-12-31", {"obrien"}),
    ("start", "customDate", "equals", "2024-03-01T00:00:00.000Z", {"garcia"}),
    ("start", "customDate", "equals", "2024-01-01T00:30:00+01:00", {"obrien"}),
    ("start", "customDate", "notEquals", "2024-03-01", EVERYONE - {"garcia"}),
]


@pytest.mark.parametrize(("name", "type_", "operator", "value", "expected"), CUSTOM_CASES)
async def test_custom_attribute_filters(
    world: World, name: str, type_: str, operator: str, value: Any, expected: set[str]
) -> None:
    path = world.definitions[name]
    body = await _search(
        world.http, {"type": type_, "operator": operator, "path": path, "value": value}
    )
    assert world.keys(body) == _in_order(expected)


async def test_custom_operators_default_by_type(world: World) -> None:
    definitions = world.definitions
    found = await _search(
        world.http, {"type": "customSelect", "path": definitions["tier"], "value": ["Silver"]}
    )
    assert world.keys(found) == ["obrien"]
    found = await _search(
        world.http, {"type": "boolean", "path": definitions["remote"], "value": True}
    )
    assert world.keys(found) == ["garcia"]
    found = await _search(
        world.http, {"type": "customText", "path": definitions["level"], "value": "senior"}
    )
    assert world.keys(found) == ["garcia"]


# ---- paging ---------------------------------------------------------------------------------


async def test_pages_with_equal_modified_times_follow_ids_and_never_repeat(
    app: Any, database: Database
) -> None:
    async with await _client_of_new_workspace(app, database) as http:
        ids = [await create_candidate(http, lastName=f"Tie{chr(97 + n)}") for n in range(23)]
        same = datetime(2024, 5, 1, 12, tzinfo=UTC)
        await _set_times(database, {candidate_id: (same, same) for candidate_id in ids})
        # one more, modified later, comes first
        latest = await create_candidate(http, lastName="Later")
        seen: list[str] = []
        for page in range(4):
            body = await _search(http, page=page, pageSize=7)
            seen.extend(item["id"] for item in body["items"])
            assert body["pagination"] == {
                "totalItems": 24,
                "page": page,
                "hasNextPage": page < 3,
            }
        assert seen == [latest, *sorted(ids, reverse=True)]
        beyond = await _search(http, page=4, pageSize=7)
        assert beyond == {
            "items": [],
            "pagination": {"totalItems": 24, "page": 4, "hasNextPage": False},
        }
        tied = await _search(http, _any("tie"), page=1, pageSize=20)
        assert [item["id"] for item in tied["items"]] == sorted(ids, reverse=True)[20:]
        assert tied["pagination"] == {"totalItems": 23, "page": 1, "hasNextPage": False}


async def test_page_size_defaults_to_20(app: Any, database: Database) -> None:
    async with await _client_of_new_workspace(app, database) as http:
        for n in range(21):
            await create_candidate(http, lastName=f"Many{chr(97 + n)}")
        body = await _search(http)
        assert len(body["items"]) == 20
        assert body["pagination"] == {"totalItems": 21, "page": 0, "hasNextPage": True}


# ---- bad filters ----------------------------------------------------------------------------


def _error(code: str, path: str) -> tuple[str, str]:
    return (code, path)


BAD_FILTERS = [
    pytest.param(
        _date("firstName", "greaterThanOrEqual", "2024-01-01"),
        [_error("INVALID_ENUM_VALUE", "filters.0.type")],
        id="date-type-on-a-text-path",
    ),
    pytest.param(
        _text("firstName", "greaterThanOrEqual", "x"),
        [_error("INVALID_ENUM_VALUE", "filters.0.operator")],
        id="date-operator-on-a-text-path",
    ),
    pytest.param(
        _text("any", "equals", "x"),
        [_error("INVALID_ENUM_VALUE", "filters.0.operator")],
        id="free-text-only-contains",
    ),
    pytest.param(
        _select("status", "contains", ["x"]),
        [_error("INVALID_ENUM_VALUE", "filters.0.operator")],
        id="text-operator-on-a-select",
    ),
    pytest.param(
        _text("nickname", "contains", "x"),
        [_error("INVALID_ENUM_VALUE", "filters.0.path")],
        id="unknown-path",
    ),
    pytest.param(
        {"type": "text", "operator": "contains", "path": str(uuid.uuid4()), "value": "x"},
        [_error("NOT_FOUND", "filters.0.path")],
        id="unknown-definition",
    ),
    pytest.param(
        {"type": "fuzzy", "value": "x"},
        [_error("INVALID_ENUM_VALUE", "filters.0.type")],
        id="unknown-type",
    ),
    pytest.param(
        _text("firstName", "like", "x"),
        [_error("INVALID_ENUM_VALUE", "filters.0.operator")],
        id="unknown-operator",
    ),
    pytest.param(
        {"type": "text", "path": "candidate.firstName"},
        [_error("REQUIRED", "filters.0.value")],
        id="missing-value",
    ),
    pytest.param(
        _text("firstName", "equals", None),
        [_error("INVALID_TYPE", "filters.0.value")],
        id="null-value",
    ),
    pytest.param(
        {**_any("x"), "negate": True},
        [_error("UNRECOGNIZED_KEYS", "filters.0.negate")],
        id="unknown-key",
    ),
    pytest.param(
        {"type": "date", "path": "candidate.createdAt", "value": "2024-01-01"},
        [_error("REQUIRED", "filters.0.operator")],
        id="date-without-operator",
    ),
    pytest.param(
        {"type": "date", "operator": "equals", "value": "2024-01-01"},
        [_error("REQUIRED", "filters.0.path")],
        id="date-without-path",
    ),
    pytest.param(
        {"type": "text", "operator": None, "value": "x"},
        [_error("INVALID_TYPE", "filters.0.operator")],
        id="null-operator",
    ),
    pytest.param(
        _text("firstName", "contains", 5),
        [_error("INVALID_TYPE", "filters.0.value")],
        id="number-for-text",
    ),
    pytest.param(
        _text("firstName", "contains", ""),
        [_error("TOO_SMALL", "filters.0.value")],
        id="empty-text",
    ),
    pytest.param(
        _text("firstName", "contains", "x" * 201),
        [_error("TOO_BIG", "filters.0.value")],
        id="long-text",
    ),
    pytest.param(
        _any(" ’' , "),
        [_error("TOO_SMALL", "filters.0.value")],
        id="free-text-of-punctuation",
    ),
    pytest.param(
        _text("phoneNumber", "contains", "abc"),
        [_error("INVALID_STRING", "filters.0.value")],
        id="phone-without-digits",
    ),
    pytest.param(
        _select("status", "in", "actively_looking"),
        [_error("INVALID_TYPE", "filters.0.value")],
        id="select-value-not-a-list",
    ),
    pytest.param(
        _select("status", "in", []),
        [_error("TOO_SMALL", "filters.0.value")],
        id="select-empty-list",
    ),
    pytest.param(
        _select("status", "in", ["actively_looking", "nope"]),
        [_error("INVALID_ENUM_VALUE", "filters.0.value.1")],
        id="unknown-status",
    ),
    pytest.param(
        _select("nationality", "in", ["Martian"]),
        [_error("INVALID_ENUM_VALUE", "filters.0.value.0")],
        id="unknown-nationality",
    ),
    pytest.param(
        _select("status", "in", [1]),
        [_error("INVALID_TYPE", "filters.0.value.0")],
        id="select-item-not-a-string",
    ),
    pytest.param(
        _select("mainContact", "in", ["not-an-id", str(uuid.uuid4())]),
        [_error("NOT_FOUND", "filters.0.value.0"), _error("NOT_FOUND", "filters.0.value.1")],
        id="unknown-users",
    ),
    pytest.param(
        _date("createdAt", "equals", "yesterday"),
        [_error("INVALID_STRING", "filters.0.value")],
        id="date-not-a-date",
    ),
    pytest.param(
        _date("createdAt", "equals", "2024-01-01T10:00:00"),
        [_error("INVALID_STRING", "filters.0.value")],
        id="date-time-without-zone",
    ),
    pytest.param(
        _date("createdAt", "equals", "2024-02-30"),
        [_error("INVALID_STRING", "filters.0.value")],
        id="impossible-date",
    ),
    pytest.param(
        _date("createdAt", "equals", 20240101),
        [_error("INVALID_TYPE", "filters.0.value")],
        id="date-as-number",
    ),
]


@pytest.mark.parametrize(("bad", "errors"), BAD_FILTERS)
async def test_bad_filters_are_refused_naming_the_field(
    world: World, bad: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    response = await world.http.post("/candidates/_search", json={"filters": [bad]})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["message"] == "Validation failed"
    assert [(error["code"], error["path"]) for error in body["errors"]] == errors


# (definition, filter type, operator or None, value, error code, where in the filter)
BAD_CUSTOM: list[tuple[str, str, str | None, Any, str, str]] = [
    ("years", "customText", "contains", "x", "INVALID_ENUM_VALUE", "type"),
    ("years", "customNumber", "contains", 1, "INVALID_ENUM_VALUE", "operator"),
    ("years", "customNumber", "equals", "12", "INVALID_TYPE", "value"),
    ("years", "customNumber", "equals", True, "INVALID_TYPE", "value"),
    ("years", "customNumber", None, 1, "REQUIRED", "operator"),
    ("salary", "customCurrency", "equals", {"amount": 1}, "REQUIRED", "value.currency"),
    (
        "salary",
        "customCurrency",
        "equals",
        {"amount": 1, "currency": "ZZZ"},
        "INVALID_STRING",
        "value.currency",
    ),
    (
        "salary",
        "customCurrency",
        "equals",
        {"amount": -1, "currency": "EUR"},
        "TOO_SMALL",
        "value.amount",
    ),
    ("salary", "customCurrency", "equals", 5, "INVALID_TYPE", "value"),
    ("remote", "boolean", "equals", "true", "INVALID_TYPE", "value"),
    ("remote", "boolean", "notEquals", True, "INVALID_ENUM_VALUE", "operator"),
    ("remote", "text", "equals", "x", "INVALID_ENUM_VALUE", "type"),
    ("tier", "customSelect", "in", ["Platinum"], "INVALID_ENUM_VALUE", "value.0"),
    ("tier", "customMultiSelect", "in", ["Gold"], "INVALID_ENUM_VALUE", "type"),
    ("skills", "entitySelect", "equals", ["Go"], "INVALID_ENUM_VALUE", "operator"),
    ("skills", "entitySelect", "in", "Go", "INVALID_TYPE", "value"),
    ("skills", "entitySelect", "in", ["Go", 7], "INVALID_TYPE", "value.1"),
    ("start", "customDate", "equals", "March", "INVALID_STRING", "value"),
    ("level", "customText", "equals", "", "TOO_SMALL", "value"),
    ("level", "customText", "equals", 3, "INVALID_TYPE", "value"),
    ("level", "date", "equals", "2024-01-01", "INVALID_ENUM_VALUE", "type"),
]


@pytest.mark.parametrize(("name", "type_", "operator", "value", "code", "where"), BAD_CUSTOM)
async def test_bad_custom_attribute_filters_are_refused(
    world: World, name: str, type_: str, operator: str | None, value: Any, code: str, where: str
) -> None:
    bad = {"type": type_, "path": world.definitions[name], "value": value}
    if operator is not None:
        bad["operator"] = operator
    body = {"filters": [bad]}
    response = await world.http.post("/candidates/_search", json=body)
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [(error["code"], error["path"]) for error in errors] == [(code, f"filters.0.{where}")]


async def test_every_bad_filter_is_named_in_one_answer(world: World) -> None:
    filters = [
        _any("jose"),
        _text("firstName", "greaterThanOrEqual", "x"),
        _any("jose"),
        _date("createdAt", "equals", "soon"),
        _select("mainContact", "in", [str(uuid.uuid4())]),
    ]
    response = await world.http.post("/candidates/_search", json={"filters": filters})
    assert response.status_code == 400
    assert [(error["code"], error["path"]) for error in response.json()["errors"]] == [
        ("INVALID_ENUM_VALUE", "filters.1.operator"),
        ("INVALID_STRING", "filters.3.value"),
        ("NOT_FOUND", "filters.4.value.0"),
    ]


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({"page": -1}, "TOO_SMALL", "page"),
        ({"page": 10_001}, "TOO_BIG", "page"),
        ({"page": "1"}, "INVALID_TYPE", "page"),
        ({"page": 1.5}, "INVALID_TYPE", "page"),
        ({"pageSize": 0}, "TOO_SMALL", "pageSize"),
        ({"pageSize": 101}, "TOO_BIG", "pageSize"),
        ({"filters": {"value": "x"}}, "INVALID_TYPE", "filters"),
        ({"filters": [{"value": "x"}] * 51}, "TOO_BIG", "filters"),
        ({"query": "x"}, "UNRECOGNIZED_KEYS", "query"),
    ],
)
async def test_bad_page_and_body_shapes(
    world: World, body: dict[str, Any], code: str, path: str
) -> None:
    response = await world.http.post("/candidates/_search", json=body)
    assert response.status_code == 400, response.text
    assert [(error["code"], error["path"]) for error in response.json()["errors"]] == [(code, path)]


async def test_search_needs_an_api_key(app: Any) -> None:
    async with make_client(app, None) as http:
        response = await http.post("/candidates/_search", json={})
    assert response.status_code == 401


async def test_search_body_must_be_json(world: World) -> None:
    response = await world.http.post(
        "/candidates/_search", content=b"filters", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415


# ---- workspaces -----------------------------------------------------------------------------


async def test_a_search_never_answers_another_workspaces_candidates(
    world: World, app: Any, database: Database
) -> None:
    async with await _client_of_new_workspace(app, database) as other:
        twin = await create_candidate(other, **PEOPLE["garcia"])
        body = await _search(other, _any("jose"))
        assert [item["id"] for item in body["items"]] == [twin]
        assert body["pagination"]["totalItems"] == 1
        everything = await _search(other, pageSize=100)
        assert [item["id"] for item in everything["items"]] == [twin]
        # the world's users and definitions are not the other workspace's
        response = await other.post(
            "/candidates/_search",
            json={
                "filters": [
                    _select("mainContact", "in", [world.users["ana"]]),
                    {"type": "boolean", "path": world.definitions["remote"], "value": True},
                ]
            },
        )
        assert response.status_code == 400
        assert [(error["code"], error["path"]) for error in response.json()["errors"]] == [
            ("NOT_FOUND", "filters.1.path"),
            ("NOT_FOUND", "filters.0.value.0"),
        ]
    assert world.keys(await _search(world.http, _any("jose"))) == ["garcia"]


# ---- the search table follows the candidates ------------------------------------------------


async def test_a_renamed_candidate_is_found_by_its_new_name_only(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client, firstName="Zoë", lastName="Oldname")
    response = await client.patch(
        f"/candidates/{candidate_id}",
        json={"lastName": "Newname", "emails": [{"email": "zoe@new.example"}]},
    )
    assert response.status_code == 200, response.text
    assert (await _search(client, _any("oldname")))["items"] == []
    assert [item["id"] for item in (await _search(client, _any("zoe newname")))["items"]] == [
        candidate_id
    ]
    found = await _search(client, _text("email", "equals", "zoe@new.example"))
    assert [item["id"] for item in found["items"]] == [candidate_id]


async def test_a_change_to_other_fields_keeps_the_candidate_findable(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(
        client,
        firstName="Ines",
        lastName="Keep",
        phoneNumbers=[{"phoneNumber": "+33 6 12 34 56 78"}],
    )
    response = await client.patch(f"/candidates/{candidate_id}", json={"gender": "female"})
    assert response.status_code == 200
    found = await _search(client, _text("phoneNumber", "equals", "06 12 34 56 78"))
    assert [item["id"] for item in found["items"]] == [candidate_id]


async def test_a_deleted_candidate_is_no_longer_found(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client, firstName="Gone", lastName="Soon")
    assert (await client.delete(f"/candidates/{candidate_id}")).status_code == 204
    body = await _search(client, _any("gone soon"))
    assert body == {"items": [], "pagination": {"totalItems": 0, "page": 0, "hasNextPage": False}}


@pytest.mark.skipif(backend() != "sqlite", reason="the FTS5 table exists on SQLite only")
async def test_the_sqlite_fts_index_agrees_with_its_content(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client, firstName="Fts", lastName="Check")
    await client.patch(f"/candidates/{candidate_id}", json={"lastName": "Checked"})
    await client.delete(f"/candidates/{await create_candidate(client, lastName='Dropped')}")
    async with database.transaction(write=True) as session:
        # raises when the index and candidate_search differ (FTS5 'integrity-check', rank 1
        # compares with the external content)
        await session.execute(
            text(
                "INSERT INTO candidate_search_fts(candidate_search_fts, rank) "
                "VALUES ('integrity-check', 1)"
            )
        )


# ---- each database's substring index serves the search -------------------------------------

# what the plan of a search shows when the index serves it
INDEX_IN_PLAN = {
    "postgres": "Bitmap Index Scan on ix_candidate_search_text_trgm",
    "sqlite": "SCAN candidate_search_fts VIRTUAL TABLE INDEX 0:L",
}


async def _fill(database: Database, workspace_id: str, count: int) -> None:
    """``count`` candidates with their search rows, written in bulk (as a loader would)."""
    now = datetime(2024, 1, 1, tzinfo=UTC)
    rows = [
        {
            "id": str(uuid.uuid4()),
            "workspace_id": workspace_id,
            "first_name": f"Person{n}",
            "last_name": f"Family{n * 7919 % 10007}",
            "emails": [{"email": f"person{n}@mail{n % 97}.example", "isPrimary": True}],
            "phone_numbers": [],
            "created_at": now + timedelta(minutes=n),
            "modified_at": now + timedelta(minutes=n),
        }
        for n in range(count)
    ]
    async with database.transaction(write=True) as session:
        await session.execute(insert(Candidate), rows)
        await session.execute(insert(CandidateSearch), [row_for(row) for row in rows])
    # as autovacuum would: statistics and, on PostgreSQL, the GIN index's pending list merged
    # into the index (VACUUM runs outside a transaction)
    engine = create_engine(sync_url(database.url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if backend() == "postgres":
                connection.execute(text("VACUUM ANALYZE candidate_search"))
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()


async def _plans(database: Database, request: Callable[[], Awaitable[Any]]) -> list[str]:
    """The plan of every statement ``request`` made the server run that reads
    candidate_search (the very SQL, with its parameters)."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "candidate_search" in statement and not statement.startswith("EXPLAIN"):
            statements.append((statement, parameters))

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        await request()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert statements
    explain = "EXPLAIN " if backend() == "postgres" else "EXPLAIN QUERY PLAN "
    plans = []
    async with database.transaction(write=False) as session:
        connection = await session.connection()
        for statement, parameters in statements:
            result = await connection.exec_driver_sql(explain + statement, parameters)
            plans.append("\n".join(str(row[-1]) for row in result))
    return plans


async def test_text_searches_are_served_by_the_databases_substring_index(
    app: Any, database: Database
) -> None:
    """A few thousand candidates, then the plans of the SQL the routes run: PostgreSQL reads
    the pg_trgm GIN index, SQLite the FTS5 trigram table."""
    async with await _client_of_new_workspace(app, database) as http:
        await _fill(database, await workspace_id_of(database, http.headers["x-api-key"]), 4000)
        requests: list[Callable[[], Awaitable[Any]]] = [
            lambda: _search(http, _any("family4242")),
            lambda: _search(http, _text("lastName", "equals", "Family4242")),
            lambda: _search(http, _text("email", "startsWith", "person77@")),
            lambda: _search(http, _text("firstName", "contains", "son3999")),
            lambda: http.get("/search/people", params={"query": "person77 family"}),
        ]
        for request in requests:
            plans = await _plans(database, request)
            assert all(INDEX_IN_PLAN[backend()] in plan for plan in plans), plans
        found = await _search(http, _text("lastName", "equals", "Family4242"))
        assert [item["name"]["firstName"] for item in found["items"]] == ["Person1407"]


def test_the_migration_fills_the_search_table_for_stored_candidates(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'upgrade.db'}"
    migrate.upgrade(url, "0012")
    engine = create_engine(sync_url(url))
    try:
        now = datetime(2024, 1, 1, tzinfo=UTC).replace(tzinfo=None)
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO workspaces (id, name, created_at) VALUES ('w', 'w', :now)"),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO candidates (id, workspace_id, first_name, last_name, "
                    "acquisition_source, emails, phone_numbers, social_media, locations, "
                    "languages, nationality, status, created_at, modified_at) VALUES "
                    "(:id, 'w', 'Łukasz', 'O’Brien', 'manual', :emails, :phones, '[]', '[]', "
                    "'[]', '[]', '[]', :now, :now)"
                ),
                {
                    "id": str(uuid.uuid4()),
                    "emails": '[{"email": "LO@Example.com", "isPrimary": true}]',
                    "phones": '[{"phoneNumber": "+44 20 7946 0958", "e164": "+442079460958"}]',
                    "now": now,
                },
            )
        migrate.upgrade(url)
        with engine.connect() as connection:
            stored = connection.execute(
                text(
                    "SELECT first_name, last_name, emails, phones, search_text "
                    "FROM candidate_search"
                )
            ).one()
            found = connection.execute(
                text("SELECT rowid FROM candidate_search_fts WHERE search_text LIKE '%obrien%'")
            ).all()
        assert tuple(stored) == (
            "lukasz",
            "obrien",
            "\x1flo@example.com\x1f",
            "\x1f442079460958\x1f02079460958\x1f",
            " lukasz obrien lo@example.com 442079460958 02079460958 ",
        )
        assert len(found) == 1
    finally:
        engine.dispose()


# ---- the search's transaction --------------------------------------------------------------


@pytest.fixture
def transactions(database: Database, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The ``write`` flag of every request transaction opened while the test runs."""
    opened: list[bool] = []
    original = database.transaction

    def spy(*, write: bool, lock_late: bool = False) -> Any:
        opened.append(write)
        return original(write=write, lock_late=lock_late)

    monkeypatch.setattr(database, "transaction", spy)
    return opened


async def test_a_search_runs_in_a_read_transaction(world: World, transactions: list[bool]) -> None:
    body = await _search(world.http, _text("lastName", "equals", "Smith"))

    assert world.keys(body) == ["smith"]
    # on SQLite a write transaction would wait for, and hold, the one writer's lock
    assert transactions == [False]


async def test_a_search_with_an_idempotency_key_is_replayed(world: World) -> None:
    request = {"filters": [_text("lastName", "equals", "Smith")]}
    headers = {"Idempotency-Key": f"search-{uuid.uuid4()}"}

    first = await world.http.post("/candidates/_search", json=request, headers=headers)
    replay = await world.http.post("/candidates/_search", json=request, headers=headers)

    assert first.status_code == replay.status_code == 200, first.text
    assert replay.json() == first.json()
    assert world.keys(first.json()) == ["smith"]


def test_a_read_only_route_writes_only_when_a_layer_around_it_must() -> None:
    async def plain() -> None: ...

    @read_only
    async def search() -> None: ...

    def scope(method: str, endpoint: Any, *hooks: Any) -> dict[str, Any]:
        built: dict[str, Any] = {"type": "http", "method": method, "endpoint": endpoint}
        before_commit(built).extend(hooks)
        return built

    async def claim(_session: Any) -> None: ...

    assert writes(scope("POST", plain)) is True
    assert writes(scope("PATCH", plain)) is True
    assert writes(scope("GET", plain)) is False
    assert writes(scope("POST", search)) is False
    # an Idempotency-Key's claim is written in the request's own transaction
    assert writes(scope("POST", search, claim)) is True
    assert writes(scope("GET", search, claim)) is False


@pytest.mark.skipif(backend() != "sqlite", reason="SQLite's single-writer lock")
async def test_a_search_answers_while_another_process_holds_the_sqlite_write_lock(
    world: World, database: Database
) -> None:
    writer = create_engine(sync_url(database.url)).connect()
    try:
        writer.exec_driver_sql("BEGIN IMMEDIATE")  # as a writer in another worker process
        body = await _search(world.http, _text("lastName", "equals", "Smith"))
    finally:
        writer.rollback()
        writer.close()

    assert world.keys(body) == ["smith"]


async def test_an_unknown_path_is_answered_with_every_path_there_is(world: World) -> None:
    response = await world.http.post(
        "/candidates/_search", json={"filters": [_text("candidate.nickname", "equals", "x")]}
    )

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["code"], error["path"]) == ("INVALID_ENUM_VALUE", "filters.0.path")
    assert not error["message"].endswith("…")  # not cut at the 200 characters a message keeps
    for name in ("any", "firstName", "email", "phoneNumber", "nationality", "modifiedAt"):
        assert name in error["message"]
