"""PATCH /candidates/{id}, field by field (API.md §2.1, the seed's body fields).

Every body field of the seed is covered by table-driven tests: a key left out leaves the field
unchanged, ``null`` clears a nullable field and is refused (400 ``INVALID_TYPE``) on the others,
and bad values answer 400 in Spott's error shape with the right ``code`` and ``path``. A failed
PATCH must change nothing: the stored row is compared column by column before and after, and
GET answers exactly the view it answered before.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple
from unittest.mock import ANY

import httpx
import pytest

from tests.conftest import NULLABLE_PATCH_FIELDS, create_candidate

# ---- helpers shared with test_patch_semantics ----

USER = "<user id>"
"""Placeholder in a body for the id of the test's recruiter."""
USER_VIEW = "<user view>"
"""Placeholder in an expected view value for the recruiter as the view shows it."""
OTHER_USER = "<other user id>"
"""Placeholder for a second recruiter of the same workspace."""
OTHER_USER_VIEW = "<other user view>"

ERROR_KEYS = {"code", "path", "message", "received"}


@dataclass
class Stored:
    """A candidate with every PATCH field set, and the recruiter it refers to."""

    id: str
    user: dict[str, Any]
    other: dict[str, Any]
    view: dict[str, Any]
    row: dict[str, Any]


def substitute(value: Any, *users: dict[str, Any]) -> Any:
    """``value`` with the placeholders replaced by the users' ids / views (the first user, and
    the last one for ``OTHER_USER``)."""
    if isinstance(value, str):
        return {
            USER: users[0]["userId"],
            USER_VIEW: users[0],
            OTHER_USER: users[-1]["userId"],
            OTHER_USER_VIEW: users[-1],
        }.get(value, value)
    if isinstance(value, dict):
        return {key: substitute(item, *users) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, *users) for item in value]
    return value


async def make_user(
    http: httpx.AsyncClient, name: str = "Ann Recruiter", email: str = "ann@agency.example"
) -> dict[str, Any]:
    """POST /users with an avatar, so every key of the user object carries a value."""
    response = await http.post(
        "/users",
        json={"name": name, "email": email, "avatarUrl": "https://cdn.example.com/ann.png"},
    )
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()
    assert set(user) == {"userId", "name", "email", "avatarUrl", "deactivatedAt"}
    return user


async def patch(http: httpx.AsyncClient, candidate_id: str, body: Any) -> httpx.Response:
    return await http.patch(f"/candidates/{candidate_id}", json=body)


async def patch_ok(http: httpx.AsyncClient, candidate_id: str, body: Any) -> dict[str, Any]:
    """PATCH that must succeed; returns the view and checks GET answers the same."""
    response = await patch(http, candidate_id, body)
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    assert view["id"] == candidate_id
    assert await get_view(http, candidate_id) == view, "GET must answer the PATCH's view"
    return view


async def get_view(http: httpx.AsyncClient, candidate_id: str) -> dict[str, Any]:
    response = await http.get(f"/candidates/{candidate_id}")
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


def assert_spott_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The body is Spott's error shape (API.md §1) for ``status``; returns it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["requestId"], str) and body["requestId"]
    assert body["requestId"] == response.headers["x-request-id"]
    return body


def assert_validation_error(
    response: httpx.Response, code: str, path: str, received: Any = ANY
) -> dict[str, Any]:
    """A 400 whose ``errors`` is exactly one error with ``code`` at ``path``."""
    body = assert_spott_error(response, 400)
    errors = body.get("errors")
    assert isinstance(errors, list) and errors, body
    for error in errors:
        assert set(error) == ERROR_KEYS, error
        assert isinstance(error["message"], str) and error["message"], error
        assert error["code"].isupper(), error
    assert [(error["code"], error["path"]) for error in errors] == [(code, path)], errors
    assert errors[0]["received"] == received, errors[0]
    return body


