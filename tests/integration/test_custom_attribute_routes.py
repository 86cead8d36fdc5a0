"""Custom attribute definitions and values through their routes (spott-reference/
custom-attributes.txt): definitions of each kind, the page-style list, values set one at a time
or in bulk, each value's exact place in the CandidateView, and bad input that stores nothing."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from talentbase.api.errors import ApiError
from talentbase.candidates.schemas import CandidateView
from talentbase.custom_attributes import service
from talentbase.custom_attributes.models import CustomAttributeDefinition
from talentbase.custom_attributes.schemas import DefinitionCreate
from talentbase.db.engine import Database
from tests.conftest import backend, create_candidate, make_client

DEFINITIONS = "/custom-attributes/candidate/definitions"
CONTACT_DEFINITIONS = "/custom-attributes/clientContact/definitions"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

# kind -> Spott's viewType
VIEW_TYPE = {
    "text": "customText",
    "number": "customNumber",
    "checkbox": "customCheckbox",
    "select": "customSelect",
    "multiSelect": "customMultiSelect",
    "date": "customDate",
    "currency": "customCurrency",
    "url": "customUrl",
}
OPTIONS = {"select": ["Junior", "Senior"], "multiSelect": ["Python", "Go", "SQL"]}


@pytest.fixture
async def other(
    app: Any, new_api_key: Callable[[], Awaitable[str]]
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of another workspace."""
    async with make_client(app, await new_api_key()) as http:
        yield http


async def define(
    http: httpx.AsyncClient, kind: str, label: str | None = None, path: str = DEFINITIONS
) -> dict[str, Any]:
    body: dict[str, Any] = {"label": label or f"A {kind}", "viewType": VIEW_TYPE[kind]}
    if kind in OPTIONS:
        body["options"] = OPTIONS[kind]
    response = await http.post(path, json=body)
    assert response.status_code == 201, response.text
    definition: dict[str, Any] = response.json()
    return definition


async def put_value(
    http: httpx.AsyncClient, candidate_id: str, definition_id: str, value: Any
) -> httpx.Response:
    return await http.put(
        f"/candidates/{candidate_id}/custom-attributes/{definition_id}", json={"value": value}
    )


async def view_of(http: httpx.AsyncClient, candidate_id: str) -> dict[str, Any]:
    response = await http.get(f"/candidates/{candidate_id}")
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


async def definition_list(http: httpx.AsyncClient, path: str = DEFINITIONS) -> dict[str, Any]:
    response = await http.get(path, params={"pageSize": 100})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    return [(error["code"], error["path"]) for error in response.json()["errors"]]


def entry(definition: dict[str, Any], value: dict[str, Any], **flags: bool) -> dict[str, Any]:
    """The ``customAttributes[]`` entry the view should show."""
    return {
        "value": value,
        "attributeDefinitionId": definition["id"],
        "label": definition["label"],
        "aiFillOngoing": flags.get("aiFillOngoing", False),
        "aiOverridden": flags.get("aiOverridden", False),
        "isFilledByAI": flags.get("isFilledByAI", False),
        "options": definition["definition"]["options"],
    }


