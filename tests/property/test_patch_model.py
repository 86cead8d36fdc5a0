"""Any sequence of valid and invalid PATCHes leaves the candidate exactly where applying only the
valid ones to a plain in-memory model leaves it (API.md §2.1); ``modifiedAt`` moves exactly when
the model changes."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

INVALID = object()  # marks a drawn value the server must refuse

NAMES = ["Ann", "Łukasz", "O’Brien", "Zoë", "李小龍"]
EMAILS = ["ann@example.com", "ANN@example.com", "bob@example.org", "jane@acme.test"]

# body key -> strategy of (value sent, valid?)
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "firstName": st.sampled_from(NAMES)
    | st.sampled_from([None, "", "R2D2"]).map(lambda _: INVALID),
    "middleName": st.sampled_from([*NAMES, None]) | st.just(INVALID),
    "gender": st.sampled_from(["male", "female", "x", None, INVALID]),
    "nationality": st.lists(st.sampled_from(["Dutch", "Polish", "Afghan"]), max_size=4)
    | st.just(INVALID),
    "status": st.lists(st.sampled_from(["actively_looking", "do_not_contact"]), max_size=3)
    | st.just(INVALID),
    "emails": st.lists(
        st.fixed_dictionaries({"email": st.sampled_from(EMAILS[2:]), "isPrimary": st.booleans()}),
        max_size=2,
        unique_by=lambda item: item["email"],
    ).filter(lambda items: sum(item["isPrimary"] for item in items) <= 1)
    | st.just(INVALID),
    "visibleIfClientContact": st.sampled_from([True, False, None, INVALID]),
    "dateOfBirth": st.sampled_from(["1990-05-15", "1985-01-01T00:00:00.000Z", None, INVALID]),
    "compensation": st.sampled_from(
        [{"currency": "USD", "totalCompensation": 100, "baseCompensation": 50}, None, INVALID]
    ),
}

# what an INVALID draw sends for each key
BAD = {
    "firstName": "R2D2",
    "middleName": "",
    "gender": "Male",
    "nationality": ["dutch"],
    "status": None,
    "emails": [
        {"email": "a@x.example", "isPrimary": True},
        {"email": "b@x.example", "isPrimary": True},
    ],
    "visibleIfClientContact": "true",
    "dateOfBirth": "1990-13-01",
    "compensation": {"currency": "USD", "totalCompensation": 10, "baseCompensation": 50},
}

patches = st.lists(
    st.dictionaries(st.sampled_from(sorted(FIELDS)), st.none(), max_size=4).flatmap(
        lambda keys: st.fixed_dictionaries({key: FIELDS[key] for key in keys})
    ),
    min_size=1,
    max_size=6,
)


def _expected(key: str, value: Any) -> Any:
    """The value's projection in the model, as the view must show it."""
    if key in ("nationality", "status"):
        return list(dict.fromkeys(value))
    if key == "emails":
        flags = [item["isPrimary"] for item in value]
        if value and not any(flags):
            flags[0] = True
        return [
            {"purpose": None, "email": item["email"], "isPrimary": flag}
            for item, flag in zip(value, flags, strict=True)
        ]
    if key == "dateOfBirth" and value is not None:
        return value[:10] + "T00:00:00.000Z"
    return value


def _project(view: dict[str, Any]) -> dict[str, Any]:
    compensation = view["compensation"]["compensation"]
    if compensation is not None:
        compensation = {key: compensation[key] for key in compensation if key != "id"}
    return {
        "firstName": view["name"]["firstName"],
        "middleName": view["name"]["middleName"],
        "gender": view["gender"]["gender"],
        "nationality": view["nationality"]["nationality"],
        "status": view["status"]["status"],
        "emails": view["emails"]["emails"],
        "visibleIfClientContact": view["isVisibleIfClientContact"],
        "dateOfBirth": view["dateOfBirth"]["dateOfBirth"],
        "compensation": compensation,
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=patches)
async def test_patch_sequences_match_a_model_that_applies_only_the_valid_ones(
    client: httpx.AsyncClient, steps: list[dict[str, Any]]
) -> None:
    http = client
    created = await http.post("/candidates", json={"firstName": "Jane", "lastName": "Roe"})
    assert created.status_code == 201
    candidate_id = created.json()
    view = (await http.get(f"/candidates/{candidate_id}")).json()
    model = _project(view)
    for step in steps:
        body = {key: (BAD[key] if value is INVALID else value) for key, value in step.items()}
        valid = all(value is not INVALID for value in step.values())
        answer = await http.patch(f"/candidates/{candidate_id}", json=body)
        if not valid:
            assert answer.status_code == 400, (body, answer.text)
            assert (await http.get(f"/candidates/{candidate_id}")).json() == view
            continue
        assert answer.status_code == 200, (body, answer.text)
        new_model = {**model, **{key: _expected(key, value) for key, value in body.items()}}
        new_view = answer.json()
        assert _project(new_view) == new_model, body
        moved = new_view["modifiedAt"] != view["modifiedAt"]
        assert moved == (new_model != model), body
        if moved:
            assert new_view["modifiedAt"] > view["modifiedAt"]
        model, view = new_model, new_view
