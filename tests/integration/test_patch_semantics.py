"""PATCH /candidates/{id}: update semantics across fields (API.md §1 and §2.1).

No-ops keep ``modifiedAt``, real changes move it forward, lists are replaced whole with one
primary per non-empty list, duplicates are dropped or refused, language and compensation ids
follow the id rules, user references show the full user and never cross workspaces, and
date-times are converted to UTC at millisecond precision.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import NULLABLE_PATCH_FIELDS, NewKey, create_candidate, make_client
from tests.integration.test_patch_fields import (
    FULL_BODY,
    assert_nothing_changed,
    assert_spott_error,
    assert_validation_error,
    get_view,
    make_user,
    patch,
    patch_ok,
    stored_candidate,
    substitute,
)

ReadRow = Callable[[str], dict[str, Any] | None]


def _stored_datetime(value: Any) -> datetime:
    """A UTC timestamp column as read back raw (SQLite: naive UTC text; PostgreSQL: aware)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert isinstance(value, datetime)
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _iso(value: datetime) -> str:
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


# ---- no-ops and modifiedAt ----


async def test_empty_body_is_a_no_op_keeping_modified_at_and_the_view(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)

    view = await patch_ok(client, stored.id, {})

    assert view == stored.view
    assert read_row(stored.id) == stored.row


