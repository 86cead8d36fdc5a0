"""Names (API.md §2.1): 1–100 characters after trimming, Unicode letters and marks, spaces,
hyphens, apostrophes (' and ’) and dots; stored trimmed and NFC-normalized."""

from __future__ import annotations

import random
import string
import unicodedata
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import count_candidates_named, create_candidate

ReadRow = Callable[[str], dict[str, Any] | None]

ZOE_NFD = unicodedata.normalize("NFD", "Zoë")
JOSE_NFD = unicodedata.normalize("NFD", "José María")

VALID_NAMES = [
    pytest.param("Łukasz", id="polish-l-stroke"),
    pytest.param("O’Brien", id="typographic-apostrophe"),
    pytest.param("O'Brien", id="ascii-apostrophe"),
    pytest.param(ZOE_NFD, id="nfd-zoe"),
    pytest.param("李小龍", id="cjk"),
    pytest.param("José María", id="spanish-two-words"),
    pytest.param(JOSE_NFD, id="nfd-jose-maria"),
    pytest.param("Jean-Luc", id="hyphen"),
    pytest.param("St. John", id="dot"),
    pytest.param("  Zoë  ", id="padded"),
    pytest.param("\t" + ZOE_NFD + "\n", id="padded-with-tab-and-newline-nfd"),
]

INVALID_NAMES = [
    pytest.param("John2", id="digit"),
    pytest.param("R2D2", id="digits"),
    pytest.param("Zoë 😀", id="emoji"),
    pytest.param("Jo\thn", id="tab"),
    pytest.param("Jo\nhn", id="newline"),
    pytest.param("Ann\r\nMarie", id="crlf"),
    pytest.param("Ann@Marie", id="at-sign"),
    pytest.param("Ann_Marie", id="underscore"),
]

NAME_FIELDS = [
    ("firstName", "first_name"),
    ("middleName", "middle_name"),
    ("lastName", "last_name"),
    ("secondLastName", "second_last_name"),
]


def stored_form(name: str) -> str:
    return unicodedata.normalize("NFC", name.strip())


def test_the_nfd_inputs_really_are_decomposed() -> None:
    assert ZOE_NFD != "Zoë"
    assert len(ZOE_NFD) == len("Zoë") + 1
    assert not unicodedata.is_normalized("NFC", ZOE_NFD)
    assert not unicodedata.is_normalized("NFC", JOSE_NFD)


@pytest.mark.parametrize("name", VALID_NAMES)
async def test_name_round_trips_through_post_trimmed_and_nfc(
    client: httpx.AsyncClient, read_row: ReadRow, name: str
) -> None:
    expected = stored_form(name)

    candidate_id = await create_candidate(
        client, firstName=name, middleName=name, lastName=name, secondLastName=name
    )

    view = (await client.get(f"/candidates/{candidate_id}")).json()
    for field, _column in NAME_FIELDS:
        assert view["name"][field] == expected, field
        assert unicodedata.is_normalized("NFC", view["name"][field])
    row = read_row(candidate_id)
    assert row is not None
    for _field, column in NAME_FIELDS:
        assert row[column] == expected, column


@pytest.mark.parametrize("name", VALID_NAMES)
async def test_name_round_trips_through_patch_trimmed_and_nfc(
    client: httpx.AsyncClient, read_row: ReadRow, name: str
) -> None:
    expected = stored_form(name)
    candidate_id = await create_candidate(client, firstName="Before", lastName="Before")

    response = await client.patch(
        f"/candidates/{candidate_id}",
        json={"firstName": name, "middleName": name, "lastName": name, "secondLastName": name},
    )

    assert response.status_code == 200, response.text
    for field, _column in NAME_FIELDS:
        assert response.json()["name"][field] == expected, field
    assert (await client.get(f"/candidates/{candidate_id}")).json() == response.json()
    row = read_row(candidate_id)
    assert row is not None
    for _field, column in NAME_FIELDS:
        assert row[column] == expected, column


async def test_resending_the_nfd_form_of_a_stored_name_is_a_no_op(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    candidate_id = await create_candidate(client, firstName="Zoë", lastName="Roe")
    before_row = read_row(candidate_id)
    before_view = (await client.get(f"/candidates/{candidate_id}")).json()

    response = await client.patch(f"/candidates/{candidate_id}", json={"firstName": f" {ZOE_NFD} "})

    assert response.status_code == 200, response.text
    assert response.json()["modifiedAt"] == before_view["modifiedAt"]
    assert read_row(candidate_id) == before_row


async def test_one_hundred_characters_after_trimming_are_accepted(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    name = "Ł" * 100
    candidate_id = await create_candidate(client, firstName=f"   {name}   ")

    row = read_row(candidate_id)
    assert row is not None
    assert row["first_name"] == name


async def test_one_hundred_nfd_letters_count_as_one_hundred_characters(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    """100 letters written decomposed are 200 code points, but 100 characters once NFC."""
    name = unicodedata.normalize("NFD", "é" * 100)
    assert len(name) == 200

    candidate_id = await create_candidate(client, firstName=name)

    row = read_row(candidate_id)
    assert row is not None
    assert row["first_name"] == "é" * 100


@pytest.mark.parametrize("field", [field for field, _ in NAME_FIELDS])
@pytest.mark.parametrize("name", INVALID_NAMES)
async def test_name_with_digits_emoji_or_control_characters_is_invalid_string_on_patch(
    client: httpx.AsyncClient, read_row: ReadRow, field: str, name: str
) -> None:
    candidate_id = await create_candidate(client, firstName="Before", lastName="Before")
    before = read_row(candidate_id)

    response = await client.patch(f"/candidates/{candidate_id}", json={field: name})

    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [(item["code"], item["path"]) for item in errors] == [("INVALID_STRING", field)]
    assert read_row(candidate_id) == before


@pytest.mark.parametrize("name", INVALID_NAMES)
async def test_name_with_digits_emoji_or_control_characters_is_invalid_string_on_post(
    client: httpx.AsyncClient, database_url: str, name: str
) -> None:
    last_name = "".join(random.choices(string.ascii_lowercase, k=16)).capitalize()

    response = await client.post("/candidates", json={"firstName": name, "lastName": last_name})

    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [(item["code"], item["path"]) for item in errors] == [("INVALID_STRING", "firstName")]
    assert count_candidates_named(database_url, last_name) == 0


@pytest.mark.parametrize(
    ("name", "code"),
    [
        pytest.param("", "TOO_SMALL", id="empty"),
        pytest.param("   ", "TOO_SMALL", id="only-spaces"),
        pytest.param("A" * 101, "TOO_BIG", id="101-characters"),
    ],
)
async def test_name_length_is_counted_after_trimming(
    client: httpx.AsyncClient, read_row: ReadRow, name: str, code: str
) -> None:
    candidate_id = await create_candidate(client, firstName="Before", lastName="Before")
    before = read_row(candidate_id)

    response = await client.patch(f"/candidates/{candidate_id}", json={"firstName": name})

    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [(item["code"], item["path"]) for item in errors] == [(code, "firstName")]
    assert read_row(candidate_id) == before