FULL_BODY: dict[str, Any] = {
    "firstName": "Jane",
    "middleName": "Maria",
    "lastName": "Roe",
    "secondLastName": "Lopez",
    "compensation": {"currency": "EUR", "totalCompensation": 90000, "baseCompensation": 75000},
    "mainContact": {"userId": USER},
    "languages": [
        {"language": "Dutch", "id": "lang-dutch", "fluency": "Native or bilingual proficiency"}
    ],
    "gender": "female",
    "nationality": ["Dutch", "Belgian"],
    "status": ["not_actively_looking"],
    "acquisitionSource": "cv_parse",
    "locations": [
        {
            "type": "work",
            "street1": "Damrak 1",
            "city": "Amsterdam",
            "country": "Netherlands",
            "latitude": 52.376,
            "longitude": 4.897,
        }
    ],
    "socialMedia": [{"url": "https://github.com/janeroe", "type": "GITHUB", "isPrimary": True}],
    "emails": [{"purpose": "work", "email": "jane@work.example", "isPrimary": True}],
    "phoneNumbers": [{"purpose": "work", "phoneNumber": "+31201234567", "isPrimary": True}],
    "visibleIfClientContact": False,
    "dateOfBirth": "1985-03-02",
    "lastInteractionAt": "2023-06-01T09:15:00.000Z",
    "lastInteractionWithId": USER,
}


async def stored_candidate(http: httpx.AsyncClient, read_row: Callable[..., Any]) -> Stored:
    """A candidate of ``http``'s workspace with every PATCH field set (FULL_BODY)."""
    user = await make_user(http)
    other = await make_user(http, "Bob Sourcer", "bob@agency.example")
    candidate_id = await create_candidate(http)
    view = await patch_ok(http, candidate_id, substitute(FULL_BODY, user))
    row = read_row(candidate_id)
    assert row is not None
    return Stored(candidate_id, user, other, view, row)


def is_null_column(value: Any) -> bool:
    """SQL NULL, or a JSON document column holding JSON ``null`` (how the JSON type stores
    Python ``None``; the wire contract does not fix the storage form)."""
    return value is None or value == "null"


async def assert_nothing_changed(
    http: httpx.AsyncClient, read_row: Callable[..., Any], stored: Stored
) -> None:
    """API.md §1: a failed request changes nothing, neither the row nor the view."""
    assert read_row(stored.id) == stored.row
    assert await get_view(http, stored.id) == stored.view


# ---- the fields ----


@dataclass(frozen=True)
class Field:
    """One PATCH body field: where the view shows it and which column stores it."""

    key: str
    column: str
    shows: Callable[[dict[str, Any]], Any]
    sample: Any
    """A valid value, different from FULL_BODY's and from a new candidate's."""
    shown: Any
    """What ``shows`` gives after ``sample`` is stored."""