# ---- definitions -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(VIEW_TYPE))
async def test_create_definition_of_each_kind_answers_spotts_list_shape(
    client: httpx.AsyncClient, kind: str
) -> None:
    body: dict[str, Any] = {"label": "Seniority", "viewType": VIEW_TYPE[kind]}
    if kind in OPTIONS:
        body["options"] = OPTIONS[kind]
    response = await client.post(DEFINITIONS, json=body)

    assert response.status_code == 201, response.text
    created = response.json()
    assert list(created) == ["definition", "id", "label", "viewType", "createdAt", "modifiedAt"]
    assert created["definition"] == {
        "viewType": VIEW_TYPE[kind],
        "description": None,
        "options": OPTIONS.get(kind, []),
    }
    assert uuid.UUID(created["id"])
    assert created["label"] == "Seniority"
    assert created["viewType"] == VIEW_TYPE[kind]
    assert ISO.match(created["createdAt"])
    assert created["modifiedAt"] == created["createdAt"]
    fetched = await client.get(f"{DEFINITIONS}/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == created


async def test_label_description_and_options_are_stored_trimmed_and_nfc(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        DEFINITIONS,
        json={
            "label": "  Cafe\u0301 level ",
            "description": "Which level\nof coffee",
            "viewType": "customSelect",
            "options": [" Espresso ", "Cafe\u0301 au lait"],
        },
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["label"] == "Café level"
    assert created["definition"] == {
        "viewType": "customSelect",
        "description": "Which level\nof coffee",
        "options": ["Espresso", "Café au lait"],
    }


async def test_definition_list_is_page_style_ordered_by_creation(
    client: httpx.AsyncClient,
) -> None:
    created = [await define(client, "text", label) for label in ("Zeta", "Alpha", "Mu")]
    created.sort(key=lambda d: (d["createdAt"], d["id"]))

    first = await client.get(DEFINITIONS, params={"page": 0, "pageSize": 2})
    second = await client.get(DEFINITIONS, params={"page": 1, "pageSize": 2})
    beyond = await client.get(DEFINITIONS, params={"page": 5, "pageSize": 2})
    default = await client.get(DEFINITIONS)

    assert first.json() == {
        "items": created[:2],
        "pagination": {"totalItems": 3, "page": 0, "hasNextPage": True},
    }
    assert second.json() == {
        "items": created[2:],
        "pagination": {"totalItems": 3, "page": 1, "hasNextPage": False},
    }
    assert beyond.json() == {
        "items": [],
        "pagination": {"totalItems": 3, "page": 5, "hasNextPage": False},
    }
    assert default.json()["items"] == created


@pytest.mark.parametrize(
    ("params", "code", "path"),
    [
        ({"pageSize": 0}, "TOO_SMALL", "pageSize"),
        ({"pageSize": 101}, "TOO_BIG", "pageSize"),
        ({"page": -1}, "TOO_SMALL", "page"),
        ({"page": "x"}, "INVALID_TYPE", "page"),
    ],
)
async def test_definition_list_refuses_bad_paging(
    client: httpx.AsyncClient, params: dict[str, Any], code: str, path: str
) -> None:
    response = await client.get(DEFINITIONS, params=params)
    assert response.status_code == 400
    assert errors_of(response) == [(code, path)]


async def test_client_contact_definitions_are_a_list_of_their_own(
    client: httpx.AsyncClient,
) -> None:
    candidate_definition = await define(client, "text", "Seniority")
    contact_definition = await define(client, "select", "Seniority", path=CONTACT_DEFINITIONS)

    assert (await definition_list(client))["items"] == [candidate_definition]
    assert (await definition_list(client, CONTACT_DEFINITIONS))["items"] == [contact_definition]
    fetched = await client.get(f"{CONTACT_DEFINITIONS}/{contact_definition['id']}")
    assert fetched.json() == contact_definition
    # a definition is found only under its own entity type
    assert (await client.get(f"{DEFINITIONS}/{contact_definition['id']}")).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
async def test_an_unknown_entity_type_is_404(client: httpx.AsyncClient, method: str) -> None:
    path = "/custom-attributes/vacancy/definitions"
    if method == "get":
        response = await client.get(path)
    else:
        response = await client.post(path, json={"label": "X", "viewType": "customText"})
    assert response.status_code == 404
    assert response.json()["message"] == "Entity type vacancy not found"


async def test_get_definition_unknown_or_of_another_workspace_is_404(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    theirs = await define(other, "text")
    for definition_id in (str(uuid.uuid4()), "not-an-id", theirs["id"]):
        response = await client.get(f"{DEFINITIONS}/{definition_id}")
        assert response.status_code == 404
        assert response.json()["message"] == (
            f"Custom attribute definition {definition_id} not found"
        )
    assert (await definition_list(client))["items"] == []


async def test_a_label_in_use_is_a_409_ignoring_case_and_stores_nothing(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    first = await define(client, "text", "Seniority")

    response = await client.post(
        DEFINITIONS, json={"label": " SENIORITY ", "viewType": "customUrl"}
    )

    assert response.status_code == 409
    assert response.json()["errors"] == [
        {
            "code": "DUPLICATE",
            "path": "label",
            "message": "A candidate attribute is already labelled 'SENIORITY' (ignoring case)",
            "received": "SENIORITY",
        }
    ]
    assert (await definition_list(client))["items"] == [first]
    # other workspaces and the other entity type have labels of their own
    await define(other, "text", "Seniority")
    await define(client, "text", "Seniority", path=CONTACT_DEFINITIONS)


async def test_two_concurrent_creates_of_one_label_make_one_definition(
    client: httpx.AsyncClient,
) -> None:
    body = {"label": "Seniority", "viewType": "customText"}
    responses = await asyncio.gather(*(client.post(DEFINITIONS, json=body) for _ in range(4)))

    assert sorted(response.status_code for response in responses) == [201, 409, 409, 409]
    assert (await definition_list(client))["pagination"]["totalItems"] == 1


async def test_a_label_taken_by_a_transaction_not_yet_committed_is_a_409(
    client: httpx.AsyncClient, database: Database
) -> None:
    if backend() != "postgres":
        pytest.skip("SQLite runs one writer at a time: the label check always sees the other")
    seed = await define(client, "text", "Seed")
    async with database.transaction(write=False) as session:
        workspace_id = await session.scalar(
            select(CustomAttributeDefinition.workspace_id).where(
                CustomAttributeDefinition.id == seed["id"]
            )
        )
    assert workspace_id is not None
    body = DefinitionCreate.model_validate({"label": "Seniority", "viewType": "customText"})

    async def second() -> None:
        async with database.transaction(write=True) as session:
            await service.create_definition(session, workspace_id, "candidate", body)

    async with database.transaction(write=True) as session:
        await service.create_definition(session, workspace_id, "candidate", body)
        racing = asyncio.create_task(second())
        # meanwhile the second passes its label check and waits on the unique index
        await asyncio.sleep(0.5)
    with pytest.raises(ApiError) as caught:
        await racing

    assert caught.value.status == 409
    assert [(e.code, e.path) for e in caught.value.errors or []] == [("DUPLICATE", "label")]
    assert (await definition_list(client))["pagination"]["totalItems"] == 2


async def test_labels_are_compared_with_unicode_case_folding(client: httpx.AsyncClient) -> None:
    await define(client, "text", "Straße")
    response = await client.post(DEFINITIONS, json={"label": "STRASSE", "viewType": "customText"})
    assert response.status_code == 409
    assert errors_of(response) == [("DUPLICATE", "label")]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"viewType": "customText"}, [("REQUIRED", "label")]),
        ({"label": "   ", "viewType": "customText"}, [("TOO_SMALL", "label")]),
        ({"label": "x" * 201, "viewType": "customText"}, [("TOO_BIG", "label")]),
        ({"label": "a\tb", "viewType": "customText"}, [("INVALID_STRING", "label")]),
        ({"label": 5, "viewType": "customText"}, [("INVALID_TYPE", "label")]),
        ({"label": "X"}, [("REQUIRED", "viewType")]),
        ({"label": "X", "viewType": "text"}, [("INVALID_ENUM_VALUE", "viewType")]),
        ({"label": "X", "viewType": "customtext"}, [("INVALID_ENUM_VALUE", "viewType")]),
        (
            {"label": "X", "viewType": "customText", "type": "text"},
            [("UNRECOGNIZED_KEYS", "type")],
        ),
        (
            {"label": "X", "viewType": "customText", "options": ["A"]},
            [("UNRECOGNIZED_KEYS", "options")],
        ),
        (
            {"label": "X", "viewType": "customNumber", "options": []},
            [("UNRECOGNIZED_KEYS", "options")],
        ),
        ({"label": "X", "viewType": "customSelect"}, [("REQUIRED", "options")]),
        ({"label": "X", "viewType": "customSelect", "options": []}, [("TOO_SMALL", "options")]),
        (
            {"label": "X", "viewType": "customMultiSelect", "options": None},
            [("INVALID_TYPE", "options")],
        ),
        (
            {"label": "X", "viewType": "customSelect", "options": ["A", " "]},
            [("TOO_SMALL", "options.1")],
        ),
        (
            {"label": "X", "viewType": "customSelect", "options": ["A", 1]},
            [("INVALID_TYPE", "options.1")],
        ),
        (
            {"label": "X", "viewType": "customMultiSelect", "options": ["A", "B", " a", "b"]},
            [("DUPLICATE", "options.2"), ("DUPLICATE", "options.3")],
        ),
        (
            {
                "label": "X",
                "viewType": "customSelect",
                "options": ["A"] + [f"o{i}" for i in range(500)],
            },
            [("TOO_BIG", "options")],
        ),
        (
            {"label": "X", "viewType": "customText", "description": 5},
            [("INVALID_TYPE", "description")],
        ),
    ],
)
async def test_bad_definition_is_a_400_naming_the_field_and_stores_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    response = await client.post(DEFINITIONS, json=body)
    assert response.status_code == 400, response.text
    assert errors_of(response) == errors
    assert (await definition_list(client))["pagination"]["totalItems"] == 0


