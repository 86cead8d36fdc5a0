"""Duplicate detection (issue 4 §5): identifiers compared in normalised form (emails ignoring
case, phone numbers by E.164, social URLs in canonical form) within one workspace only;
``POST /candidates/{id}/contact-identifiers`` adds an identifier and answers who else holds it;
``POST /candidates`` reports duplicates in ``x-duplicates`` or, with ``onDuplicate: reject``,
refuses them with a 409, also under concurrent creates; the identifier table follows every
write of the candidate's lists, and the check is an index lookup."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, create_engine, event, text

from talentbase.db import migrate
from talentbase.db.engine import Database
from talentbase.db.urls import sync_url
from talentbase.duplicates.identifiers import email_key, url_key
from talentbase.duplicates.service import MAX_HOLDERS
from tests.conftest import (
    NewKey,
    backend,
    count_candidates_named,
    create_candidate,
    create_user,
    make_client,
)

Rows = Callable[[str], list[tuple[str, str, str]]]


def unique_last_name(prefix: str) -> str:
    """A last name no other test uses (names hold letters only)."""
    return prefix + uuid.uuid4().hex.translate(str.maketrans("0123456789", "ghijklmnop"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = create_engine(sync_url(database_url))
    yield made
    made.dispose()


@pytest.fixture
def identifier_rows(engine: Engine) -> Rows:
    """The stored ``(kind, value, id)`` identifier rows of a candidate, sorted."""

    def read(candidate_id: str) -> list[tuple[str, str, str]]:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT kind, value, id FROM candidate_identifiers "
                    "WHERE candidate_id = :id ORDER BY kind, value"
                ),
                {"id": candidate_id},
            ).all()
        return [(row.kind, row.value, row.id) for row in rows]

    return read


def row_id(rows: Rows, candidate_id: str, kind: str) -> str:
    [found] = [row[2] for row in rows(candidate_id) if row[0] == kind]
    return found


@pytest.fixture
async def other(app: Any, new_api_key: NewKey) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a second workspace."""
    async with make_client(app, await new_api_key()) as http:
        yield http


async def add(http: httpx.AsyncClient, candidate_id: str, **body: Any) -> httpx.Response:
    return await http.post(f"/candidates/{candidate_id}/contact-identifiers", json=body)


async def view(http: httpx.AsyncClient, candidate_id: str) -> dict[str, Any]:
    response = await http.get(f"/candidates/{candidate_id}")
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def taken_by(name: str, candidate_id: str) -> dict[str, str]:
    return {"name": name, "id": candidate_id, "type": "candidate"}


# ---- normalised forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://www.linkedin.com/in/jdoe/?locale=de_DE", "linkedin.com/in/jdoe"),
        ("https://linkedin.com/in/jdoe/de", "http://www.linkedin.com/in/jdoe"),
        ("https://de.linkedin.com/in/JDoe/pt-br/", "https://linkedin.com/in/jdoe"),
        ("https://www.linkedin.com/in/j%C3%B6rg", "https://linkedin.com/in/jörg"),
        ("https://twitter.com/JDoe", "https://x.com/jdoe?s=20"),
        ("https://m.facebook.com/jane.doe#about", "https://www.facebook.com/jane.doe/"),
        ("https://www.instagram.com/jdoe/", "instagram.com/jdoe"),
        (
            "https://www.facebook.com/profile.php?id=100001&sk=about",
            "https://facebook.com/profile.php?id=100001",
        ),
    ],
)
def test_social_urls_that_name_one_profile_have_one_canonical_form(one: str, other: str) -> None:
    assert url_key(one) == url_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://linkedin.com/in/jdoe", "https://linkedin.com/in/jdoe2"),
        ("https://linkedin.com/in/jdoe/details", "https://linkedin.com/in/jdoe"),
        ("https://facebook.com/profile.php?id=1", "https://facebook.com/profile.php?id=2"),
        ("https://instagram.com/jdoe", "https://facebook.com/jdoe"),
    ],
)
def test_different_profiles_keep_different_canonical_forms(one: str, other: str) -> None:
    assert url_key(one) != url_key(other)