FIELDS: list[Field] = [
    Field("firstName", "first_name", lambda v: v["name"]["firstName"], "Ines", "Ines"),
    Field("middleName", "middle_name", lambda v: v["name"]["middleName"], "Ana", "Ana"),
    Field("lastName", "last_name", lambda v: v["name"]["lastName"], "Garcia", "Garcia"),
    Field(
        "secondLastName",
        "second_last_name",
        lambda v: v["name"]["secondLastName"],
        "Perez",
        "Perez",
    ),
    Field(
        "compensation",
        "compensation",
        lambda v: v["compensation"]["compensation"],
        {"currency": "USD", "totalCompensation": 120000, "baseCompensation": 100000},
        {"currency": "USD", "id": ANY, "totalCompensation": 120000, "baseCompensation": 100000},
    ),
    Field(
        "mainContact",
        "main_contact_user_id",
        lambda v: v["mainContact"]["user"],
        {"userId": OTHER_USER},
        OTHER_USER_VIEW,
    ),
    Field(
        "languages",
        "languages",
        lambda v: v["languages"]["languages"],
        [{"language": "English", "id": "lang-en", "fluency": "Full professional proficiency"}],
        [{"language": "English", "id": "lang-en", "fluency": "Full professional proficiency"}],
    ),
    Field("gender", "gender", lambda v: v["gender"]["gender"], "x", "x"),
    Field(
        "nationality",
        "nationality",
        lambda v: v["nationality"]["nationality"],
        ["Cape Verdean", "Irish"],
        ["Cape Verdean", "Irish"],
    ),
    Field(
        "status",
        "status",
        lambda v: v["status"]["status"],
        ["do_not_contact", "actively_looking"],
        ["do_not_contact", "actively_looking"],
    ),
    Field(
        "acquisitionSource",
        "acquisition_source",
        lambda v: v["acquisitionSource"]["acquisitionSource"],
        "juicebox",
        "juicebox",
    ),
    Field(
        "locations",
        "locations",
        lambda v: v["locations"]["locations"],
        [{"type": "secondary_home", "city": "Lisbon", "country": "PT"}],
        [
            {
                "type": "secondary_home",
                "street1": None,
                "street2": None,
                "postalCode": None,
                "city": "Lisbon",
                "region": None,
                "state": None,
                "country": "PT",
                "rawCityCountry": "Lisbon, PT",
                "latitude": None,
                "longitude": None,
                "formattedAddress": "Lisbon, PT",
            }
        ],
    ),
    Field(
        "socialMedia",
        "social_media",
        lambda v: v["socialMedia"]["socialMedia"],
        [{"url": "https://www.linkedin.com/in/ines", "type": "LINKEDIN", "isPrimary": True}],
        [{"url": "https://www.linkedin.com/in/ines", "type": "LINKEDIN", "isPrimary": True}],
    ),
    Field(
        "emails",
        "emails",
        lambda v: v["emails"]["emails"],
        [{"purpose": "personal", "email": "ines@home.example", "isPrimary": True}],
        [{"purpose": "personal", "email": "ines@home.example", "isPrimary": True}],
    ),
    Field(
        "phoneNumbers",
        "phone_numbers",
        lambda v: v["phoneNumbers"]["phoneNumbers"],
        [{"purpose": "personal", "phoneNumber": "+351912345678", "isPrimary": True}],
        [{"purpose": "personal", "phoneNumber": "+351912345678", "isPrimary": True}],
    ),
    Field(
        "visibleIfClientContact",
        "visible_if_client_contact",
        lambda v: v["isVisibleIfClientContact"],
        True,
        True,
    ),
    Field(
        "dateOfBirth",
        "date_of_birth",
        lambda v: v["dateOfBirth"]["dateOfBirth"],
        "1990-05-15T00:00:00.000Z",
        "1990-05-15T00:00:00.000Z",
    ),
    Field(
        "lastInteractionAt",
        "last_interaction_at",
        lambda v: v["lastInteractionDate"]["lastInteractionDate"],
        "2024-01-15T14:30:00.000Z",
        "2024-01-15T14:30:00.000Z",
    ),
    Field(
        "lastInteractionWithId",
        "last_interaction_with_id",
        lambda v: v["lastInteractionWith"]["user"],
        OTHER_USER,
        OTHER_USER_VIEW,
    ),
]
FIELD_BY_KEY = {field.key: field for field in FIELDS}

NULLABLE = list(NULLABLE_PATCH_FIELDS)
NOT_NULLABLE = [
    "firstName",
    "lastName",
    "acquisitionSource",
    "languages",
    "nationality",
    "status",
    "locations",
    "socialMedia",
    "emails",
    "phoneNumbers",
]


def test_the_tables_cover_every_body_field_of_the_seed() -> None:
    seed_keys = [
        "firstName",
        "middleName",
        "lastName",
        "secondLastName",
        "compensation",
        "mainContact",
        "languages",
        "gender",
        "nationality",
        "status",
        "acquisitionSource",
        "locations",
        "socialMedia",
        "emails",
        "phoneNumbers",
        "visibleIfClientContact",
        "dateOfBirth",
        "lastInteractionAt",
        "lastInteractionWithId",
    ]
    assert [field.key for field in FIELDS] == seed_keys
    assert list(FULL_BODY) == seed_keys
    assert sorted(NULLABLE + NOT_NULLABLE) == sorted(seed_keys)


def _other_change(key: str) -> tuple[dict[str, Any], Callable[[dict[str, Any]], Any], Any]:
    """A valid change to a field other than ``key``, and how to see it in the view."""
    if key == "firstName":
        return {"lastName": "Changed"}, lambda v: v["name"]["lastName"], "Changed"
    return {"firstName": "Changed"}, lambda v: v["name"]["firstName"], "Changed"


# ---- a value sent is stored and shown ----


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.key)
async def test_value_sent_is_stored_and_shown(
    client: httpx.AsyncClient, read_row: Callable[..., Any], field: Field
) -> None:
    stored = await stored_candidate(client, read_row)

    view = await patch_ok(
        client, stored.id, {field.key: substitute(field.sample, stored.user, stored.other)}
    )

    assert field.shows(view) == substitute(field.shown, stored.user, stored.other)
    assert field.shows(view) != field.shows(stored.view)
    assert read_row(stored.id)[field.column] != stored.row[field.column]
    assert view["modifiedAt"] > stored.view["modifiedAt"]


