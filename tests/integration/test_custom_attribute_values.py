"""Custom attribute values on POST /candidates (API.md §2.2): checked against the definition's
kind and stored normalised. Definitions are made through their route."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from talentbase.candidates.schemas import CandidateView
from talentbase.custom_attributes.view import VALUE_VIEWS


async def _definition(
    client: httpx.AsyncClient, kind: str, options: list[str] | None = None
) -> str:
    body: dict[str, Any] = {"label": f"A {kind}", "viewType": VALUE_VIEWS[kind][0]}
    if options is not None:
        body["options"] = options
    response = await client.post("/custom-attributes/candidate/definitions", json=body)
    assert response.status_code == 201, response.text
    definition_id: str = response.json()["id"]
    return definition_id


async def _create(client: httpx.AsyncClient, attributes: list[dict[str, Any]]) -> httpx.Response:
    return await client.post(
        "/candidates",
        json={"firstName": "Jane", "lastName": "Roe", "customAttributes": attributes},
    )


@pytest.mark.parametrize(
    ("kind", "options", "sent", "view_value"),
    [
        ("text", None, "Senior", {"viewType": "customText", "text": "Senior"}),
        ("number", None, 42, {"viewType": "customNumber", "number": 42}),
        ("checkbox", None, True, {"viewType": "customCheckbox", "checked": True}),
        ("select", ["A", "B"], "B", {"viewType": "customSelect", "selected": "B"}),
        (
            "multiSelect",
            ["A", "B"],
            ["B", "A", "B"],
            {"viewType": "customMultiSelect", "selected": ["B", "A"]},
        ),
        (
            "date",
            None,
            "2024-01-15T16:30:00.5+02:00",
            {"viewType": "customDate", "date": "2024-01-15T14:30:00.500Z"},
        ),
        (
            "date",
            None,
            "2024-01-15",
            {"viewType": "customDate", "date": "2024-01-15T00:00:00.000Z"},
        ),
        (
            "number",
            None,
            -(2**53 - 1),
            {"viewType": "customNumber", "number": -9007199254740991},
        ),
        (
            "url",
            None,
            "https://x.example/a",
            {"viewType": "customUrl", "url": "https://x.example/a"},
        ),
        (
            "currency",
            None,
            {"amount": 5000, "currency": "EUR"},
            {"viewType": "customCurrency", "amount": 5000, "currency": "EUR"},
        ),
    ],
)
async def test_each_kind_is_stored_normalised_and_shown_with_its_view_type(
    client: httpx.AsyncClient,
    kind: str,
    options: list[str] | None,
    sent: Any,
    view_value: dict[str, Any],
) -> None:
    definition_id = await _definition(client, kind, options)
    created = await _create(
        client, [{"attributeDefinitionId": definition_id, "value": sent, "filledByAI": True}]
    )
    assert created.status_code == 201, created.text

    view = (await client.get(f"/candidates/{created.json()}")).json()

    CandidateView.model_validate(view)  # the documented schema, including isFilledByAI
    [attribute] = view["customAttributes"]
    assert attribute["value"] == view_value
    assert attribute["attributeDefinitionId"] == definition_id
    assert attribute["isFilledByAI"] is True
    assert attribute["options"] == (options or [])


@pytest.mark.parametrize(
    ("kind", "options", "sent", "code", "path"),
    [
        ("text", None, 5, "INVALID_TYPE", "value"),
        ("number", None, "5", "INVALID_TYPE", "value"),
        ("checkbox", None, "yes", "INVALID_TYPE", "value"),
        ("select", ["A", "B"], "C", "INVALID_ENUM_VALUE", "value"),
        ("multiSelect", ["A", "B"], ["A", "C"], "INVALID_ENUM_VALUE", "value.1"),
        ("date", None, "2024-01-15T14:30:00", "INVALID_STRING", "value"),
        ("date", None, "2024-13-01", "INVALID_STRING", "value"),
        pytest.param("number", None, 10**400, "TOO_BIG", "value", id="number-10**400"),
        ("number", None, -(2**53), "TOO_BIG", "value"),
        ("number", None, 9.1e15, "TOO_BIG", "value"),
        (
            "number",
            None,
            {"viewType": "customNumber", "number": 10**400},
            "TOO_BIG",
            "value.number",
        ),
        ("url", None, "ftp://x.example", "INVALID_STRING", "value"),
        ("currency", None, {"amount": -1, "currency": "EUR"}, "TOO_SMALL", "value.amount"),
        ("currency", None, {"amount": 1, "currency": "eur"}, "INVALID_STRING", "value.currency"),
    ],
)
async def test_a_value_that_does_not_fit_its_kind_is_a_400_and_creates_nothing(
    client: httpx.AsyncClient,
    kind: str,
    options: list[str] | None,
    sent: Any,
    code: str,
    path: str,
) -> None:
    definition_id = await _definition(client, kind, options)
    response = await _create(client, [{"attributeDefinitionId": definition_id, "value": sent}])
    assert response.status_code == 400
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [
        (code, f"customAttributes.0.{path}")
    ]


async def test_a_null_or_missing_value_stores_no_value(client: httpx.AsyncClient) -> None:
    first = await _definition(client, "text")
    second = await _definition(client, "number")
    created = await _create(
        client,
        [{"attributeDefinitionId": first, "value": None}, {"attributeDefinitionId": second}],
    )
    assert created.status_code == 201, created.text
    view = (await client.get(f"/candidates/{created.json()}")).json()
    assert view["customAttributes"] == []


async def test_a_huge_number_creates_nothing_and_every_read_still_answers(
    client: httpx.AsyncClient,
) -> None:
    definition = await _definition(client, "number")
    listed_before = (await client.get("/candidates")).json()["items"]

    response = await _create(client, [{"attributeDefinitionId": definition, "value": 10**400}])

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "TOO_BIG",
            "path": "customAttributes.0.value",
            "message": "Expected a finite number between -9007199254740991 and 9007199254740991",
            "received": 10**400,
        }
    ]
    listing = await client.get("/candidates")
    assert listing.status_code == 200, listing.text
    assert listing.json()["items"] == listed_before


async def test_an_integer_number_stays_an_integer(client: httpx.AsyncClient) -> None:
    definition = await _definition(client, "number")
    created = await _create(
        client, [{"attributeDefinitionId": definition, "value": 9007199254740991}]
    )
    assert created.status_code == 201, created.text

    response = await client.get(f"/candidates/{created.json()}")

    assert '"number":9007199254740991}' in response.text
    [attribute] = response.json()["customAttributes"]
    assert attribute["value"] == {"viewType": "customNumber", "number": 9007199254740991}