def test_the_canonical_linkedin_form_is_host_and_path() -> None:
    assert url_key("https://www.linkedin.com/in/jdoe/?locale=de_DE") == "linkedin.com/in/jdoe"
    assert email_key("Jane.Doe@Example.COM") == "jane.doe@example.com"


def test_a_very_long_form_is_stored_as_its_digest() -> None:
    key = url_key("https://linkedin.com/in/" + "é" * 400)
    assert key.startswith("sha256:") and len(key) == 71


# ---- POST /candidates/{id}/contact-identifiers -----------------------------------------------


async def test_an_email_differing_in_case_is_a_duplicate_of_the_other_candidate(
    client: httpx.AsyncClient, identifier_rows: Rows
) -> None:
    jane = await create_candidate(
        client, firstName="Jane", lastName="Doe", emails=[{"email": "Jane.Doe@Example.COM"}]
    )
    other = await create_candidate(client, firstName="Janet", lastName="Roe")

    response = await add(
        client, other, contactType="email", purpose="work", identifier="jane.doe@example.com"
    )

    assert response.status_code == 201, response.text
    assert response.json() == {
        "duplicates": [
            {
                "contactType": "email",
                "identifier": "Jane.Doe@Example.COM",
                "contactIdentifierId": row_id(identifier_rows, jane, "email"),
                "takenBy": taken_by("Jane Doe", jane),
            }
        ]
    }
    assert (await view(client, other))["emails"]["emails"] == [
        {"purpose": "work", "email": "jane.doe@example.com", "isPrimary": True}
    ]


async def test_a_phone_number_written_differently_is_a_duplicate(
    client: httpx.AsyncClient, identifier_rows: Rows
) -> None:
    holder = await create_candidate(
        client,
        firstName="Ann",
        middleName="Marie",
        lastName="Lee",
        phoneNumbers=[{"phoneNumber": "+44 20 7946 0958"}],
    )
    other = await create_candidate(client)

    response = await add(client, other, contactType="phone", identifier="+442079460958")

    assert response.status_code == 201, response.text
    assert response.json()["duplicates"] == [
        {
            "contactType": "phone",
            "identifier": "+44 20 7946 0958",
            "contactIdentifierId": row_id(identifier_rows, holder, "phone"),
            "takenBy": taken_by("Ann Marie Lee", holder),
        }
    ]
    assert (await view(client, other))["phoneNumbers"]["phoneNumbers"] == [
        {"purpose": None, "phoneNumber": "+442079460958", "isPrimary": True}
    ]


async def test_a_linkedin_url_with_locale_and_query_is_a_duplicate_of_its_bare_form(
    client: httpx.AsyncClient, identifier_rows: Rows
) -> None:
    holder = await create_candidate(
        client,
        lastName="Doe",
        socialMedia=[
            {"url": "https://github.com/jdoe", "type": "GITHUB"},
            {"url": "https://www.linkedin.com/in/jdoe/?locale=de_DE", "type": "LINKEDIN"},
        ],
    )
    other = await create_candidate(client)

    response = await add(
        client, other, contactType="linkedin", purpose="personal", identifier="linkedin.com/in/jdoe"
    )

    assert response.status_code == 201, response.text
    assert response.json()["duplicates"] == [
        {
            "contactType": "linkedin",
            "identifier": "https://www.linkedin.com/in/jdoe/?locale=de_DE",
            "contactIdentifierId": row_id(identifier_rows, holder, "linkedin"),
            "takenBy": taken_by("Jane Doe", holder),
        }
    ]
    # a URL without a scheme is stored with https://; social media items have no purpose
    assert (await view(client, other))["socialMedia"]["socialMedia"] == [
        {"url": "https://linkedin.com/in/jdoe", "type": "LINKEDIN", "isPrimary": True}
    ]
    # a GitHub URL is no identifier
    assert [row[0] for row in identifier_rows(holder)] == ["linkedin"]