# ---- absent leaves the field unchanged ----


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.key)
async def test_absent_key_leaves_field_unchanged(
    client: httpx.AsyncClient, read_row: Callable[..., Any], field: Field
) -> None:
    user = await make_user(client)
    candidate_id = await create_candidate(client)
    before = await patch_ok(client, candidate_id, {field.key: substitute(field.sample, user)})
    assert field.shows(before) == substitute(field.shown, user)
    row_before = read_row(candidate_id)
    other_body, other_shows, other_value = _other_change(field.key)

    after = await patch_ok(client, candidate_id, other_body)

    assert other_shows(after) == other_value, "the other field must have changed"
    assert field.shows(after) == field.shows(before)
    assert read_row(candidate_id)[field.column] == row_before[field.column]


async def test_absent_keys_leave_every_other_section_unchanged(
    client: httpx.AsyncClient, read_row: Callable[..., Any]
) -> None:
    stored = await stored_candidate(client, read_row)

    view = await patch_ok(client, stored.id, {"gender": "male"})

    expected = copy.deepcopy(stored.view)
    expected["gender"]["gender"] = "male"
    for key in ("modifiedAt", "lastActivityDate"):
        expected[key] = view[key]
    assert view == expected
    row = read_row(stored.id)
    changed = {column for column in row if row[column] != stored.row[column]}
    assert changed == {"gender", "modified_at", "version"}


# ---- null clears a nullable field ----


@pytest.mark.parametrize("key", NULLABLE)
async def test_null_clears_field(
    client: httpx.AsyncClient, read_row: Callable[..., Any], key: str
) -> None:
    field = FIELD_BY_KEY[key]
    stored = await stored_candidate(client, read_row)
    assert field.shows(stored.view) is not None
    assert not is_null_column(stored.row[field.column])

    view = await patch_ok(client, stored.id, {key: None})

    assert field.shows(view) is None
    assert is_null_column(read_row(stored.id)[field.column])
    assert view["modifiedAt"] > stored.view["modifiedAt"]


async def test_null_clears_main_contact_to_a_null_user(
    client: httpx.AsyncClient, read_row: Callable[..., Any]
) -> None:
    stored = await stored_candidate(client, read_row)
    assert stored.view["mainContact"]["user"] == stored.user

    view = await patch_ok(client, stored.id, {"mainContact": None})

    assert view["mainContact"] == {"viewType": "candidateMainContact", "user": None}


async def test_null_clears_last_interaction_with_to_a_null_user(
    client: httpx.AsyncClient, read_row: Callable[..., Any]
) -> None:
    stored = await stored_candidate(client, read_row)
    assert stored.view["lastInteractionWith"]["user"] == stored.user

    view = await patch_ok(client, stored.id, {"lastInteractionWithId": None})

    assert view["lastInteractionWith"] == {"viewType": "candidateLastInteractionWith", "user": None}


async def test_null_clears_compensation_section_value(
    client: httpx.AsyncClient, read_row: Callable[..., Any]
) -> None:
    stored = await stored_candidate(client, read_row)

    view = await patch_ok(client, stored.id, {"compensation": None})

    assert view["compensation"] == {"viewType": "candidateCompensation", "compensation": None}


async def test_null_on_every_nullable_field_at_once_clears_them_all(
    client: httpx.AsyncClient, read_row: Callable[..., Any]
) -> None:
    stored = await stored_candidate(client, read_row)

    view = await patch_ok(client, stored.id, dict.fromkeys(NULLABLE))

    for key in NULLABLE:
        assert FIELD_BY_KEY[key].shows(view) is None, key
    assert view["name"]["firstName"] == "Jane"
    assert view["emails"] == stored.view["emails"]
    assert view["lastActivityDate"] == view["modifiedAt"]


# ---- null refused on the others ----


@pytest.mark.parametrize("key", NOT_NULLABLE)
async def test_null_is_refused_as_invalid_type(
    client: httpx.AsyncClient, read_row: Callable[..., Any], key: str
) -> None:
    stored = await stored_candidate(client, read_row)

    response = await patch(client, stored.id, {key: None})

    assert_validation_error(response, "INVALID_TYPE", key)
    await assert_nothing_changed(client, read_row, stored)


# ---- bad values ----


class Bad(NamedTuple):
    id: str
    body: dict[str, Any]
    code: str
    path: str
    received: Any = ANY