# ---- one value ---------------------------------------------------------------------------------

KIND_VALUES: list[tuple[str, Any, dict[str, Any]]] = [
    ("text", "Senior engineer", {"viewType": "customText", "text": "Senior engineer"}),
    ("text", "", {"viewType": "customText", "text": ""}),
    ("number", 42, {"viewType": "customNumber", "number": 42}),
    ("number", -2.5, {"viewType": "customNumber", "number": -2.5}),
    # the limits: every integer up to 2**53 - 1 is exact on both backends and in JavaScript
    ("number", 2**53 - 1, {"viewType": "customNumber", "number": 9007199254740991}),
    ("number", -(2**53 - 1), {"viewType": "customNumber", "number": -9007199254740991}),
    ("number", 1.5e15, {"viewType": "customNumber", "number": 1.5e15}),
    ("checkbox", False, {"viewType": "customCheckbox", "checked": False}),
    ("select", "Senior", {"viewType": "customSelect", "selected": "Senior"}),
    (
        "multiSelect",
        ["SQL", "Python", "SQL"],
        {"viewType": "customMultiSelect", "selected": ["SQL", "Python"]},
    ),
    ("multiSelect", [], {"viewType": "customMultiSelect", "selected": []}),
    (
        "date",
        "2024-01-15T16:30:00.5+02:00",
        {"viewType": "customDate", "date": "2024-01-15T14:30:00.500Z"},
    ),
    # a plain date is that day at midnight UTC
    ("date", "2024-01-15", {"viewType": "customDate", "date": "2024-01-15T00:00:00.000Z"}),
    (
        "currency",
        {"amount": 5000.5, "currency": "EUR"},
        {"viewType": "customCurrency", "amount": 5000.5, "currency": "EUR"},
    ),
    ("url", "https://x.example/a?b=1", {"viewType": "customUrl", "url": "https://x.example/a?b=1"}),
]


