"""Custom attribute values on POST /candidates (API.md §2.2): checked against the definition's
kind and stored normalised. Definitions have no route yet, so tests write them directly."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from talentbase.candidates.schemas import CandidateView
from talentbase.custom_attributes.models import CustomAttributeDefinition
from talentbase.db.engine import Database
from talentbase.workspaces.models import ApiKey
from talentbase.workspaces.service import hash_key


async def _definition(
    database: Database, client: httpx.AsyncClient, kind: str, options: list[str] | None = None
) -> str:
    key = client.headers["x-api-key"]
    async with database.transaction(write=True) as session:
        workspace_id = await session.scalar(
            select(ApiKey.workspace_id).where(ApiKey.key_hash == hash_key(key))
        )
        assert workspace_id is not None
        definition = CustomAttributeDefinition(
            workspace_id=workspace_id,
            entity_type="candidate",
            label=f"A {kind}",
            kind=kind,
            options=options or [],
        )
        session.add(definition)
        await session.flush()
        return definition.id


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
    database: Database,
    kind: str,
    options: list[str] | None,
    sent: Any,
    view_value: dict[str, Any],
) -> None:
    definition_id = await _definition(database, client, kind, options)
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
    ("kind", "options", "sent", "code"),
    [
        ("text", None, 5, "INVALID_TYPE"),
        ("number", None, "5", "INVALID_TYPE"),
        ("checkbox", None, "yes", "INVALID_TYPE"),
        ("select", ["A", "B"], "C", "INVALID_ENUM_VALUE"),
        ("multiSelect", ["A", "B"], ["A", "C"], "INVALID_ENUM_VALUE"),
        ("date", None, "2024-01-15T14:30:00", "INVALID_STRING"),
        ("url", None, "ftp://x.example", "INVALID_STRING"),
        ("currency", None, {"amount": -1, "currency": "EUR"}, "TOO_SMALL"),
        ("currency", None, {"amount": 1, "currency": "eur"}, "INVALID_STRING"),
    ],
)
async def test_a_value_that_does_not_fit_its_kind_is_a_400_and_creates_nothing(
    client: httpx.AsyncClient,
    database: Database,
    kind: str,
    options: list[str] | None,
    sent: Any,
    code: str,
) -> None:
    definition_id = await _definition(database, client, kind, options)
    response = await _create(client, [{"attributeDefinitionId": definition_id, "value": sent}])
    assert response.status_code == 400
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [
        (code, "customAttributes.0.value")
    ]


async def test_a_null_or_missing_value_stores_no_value(
    client: httpx.AsyncClient, database: Database
) -> None:
    first = await _definition(database, client, "text")
    second = await _definition(database, client, "number")
    created = await _create(
        client,
        [{"attributeDefinitionId": first, "value": None}, {"attributeDefinitionId": second}],
    )
    assert created.status_code == 201, created.text
    view = (await client.get(f"/candidates/{created.json()}")).json()
    assert view["customAttributes"] == []