def _email(**item: Any) -> dict[str, Any]:
    return {"emails": [{"email": "x@example.com", **item}]}


def _phone(**item: Any) -> dict[str, Any]:
    return {"phoneNumbers": [{"phoneNumber": "+31612345678", **item}]}


def _social(**item: Any) -> dict[str, Any]:
    return {"socialMedia": [{"url": "https://github.com/x", "type": "GITHUB", **item}]}


def _location(**item: Any) -> dict[str, Any]:
    return {"locations": [{"type": "work", "city": "Utrecht", **item}]}


def _compensation(**item: Any) -> dict[str, Any]:
    return {"compensation": {"currency": "USD", **item}}


def _language(**item: Any) -> dict[str, Any]:
    return {"languages": [{"language": "English", **item}]}


BAD_VALUES: list[Bad] = [
    # names
    Bad("firstName-empty", {"firstName": ""}, "TOO_SMALL", "firstName"),
    Bad("firstName-blank", {"firstName": "   "}, "TOO_SMALL", "firstName"),
    Bad("firstName-101-chars", {"firstName": "A" * 101}, "TOO_BIG", "firstName"),
    Bad("firstName-digits", {"firstName": "R2D2"}, "INVALID_STRING", "firstName", "R2D2"),
    Bad("firstName-number", {"firstName": 42}, "INVALID_TYPE", "firstName"),
    Bad("firstName-list", {"firstName": ["Jane"]}, "INVALID_TYPE", "firstName"),
    Bad("middleName-blank", {"middleName": " "}, "TOO_SMALL", "middleName"),
    Bad("middleName-at-sign", {"middleName": "M@ria"}, "INVALID_STRING", "middleName"),
    Bad("lastName-empty", {"lastName": ""}, "TOO_SMALL", "lastName"),
    Bad("lastName-101-chars", {"lastName": "B" * 101}, "TOO_BIG", "lastName"),
    Bad("lastName-emoji", {"lastName": "Roe\U0001f600"}, "INVALID_STRING", "lastName"),
    Bad("secondLastName-101-chars", {"secondLastName": "C" * 101}, "TOO_BIG", "secondLastName"),
    Bad("secondLastName-number", {"secondLastName": 7}, "INVALID_TYPE", "secondLastName"),
    # compensation
    Bad(
        "compensation-currency-lowercase",
        _compensation(currency="usd"),
        "INVALID_STRING",
        "compensation.currency",
        "usd",
    ),
    Bad(
        "compensation-currency-unknown",
        _compensation(currency="XYZ"),
        "INVALID_STRING",
        "compensation.currency",
        "XYZ",
    ),
    Bad(
        "compensation-total-negative",
        _compensation(totalCompensation=-1),
        "TOO_SMALL",
        "compensation.totalCompensation",
        -1,
    ),
    Bad(
        "compensation-base-negative",
        _compensation(baseCompensation=-0.5),
        "TOO_SMALL",
        "compensation.baseCompensation",
        -0.5,
    ),
    Bad(
        "compensation-base-above-total",
        _compensation(totalCompensation=80000, baseCompensation=90000),
        "TOO_BIG",
        "compensation.baseCompensation",
    ),
    Bad(
        "compensation-amount-string",
        _compensation(totalCompensation="100000"),
        "INVALID_TYPE",
        "compensation.totalCompensation",
    ),
    Bad("compensation-list", {"compensation": []}, "INVALID_TYPE", "compensation"),
    Bad(
        "compensation-unknown-key",
        _compensation(salary=1),
        "UNRECOGNIZED_KEYS",
        "compensation.salary",
    ),
    # mainContact
    Bad(
        "mainContact-unknown-user",
        {"mainContact": {"userId": "no-such-user"}},
        "NOT_FOUND",
        "mainContact.userId",
        "no-such-user",
    ),
    Bad("mainContact-missing-userId", {"mainContact": {}}, "REQUIRED", "mainContact.userId"),
    Bad("mainContact-bare-string", {"mainContact": "user-1"}, "INVALID_TYPE", "mainContact"),
    Bad(
        "mainContact-unknown-key",
        {"mainContact": {"userId": USER, "name": "Ann"}},
        "UNRECOGNIZED_KEYS",
        "mainContact.name",
    ),
    # languages
    Bad(
        "languages-fluency-fluent",
        _language(fluency="fluent"),
        "INVALID_ENUM_VALUE",
        "languages.0.fluency",
        "fluent",
    ),
    Bad("languages-missing-language", {"languages": [{}]}, "REQUIRED", "languages.0.language"),
    Bad("languages-object", {"languages": {"language": "English"}}, "INVALID_TYPE", "languages"),
    Bad("languages-unknown-key", _language(level=3), "UNRECOGNIZED_KEYS", "languages.0.level"),
    # gender
    Bad("gender-capitalised", {"gender": "Male"}, "INVALID_ENUM_VALUE", "gender", "Male"),
    Bad("gender-unknown", {"gender": "other"}, "INVALID_ENUM_VALUE", "gender", "other"),
    Bad("gender-boolean", {"gender": True}, "INVALID_TYPE", "gender"),
    # nationality
    Bad(
        "nationality-lowercase",
        {"nationality": ["dutch"]},
        "INVALID_ENUM_VALUE",
        "nationality.0",
        "dutch",
    ),
    Bad(
        "nationality-second-item-unknown",
        {"nationality": ["Dutch", "Narnian"]},
        "INVALID_ENUM_VALUE",
        "nationality.1",
        "Narnian",
    ),
    Bad("nationality-bare-string", {"nationality": "Dutch"}, "INVALID_TYPE", "nationality"),
    Bad("nationality-null-item", {"nationality": [None]}, "INVALID_TYPE", "nationality.0"),
    # status
    Bad("status-looking", {"status": ["looking"]}, "INVALID_ENUM_VALUE", "status.0", "looking"),
    Bad(
        "status-uppercase",
        {"status": ["ACTIVELY_LOOKING"]},
        "INVALID_ENUM_VALUE",
        "status.0",
        "ACTIVELY_LOOKING",
    ),
    # acquisitionSource
    Bad(
        "acquisitionSource-capitalised",
        {"acquisitionSource": "Manual"},
        "INVALID_ENUM_VALUE",
        "acquisitionSource",
        "Manual",
    ),
    Bad(
        "acquisitionSource-unknown",
        {"acquisitionSource": "linkedin"},
        "INVALID_ENUM_VALUE",
        "acquisitionSource",
        "linkedin",
    ),
    # locations
    Bad(
        "locations-latitude-123",
        _location(latitude=123, longitude=4),
        "TOO_BIG",
        "locations.0.latitude",
        123,
    ),
    Bad(
        "locations-latitude-below-minus-90",
        _location(latitude=-90.5, longitude=4),
        "TOO_SMALL",
        "locations.0.latitude",
    ),
    Bad(
        "locations-longitude-minus-181",
        _location(latitude=52, longitude=-181),
        "TOO_SMALL",
        "locations.0.longitude",
        -181,
    ),
    Bad(
        "locations-longitude-above-180",
        _location(latitude=52, longitude=180.5),
        "TOO_BIG",
        "locations.0.longitude",
    ),
    Bad(
        "locations-country-narnia",
        _location(country="Narnia"),
        "INVALID_STRING",
        "locations.0.country",
        "Narnia",
    ),
    Bad(
        "locations-type-home",
        _location(type="home"),
        "INVALID_ENUM_VALUE",
        "locations.0.type",
        "home",
    ),
    Bad(
        "locations-latitude-string",
        _location(latitude="52.1", longitude=4),
        "INVALID_TYPE",
        "locations.0.latitude",
    ),
    Bad(
        "locations-unknown-key",
        _location(town="Utrecht"),
        "UNRECOGNIZED_KEYS",
        "locations.0.town",
    ),
    # socialMedia
    Bad("socialMedia-ftp-url", _social(url="ftp://x"), "INVALID_STRING", "socialMedia.0.url"),
    Bad(
        "socialMedia-not-a-url",
        _social(url="not a url"),
        "INVALID_STRING",
        "socialMedia.0.url",
        "not a url",
    ),
    Bad(
        "socialMedia-url-without-scheme",
        _social(url="www.linkedin.com/in/jane"),
        "INVALID_STRING",
        "socialMedia.0.url",
    ),
    Bad(
        "socialMedia-type-lowercase",
        _social(type="linkedin"),
        "INVALID_ENUM_VALUE",
        "socialMedia.0.type",
        "linkedin",
    ),
    Bad(
        "socialMedia-missing-type",
        {"socialMedia": [{"url": "https://github.com/x"}]},
        "REQUIRED",
        "socialMedia.0.type",
    ),
    Bad(
        "socialMedia-two-primaries",
        {
            "socialMedia": [
                {"url": "https://github.com/x", "type": "GITHUB", "isPrimary": True},
                {"url": "https://x.com/x", "type": "TWITTER", "isPrimary": True},
            ]
        },
        "ONLY_ONE_PRIMARY_ALLOWED",
        "socialMedia.1.isPrimary",
    ),
    # emails
    Bad(
        "emails-purpose-home",
        _email(purpose="home"),
        "INVALID_ENUM_VALUE",
        "emails.0.purpose",
        "home",
    ),
    Bad(
        "emails-bad-address",
        {"emails": [{"email": "jane.example.com"}]},
        "INVALID_STRING",
        "emails.0.email",
        "jane.example.com",
    ),
    Bad(
        "emails-address-with-space",
        {"emails": [{"email": "jane roe@example.com"}]},
        "INVALID_STRING",
        "emails.0.email",
    ),
    Bad("emails-missing-email", {"emails": [{"purpose": "work"}]}, "REQUIRED", "emails.0.email"),
    Bad(
        "emails-two-primaries",
        {
            "emails": [
                {"email": "a@example.com", "isPrimary": True},
                {"email": "b@example.com", "isPrimary": True},
            ]
        },
        "ONLY_ONE_PRIMARY_ALLOWED",
        "emails.1.isPrimary",
    ),
    Bad("emails-unknown-nested-key", _email(foo=1), "UNRECOGNIZED_KEYS", "emails.0.foo", "foo"),
    Bad("emails-object", {"emails": {"email": "a@example.com"}}, "INVALID_TYPE", "emails"),
    Bad("emails-isPrimary-string", _email(isPrimary="true"), "INVALID_TYPE", "emails.0.isPrimary"),
    # phoneNumbers
    Bad(
        "phoneNumbers-12345",
        {"phoneNumbers": [{"phoneNumber": "12345"}]},
        "INVALID_STRING",
        "phoneNumbers.0.phoneNumber",
        "12345",
    ),
    Bad(
        "phoneNumbers-letters",
        {"phoneNumbers": [{"phoneNumber": "+1 800 FLOWERS"}]},
        "INVALID_STRING",
        "phoneNumbers.0.phoneNumber",
    ),
    Bad(
        "phoneNumbers-purpose-mobile",
        _phone(purpose="mobile"),
        "INVALID_ENUM_VALUE",
        "phoneNumbers.0.purpose",
        "mobile",
    ),
    Bad(
        "phoneNumbers-two-primaries",
        {
            "phoneNumbers": [
                {"phoneNumber": "+31612345678", "isPrimary": True},
                {"phoneNumber": "+31201234567", "isPrimary": True},
            ]
        },
        "ONLY_ONE_PRIMARY_ALLOWED",
        "phoneNumbers.1.isPrimary",
    ),
    Bad(
        "phoneNumbers-number-as-integer",
        {"phoneNumbers": [{"phoneNumber": 31612345678}]},
        "INVALID_TYPE",
        "phoneNumbers.0.phoneNumber",
    ),
    # visibleIfClientContact
    Bad(
        "visibleIfClientContact-string-true",
        {"visibleIfClientContact": "true"},
        "INVALID_TYPE",
        "visibleIfClientContact",
    ),
    Bad(
        "visibleIfClientContact-number-1",
        {"visibleIfClientContact": 1},
        "INVALID_TYPE",
        "visibleIfClientContact",
    ),
    # dateOfBirth
    Bad(
        "dateOfBirth-day-first",
        {"dateOfBirth": "15-05-1990"},
        "INVALID_STRING",
        "dateOfBirth",
        "15-05-1990",
    ),
    Bad("dateOfBirth-february-30", {"dateOfBirth": "1990-02-30"}, "INVALID_STRING", "dateOfBirth"),
    Bad("dateOfBirth-number", {"dateOfBirth": 19900515}, "INVALID_TYPE", "dateOfBirth"),
    # lastInteractionAt
    Bad(
        "lastInteractionAt-without-zone",
        {"lastInteractionAt": "2024-01-15T14:30:00"},
        "INVALID_STRING",
        "lastInteractionAt",
        "2024-01-15T14:30:00",
    ),
    Bad(
        "lastInteractionAt-garbage",
        {"lastInteractionAt": "yesterday"},
        "INVALID_STRING",
        "lastInteractionAt",
    ),
    Bad(
        "lastInteractionAt-hour-25",
        {"lastInteractionAt": "2024-01-15T25:00:00Z"},
        "INVALID_STRING",
        "lastInteractionAt",
    ),
    Bad(
        "lastInteractionAt-epoch-number",
        {"lastInteractionAt": 1705329000},
        "INVALID_TYPE",
        "lastInteractionAt",
    ),
    # lastInteractionWithId
    Bad(
        "lastInteractionWithId-unknown-user",
        {"lastInteractionWithId": "no-such-user"},
        "NOT_FOUND",
        "lastInteractionWithId",
        "no-such-user",
    ),
    Bad(
        "lastInteractionWithId-number",
        {"lastInteractionWithId": 12},
        "INVALID_TYPE",
        "lastInteractionWithId",
    ),
    # keys that are not fields
    Bad(
        "unknown-top-level-key",
        {"fristName": "Jane"},
        "UNRECOGNIZED_KEYS",
        "fristName",
        "fristName",
    ),
    Bad("snake_case-key", {"first_name": "Jane"}, "UNRECOGNIZED_KEYS", "first_name"),
    Bad(
        "read-only-view-key",
        {"modifiedAt": "2024-01-01T00:00:00.000Z"},
        "UNRECOGNIZED_KEYS",
        "modifiedAt",
    ),
]