@pytest.mark.parametrize(("kind", "sent", "shown"), KIND_VALUES)
async def test_put_value_of_each_kind_shows_its_exact_view_value(
    client: httpx.AsyncClient, kind: str, sent: Any, shown: dict[str, Any]
) -> None:
    definition = await define(client, kind)
    candidate_id = await create_candidate(client)

    response = await put_value(client, candidate_id, definition["id"], sent)

    assert response.status_code == 200, response.text
    answered = response.json()
    CandidateView.model_validate(answered)
    assert answered["customAttributes"] == [entry(definition, shown)]
    assert (await view_of(client, candidate_id)) == answered


@pytest.mark.parametrize(("kind", "sent", "shown"), KIND_VALUES)
async def test_put_value_accepts_the_value_as_the_view_shows_it(
    client: httpx.AsyncClient, kind: str, sent: Any, shown: dict[str, Any]
) -> None:
    definition = await define(client, kind)
    candidate_id = await create_candidate(client)
    view_form = dict(shown)
    if kind == "multiSelect":
        view_form["selected"] = sent
    elif kind != "currency":
        view_form[next(key for key in shown if key != "viewType")] = sent

    response = await put_value(client, candidate_id, definition["id"], view_form)

    assert response.status_code == 200, response.text
    assert response.json()["customAttributes"] == [entry(definition, shown)]