async def test_an_x_handle_on_twitter_com_is_a_duplicate_of_x_com(
    client: httpx.AsyncClient,
) -> None:
    holder = await create_candidate(
        client, socialMedia=[{"url": "https://twitter.com/JaneRoe", "type": "TWITTER"}]
    )
    other = await create_candidate(client)

    response = await add(client, other, contactType="x", identifier="https://x.com/janeroe")

    assert response.status_code == 201, response.text
    [duplicate] = response.json()["duplicates"]
    assert (duplicate["contactType"], duplicate["takenBy"]["id"]) == ("x", holder)
    assert (await view(client, other))["socialMedia"]["socialMedia"] == [
        {"url": "https://x.com/janeroe", "type": "TWITTER", "isPrimary": True}
    ]


async def test_the_same_email_in_another_workspace_is_no_duplicate(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    await create_candidate(other, emails=[{"email": "jane.doe@example.com"}])
    mine = await create_candidate(client)

    response = await add(client, mine, contactType="email", identifier="Jane.Doe@Example.COM")

    assert response.status_code == 201, response.text
    assert response.json() == {"duplicates": []}


async def test_every_other_holder_is_listed_in_id_order(
    client: httpx.AsyncClient,
) -> None:
    holders = [
        await create_candidate(client, emails=[{"email": f"{case}@shared.example"}])
        for case in ("TEAM", "Team", "team")
    ]
    mine = await create_candidate(client)

    response = await add(client, mine, contactType="email", identifier="team@shared.example")

    assert response.status_code == 201, response.text
    listed = [(item["takenBy"]["id"], item["identifier"]) for item in response.json()["duplicates"]]
    expected = sorted(zip(holders, ["TEAM", "Team", "team"], strict=True))
    assert listed == [(holder, f"{case}@shared.example") for holder, case in expected]


async def test_adding_moves_modified_at_and_version_and_is_recorded_like_a_patch(
    client: httpx.AsyncClient,
) -> None:
    candidate = await create_candidate(client, emails=[{"email": "first@example.com"}])
    before = await client.get(f"/candidates/{candidate}")

    response = await add(
        client, candidate, contactType="email", identifier="second@example.com", isPrimary=True
    )

    assert response.status_code == 201, response.text
    after = await client.get(f"/candidates/{candidate}")
    assert response.headers["ETag"] == after.headers["ETag"] != before.headers["ETag"]
    assert after.json()["modifiedAt"] > before.json()["modifiedAt"]
    assert after.json()["emails"]["emails"] == [
        {"purpose": None, "email": "first@example.com", "isPrimary": False},
        {"purpose": None, "email": "second@example.com", "isPrimary": True},
    ]
    [latest, *_] = (await client.get(f"/candidates/{candidate}/history")).json()["items"]
    assert latest["action"] == "updated"
    assert latest["route"] == "POST /candidates/{id}/contact-identifiers"
    assert latest["changes"]["emails"]["after"] == after.json()["emails"]["emails"]


async def test_an_identifier_the_candidate_holds_is_not_added_twice_and_answers_200(
    client: httpx.AsyncClient,
) -> None:
    holder = await create_candidate(client, lastName="Doe", emails=[{"email": "J@Example.com"}])
    candidate = await create_candidate(
        client, emails=[{"email": "a@example.com"}, {"email": "j@example.com", "purpose": "work"}]
    )
    before = await client.get(f"/candidates/{candidate}")

    same = await add(client, candidate, contactType="email", identifier="J@EXAMPLE.COM")

    assert same.status_code == 200, same.text
    assert [item["takenBy"]["id"] for item in same.json()["duplicates"]] == [holder]
    assert same.headers["ETag"] == before.headers["ETag"]  # nothing changed
    assert (await view(client, candidate)) == before.json()

    promoted = await add(
        client,
        candidate,
        contactType="email",
        purpose="personal",
        identifier="j@example.com",
        isPrimary=True,
    )

    assert promoted.status_code == 200, promoted.text
    assert promoted.headers["ETag"] != before.headers["ETag"]
    assert (await view(client, candidate))["emails"]["emails"] == [
        {"purpose": None, "email": "a@example.com", "isPrimary": False},
        {"purpose": "personal", "email": "j@example.com", "isPrimary": True},
    ]


async def test_a_url_held_under_another_type_takes_the_contact_type_sent(
    client: httpx.AsyncClient,
) -> None:
    candidate = await create_candidate(
        client, socialMedia=[{"url": "https://www.instagram.com/jane/", "type": "OTHER"}]
    )

    response = await add(
        client, candidate, contactType="instagram", identifier="instagram.com/jane"
    )

    assert response.status_code == 200, response.text
    assert (await view(client, candidate))["socialMedia"]["socialMedia"] == [
        {"url": "https://www.instagram.com/jane/", "type": "INSTAGRAM", "isPrimary": True}
    ]


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({"contactType": "email", "identifier": "not an email"}, "INVALID_STRING", "identifier"),
        ({"contactType": "phone", "identifier": "call me maybe"}, "INVALID_STRING", "identifier"),
        ({"contactType": "phone", "identifier": "+1" * 40}, "TOO_BIG", "identifier"),
        (
            {"contactType": "linkedin", "identifier": "ftp://linkedin.com/in/x"},
            "INVALID_STRING",
            "identifier",
        ),
        (
            {"contactType": "facebook", "identifier": "https://exa mple.com"},
            "INVALID_STRING",
            "identifier",
        ),
        ({"contactType": "email", "identifier": ""}, "TOO_SMALL", "identifier"),
        ({"contactType": "email"}, "REQUIRED", "identifier"),
        ({"identifier": "a@example.com"}, "REQUIRED", "contactType"),
        (
            {"contactType": "twitter", "identifier": "https://x.com/a"},
            "INVALID_ENUM_VALUE",
            "contactType",
        ),
        (
            {"contactType": "email", "identifier": "a@example.com", "purpose": "home"},
            "INVALID_ENUM_VALUE",
            "purpose",
        ),
        (
            {"contactType": "email", "identifier": "a@example.com", "isPrimary": "yes"},
            "INVALID_TYPE",
            "isPrimary",
        ),
        (
            {"contactType": "email", "identifier": "a@example.com", "label": "x"},
            "UNRECOGNIZED_KEYS",
            "label",
        ),
        ({"contactType": "email", "identifier": 42}, "INVALID_TYPE", "identifier"),
    ],
)
async def test_a_bad_body_is_a_400_naming_the_field_and_changes_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], code: str, path: str
) -> None:
    candidate = await create_candidate(client, emails=[{"email": "kept@example.com"}])
    before = await client.get(f"/candidates/{candidate}")

    response = await client.post(f"/candidates/{candidate}/contact-identifiers", json=body)

    assert response.status_code == 400, response.text
    assert [(error["code"], error["path"]) for error in response.json()["errors"]] == [(code, path)]
    after = await client.get(f"/candidates/{candidate}")
    assert (after.json(), after.headers["ETag"]) == (before.json(), before.headers["ETag"])