def _with_valid_change(bad: dict[str, Any]) -> dict[str, Any]:
    """The bad body plus a valid change to another field: the valid part must not be written
    either (no partial writes)."""
    if "gender" in bad:
        return {"secondLastName": "Partial", **bad}
    return {"gender": "male", **bad}


@pytest.mark.parametrize("case", BAD_VALUES, ids=lambda case: case.id)
async def test_bad_value_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, read_row: Callable[..., Any], case: Bad
) -> None:
    stored = await stored_candidate(client, read_row)
    body = substitute(_with_valid_change(case.body), stored.user)

    response = await patch(client, stored.id, body)

    assert_validation_error(response, case.code, case.path, case.received)
    await assert_nothing_changed(client, read_row, stored)


async def test_several_bad_fields_are_all_named_and_nothing_changes(
    client: httpx.AsyncClient, read_row: Callable[..., Any]
) -> None:
    stored = await stored_candidate(client, read_row)

    response = await patch(
        client,
        stored.id,
        {
            "gender": "Male",
            "emails": [{"purpose": "home", "email": "a@example.com"}],
            "lastInteractionWithId": "no-such-user",
            "firstName": "Valid",
        },
    )

    body = assert_spott_error(response, 400)
    found = {(error["code"], error["path"]) for error in body["errors"]}
    assert {
        ("INVALID_ENUM_VALUE", "gender"),
        ("INVALID_ENUM_VALUE", "emails.0.purpose"),
    } <= found
    await assert_nothing_changed(client, read_row, stored)