async def test_a_new_value_replaces_the_old_and_null_removes_it(client: httpx.AsyncClient) -> None:
    definition = await define(client, "select")
    candidate_id = await create_candidate(client)
    await put_value(client, candidate_id, definition["id"], "Junior")

    replaced = await put_value(client, candidate_id, definition["id"], "Senior")
    assert replaced.json()["customAttributes"] == [
        entry(definition, {"viewType": "customSelect", "selected": "Senior"})
    ]

    removed = await put_value(client, candidate_id, definition["id"], None)
    assert removed.status_code == 200
    assert removed.json()["customAttributes"] == []
    assert (await view_of(client, candidate_id))["customAttributes"] == []


async def test_every_change_moves_modified_at_and_a_no_op_does_not(
    client: httpx.AsyncClient,
) -> None:
    definition = await define(client, "number")
    candidate_id = await create_candidate(client)
    stamps = [(await view_of(client, candidate_id))["modifiedAt"]]

    for value in (1, 2, 2, None, None):
        response = await put_value(client, candidate_id, definition["id"], value)
        assert response.status_code == 200
        stamps.append(response.json()["modifiedAt"])

    set_, changed, same, removed, removed_again = stamps[1:]
    assert stamps[0] < set_ < changed
    assert same == changed
    assert changed < removed
    assert removed_again == removed


async def test_view_lists_values_in_definition_creation_order_not_by_label(
    client: httpx.AsyncClient,
) -> None:
    zeta = await define(client, "text", "Zeta")
    alpha = await define(client, "checkbox", "Alpha")
    mu = await define(client, "number", "Mu")
    candidate_id = await create_candidate(client)
    for definition, value in ((mu, 3), (alpha, True), (zeta, "z")):
        assert (await put_value(client, candidate_id, definition["id"], value)).status_code == 200

    view = await view_of(client, candidate_id)

    ordered = sorted([zeta, alpha, mu], key=lambda d: (d["createdAt"], d["id"]))
    assert [item["label"] for item in view["customAttributes"]] == [d["label"] for d in ordered]


async def test_a_person_overwriting_an_ai_filled_value_marks_it_overridden(
    client: httpx.AsyncClient,
) -> None:
    definition = await define(client, "text")
    candidate_id = await create_candidate(
        client,
        customAttributes=[
            {"attributeDefinitionId": definition["id"], "value": "AI", "filledByAI": True}
        ],
    )
    same = await put_value(client, candidate_id, definition["id"], "AI")
    assert same.json()["customAttributes"] == [
        entry(definition, {"viewType": "customText", "text": "AI"}, isFilledByAI=True)
    ]

    changed = await put_value(client, candidate_id, definition["id"], "Person")

    assert changed.json()["customAttributes"] == [
        entry(definition, {"viewType": "customText", "text": "Person"}, aiOverridden=True)
    ]


async def test_concurrent_puts_of_one_value_leave_one_of_them(client: httpx.AsyncClient) -> None:
    definition = await define(client, "number")
    candidate_id = await create_candidate(client)

    responses = await asyncio.gather(
        *(put_value(client, candidate_id, definition["id"], n) for n in range(5))
    )

    assert [response.status_code for response in responses] == [200] * 5
    [stored] = (await view_of(client, candidate_id))["customAttributes"]
    assert stored["value"]["number"] in range(5)


