"""POST /candidates (API.md §2.2) and DELETE /candidates/{id} (API.md §2)."""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from talentbase.db.urls import sync_url
from tests.conftest import create_candidate, create_user

ReadRow = Callable[[str], dict[str, Any] | None]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    sync_engine = create_engine(sync_url(database_url))
    yield sync_engine
    sync_engine.dispose()


def unique_last_name() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=16)).capitalize()


def count(engine: Engine, sql: str, **params: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())


def candidates_named(engine: Engine, last_name: str) -> int:
    return count(engine, "SELECT count(*) FROM candidates WHERE last_name = :n", n=last_name)


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == 400
    assert body["requestId"] == response.headers["x-request-id"]
    return [(item["code"], item["path"]) for item in body["errors"]]


def assert_not_found(response: httpx.Response) -> None:
    assert response.status_code == 404, response.text
    body = response.json()
    assert body["status"] == 404
    assert body["requestId"] == response.headers["x-request-id"]
    assert set(body) == {"status", "message", "requestId"}


# ---- POST /candidates --------------------------------------------------------------------------


async def test_create_answers_201_with_the_new_id_as_a_bare_json_string(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    response = await client.post("/candidates", json={"firstName": "Jane", "lastName": "Roe"})

    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("application/json")
    candidate_id = response.json()
    assert isinstance(candidate_id, str) and candidate_id
    assert response.text.strip() == f'"{candidate_id}"'
    view = (await client.get(f"/candidates/{candidate_id}")).json()
    assert view["id"] == candidate_id
    assert view["name"]["firstName"] == "Jane"
    assert view["name"]["lastName"] == "Roe"
    row = read_row(candidate_id)
    assert row is not None and row["first_name"] == "Jane"


async def test_two_creates_give_two_different_ids(client: httpx.AsyncClient) -> None:
    first = await create_candidate(client)
    second = await create_candidate(client)

    assert first != second


async def test_acquisition_source_defaults_to_manual(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    candidate_id = await create_candidate(client)

    view = (await client.get(f"/candidates/{candidate_id}")).json()

    assert view["acquisitionSource"] == {
        "viewType": "candidateAcquisitionSource",
        "acquisitionSource": "manual",
    }
    row = read_row(candidate_id)
    assert row is not None and row["acquisition_source"] == "manual"


async def test_acquisition_source_given_on_create_is_kept(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client, acquisitionSource="cv_parse")

    view = (await client.get(f"/candidates/{candidate_id}")).json()

    assert view["acquisitionSource"]["acquisitionSource"] == "cv_parse"


@pytest.mark.parametrize("missing", ["firstName", "lastName"])
async def test_missing_required_name_is_a_400_required_at_that_path(
    client: httpx.AsyncClient, engine: Engine, missing: str
) -> None:
    marker = unique_last_name()
    body = {"firstName": marker, "lastName": marker}
    del body[missing]
    present = "first_name" if missing == "lastName" else "last_name"

    response = await client.post("/candidates", json=body)

    assert errors_of(response) == [("REQUIRED", missing)]
    assert count(engine, f"SELECT count(*) FROM candidates WHERE {present} = :m", m=marker) == 0


async def test_both_names_missing_are_both_reported(client: httpx.AsyncClient) -> None:
    response = await client.post("/candidates", json={})

    assert sorted(errors_of(response)) == [("REQUIRED", "firstName"), ("REQUIRED", "lastName")]


@pytest.mark.parametrize("field", ["firstName", "lastName"])
async def test_null_required_name_on_create_is_a_400(
    client: httpx.AsyncClient, engine: Engine, field: str
) -> None:
    last_name = unique_last_name()
    body: dict[str, Any] = {"firstName": "Jane", "lastName": last_name, field: None}

    response = await client.post("/candidates", json=body)

    assert [path for _, path in errors_of(response)] == [field]
    assert candidates_named(engine, last_name) == 0


async def test_create_applies_the_patch_email_rule_and_creates_nothing_on_failure(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    last_name = unique_last_name()
    total_before = count(engine, "SELECT count(*) FROM candidates")

    response = await client.post(
        "/candidates",
        json={"firstName": "Jane", "lastName": last_name, "emails": [{"email": "not-an-email"}]},
    )

    assert errors_of(response) == [("INVALID_STRING", "emails.0.email")]
    assert candidates_named(engine, last_name) == 0
    assert count(engine, "SELECT count(*) FROM candidates") == total_before


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param({"gender": "Male"}, ("INVALID_ENUM_VALUE", "gender"), id="gender-case"),
        pytest.param(
            {"nationality": ["Dutchman"]}, ("INVALID_ENUM_VALUE", "nationality.0"), id="nationality"
        ),
        pytest.param({"status": ["looking"]}, ("INVALID_ENUM_VALUE", "status.0"), id="status"),
        pytest.param(
            {"acquisitionSource": "linkedin"},
            ("INVALID_ENUM_VALUE", "acquisitionSource"),
            id="acquisition-source",
        ),
        pytest.param(
            {"emails": [{"email": "a@x.example", "purpose": "home"}]},
            ("INVALID_ENUM_VALUE", "emails.0.purpose"),
            id="email-purpose",
        ),
        pytest.param(
            {
                "emails": [
                    {"email": "a@x.example", "isPrimary": True},
                    {"email": "b@x.example", "isPrimary": True},
                ]
            },
            ("ONLY_ONE_PRIMARY_ALLOWED", "emails.1.isPrimary"),
            id="two-primaries",
        ),
        pytest.param(
            {"socialMedia": [{"url": "linkedin.com/in/x", "type": "LINKEDIN"}]},
            ("INVALID_STRING", "socialMedia.0.url"),
            id="relative-url",
        ),
        pytest.param(
            {"locations": [{"latitude": 91, "longitude": 0}]},
            ("TOO_BIG", "locations.0.latitude"),
            id="latitude",
        ),
        pytest.param(
            {"mainContact": {"userId": "no-such-user"}},
            ("NOT_FOUND", "mainContact.userId"),
            id="main-contact",
        ),
        pytest.param(
            {"lastInteractionAt": "2024-01-15T14:30:00"},
            ("INVALID_STRING", "lastInteractionAt"),
            id="datetime-without-zone",
        ),
        pytest.param({"nickname": "JJ"}, ("UNRECOGNIZED_KEYS", "nickname"), id="unknown-key"),
    ],
)
async def test_create_refuses_what_patch_refuses_and_creates_nothing(
    client: httpx.AsyncClient, engine: Engine, extra: dict[str, Any], expected: tuple[str, str]
) -> None:
    last_name = unique_last_name()
    candidate_id = await create_candidate(client)

    created = await client.post(
        "/candidates", json={"firstName": "Jane", "lastName": last_name, **extra}
    )
    patched = await client.patch(f"/candidates/{candidate_id}", json=extra)

    assert errors_of(created) == [expected]
    assert errors_of(patched) == [expected]
    assert candidates_named(engine, last_name) == 0


async def test_create_with_avatar_url_shows_it_in_name(client: httpx.AsyncClient) -> None:
    url = "https://cdn.example.com/avatars/jane.png"

    candidate_id = await create_candidate(client, avatarUrl=url)

    view = (await client.get(f"/candidates/{candidate_id}")).json()
    assert view["name"] == {
        "viewType": "candidateName",
        "avatarUrl": url,
        "firstName": "Jane",
        "lastName": "Roe",
        "middleName": None,
        "secondLastName": None,
    }


async def test_create_with_invalid_avatar_url_is_a_400(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    last_name = unique_last_name()

    response = await client.post(
        "/candidates",
        json={"firstName": "Jane", "lastName": last_name, "avatarUrl": "javascript:alert(1)"},
    )

    assert errors_of(response) == [("INVALID_STRING", "avatarUrl")]
    assert candidates_named(engine, last_name) == 0


async def test_create_with_the_full_seed_field_set_shows_every_value(
    client: httpx.AsyncClient,
) -> None:
    user = await create_user(client, "Ann Recruiter", f"ann-{uuid.uuid4().hex}@x.example")

    candidate_id = await create_candidate(
        client,
        middleName="William",
        secondLastName="Garcia",
        gender="female",
        nationality=["Dutch", "Dutch", "Belgian"],
        status=["actively_looking"],
        emails=[{"purpose": "work", "email": "jane@work.example"}],
        phoneNumbers=[{"purpose": "personal", "phoneNumber": "+31612345678"}],
        mainContact={"userId": user["userId"]},
        dateOfBirth="1990-05-15",
        visibleIfClientContact=False,
    )

    view = (await client.get(f"/candidates/{candidate_id}")).json()
    assert view["name"]["middleName"] == "William"
    assert view["name"]["secondLastName"] == "Garcia"
    assert view["gender"]["gender"] == "female"
    assert view["nationality"]["nationality"] == ["Dutch", "Belgian"]
    assert view["status"]["status"] == ["actively_looking"]
    assert view["emails"]["emails"] == [
        {"purpose": "work", "email": "jane@work.example", "isPrimary": True}
    ]
    assert view["phoneNumbers"]["phoneNumbers"] == [
        {"purpose": "personal", "phoneNumber": "+31612345678", "isPrimary": True}
    ]
    assert view["mainContact"]["user"] == user
    assert view["dateOfBirth"]["dateOfBirth"] == "1990-05-15T00:00:00.000Z"
    assert view["isVisibleIfClientContact"] is False


@pytest.mark.parametrize("field", ["workExperiences", "education"])
async def test_history_with_an_unknown_company_is_a_400_not_found_and_creates_nothing(
    client: httpx.AsyncClient, engine: Engine, field: str
) -> None:
    last_name = unique_last_name()
    unknown_company = str(uuid.uuid4())
    item: dict[str, Any] = {"companyId": unknown_company}
    if field == "workExperiences":
        item["jobTitle"] = "Engineer"
    else:
        item["degree"] = "Master"

    response = await client.post(
        "/candidates", json={"firstName": "Jane", "lastName": last_name, field: [item]}
    )

    assert errors_of(response) == [("NOT_FOUND", f"{field}.0.companyId")]
    assert response.json()["errors"][0]["received"] == unknown_company
    assert candidates_named(engine, last_name) == 0
    table = "work_experiences" if field == "workExperiences" else "education"
    assert (
        count(engine, f"SELECT count(*) FROM {table} WHERE company_id = :c", c=unknown_company) == 0
    )


async def test_unknown_company_in_a_later_item_names_that_item(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    last_name = unique_last_name()

    response = await client.post(
        "/candidates",
        json={
            "firstName": "Jane",
            "lastName": last_name,
            "workExperiences": [{"jobTitle": "Intern"}, {"companyId": "nope", "jobTitle": "Dev"}],
        },
    )

    assert errors_of(response) == [("NOT_FOUND", "workExperiences.1.companyId")]
    assert candidates_named(engine, last_name) == 0


async def test_work_experience_without_company_is_created_and_shown_as_latest(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(
        client,
        workExperiences=[{"jobTitle": "Engineer", "startDate": "2020-01-01T00:00:00.000Z"}],
    )

    view = (await client.get(f"/candidates/{candidate_id}")).json()

    assert view["latestWorkExperience"] == {"title": "Engineer", "company": None}


async def test_custom_attribute_with_an_unknown_definition_is_a_400_not_found(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    last_name = unique_last_name()
    unknown_definition = str(uuid.uuid4())

    response = await client.post(
        "/candidates",
        json={
            "firstName": "Jane",
            "lastName": last_name,
            "customAttributes": [{"attributeDefinitionId": unknown_definition, "value": "x"}],
        },
    )

    assert errors_of(response) == [("NOT_FOUND", "customAttributes.0.attributeDefinitionId")]
    assert candidates_named(engine, last_name) == 0
    assert (
        count(
            engine,
            "SELECT count(*) FROM custom_attribute_values WHERE definition_id = :d",
            d=unknown_definition,
        )
        == 0
    )


# ---- DELETE /candidates/{id} -------------------------------------------------------------------


async def test_delete_answers_204_with_an_empty_body(
    client: httpx.AsyncClient, read_row: ReadRow
) -> None:
    candidate_id = await create_candidate(client)

    response = await client.delete(f"/candidates/{candidate_id}")

    assert response.status_code == 204
    assert response.content == b""
    assert read_row(candidate_id) is None


async def test_after_delete_get_patch_and_delete_answer_404(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)
    assert (await client.delete(f"/candidates/{candidate_id}")).status_code == 204

    assert_not_found(await client.get(f"/candidates/{candidate_id}"))
    assert_not_found(
        await client.patch(f"/candidates/{candidate_id}", json={"firstName": "Zombie"})
    )
    assert_not_found(await client.delete(f"/candidates/{candidate_id}"))


async def test_deleted_candidate_answers_like_an_id_that_never_existed(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    never = str(uuid.uuid4())
    await client.delete(f"/candidates/{candidate_id}")

    deleted = (await client.get(f"/candidates/{candidate_id}")).json()
    missing = (await client.get(f"/candidates/{never}")).json()

    assert deleted["message"].replace(candidate_id, "<id>") == missing["message"].replace(
        never, "<id>"
    )
    assert set(deleted) == set(missing)


async def test_deleted_id_is_recorded_in_deleted_candidates_of_its_workspace(
    client: httpx.AsyncClient, read_row: ReadRow, engine: Engine
) -> None:
    candidate_id = await create_candidate(client)
    row = read_row(candidate_id)
    assert row is not None

    await client.delete(f"/candidates/{candidate_id}")

    with engine.connect() as connection:
        tombstones = (
            connection.execute(
                text("SELECT id, workspace_id, deleted_at FROM deleted_candidates WHERE id = :id"),
                {"id": candidate_id},
            )
            .mappings()
            .all()
        )
    assert len(tombstones) == 1
    assert tombstones[0]["workspace_id"] == row["workspace_id"]
    assert tombstones[0]["deleted_at"] is not None


async def test_a_second_delete_leaves_a_single_tombstone(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    candidate_id = await create_candidate(client)
    await client.delete(f"/candidates/{candidate_id}")

    await client.delete(f"/candidates/{candidate_id}")

    assert (
        count(engine, "SELECT count(*) FROM deleted_candidates WHERE id = :id", id=candidate_id)
        == 1
    )


async def test_delete_of_an_unknown_id_is_404_and_leaves_no_tombstone(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    never = str(uuid.uuid4())

    assert_not_found(await client.delete(f"/candidates/{never}"))

    assert count(engine, "SELECT count(*) FROM deleted_candidates WHERE id = :id", id=never) == 0


async def test_delete_removes_the_candidates_own_records(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    candidate_id = await create_candidate(
        client, workExperiences=[{"jobTitle": "Engineer"}], education=[{"degree": "PhD"}]
    )
    assert (
        count(
            engine, "SELECT count(*) FROM work_experiences WHERE candidate_id = :c", c=candidate_id
        )
        == 1
    )

    await client.delete(f"/candidates/{candidate_id}")

    for table in ("work_experiences", "education"):
        assert (
            count(engine, f"SELECT count(*) FROM {table} WHERE candidate_id = :c", c=candidate_id)
            == 0
        ), table


async def test_education_grade_up_to_200_characters_is_stored(
    client: httpx.AsyncClient, database_url: str
) -> None:
    grade = "A" * 200
    response = await client.post(
        "/candidates",
        json={
            "firstName": "Grace",
            "lastName": "Hopper",
            "education": [{"degree": "Bachelor", "grade": grade}],
        },
    )
    assert response.status_code == 201, response.text
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                text("SELECT grade FROM education WHERE candidate_id = :id"),
                {"id": response.json()},
            ).scalar_one()
    finally:
        engine.dispose()
    assert stored == grade