async def test_error_example_of_api_md_has_exactly_that_shape(
    client: httpx.AsyncClient, read_row: Callable[..., Any]
) -> None:
    stored = await stored_candidate(client, read_row)

    response = await patch(
        client, stored.id, {"emails": [{"purpose": "home", "email": "jsmith@example.com"}]}
    )

    body = assert_spott_error(response, 400)
    assert body["message"] == "Validation failed"
    assert set(body) == {"status", "message", "requestId", "errors"}
    assert body["errors"] == [
        {
            "code": "INVALID_ENUM_VALUE",
            "path": "emails.0.purpose",
            "message": ANY,
            "received": "home",
        }
    ]
    await assert_nothing_changed(client, read_row, stored)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[]", id="array"),
        pytest.param(b'"firstName"', id="string"),
        pytest.param(b"null", id="null"),
        pytest.param(b'{"firstName": "Jane",}', id="trailing-comma"),
        pytest.param(b'{"firstName": "Ann", "firstName": "Bob"}', id="duplicate-key"),
        pytest.param(b'{"compensation": {"totalCompensation": NaN}}', id="NaN"),
    ],
)
async def test_body_that_is_not_a_json_object_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, read_row: Callable[..., Any], body: bytes
) -> None:
    stored = await stored_candidate(client, read_row)

    response = await client.patch(
        f"/candidates/{stored.id}", content=body, headers={"content-type": "application/json"}
    )

    assert_spott_error(response, 400)
    await assert_nothing_changed(client, read_row, stored)