BAD_VALUES: list[Any] = [
    ("text", 5, "INVALID_TYPE", "value"),
    ("text", "x" * 10_001, "TOO_BIG", "value"),
    ("number", "5", "INVALID_TYPE", "value"),
    ("number", True, "INVALID_TYPE", "value"),
    # beyond ±(2**53 - 1): SQLite stored 10**400 as Inf (then every read was a 500)
    pytest.param("number", 10**400, "TOO_BIG", "value", id="number-10**400"),
    pytest.param("number", -(10**400), "TOO_BIG", "value", id="number--10**400"),
    ("number", 2**53, "TOO_BIG", "value"),
    ("number", -(2**53), "TOO_BIG", "value"),
    ("number", 1e300, "TOO_BIG", "value"),
    ("number", {"viewType": "customNumber", "number": 10**30}, "TOO_BIG", "value.number"),
    ("checkbox", "true", "INVALID_TYPE", "value"),
    ("checkbox", 1, "INVALID_TYPE", "value"),
    ("select", "senior", "INVALID_ENUM_VALUE", "value"),
    ("select", ["Senior"], "INVALID_TYPE", "value"),
    ("multiSelect", "Go", "INVALID_TYPE", "value"),
    ("multiSelect", ["Go", "Rust"], "INVALID_ENUM_VALUE", "value.1"),
    ("multiSelect", ["Go", 3], "INVALID_TYPE", "value.1"),
    ("date", "2024-01-15T14:30:00", "INVALID_STRING", "value"),
    ("date", "2024-02-30", "INVALID_STRING", "value"),
    ("date", "2024-1-15", "INVALID_STRING", "value"),
    ("date", "2024-01-15 ", "INVALID_STRING", "value"),
    ("date", "1899-12-31", "TOO_SMALL", "value"),
    ("date", "3000-01-01", "TOO_BIG", "value"),
    ("date", 1705329000, "INVALID_TYPE", "value"),
    ("currency", 5000, "INVALID_TYPE", "value"),
    ("currency", {"amount": 1}, "REQUIRED", "value.currency"),
    ("currency", {"amount": 1, "currency": "EUR", "x": 1}, "UNRECOGNIZED_KEYS", "value.x"),
    ("currency", {"amount": "1", "currency": "EUR"}, "INVALID_TYPE", "value.amount"),
    ("currency", {"amount": -1, "currency": "EUR"}, "TOO_SMALL", "value.amount"),
    ("currency", {"amount": 1, "currency": "eur"}, "INVALID_STRING", "value.currency"),
    ("url", "ftp://x.example", "INVALID_STRING", "value"),
    ("url", "x.example", "INVALID_STRING", "value"),
    ("url", 5, "INVALID_TYPE", "value"),
    # the view form
    ("text", {"viewType": "customNumber", "text": "x"}, "INVALID_ENUM_VALUE", "value.viewType"),
    ("text", {"viewType": "customText"}, "REQUIRED", "value.text"),
    ("text", {"viewType": "customText", "text": None}, "INVALID_TYPE", "value.text"),
    ("text", {"viewType": "customText", "text": "a", "b": 1}, "UNRECOGNIZED_KEYS", "value.b"),
    (
        "multiSelect",
        {"viewType": "customMultiSelect", "selected": ["Go", "go"]},
        "INVALID_ENUM_VALUE",
        "value.selected.1",
    ),
    (
        "currency",
        {"viewType": "customCurrency", "amount": 1, "currency": "XXY"},
        "INVALID_STRING",
        "value.currency",
    ),
]


@pytest.mark.parametrize(("kind", "sent", "code", "path"), BAD_VALUES)
async def test_a_value_that_does_not_fit_its_kind_is_a_400_and_changes_nothing(
    client: httpx.AsyncClient, kind: str, sent: Any, code: str, path: str
) -> None:
    definition = await define(client, kind)
    candidate_id = await create_candidate(client)
    before = await view_of(client, candidate_id)

    response = await put_value(client, candidate_id, definition["id"], sent)

    assert response.status_code == 400, response.text
    assert errors_of(response) == [(code, path)]
    assert (await view_of(client, candidate_id)) == before