async def test_a_full_list_is_a_400_at_identifier(client: httpx.AsyncClient) -> None:
    emails = [{"email": f"e{index}@example.com"} for index in range(50)]
    candidate = await create_candidate(client, emails=emails)

    response = await add(client, candidate, contactType="email", identifier="e50@example.com")

    assert response.status_code == 400, response.text
    assert response.json()["errors"] == [
        {
            "code": "TOO_BIG",
            "path": "identifier",
            "message": "The candidate already has 50 items in emails",
            "received": "e50@example.com",
        }
    ]
    # one already held is still fine
    assert (
        await add(client, candidate, contactType="email", identifier="E49@example.com")
    ).status_code == 200


async def test_an_unknown_acting_user_is_a_400_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    candidate = await create_candidate(client)
    before = await client.get(f"/candidates/{candidate}")

    response = await client.post(
        f"/candidates/{candidate}/contact-identifiers",
        json={"contactType": "email", "identifier": "a@example.com"},
        headers={"x-on-behalf-of": str(uuid.uuid4())},
    )

    assert response.status_code == 400, response.text
    assert [(error["code"], error["path"]) for error in response.json()["errors"]] == [
        ("NOT_FOUND", "x-on-behalf-of")
    ]
    assert (await client.get(f"/candidates/{candidate}")).json() == before.json()


