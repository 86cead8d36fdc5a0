"""GET /search/people (issue 4 §4; Spott "Search people"): quick lookup by name in any order,
email or part of one, phone number or its last digits; best match first; Spott's item shape;
strict query parameters; one workspace only. Runs on SQLite and PostgreSQL with the same
answers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from talentbase.db.engine import Database
from talentbase.workspaces import service as workspaces
from tests.conftest import create_candidate, make_client

PEOPLE: dict[str, dict[str, Any]] = {
    "ann lee": {
        "firstName": "Ann",
        "lastName": "Lee",
        "emails": [{"email": "ann.lee@example.com"}],
        "phoneNumbers": [{"phoneNumber": "+44 20 7946 0001"}],
    },
    "lee anderson": {"firstName": "Lee", "lastName": "Anderson"},
    "annalee smith": {"firstName": "Annalee", "lastName": "Smith"},
    "bob leeds": {"firstName": "Bob", "lastName": "Leeds"},
    "kathleen brown": {"firstName": "Kathleen", "lastName": "Brown"},
    "john smith": {
        "firstName": "John",
        "lastName": "Smith",
        "avatarUrl": "https://cdn.example/john.png",
        "emails": [
            {"email": "john.smith@example.com"},
            {"email": "jsmith@work.example", "isPrimary": True},
        ],
        "phoneNumbers": [
            {"phoneNumber": "+44 20 7946 0958"},
            {"phoneNumber": "+1 202 555 0147", "isPrimary": True},
        ],
        "socialMedia": [
            {"type": "GITHUB", "url": "https://github.com/jsmith"},
            {"type": "LINKEDIN", "url": "https://www.linkedin.com/in/jsmith"},
        ],
    },
    "johnny smithers": {"firstName": "Johnny", "lastName": "Smithers"},
    "jose garcia": {"firstName": "José", "middleName": "María", "lastName": "García"},
    "sean obrien": {"firstName": "Seán", "lastName": "O'Brien", "secondLastName": "Ó Briain"},
    "lukasz wojcik": {"firstName": "Łukasz", "lastName": "Wójcik"},
}


@dataclass
class People:
    http: httpx.AsyncClient
    ids: dict[str, str]

    def keys(self, body: dict[str, Any]) -> list[str]:
        names = {candidate_id: key for key, candidate_id in self.ids.items()}
        return [names[item["id"]] for item in body["items"]]


async def _client_of_new_workspace(app: Any, database: Database) -> httpx.AsyncClient:
    async with database.transaction(write=True) as session:
        issued = await workspaces.issue_key(
            session, app.state.key_hasher, f"people-{uuid.uuid4().hex}", "test"
        )
    return make_client(app, issued.secret)


@pytest.fixture(scope="module")
async def people(app: Any, database: Database) -> AsyncIterator[People]:
    http = await _client_of_new_workspace(app, database)
    ids = {key: await create_candidate(http, **fields) for key, fields in PEOPLE.items()}
    yield People(http, ids)
    await http.aclose()


async def _find(http: httpx.AsyncClient, query: str, **params: Any) -> Any:
    response = await http.get("/search/people", params={"query": query, **params})
    assert response.status_code == 200, response.text
    return response.json()


LOOKUPS = [
    ("john smith", ["john smith", "johnny smithers"]),
    ("smith john", ["john smith", "johnny smithers"]),
    ("JOHN SMITH", ["john smith", "johnny smithers"]),
    ("Smith, John", ["john smith", "johnny smithers"]),
    ("johnny", ["johnny smithers"]),
    ("jsmith@", ["john smith"]),
    ("jsmith@work.example", ["john smith"]),
    ("ann.lee@", ["ann lee"]),
    ("0958", ["john smith"]),
    ("7946 0958", ["john smith"]),
    ("+1 (202) 555-0147", ["john smith"]),
    ("0147", ["john smith"]),
    ("020 7946 0001", ["ann lee"]),
    ("jose", ["jose garcia"]),
    ("jose maria garcia", ["jose garcia"]),
    ("O’Brien", ["sean obrien"]),
    ("o'brien sean", ["sean obrien"]),
    ("briain", ["sean obrien"]),
    ("lukasz", ["lukasz wojcik"]),
    ("WÓJCIK", ["lukasz wojcik"]),
    ("nobody", []),
]


@pytest.mark.parametrize(("query", "expected"), LOOKUPS)
async def test_lookup_by_name_email_or_phone(
    people: People, query: str, expected: list[str]
) -> None:
    assert people.keys(await _find(people.http, query)) == expected


async def test_whole_words_rank_before_word_starts_before_word_ends_before_the_rest(
    people: People,
) -> None:
    # "lee": a whole word (by last name, then first name), the start of "leeds", the end of
    # "annalee", inside "kathleen"
    assert people.keys(await _find(people.http, "lee")) == [
        "lee anderson",
        "ann lee",
        "bob leeds",
        "annalee smith",
        "kathleen brown",
    ]
    assert people.keys(await _find(people.http, "ann")) == [
        "ann lee",
        "annalee smith",
    ]


async def test_limit_keeps_the_best(people: People) -> None:
    body = await _find(people.http, "lee", limit=2)
    assert people.keys(body) == ["lee anderson", "ann lee"]


async def test_item_is_spotts_person_with_primary_items_first(people: People) -> None:
    body = await _find(people.http, "jsmith@")
    assert body == {
        "items": [
            {
                "entityType": "candidate",
                "id": people.ids["john smith"],
                "firstName": "John",
                "middleName": None,
                "lastName": "Smith",
                "secondLastName": None,
                "avatarUrl": "https://cdn.example/john.png",
                "phoneNumbers": ["+1 202 555 0147", "+44 20 7946 0958"],
                "emailAddresses": ["jsmith@work.example", "john.smith@example.com"],
                "linkedInUrl": "https://www.linkedin.com/in/jsmith",
            }
        ]
    }
    body = await _find(people.http, "briain")
    assert body["items"][0] | {"id": None} == {
        "entityType": "candidate",
        "id": None,
        "firstName": "Seán",
        "middleName": None,
        "lastName": "O'Brien",
        "secondLastName": "Ó Briain",
        "avatarUrl": None,
        "phoneNumbers": [],
        "emailAddresses": [],
        "linkedInUrl": None,
    }


async def test_limit_defaults_to_25(app: Any, database: Database) -> None:
    async with await _client_of_new_workspace(app, database) as http:
        for n in range(26):
            await create_candidate(http, firstName="Clone", lastName=f"Number{chr(97 + n)}")
        body = await _find(http, "clone")
        assert [item["lastName"] for item in body["items"]] == [
            f"Number{chr(97 + n)}" for n in range(25)
        ]
        assert len((await _find(http, "clone", limit=50))["items"]) == 26


async def test_people_of_another_workspace_are_never_found(
    people: People, app: Any, database: Database
) -> None:
    async with await _client_of_new_workspace(app, database) as other:
        twin = await create_candidate(other, **PEOPLE["ann lee"])
        body = await _find(other, "lee")
        assert [item["id"] for item in body["items"]] == [twin]
    assert people.keys(await _find(people.http, "ann lee")) == ["ann lee", "annalee smith"]


async def test_a_renamed_person_is_found_by_the_new_name(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client, firstName="Old", lastName="Name")
    response = await client.patch(f"/candidates/{candidate_id}", json={"firstName": "Renée"})
    assert response.status_code == 200
    assert (await _find(client, "old name"))["items"] == []
    assert [item["id"] for item in (await _find(client, "renee name"))["items"]] == [candidate_id]


@pytest.mark.parametrize(
    ("params", "code", "path"),
    [
        ({}, "REQUIRED", "query"),
        ({"query": ""}, "TOO_SMALL", "query"),
        ({"query": " ,; ’ "}, "INVALID_STRING", "query"),
        ({"query": "x" * 201}, "TOO_BIG", "query"),
        ({"query": "lee", "limit": "0"}, "TOO_SMALL", "limit"),
        ({"query": "lee", "limit": "51"}, "TOO_BIG", "limit"),
        ({"query": "lee", "limit": "ten"}, "INVALID_TYPE", "limit"),
        ({"query": "lee", "q": "lee"}, "UNRECOGNIZED_KEYS", "q"),
    ],
)
async def test_bad_query_parameters_are_refused(
    people: People, params: dict[str, str], code: str, path: str
) -> None:
    response = await people.http.get("/search/people", params=params)
    assert response.status_code == 400, response.text
    assert [(error["code"], error["path"]) for error in response.json()["errors"]] == [(code, path)]


async def test_people_search_needs_an_api_key(app: Any) -> None:
    async with make_client(app, None) as http:
        response = await http.get("/search/people", params={"query": "lee"})
    assert response.status_code == 401