async def test_empty_body_on_a_new_candidate_returns_its_view(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    candidate_id = await create_candidate(client)
    before = await get_view(client, candidate_id)
    row = read_row(candidate_id)

    view = await patch_ok(client, candidate_id, {})

    assert view == before
    assert view["modifiedAt"] == view["createdAt"]
    assert read_row(candidate_id) == row


async def test_real_change_moves_modified_at_strictly_forward(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)

    first = await patch_ok(client, stored.id, {"firstName": "Ines"})
    second = await patch_ok(client, stored.id, {"firstName": "Jane"})

    assert first["modifiedAt"] > stored.view["modifiedAt"]
    assert second["modifiedAt"] > first["modifiedAt"]
    assert second["createdAt"] == stored.view["createdAt"]
    row_modified = _stored_datetime(read_row(stored.id)["modified_at"])
    assert _iso(row_modified) == second["modifiedAt"]


async def test_resending_the_whole_stored_body_is_a_no_op(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)

    view = await patch_ok(client, stored.id, substitute(FULL_BODY, stored.user))

    assert view == stored.view
    assert read_row(stored.id) == stored.row


@pytest.mark.parametrize("key", list(FULL_BODY))
async def test_resending_a_stored_value_is_a_no_op(
    client: httpx.AsyncClient, read_row: ReadRow, key: str
) -> None:
    stored = await stored_candidate(client, read_row)

    view = await patch_ok(client, stored.id, {key: substitute(FULL_BODY[key], stored.user)})

    assert view["modifiedAt"] == stored.view["modifiedAt"]
    assert view == stored.view
    assert read_row(stored.id) == stored.row


@pytest.mark.parametrize(
    ("key", "same_value"),
    [
        pytest.param("dateOfBirth", "1985-03-02T00:00:00.000Z", id="dateOfBirth-as-date-time"),
        pytest.param(
            "lastInteractionAt", "2023-06-01T11:15:00+02:00", id="lastInteractionAt-with-offset"
        ),
        pytest.param(
            "lastInteractionAt", "2023-06-01T09:15:00.000999Z", id="lastInteractionAt-sub-ms"
        ),
        pytest.param("nationality", ["Dutch", "Belgian", "Dutch"], id="nationality-with-dupe"),
        pytest.param(
            "emails",
            [{"purpose": "work", "email": "jane@work.example"}],
            id="emails-primary-implied",
        ),
        pytest.param(
            "compensation",
            {"currency": "EUR", "totalCompensation": 90000.0, "baseCompensation": 75000},
            id="compensation-float-amount",
        ),
        pytest.param("firstName", "  Jane  ", id="firstName-untrimmed"),
    ],
)
async def test_resending_an_equivalent_value_is_a_no_op(
    client: httpx.AsyncClient, read_row: ReadRow, key: str, same_value: Any
) -> None:
    stored = await stored_candidate(client, read_row)

    view = await patch_ok(client, stored.id, {key: same_value})

    assert view == stored.view
    assert read_row(stored.id) == stored.row


async def test_resending_languages_without_ids_keeps_their_ids(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    candidate_id = await create_candidate(client)
    first = await patch_ok(
        client,
        candidate_id,
        {
            "languages": [
                {"language": "English", "fluency": "Full professional proficiency"},
                {"language": "Spanish", "fluency": "Elementary proficiency"},
            ]
        },
    )
    ids = [item["id"] for item in first["languages"]["languages"]]
    row = read_row(candidate_id)

    second = await patch_ok(
        client,
        candidate_id,
        {
            "languages": [
                {"language": "English", "fluency": "Full professional proficiency"},
                {"language": "Spanish", "fluency": "Elementary proficiency"},
            ]
        },
    )

    assert [item["id"] for item in second["languages"]["languages"]] == ids
    assert second == first
    assert read_row(candidate_id) == row


async def test_resending_compensation_without_id_is_a_no_op_keeping_the_id(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)
    stored_id = stored.view["compensation"]["compensation"]["id"]
    assert stored_id

    view = await patch_ok(
        client,
        stored.id,
        {
            "compensation": {
                "currency": "EUR",
                "totalCompensation": 90000,
                "baseCompensation": 75000,
            }
        },
    )

    assert view["compensation"]["compensation"]["id"] == stored_id
    assert view == stored.view
    assert read_row(stored.id) == stored.row


# ---- list replacement ----

LISTS: dict[str, Any] = {
    "emails": [{"purpose": "personal", "email": "new@home.example"}],
    "phoneNumbers": [{"purpose": "personal", "phoneNumber": "+442071838750"}],
    "socialMedia": [{"url": "https://x.com/jane", "type": "TWITTER"}],
    "locations": [{"type": "other", "city": "Berlin", "country": "DE"}],
    "languages": [{"language": "German", "fluency": "Limited working proficiency"}],
    "nationality": ["German"],
    "status": ["do_not_poach"],
}


@pytest.mark.parametrize("key", list(LISTS))
async def test_empty_list_empties_the_field(
    client: httpx.AsyncClient, read_row: ReadRow, key: str
) -> None:
    stored = await stored_candidate(client, read_row)
    section = stored.view[key]
    inner = next(name for name in section if name != "viewType")
    assert section[inner], "the stored list must be non-empty to begin with"

    view = await patch_ok(client, stored.id, {key: []})

    assert view[key] == {"viewType": section["viewType"], inner: []}
    assert view["modifiedAt"] > stored.view["modifiedAt"]


@pytest.mark.parametrize("key", list(LISTS))
async def test_new_list_replaces_the_whole_old_list(
    client: httpx.AsyncClient, read_row: ReadRow, key: str
) -> None:
    stored = await stored_candidate(client, read_row)
    section = stored.view[key]
    inner = next(name for name in section if name != "viewType")

    view = await patch_ok(client, stored.id, {key: LISTS[key]})

    shown = view[key][inner]
    assert len(shown) == len(LISTS[key]) == 1
    assert shown != section[inner]
    if key in ("nationality", "status"):
        assert shown == LISTS[key]
    else:
        for sent_key, sent_value in LISTS[key][0].items():
            assert shown[0][sent_key] == sent_value, sent_key


async def test_list_of_several_items_replaces_in_the_order_sent(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(
        client, emails=[{"email": "old1@example.com"}, {"email": "old2@example.com"}]
    )

    view = await patch_ok(
        client,
        candidate_id,
        {
            "emails": [
                {"email": "c@example.com", "purpose": "work"},
                {"email": "a@example.com"},
                {"email": "b@example.com", "purpose": "personal"},
            ]
        },
    )

    assert view["emails"]["emails"] == [
        {"purpose": "work", "email": "c@example.com", "isPrimary": True},
        {"purpose": None, "email": "a@example.com", "isPrimary": False},
        {"purpose": "personal", "email": "b@example.com", "isPrimary": False},
    ]


# ---- primaries ----

PRIMARY_LISTS: dict[str, list[dict[str, Any]]] = {
    "emails": [{"email": "one@example.com"}, {"email": "two@example.com"}],
    "phoneNumbers": [{"phoneNumber": "+31612345678"}, {"phoneNumber": "+31201234567"}],
    "socialMedia": [
        {"url": "https://github.com/jane", "type": "GITHUB"},
        {"url": "https://jane.example.com", "type": "WEBSITE"},
    ],
}


@pytest.mark.parametrize("key", list(PRIMARY_LISTS))
async def test_first_item_becomes_primary_when_none_is(
    client: httpx.AsyncClient, read_row: ReadRow, key: str
) -> None:
    candidate_id = await create_candidate(client)
    items = [{**item, "isPrimary": False} for item in PRIMARY_LISTS[key]]
    items[1].pop("isPrimary")

    view = await patch_ok(client, candidate_id, {key: items})

    assert [item["isPrimary"] for item in view[key][key]] == [True, False]


@pytest.mark.parametrize("key", list(PRIMARY_LISTS))
async def test_primary_sent_on_a_later_item_stays_the_only_primary(
    client: httpx.AsyncClient, key: str
) -> None:
    candidate_id = await create_candidate(client)
    items = [dict(item) for item in PRIMARY_LISTS[key]]
    items[1]["isPrimary"] = True

    view = await patch_ok(client, candidate_id, {key: items})

    assert [item["isPrimary"] for item in view[key][key]] == [False, True]


async def test_view_shows_exactly_one_primary_per_non_empty_list(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    candidate_id = await create_candidate(client)

    view = await patch_ok(client, candidate_id, PRIMARY_LISTS)

    for key in PRIMARY_LISTS:
        flags = [item["isPrimary"] for item in view[key][key]]
        assert flags.count(True) == 1, (key, flags)
        assert all(isinstance(flag, bool) for flag in flags)


# ---- duplicates ----


@pytest.mark.parametrize(
    ("key", "sent", "kept"),
    [
        pytest.param(
            "nationality",
            ["Irish", "Dutch", "Irish", "Afghan", "Dutch"],
            ["Irish", "Dutch", "Afghan"],
            id="nationality",
        ),
        pytest.param(
            "status",
            ["do_not_poach", "actively_looking", "do_not_poach"],
            ["do_not_poach", "actively_looking"],
            id="status",
        ),
    ],
)
async def test_duplicates_are_dropped_keeping_first_order(
    client: httpx.AsyncClient, read_row: ReadRow, key: str, sent: list[str], kept: list[str]
) -> None:
    candidate_id = await create_candidate(client)

    view = await patch_ok(client, candidate_id, {key: sent})

    assert view[key][key] == kept


@pytest.mark.parametrize(
    ("body", "path"),
    [
        pytest.param(
            {"emails": [{"email": "jane@example.com"}, {"email": "JANE@Example.COM"}]},
            "emails.1.email",
            id="emails-case-insensitive",
        ),
        pytest.param(
            {
                "emails": [
                    {"email": "a@example.com"},
                    {"email": "b@example.com"},
                    {"email": "a@example.com", "purpose": "work"},
                ]
            },
            "emails.2.email",
            id="emails-exact-third-item",
        ),
        pytest.param(
            {
                "phoneNumbers": [
                    {"phoneNumber": "+31612345678"},
                    {"phoneNumber": "+31 6 1234 5678"},
                ]
            },
            "phoneNumbers.1.phoneNumber",
            id="phoneNumbers-same-e164-spaced",
        ),
        pytest.param(
            {
                "phoneNumbers": [
                    {"phoneNumber": "+1 (415) 555-2671"},
                    {"phoneNumber": "+14155552671"},
                ]
            },
            "phoneNumbers.1.phoneNumber",
            id="phoneNumbers-same-e164-punctuated",
        ),
        pytest.param(
            {"languages": [{"language": "English"}, {"language": "English"}]},
            "languages.1.language",
            id="languages-same-language",
        ),
        pytest.param(
            {
                "languages": [
                    {"language": "English", "fluency": "Elementary proficiency"},
                    {"language": "English", "fluency": "Native or bilingual proficiency"},
                ]
            },
            "languages.1.language",
            id="languages-same-language-other-fluency",
        ),
    ],
)
async def test_duplicate_item_is_refused_at_the_second_item(
    client: httpx.AsyncClient, read_row: ReadRow, body: dict[str, Any], path: str
) -> None:
    stored = await stored_candidate(client, read_row)

    response = await patch(client, stored.id, body)

    assert_validation_error(response, "DUPLICATE", path)
    await assert_nothing_changed(client, read_row, stored)


# ---- languages ----


async def test_language_ids_sent_are_kept_and_items_without_id_get_one(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    candidate_id = await create_candidate(client)

    view = await patch_ok(
        client,
        candidate_id,
        {
            "languages": [
                {"language": "English", "id": "lang-english-1"},
                {"language": "French", "fluency": "Elementary proficiency"},
            ]
        },
    )

    languages = view["languages"]["languages"]
    assert languages[0] == {"language": "English", "id": "lang-english-1", "fluency": None}
    assert languages[1]["language"] == "French"
    assert isinstance(languages[1]["id"], str) and languages[1]["id"]
    assert languages[1]["id"] != "lang-english-1"


async def test_language_id_is_kept_when_its_fluency_changes(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    await patch_ok(
        client,
        candidate_id,
        {"languages": [{"language": "English", "id": "en-1", "fluency": "Elementary proficiency"}]},
    )

    view = await patch_ok(
        client,
        candidate_id,
        {
            "languages": [
                {"language": "English", "id": "en-1", "fluency": "Limited working proficiency"}
            ]
        },
    )

    assert view["languages"]["languages"] == [
        {"language": "English", "id": "en-1", "fluency": "Limited working proficiency"}
    ]


async def test_new_language_items_get_distinct_ids(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)

    view = await patch_ok(
        client,
        candidate_id,
        {"languages": [{"language": "English"}, {"language": "Dutch"}, {"language": "Polish"}]},
    )

    ids = [item["id"] for item in view["languages"]["languages"]]
    assert all(isinstance(item_id, str) and item_id for item_id in ids)
    assert len(set(ids)) == 3


# ---- compensation ----


async def test_compensation_object_replaces_the_whole_compensation(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)

    view = await patch_ok(client, stored.id, {"compensation": {"currency": "GBP"}})

    compensation = view["compensation"]["compensation"]
    assert compensation["currency"] == "GBP"
    assert compensation["totalCompensation"] is None
    assert compensation["baseCompensation"] is None


async def test_compensation_with_only_amounts_clears_the_currency(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)

    view = await patch_ok(client, stored.id, {"compensation": {"totalCompensation": 50000}})

    compensation = view["compensation"]["compensation"]
    assert compensation["currency"] is None
    assert compensation["totalCompensation"] == 50000
    assert compensation["baseCompensation"] is None


async def test_compensation_id_matching_the_stored_one_is_kept(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)
    stored_id = stored.view["compensation"]["compensation"]["id"]

    view = await patch_ok(
        client,
        stored.id,
        {"compensation": {"id": stored_id, "currency": "EUR", "totalCompensation": 95000}},
    )

    assert view["compensation"]["compensation"] == {
        "currency": "EUR",
        "id": stored_id,
        "totalCompensation": 95000,
        "baseCompensation": None,
    }


async def test_compensation_other_id_on_changed_values_gets_a_new_server_id(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)
    stored_id = stored.view["compensation"]["compensation"]["id"]

    view = await patch_ok(
        client,
        stored.id,
        {"compensation": {"id": "client-made-id", "currency": "EUR", "totalCompensation": 1}},
    )

    new_id = view["compensation"]["compensation"]["id"]
    assert isinstance(new_id, str) and new_id
    assert new_id not in (stored_id, "client-made-id")


async def test_compensation_changed_without_id_gets_a_new_server_id(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)
    stored_id = stored.view["compensation"]["compensation"]["id"]

    view = await patch_ok(client, stored.id, {"compensation": {"currency": "CHF"}})

    assert view["compensation"]["compensation"]["id"] not in (stored_id, None, "")


async def test_compensation_amounts_round_trip_as_numbers(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)

    view = await patch_ok(
        client,
        candidate_id,
        {"compensation": {"currency": "USD", "totalCompensation": 100000.5, "baseCompensation": 0}},
    )

    compensation = view["compensation"]["compensation"]
    assert compensation["totalCompensation"] == 100000.5
    assert compensation["baseCompensation"] == 0
    assert compensation["baseCompensation"] is not None


async def test_compensation_base_equal_to_total_is_accepted(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)

    view = await patch_ok(
        client,
        candidate_id,
        {"compensation": {"currency": "USD", "totalCompensation": 100, "baseCompensation": 100}},
    )

    compensation = view["compensation"]["compensation"]
    assert (compensation["baseCompensation"], compensation["totalCompensation"]) == (100, 100)


# ---- users: mainContact and lastInteractionWith ----


async def test_main_contact_and_last_interaction_with_show_the_full_user(
    client: httpx.AsyncClient,
) -> None:
    ann = await make_user(client)
    bob = await make_user(client, "Bob Sourcer", "bob@agency.example")
    candidate_id = await create_candidate(client)

    view = await patch_ok(
        client,
        candidate_id,
        {"mainContact": {"userId": ann["userId"]}, "lastInteractionWithId": bob["userId"]},
    )

    assert view["mainContact"] == {
        "viewType": "candidateMainContact",
        "user": {
            "userId": ann["userId"],
            "name": "Ann Recruiter",
            "email": "ann@agency.example",
            "avatarUrl": "https://cdn.example.com/ann.png",
            "deactivatedAt": None,
        },
    }
    assert view["lastInteractionWith"] == {"viewType": "candidateLastInteractionWith", "user": bob}


async def test_user_sections_follow_the_users_current_data(client: httpx.AsyncClient) -> None:
    ann = await make_user(client)
    candidate_id = await create_candidate(client)
    await patch_ok(client, candidate_id, {"mainContact": {"userId": ann["userId"]}})

    response = await client.patch(
        f"/users/{ann['userId']}", json={"name": "Ann Renamed", "deactivated": True}
    )
    assert response.status_code == 200, response.text
    user = response.json()

    view = await get_view(client, candidate_id)
    shown = view["mainContact"]["user"]
    assert shown == user
    assert shown["name"] == "Ann Renamed"
    assert isinstance(shown["deactivatedAt"], str) and shown["deactivatedAt"].endswith("Z")


@pytest.mark.parametrize(
    ("key", "path"),
    [
        pytest.param("mainContact", "mainContact.userId", id="mainContact"),
        pytest.param("lastInteractionWithId", "lastInteractionWithId", id="lastInteractionWithId"),
    ],
)
async def test_user_of_another_workspace_is_not_found(
    app: Any,
    client: httpx.AsyncClient,
    new_api_key: NewKey,
    read_row: ReadRow,
    key: str,
    path: str,
) -> None:
    stored = await stored_candidate(client, read_row)
    async with make_client(app, await new_api_key()) as elsewhere:
        stranger = await make_user(elsewhere, "Stranger", "stranger@other.example")
    value: Any = {"userId": stranger["userId"]} if key == "mainContact" else stranger["userId"]

    response = await patch(client, stored.id, {key: value})

    assert_validation_error(response, "NOT_FOUND", path, stranger["userId"])
    await assert_nothing_changed(client, read_row, stored)


async def test_candidate_of_another_workspace_answers_404(
    app: Any, client: httpx.AsyncClient, new_api_key: NewKey, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)
    async with make_client(app, await new_api_key()) as elsewhere:
        response = await patch(elsewhere, stored.id, {"firstName": "Hijacked"})

    body = assert_spott_error(response, 404)
    assert "errors" not in body or body["errors"] in (None, [])
    await assert_nothing_changed(client, read_row, stored)


async def test_patch_of_an_unknown_candidate_answers_404_in_spott_shape(
    client: httpx.AsyncClient,
) -> None:
    response = await patch(client, "no-such-candidate", {"firstName": "Ghost"})

    body = assert_spott_error(response, 404)
    assert "errors" not in body or body["errors"] in (None, [])
    assert set(body) <= {"status", "message", "requestId", "errors"}


# ---- lastActivityDate ----


async def test_last_activity_date_is_modified_at_when_last_interaction_is_older(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)

    view = await patch_ok(client, candidate_id, {"lastInteractionAt": "2020-02-03T04:05:06.789Z"})

    assert view["lastInteractionDate"]["lastInteractionDate"] == "2020-02-03T04:05:06.789Z"
    assert view["lastActivityDate"] == view["modifiedAt"]


async def test_last_activity_date_is_last_interaction_when_it_is_later(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    later = _iso(datetime.now(UTC) + timedelta(hours=1))

    view = await patch_ok(client, candidate_id, {"lastInteractionAt": later})

    assert view["lastInteractionDate"]["lastInteractionDate"] == later
    assert view["lastActivityDate"] == later
    assert later > view["modifiedAt"]


async def test_last_activity_date_is_modified_at_without_last_interaction(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)

    view = await patch_ok(client, stored.id, {"lastInteractionAt": None})

    assert view["lastInteractionDate"]["lastInteractionDate"] is None
    assert view["lastActivityDate"] == view["modifiedAt"]


# ---- dates ----


@pytest.mark.parametrize(
    "sent",
    [
        "1990-05-15",
        "1990-05-15T00:00:00.000Z",
        "1990-05-15T23:30:00-05:00",
        "1990-05-15T01:00:00+09:00",
    ],
)
async def test_date_of_birth_is_stored_as_the_calendar_date_written(
    client: httpx.AsyncClient, read_row: ReadRow, sent: str
) -> None:
    candidate_id = await create_candidate(client)

    view = await patch_ok(client, candidate_id, {"dateOfBirth": sent})

    assert view["dateOfBirth"] == {
        "viewType": "candidateDateOfBirth",
        "dateOfBirth": "1990-05-15T00:00:00.000Z",
    }
    stored = read_row(candidate_id)["date_of_birth"]
    assert str(stored) == "1990-05-15"
    assert date.fromisoformat(str(stored)) == date(1990, 5, 15)


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        pytest.param("2024-01-15T16:30:00+02:00", "2024-01-15T14:30:00.000Z", id="plus-offset"),
        pytest.param("2024-01-15T09:30:00-05:00", "2024-01-15T14:30:00.000Z", id="minus-offset"),
        pytest.param("2024-01-15T14:30:00Z", "2024-01-15T14:30:00.000Z", id="no-fraction"),
        pytest.param("2024-01-15T14:30:00.5Z", "2024-01-15T14:30:00.500Z", id="one-digit"),
        pytest.param("2024-01-15T14:30:00.123999Z", "2024-01-15T14:30:00.123Z", id="sub-ms-cut"),
        pytest.param(
            "2024-01-15T16:30:00.999999+02:00", "2024-01-15T14:30:00.999Z", id="sub-ms-offset"
        ),
        pytest.param("2024-01-16T00:30:00.000+10:00", "2024-01-15T14:30:00.000Z", id="day-before"),
    ],
)
async def test_last_interaction_at_is_stored_in_utc_at_millisecond_precision(
    client: httpx.AsyncClient, read_row: ReadRow, sent: str, shown: str
) -> None:
    candidate_id = await create_candidate(client)

    view = await patch_ok(client, candidate_id, {"lastInteractionAt": sent})

    assert view["lastInteractionDate"]["lastInteractionDate"] == shown
    stored = _stored_datetime(read_row(candidate_id)["last_interaction_at"])
    assert stored.microsecond % 1000 == 0
    assert _iso(stored) == shown


async def test_view_timestamps_use_the_millisecond_utc_format(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)
    view = stored.view

    for value in (
        view["createdAt"],
        view["modifiedAt"],
        view["lastActivityDate"],
        view["lastInteractionDate"]["lastInteractionDate"],
        view["dateOfBirth"]["dateOfBirth"],
    ):
        parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
        assert _iso(parsed.replace(tzinfo=UTC)) == value


# ---- names ----


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        pytest.param("  Zoë  ", "Zoë", id="trimmed"),
        pytest.param("Zoe\u0308", "Zo\u00eb", id="nfc-normalised"),
        pytest.param("O’Brien-Smith Jr.", "O’Brien-Smith Jr.", id="punctuation"),
        pytest.param("Nguyễn", "Nguyễn", id="vietnamese"),
        pytest.param("A" * 100, "A" * 100, id="100-chars"),
    ],
)
async def test_names_are_stored_trimmed_and_nfc_normalised(
    client: httpx.AsyncClient, read_row: ReadRow, sent: str, stored: str
) -> None:
    candidate_id = await create_candidate(client)

    view = await patch_ok(client, candidate_id, {"lastName": sent, "middleName": sent})

    assert view["name"]["lastName"] == stored
    assert view["name"]["middleName"] == stored
    row = read_row(candidate_id)
    assert (row["last_name"], row["middle_name"]) == (stored, stored)


# ---- a failure changes nothing, even with valid fields around it ----


async def test_failure_in_the_last_field_leaves_earlier_valid_fields_unwritten(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)
    body = copy.deepcopy(substitute(FULL_BODY, stored.user))
    body.update(
        firstName="Other",
        emails=[{"email": "new@example.com"}],
        languages=[{"language": "Greek"}],
        compensation={"currency": "USD"},
        lastInteractionWithId="no-such-user",
    )

    response = await patch(client, stored.id, body)

    assert_validation_error(response, "NOT_FOUND", "lastInteractionWithId", "no-such-user")
    await assert_nothing_changed(client, read_row, stored)


# ---- round trips ----


def _body_from_view(view: dict[str, Any]) -> dict[str, Any]:
    """A PATCH body built from a view, as a client that edits what it read would send it."""
    name = view["name"]
    main_contact = view["mainContact"]["user"]
    last_with = view["lastInteractionWith"]["user"]
    return {
        "firstName": name["firstName"],
        "middleName": name["middleName"],
        "lastName": name["lastName"],
        "secondLastName": name["secondLastName"],
        "compensation": view["compensation"]["compensation"],
        "mainContact": {"userId": main_contact["userId"]} if main_contact else None,
        "languages": view["languages"]["languages"],
        "gender": view["gender"]["gender"],
        "nationality": view["nationality"]["nationality"],
        "status": view["status"]["status"],
        "acquisitionSource": view["acquisitionSource"]["acquisitionSource"],
        "locations": view["locations"]["locations"],
        "socialMedia": view["socialMedia"]["socialMedia"],
        "emails": view["emails"]["emails"],
        "phoneNumbers": view["phoneNumbers"]["phoneNumbers"],
        "visibleIfClientContact": view["isVisibleIfClientContact"],
        "dateOfBirth": view["dateOfBirth"]["dateOfBirth"],
        "lastInteractionAt": view["lastInteractionDate"]["lastInteractionDate"],
        "lastInteractionWithId": last_with["userId"] if last_with else None,
    }


async def test_patching_back_what_get_answered_is_a_no_op(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    stored = await stored_candidate(client, read_row)

    view = await patch_ok(client, stored.id, _body_from_view(stored.view))

    assert view == stored.view
    assert read_row(stored.id) == stored.row


async def test_patching_back_a_new_candidates_view_is_a_no_op(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    candidate_id = await create_candidate(client)
    before = await get_view(client, candidate_id)
    row = read_row(candidate_id)

    view = await patch_ok(client, candidate_id, _body_from_view(before))

    assert view == before
    assert read_row(candidate_id) == row


@pytest.mark.parametrize(
    "key",
    NULLABLE_PATCH_FIELDS,
)
async def test_null_on_an_already_empty_field_is_a_no_op(
    client: httpx.AsyncClient, read_row: ReadRow, key: str
) -> None:
    candidate_id = await create_candidate(client)
    before = await get_view(client, candidate_id)
    row = read_row(candidate_id)

    view = await patch_ok(client, candidate_id, {key: None})

    assert view == before
    assert read_row(candidate_id) == row


# ---- locations ----


@pytest.mark.parametrize(
    "country",
    [
        # ISO 3166-1 alpha-2 codes
        "NL",
        "DE",
        "us",
        # country names as ISO writes them
        "Netherlands",
        "Germany",
        "United Kingdom",
        "Czechia",
        # country names as English writes them (API.md §2.1: "or a country name")
        "Russia",
        "Turkey",
        "Brunei",
        "Cape Verde",
        "Ivory Coast",
        "Vatican City",
    ],
)
async def test_location_country_accepts_codes_and_country_names_as_given(
    client: httpx.AsyncClient, country: str
) -> None:
    candidate_id = await create_candidate(client)

    response = await patch(
        client, candidate_id, {"locations": [{"type": "primary_home", "country": country}]}
    )

    assert response.status_code == 200, response.text
    assert response.json()["locations"]["locations"][0]["country"] == country


async def test_location_derived_fields_are_computed_not_taken_from_the_body(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)

    view = await patch_ok(
        client,
        candidate_id,
        {
            "locations": [
                {
                    "type": "work",
                    "street1": "Unter den Linden 1",
                    "postalCode": "10117",
                    "city": "Berlin",
                    "country": "DE",
                    "rawCityCountry": "Somewhere, Else",
                    "formattedAddress": "Not this",
                    "latitude": -33.5,
                    "longitude": 151,
                }
            ]
        },
    )

    location = view["locations"]["locations"][0]
    assert location["rawCityCountry"] == "Berlin, DE"
    assert location["formattedAddress"] == "Unter den Linden 1, 10117 Berlin, DE"
    assert (location["latitude"], location["longitude"]) == (-33.5, 151)


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(90, 180), (-90, -180), (0, 0)],
    ids=["max", "min", "zero"],
)
async def test_location_coordinates_at_the_bounds_are_accepted(
    client: httpx.AsyncClient, latitude: float, longitude: float
) -> None:
    candidate_id = await create_candidate(client)

    view = await patch_ok(
        client,
        candidate_id,
        {"locations": [{"type": "other", "latitude": latitude, "longitude": longitude}]},
    )

    location = view["locations"]["locations"][0]
    assert (location["latitude"], location["longitude"]) == (latitude, longitude)


# ---- contact identifiers are stored as given ----


async def test_email_and_phone_are_stored_as_given(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)

    view = await patch_ok(
        client,
        candidate_id,
        {
            "emails": [{"email": "Jane.Roe@Example.COM"}],
            "phoneNumbers": [{"phoneNumber": "+31 6 1234 5678"}],
        },
    )

    assert view["emails"]["emails"][0]["email"] == "Jane.Roe@Example.COM"
    assert view["phoneNumbers"]["phoneNumbers"][0]["phoneNumber"] == "+31 6 1234 5678"


@pytest.mark.parametrize(
    "key", ["avatarUrl", "education", "workExperiences", "customAttributes", "id"]
)
async def test_create_only_and_view_keys_are_unrecognized_on_patch(
    client: httpx.AsyncClient, read_row: ReadRow, key: str
) -> None:
    stored = await stored_candidate(client, read_row)
    value: Any = "https://cdn.example.com/a.png" if key in ("avatarUrl", "id") else []

    response = await patch(client, stored.id, {key: value})

    assert_validation_error(response, "UNRECOGNIZED_KEYS", key, key)
    await assert_nothing_changed(client, read_row, stored)


# ---- numbers stored in JSON columns ----


async def test_small_and_large_numbers_answer_as_sent_and_in_the_same_spelling(
    client: httpx.AsyncClient,
) -> None:
    """A location's coordinates and the compensation live in JSON columns (stored by orjson,
    read back through ``talentbase.jsontext``): they answer the numbers sent, and the answer
    spells them as Starlette's ``json`` always has (``1e-05``), on PATCH and GET alike."""
    candidate_id = await create_candidate(client)
    body = {
        "locations": [{"type": "other", "latitude": 0.00001, "longitude": -1e-7}],
        "compensation": {"currency": "EUR", "totalCompensation": 1e12, "baseCompensation": 1.5e-5},
    }
    answered = await patch(client, candidate_id, body)
    assert answered.status_code == 200, answered.text
    fetched = await client.get(f"/candidates/{candidate_id}")
    for response in (answered, fetched):
        assert b'"latitude":1e-05' in response.content
        assert b'"longitude":-1e-07' in response.content
        assert b'"baseCompensation":1.5e-05' in response.content
        view = response.json()
        location = view["locations"]["locations"][0]
        compensation = view["compensation"]["compensation"]
        assert (location["latitude"], location["longitude"]) == (1e-5, -1e-7)
        assert compensation["totalCompensation"] == 1e12
        assert compensation["baseCompensation"] == 1.5e-5