async def test_the_acting_user_is_recorded_in_the_history(client: httpx.AsyncClient) -> None:
    user = await create_user(client, "Rita Recruiter", "rita@agency.example")
    candidate = await create_candidate(client)

    response = await client.post(
        f"/candidates/{candidate}/contact-identifiers",
        json={"contactType": "phone", "identifier": "+14155550123"},
        headers={"x-on-behalf-of": user["userId"]},
    )

    assert response.status_code == 201, response.text
    [latest, *_] = (await client.get(f"/candidates/{candidate}/history")).json()["items"]
    assert latest["actingUser"]["userId"] == user["userId"]


@pytest.mark.parametrize("candidate_id", ["not-an-id", "3f0c0f8e-6f7e-4d1e-9a53-1d2f1e0c9b11"])
async def test_an_unknown_candidate_is_a_404(client: httpx.AsyncClient, candidate_id: str) -> None:
    response = await add(client, candidate_id, contactType="email", identifier="a@example.com")

    assert response.status_code == 404, response.text


async def test_a_candidate_of_another_workspace_is_a_404_and_unchanged(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    theirs = await create_candidate(other, emails=[{"email": "theirs@example.com"}])
    before = await other.get(f"/candidates/{theirs}")

    response = await add(client, theirs, contactType="email", identifier="theirs@example.com")

    assert response.status_code == 404, response.text
    assert "theirs@example.com" not in response.text
    after = await other.get(f"/candidates/{theirs}")
    assert (after.json(), after.headers["ETag"]) == (before.json(), before.headers["ETag"])


# ---- the identifier table follows every write ---------------------------------------------------


async def test_the_table_follows_patch_delete_merge_and_anonymize(
    client: httpx.AsyncClient, identifier_rows: Rows
) -> None:
    a = await create_candidate(
        client,
        emails=[{"email": "A@Example.com"}],
        phoneNumbers=[{"phoneNumber": "+1 415 555 0123"}],
        socialMedia=[{"url": "https://www.linkedin.com/in/ann/", "type": "LINKEDIN"}],
    )
    assert [row[:2] for row in identifier_rows(a)] == [
        ("email", "a@example.com"),
        ("linkedin", "linkedin.com/in/ann"),
        ("phone", "+14155550123"),
    ]
    kept = row_id(identifier_rows, a, "email")

    # PATCH: the email stays (its row and id too), the phone goes, a new one comes
    patched = await client.patch(
        f"/candidates/{a}",
        json={
            "emails": [{"email": "a@example.com"}],
            "phoneNumbers": [{"phoneNumber": "+442079460958"}],
        },
    )
    assert patched.status_code == 200, patched.text
    assert identifier_rows(a) == [
        ("email", "a@example.com", kept),
        ("linkedin", "linkedin.com/in/ann", row_id(identifier_rows, a, "linkedin")),
        ("phone", "+442079460958", row_id(identifier_rows, a, "phone")),
    ]
    # a PATCH of other fields leaves the rows alone
    await client.patch(f"/candidates/{a}", json={"middleName": "Beth"})
    assert row_id(identifier_rows, a, "email") == kept

    # merge: the duplicate's identifiers move to the survivor, its own rows go with it
    b = await create_candidate(client, emails=[{"email": "b@example.com"}])
    merged = await client.post(f"/candidates/{a}/merge", json={"duplicateId": b})
    assert merged.status_code == 200, merged.text
    assert identifier_rows(b) == []
    assert ("email", "b@example.com") in [row[:2] for row in identifier_rows(a)]

    # anonymize: nothing identifies the candidate any more
    anonymized = await client.post(f"/candidates/{a}/anonymize")
    assert anonymized.status_code == 200, anonymized.text
    assert identifier_rows(a) == []

    # delete: the rows go with the candidate
    c = await create_candidate(client, emails=[{"email": "c@example.com"}])
    assert (await client.delete(f"/candidates/{c}")).status_code == 204
    assert identifier_rows(c) == []
    fresh = await create_candidate(client)
    answer = await add(client, fresh, contactType="email", identifier="c@example.com")
    assert answer.json() == {"duplicates": []}


# ---- POST /candidates ---------------------------------------------------------------------------


async def test_a_create_lists_its_duplicates_in_the_x_duplicates_header(
    client: httpx.AsyncClient,
) -> None:
    jane = await create_candidate(
        client,
        emails=[{"email": "Jane.Doe@Example.COM"}],
        phoneNumbers=[{"phoneNumber": "+44 20 7946 0958"}],
    )
    linked = await create_candidate(
        client, socialMedia=[{"url": "https://linkedin.com/in/jdoe", "type": "LINKEDIN"}]
    )

    response = await client.post(
        "/candidates",
        json={
            "firstName": "Jane",
            "lastName": "Doe",
            "emails": [{"email": "other@example.com"}, {"email": "jane.doe@example.com"}],
            "phoneNumbers": [{"phoneNumber": "+442079460958"}],
            "socialMedia": [
                {"url": "https://www.linkedin.com/in/jdoe/?locale=de_DE", "type": "LINKEDIN"}
            ],
        },
    )

    assert response.status_code == 201, response.text
    assert json.loads(response.headers["x-duplicates"]) == [
        {"contactType": "email", "identifier": "jane.doe@example.com", "candidateId": jane},
        {"contactType": "phone", "identifier": "+442079460958", "candidateId": jane},
        {
            "contactType": "linkedin",
            "identifier": "https://www.linkedin.com/in/jdoe/?locale=de_DE",
            "candidateId": linked,
        },
    ]
    assert (await client.get(f"/candidates/{response.json()}")).status_code == 200


async def test_a_create_without_duplicates_sends_an_empty_list(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    await create_candidate(other, emails=[{"email": "jane.doe@example.com"}])

    response = await client.post(
        "/candidates",
        json={
            "firstName": "Zoë",
            "lastName": "Doe",
            "emails": [{"email": "jane.doe@example.com"}],
            "onDuplicate": "reject",
        },
    )

    assert response.status_code == 201, response.text
    assert response.headers["x-duplicates"] == "[]"


async def test_reject_answers_409_naming_the_holder_and_creates_nothing(
    client: httpx.AsyncClient, database_url: str
) -> None:
    jane = await create_candidate(client, emails=[{"email": "Jane.Doe@Example.COM"}])
    ann = await create_candidate(client, phoneNumbers=[{"phoneNumber": "+44 20 7946 0958"}])
    last_name = unique_last_name("Rejected")

    response = await client.post(
        "/candidates",
        json={
            "firstName": "Jane",
            "lastName": last_name,
            "emails": [{"email": "new@example.com"}, {"email": "jane.doe@example.com"}],
            "phoneNumbers": [{"phoneNumber": "+442079460958"}],
            "onDuplicate": "reject",
        },
    )

    assert response.status_code == 409, response.text
    assert response.json() == {
        "status": 409,
        "message": f"Duplicate candidate: jane.doe@example.com belongs to candidate {jane}; "
        "nothing was created",
        "requestId": response.headers["x-request-id"],
        "errors": [
            {
                "code": "DUPLICATE",
                "path": "emails.1.email",
                "message": f"Candidate {jane} already has this email address",
                "received": "jane.doe@example.com",
            },
            {
                "code": "DUPLICATE",
                "path": "phoneNumbers.0.phoneNumber",
                "message": f"Candidate {ann} already has this phone number",
                "received": "+442079460958",
            },
        ],
        "duplicates": [
            {"contactType": "email", "identifier": "jane.doe@example.com", "candidateId": jane},
            {"contactType": "phone", "identifier": "+442079460958", "candidateId": ann},
        ],
    }
    assert count_candidates_named(database_url, last_name) == 0
    assert len((await client.get("/candidates")).json()["items"]) == 2


async def test_reject_refuses_a_linkedin_url_in_another_form(client: httpx.AsyncClient) -> None:
    holder = await create_candidate(
        client,
        socialMedia=[{"url": "https://www.linkedin.com/in/jdoe/?locale=de_DE", "type": "LINKEDIN"}],
    )

    response = await client.post(
        "/candidates",
        json={
            "firstName": "J",
            "lastName": "Doe",
            "socialMedia": [{"url": "https://linkedin.com/in/jdoe", "type": "LINKEDIN"}],
            "onDuplicate": "reject",
        },
    )

    assert response.status_code == 409, response.text
    assert [(e["path"], e["received"]) for e in response.json()["errors"]] == [
        ("socialMedia.0.url", "https://linkedin.com/in/jdoe")
    ]
    assert response.json()["duplicates"][0]["candidateId"] == holder


@pytest.mark.parametrize(
    ("value", "code"),
    [("refuse", "INVALID_ENUM_VALUE"), (None, "INVALID_TYPE"), (1, "INVALID_TYPE")],
)
async def test_a_bad_on_duplicate_is_a_400(
    client: httpx.AsyncClient, value: Any, code: str
) -> None:
    response = await client.post(
        "/candidates", json={"firstName": "A", "lastName": "B", "onDuplicate": value}
    )

    assert response.status_code == 400, response.text
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [(code, "onDuplicate")]


async def test_twenty_parallel_rejecting_creates_with_one_email_make_one_candidate(
    client: httpx.AsyncClient, database_url: str
) -> None:
    last_name = unique_last_name("Racer")
    body = {
        "firstName": "Jane",
        "lastName": last_name,
        "emails": [{"email": "race@example.com"}],
        "onDuplicate": "reject",
    }

    answers = await asyncio.gather(*(client.post("/candidates", json=body) for _ in range(20)))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * 19, [answer.text for answer in answers]
    [created] = [answer.json() for answer in answers if answer.status_code == 201]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["duplicates"] == [
                {"contactType": "email", "identifier": "race@example.com", "candidateId": created}
            ]
    assert count_candidates_named(database_url, last_name) == 1


async def test_parallel_rejecting_creates_sharing_emails_in_any_order_never_deadlock(
    client: httpx.AsyncClient, database_url: str
) -> None:
    last_name = unique_last_name("Crossed")
    emails = [f"x{index}@example.com" for index in range(4)]
    bodies = [
        {
            "firstName": "Jane",
            "lastName": last_name,
            "emails": [{"email": email} for email in (emails if n % 2 else emails[::-1])],
            "onDuplicate": "reject",
        }
        for n in range(10)
    ]

    answers = await asyncio.gather(*(client.post("/candidates", json=body) for body in bodies))

    assert sorted(answer.status_code for answer in answers) == [201] + [409] * 9
    assert count_candidates_named(database_url, last_name) == 1


async def test_many_holders_of_one_identifier_are_capped(client: httpx.AsyncClient) -> None:
    for _ in range(MAX_HOLDERS + 2):
        await create_candidate(client, emails=[{"email": "noreply@example.com"}])

    response = await client.post(
        "/candidates",
        json={"firstName": "A", "lastName": "B", "emails": [{"email": "noreply@example.com"}]},
    )

    assert response.status_code == 201, response.text
    assert len(json.loads(response.headers["x-duplicates"])) == MAX_HOLDERS


# ---- the check is an index lookup ---------------------------------------------------------------


async def test_the_duplicate_check_reads_the_identifier_index(
    client: httpx.AsyncClient, database: Database, engine: Engine
) -> None:
    await create_candidate(client, emails=[{"email": "plan@example.com"}])
    captured: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if "FROM candidate_identifiers" in statement and "LIMIT" in statement:
            captured.append((statement, parameters))

    sync_engine = database.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        response = await client.post(
            "/candidates",
            json={
                "firstName": "A",
                "lastName": "B",
                "emails": [{"email": "plan@example.com"}, {"email": "other@example.com"}],
            },
        )
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)
    assert response.status_code == 201, response.text
    [(statement, parameters)] = captured
    with engine.connect() as connection:
        if backend() == "postgres":
            # a tiny table is cheaper to scan; the question is whether the index serves it
            connection.exec_driver_sql("SET enable_seqscan = off")
            plan = "\n".join(
                str(row[0])
                for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)
            )
            assert plan.count("Scan using ix_candidate_identifiers_lookup") == 2, plan
            assert "Seq Scan" not in plan, plan
            assert "Sort" not in plan, plan
        else:
            plan = "\n".join(
                str(row[3])
                for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            )
            searches = [line for line in plan.splitlines() if "candidate_identifiers" in line]
            assert (
                searches
                == [
                    "SEARCH candidate_identifiers USING INDEX ix_candidate_identifiers_lookup "
                    "(workspace_id=? AND kind=? AND value=?)"
                ]
                * 2
            ), plan
            assert "TEMP B-TREE" not in plan, plan
        connection.rollback()


