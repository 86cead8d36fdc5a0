"""Input that is unusual but valid is accepted: strict about bad data, not about good data in an
unexpected form (API.md §1, §2.1, §2.2)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import create_candidate


async def _patch(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    candidate_id = await create_candidate(client)
    response = await client.patch(f"/candidates/{candidate_id}", json=body)
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


async def test_date_of_birth_as_a_date_time_without_a_zone_keeps_its_date(
    client: httpx.AsyncClient,
) -> None:
    view = await _patch(client, {"dateOfBirth": "1990-05-15T23:30:00"})
    assert view["dateOfBirth"]["dateOfBirth"] == "1990-05-15T00:00:00.000Z"


async def test_email_at_the_reserved_test_domain_is_valid(client: httpx.AsyncClient) -> None:
    view = await _patch(client, {"emails": [{"email": "jane@acme.test"}]})
    assert view["emails"]["emails"][0]["email"] == "jane@acme.test"


async def test_a_location_may_carry_latitude_without_longitude(client: httpx.AsyncClient) -> None:
    view = await _patch(client, {"locations": [{"city": "Oslo", "latitude": 59.91}]})
    location = view["locations"]["locations"][0]
    assert (location["latitude"], location["longitude"]) == (59.91, None)


@pytest.mark.parametrize(
    "country",
    ["UAE", "St Lucia", "São Tomé and Príncipe", "Republic of Ireland", "The Gambia", "Russia"],
)
async def test_everyday_country_names_are_accepted_as_given(
    client: httpx.AsyncClient, country: str
) -> None:
    view = await _patch(client, {"locations": [{"country": country}]})
    assert view["locations"]["locations"][0]["country"] == country


async def test_custom_attributes_take_spotts_filled_by_ai_key(client: httpx.AsyncClient) -> None:
    # Spott's create example sends `filledByAI`; the key is known, the definition is checked
    response = await client.post(
        "/candidates",
        json={
            "firstName": "Jane",
            "lastName": "Roe",
            "customAttributes": [
                {
                    "attributeDefinitionId": "00000000-0000-4000-8000-000000000000",
                    "value": "x",
                    "filledByAI": True,
                }
            ],
        },
    )
    assert response.status_code == 400
    assert [(e["code"], e["path"]) for e in response.json()["errors"]] == [
        ("NOT_FOUND", "customAttributes.0.attributeDefinitionId")
    ]


async def test_latest_work_experience_is_an_object_even_without_work_history(
    client: httpx.AsyncClient,
) -> None:
    view = await _patch(client, {})
    assert view["latestWorkExperience"] == {"title": None, "company": None}