async def test_a_bad_value_keeps_the_stored_one(client: httpx.AsyncClient) -> None:
    definition = await define(client, "select")
    candidate_id = await create_candidate(client)
    stored = (await put_value(client, candidate_id, definition["id"], "Junior")).json()

    response = await put_value(client, candidate_id, definition["id"], "Lead")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "INVALID_ENUM_VALUE",
            "path": "value",
            "message": "Not an option of this attribute: 'Lead'",
            "received": "Lead",
        }
    ]
    assert (await view_of(client, candidate_id)) == stored


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, [("REQUIRED", "value")]),
        ({"value": "x", "label": "A text"}, [("UNRECOGNIZED_KEYS", "label")]),
        ({"Value": "x"}, [("REQUIRED", "value"), ("UNRECOGNIZED_KEYS", "Value")]),
    ],
)
async def test_put_value_body_is_strict(
    client: httpx.AsyncClient, body: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    definition = await define(client, "text")
    candidate_id = await create_candidate(client)
    response = await client.put(
        f"/candidates/{candidate_id}/custom-attributes/{definition['id']}", json=body
    )
    assert response.status_code == 400
    assert sorted(errors_of(response)) == sorted(errors)


async def test_put_value_unknown_or_foreign_candidate_is_404_and_leaks_nothing(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    definition = await define(client, "text")
    theirs = await create_candidate(other)
    their_view = await view_of(other, theirs)

    for candidate_id in (str(uuid.uuid4()), "nope", theirs):
        response = await put_value(client, candidate_id, definition["id"], "x")
        assert response.status_code == 404
        assert response.json()["message"] == f"Candidate {candidate_id} not found"
    assert (await view_of(other, theirs)) == their_view


async def test_put_value_unknown_foreign_or_client_contact_definition_is_404(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    candidate_id = await create_candidate(client)
    before = await view_of(client, candidate_id)
    theirs = await define(other, "text")
    contact = await define(client, "text", path=CONTACT_DEFINITIONS)

    for definition_id in (str(uuid.uuid4()), "nope", theirs["id"], contact["id"]):
        response = await put_value(client, candidate_id, definition_id, "x")
        assert response.status_code == 404
        assert response.json()["message"] == (
            f"Custom attribute definition {definition_id} not found"
        )
    assert (await view_of(client, candidate_id)) == before


# ---- bulk --------------------------------------------------------------------------------------


def bulk_path(candidate_id: str) -> str:
    return f"/custom-attributes/candidates/{candidate_id}/values/_bulk"


async def test_bulk_sets_removes_and_keeps_values_and_answers_204(
    client: httpx.AsyncClient,
) -> None:
    text = await define(client, "text")
    number = await define(client, "number")
    kept = await define(client, "checkbox")
    candidate_id = await create_candidate(client)
    for definition, value in ((number, 7), (kept, True)):
        await put_value(client, candidate_id, definition["id"], value)
    before = (await view_of(client, candidate_id))["modifiedAt"]

    response = await client.put(
        bulk_path(candidate_id),
        json={
            "attributes": [
                # Spott's documented body form
                {
                    "attributeDefinitionId": text["id"],
                    "value": {"viewType": "customText", "text": "Senior Software Engineer"},
                },
                {"attributeDefinitionId": number["id"], "value": None},
            ]
        },
    )

    assert response.status_code == 204
    assert response.content == b""
    view = await view_of(client, candidate_id)
    assert view["customAttributes"] == [
        entry(text, {"viewType": "customText", "text": "Senior Software Engineer"}),
        entry(kept, {"viewType": "customCheckbox", "checked": True}),
    ]
    assert view["modifiedAt"] > before


async def test_bulk_without_changes_keeps_modified_at(client: httpx.AsyncClient) -> None:
    definition = await define(client, "url")
    candidate_id = await create_candidate(client)
    await put_value(client, candidate_id, definition["id"], "https://x.example")
    before = await view_of(client, candidate_id)

    for attributes in (
        [],
        [{"attributeDefinitionId": definition["id"], "value": "https://x.example"}],
    ):
        response = await client.put(bulk_path(candidate_id), json={"attributes": attributes})
        assert response.status_code == 204
    assert (await view_of(client, candidate_id)) == before


async def test_bulk_is_all_or_nothing_and_names_every_bad_item(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    text = await define(client, "text")
    select = await define(client, "select")
    multi = await define(client, "multiSelect")
    theirs = await define(other, "text")
    candidate_id = await create_candidate(client)
    await put_value(client, candidate_id, select["id"], "Junior")
    before = await view_of(client, candidate_id)

    response = await client.put(
        bulk_path(candidate_id),
        json={
            "attributes": [
                {"attributeDefinitionId": text["id"], "value": "fine"},
                {"attributeDefinitionId": select["id"], "value": "Lead"},
                {"attributeDefinitionId": theirs["id"], "value": "x"},
                {"attributeDefinitionId": text["id"], "value": "again"},
                {"attributeDefinitionId": multi["id"], "value": ["Go", "Java"]},
                {"attributeDefinitionId": str(uuid.uuid4()), "value": None},
            ]
        },
    )

    assert response.status_code == 400
    assert errors_of(response) == [
        ("INVALID_ENUM_VALUE", "attributes.1.value"),
        ("NOT_FOUND", "attributes.2.attributeDefinitionId"),
        ("DUPLICATE", "attributes.3.attributeDefinitionId"),
        ("INVALID_ENUM_VALUE", "attributes.4.value.1"),
        ("NOT_FOUND", "attributes.5.attributeDefinitionId"),
    ]
    assert (await view_of(client, candidate_id)) == before


async def test_bulk_refuses_a_number_beyond_the_safe_range_and_stores_nothing(
    client: httpx.AsyncClient,
) -> None:
    number = await define(client, "number")
    text = await define(client, "text")
    candidate_id = await create_candidate(client)
    before = await view_of(client, candidate_id)

    response = await client.put(
        bulk_path(candidate_id),
        json={
            "attributes": [
                {"attributeDefinitionId": text["id"], "value": "fine"},
                {
                    "attributeDefinitionId": number["id"],
                    "value": {"viewType": "customNumber", "number": 10**400},
                },
            ]
        },
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error == {
        "code": "TOO_BIG",
        "path": "attributes.1.value.number",
        "message": "Expected a finite number between -9007199254740991 and 9007199254740991",
        "received": 10**400,
    }
    assert (await view_of(client, candidate_id)) == before
    listing = await client.get("/candidates")
    assert listing.status_code == 200, listing.text


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, [("REQUIRED", "attributes")]),
        ({"attributes": None}, [("INVALID_TYPE", "attributes")]),
        ({"attributes": [{"value": 1}]}, [("REQUIRED", "attributes.0.attributeDefinitionId")]),
        (
            {"attributes": [{"attributeDefinitionId": "a"}]},
            [("REQUIRED", "attributes.0.value")],
        ),
        (
            {"attributes": [{"attributeDefinitionId": "a", "value": 1, "label": "x"}]},
            [("UNRECOGNIZED_KEYS", "attributes.0.label")],
        ),
        ({"attributes": [], "extra": 1}, [("UNRECOGNIZED_KEYS", "extra")]),
    ],
)
async def test_bulk_body_is_strict(
    client: httpx.AsyncClient, body: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    candidate_id = await create_candidate(client)
    response = await client.put(bulk_path(candidate_id), json=body)
    assert response.status_code == 400
    assert errors_of(response) == errors


async def test_bulk_on_an_unknown_or_foreign_candidate_is_404(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    definition = await define(client, "text")
    theirs = await create_candidate(other)
    their_view = await view_of(other, theirs)
    body = {"attributes": [{"attributeDefinitionId": definition["id"], "value": "x"}]}

    for candidate_id in (str(uuid.uuid4()), "nope", theirs):
        response = await client.put(bulk_path(candidate_id), json=body)
        assert response.status_code == 404
        assert response.json()["message"] == f"Candidate {candidate_id} not found"
    assert (await view_of(other, theirs)) == their_view


async def test_deleting_a_candidate_with_values_leaves_definitions(
    client: httpx.AsyncClient,
) -> None:
    definition = await define(client, "text")
    candidate_id = await create_candidate(client)
    await put_value(client, candidate_id, definition["id"], "x")

    assert (await client.delete(f"/candidates/{candidate_id}")).status_code == 204

    assert (await definition_list(client))["items"] == [definition]
    assert (await put_value(client, candidate_id, definition["id"], "x")).status_code == 404