# ---- the migration fills the table --------------------------------------------------------------


def test_the_migration_fills_the_table_for_stored_candidates(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'identifiers.db'}"
    migrate.upgrade(url, "0015")
    engine = create_engine(sync_url(url))
    workspace, candidate = str(uuid.uuid4()), str(uuid.uuid4())
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO workspaces (id, name, created_at) VALUES (:id, 'w', :at)"),
                {"id": workspace, "at": "2024-01-01 00:00:00.000000"},
            )
            candidates = sa.table(
                "candidates",
                *(sa.column(name) for name in ("id", "workspace_id", "first_name", "last_name")),
                *(sa.column(name, sa.JSON()) for name in (
                    "emails", "phone_numbers", "social_media", "locations", "languages",
                    "nationality", "status",
                )),
                sa.column("acquisition_source"),
                sa.column("created_at"),
                sa.column("modified_at"),
            )  # fmt: skip
            connection.execute(
                candidates.insert().values(
                    id=candidate,
                    workspace_id=workspace,
                    first_name="Old",
                    last_name="Timer",
                    emails=[{"purpose": None, "email": "Old@Example.com", "isPrimary": True}],
                    phone_numbers=[
                        {
                            "purpose": None,
                            "phoneNumber": "+44 20 7946 0958",
                            "isPrimary": True,
                            "e164": "+442079460958",
                        }
                    ],
                    social_media=[
                        {
                            "url": "https://www.linkedin.com/in/old/",
                            "type": "LINKEDIN",
                            "isPrimary": True,
                        }
                    ],
                    locations=[],
                    languages=[],
                    nationality=[],
                    status=[],
                    acquisition_source="manual",
                    created_at="2024-01-01 00:00:00.000000",
                    modified_at="2024-01-01 00:00:00.000000",
                )
            )
        migrate.upgrade(url)
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT workspace_id, candidate_id, kind, value FROM candidate_identifiers "
                    "ORDER BY kind"
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [
        (workspace, candidate, "email", "old@example.com"),
        (workspace, candidate, "linkedin", "linkedin.com/in/old"),
        (workspace, candidate, "phone", "+442079460958"),
    ]
