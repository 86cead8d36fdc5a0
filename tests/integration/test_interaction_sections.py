"""The candidate view's sections derived from tasks and notes (issue 3, item 4), built through
the API: ``nextTaskDue``, ``nextInteractionDate/With``, ``lastInteractionDate/With`` and
``lastActivityDate``, with their edge cases, and loaded for a whole list page at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from talentbase.db.engine import Database
from tests.conftest import create_candidate, create_user
from tests.integration.test_tasks import create_task, ms, now_s

# the sections this file is about, as a GET shows them
SECTIONS = (
    "lastInteractionDate",
    "lastInteractionWith",
    "nextInteractionDate",
    "nextInteractionWith",
    "nextTaskDue",
    "lastActivityDate",
)


async def sections(http: httpx.AsyncClient, candidate_id: str) -> dict[str, Any]:
    """The derived sections of the candidate's view, unwrapped, plus its ``modifiedAt``."""
    response = await http.get(f"/candidates/{candidate_id}")
    assert response.status_code == 200, response.text
    return unwrap(response.json())


def unwrap(view: dict[str, Any]) -> dict[str, Any]:
    return {
        "lastInteractionDate": view["lastInteractionDate"]["lastInteractionDate"],
        "lastInteractionWith": view["lastInteractionWith"]["user"],
        "nextInteractionDate": view["nextInteractionDate"]["nextInteractionDate"],
        "nextInteractionWith": view["nextInteractionWith"]["user"],
        "nextTaskDue": view["nextTaskDue"]["nextTaskDue"],
        "lastActivityDate": view["lastActivityDate"],
        "modifiedAt": view["modifiedAt"],
    }


async def task_for(
    http: httpx.AsyncClient,
    candidate_id: str,
    content: str,
    due: datetime | None = None,
    assignee: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "content": content,
        "links": [{"entityType": "candidate", "entityId": candidate_id}],
    }
    if due is not None:
        body["dueDate"] = ms(due)
    if assignee is not None:
        body["assignedToUserId"] = assignee["userId"]
    return await create_task(http, **body)


async def note_for(
    http: httpx.AsyncClient,
    candidate_id: str,
    source: str | None,
    author: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "content": "Spoke about the role",
        "links": [{"entityType": "candidate", "entityId": candidate_id}],
    }
    if source is not None:
        body["source"] = source
    headers = {"x-on-behalf-of": author["userId"]} if author else {}
    response = await http.post("/notes", json=body, headers=headers)
    assert response.status_code == 201, response.text
    note: dict[str, Any] = response.json()
    return note


def due_json(task: dict[str, Any]) -> dict[str, Any]:
    return {"id": task["id"], "content": task["content"], "dueDate": task["dueDate"]}


def freeze_note_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Notes created from now on carry ``moment`` as their ``createdAt``."""
    monkeypatch.setattr("talentbase.notes.service.utcnow", lambda: moment)


# ---- nothing behind the sections ---------------------------------------------------------------


async def test_a_candidate_without_tasks_or_notes_has_empty_sections(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)

    got = await sections(client, candidate_id)

    assert got == {
        "lastInteractionDate": None,
        "lastInteractionWith": None,
        "nextInteractionDate": None,
        "nextInteractionWith": None,
        "nextTaskDue": None,
        "lastActivityDate": got["modifiedAt"],
        "modifiedAt": got["modifiedAt"],
    }


# ---- nextTaskDue -------------------------------------------------------------------------------


async def test_next_task_due_is_the_earliest_open_task_an_overdue_one_included(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    now = now_s()
    done = await task_for(client, candidate_id, "Done long ago", now - timedelta(days=10))
    await client.patch(f"/tasks/{done['id']}", json={"isCompleted": True})
    overdue = await task_for(client, candidate_id, "Send CV", now - timedelta(days=1))
    upcoming = await task_for(client, candidate_id, "Call back", now + timedelta(days=2))
    await task_for(client, candidate_id, "Someday")  # open, but never due

    assert (await sections(client, candidate_id))["nextTaskDue"] == due_json(overdue)

    await client.patch(f"/tasks/{overdue['id']}", json={"isCompleted": True})
    assert (await sections(client, candidate_id))["nextTaskDue"] == due_json(upcoming)

    # only the undated task is left open: nothing is due
    await client.patch(f"/tasks/{upcoming['id']}", json={"isCompleted": True})
    assert (await sections(client, candidate_id))["nextTaskDue"] is None

    # reopening brings it back; rescheduling moves it
    await client.patch(f"/tasks/{done['id']}", json={"isCompleted": False})
    assert (await sections(client, candidate_id))["nextTaskDue"] == due_json(done)
    later = ms(now + timedelta(days=30))
    await client.patch(f"/tasks/{done['id']}", json={"dueDate": later})
    assert (await sections(client, candidate_id))["nextTaskDue"] == {
        **due_json(done),
        "dueDate": later,
    }


async def test_next_task_due_between_tasks_due_at_the_same_instant_is_the_lower_id(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    due = now_s() + timedelta(days=1)
    tasks = [await task_for(client, candidate_id, f"Task {n}", due) for n in range(4)]

    expected = min(tasks, key=lambda task: task["id"])
    assert (await sections(client, candidate_id))["nextTaskDue"] == due_json(expected)


# ---- nextInteractionDate / nextInteractionWith -------------------------------------------------


async def test_next_interaction_is_the_earliest_future_open_task_with_an_assignee(
    client: httpx.AsyncClient,
) -> None:
    ann = await create_user(client, "Ann Recruiter", "ann@agency.example")
    bob = await create_user(client, "Bob Sourcer", "bob@agency.example")
    candidate_id = await create_candidate(client)
    now = now_s()
    overdue = await task_for(client, candidate_id, "Overdue", now - timedelta(days=1), ann)
    unassigned = await task_for(client, candidate_id, "Unassigned", now + timedelta(days=1))
    done = await task_for(client, candidate_id, "Done", now + timedelta(hours=1), ann)
    await client.patch(f"/tasks/{done['id']}", json={"isCompleted": True})
    await task_for(client, candidate_id, "Undated", None, ann)
    bobs = await task_for(client, candidate_id, "Bob's call", now + timedelta(days=3), bob)
    await task_for(client, candidate_id, "Ann's call", now + timedelta(days=5), ann)

    got = await sections(client, candidate_id)
    assert got["nextInteractionDate"] == bobs["dueDate"]
    assert got["nextInteractionWith"] == bob
    # the overdue task is still the next one due
    assert got["nextTaskDue"] == due_json(overdue)

    # assigning the sooner task makes it the next interaction
    await client.patch(f"/tasks/{unassigned['id']}", json={"assignedToUserId": ann["userId"]})
    got = await sections(client, candidate_id)
    assert (got["nextInteractionDate"], got["nextInteractionWith"]) == (
        unassigned["dueDate"],
        ann,
    )

    # unassigning it again, and completing Bob's, leaves Ann's later call
    await client.patch(f"/tasks/{unassigned['id']}", json={"assignedToUserId": None})
    await client.patch(f"/tasks/{bobs['id']}", json={"isCompleted": True})
    got = await sections(client, candidate_id)
    assert (got["nextInteractionDate"], got["nextInteractionWith"]) == (
        ms(now + timedelta(days=5)),
        ann,
    )


async def test_only_unassigned_future_tasks_leave_next_interaction_empty(
    client: httpx.AsyncClient,
) -> None:
    candidate_id = await create_candidate(client)
    task = await task_for(client, candidate_id, "Call", now_s() + timedelta(days=1))

    got = await sections(client, candidate_id)

    assert (got["nextInteractionDate"], got["nextInteractionWith"]) == (None, None)
    assert got["nextTaskDue"] == due_json(task)


async def test_next_interaction_shows_an_assignee_deactivated_after_assignment(
    client: httpx.AsyncClient,
) -> None:
    ann = await create_user(client, "Ann Recruiter", "ann@agency.example")
    candidate_id = await create_candidate(client)
    task = await task_for(client, candidate_id, "Call", now_s() + timedelta(days=2), ann)

    deactivated = (await client.patch(f"/users/{ann['userId']}", json={"deactivated": True})).json()

    got = await sections(client, candidate_id)
    assert deactivated["deactivatedAt"] is not None
    assert got["nextInteractionWith"] == deactivated
    assert got["nextInteractionDate"] == task["dueDate"]


# ---- lastInteractionDate / lastInteractionWith -------------------------------------------------


async def test_last_interaction_is_the_latest_note_of_an_interaction_source(
    client: httpx.AsyncClient,
) -> None:
    ann = await create_user(client, "Ann Recruiter", "ann@agency.example")
    bob = await create_user(client, "Bob Sourcer", "bob@agency.example")
    candidate_id = await create_candidate(client)

    await note_for(client, candidate_id, "phoneOutbound", ann)
    meeting = await note_for(client, candidate_id, "inPerson", bob)

    got = await sections(client, candidate_id)
    assert (got["lastInteractionDate"], got["lastInteractionWith"]) == (meeting["createdAt"], bob)
    # the note touched the candidate after it was written
    assert got["lastActivityDate"] == got["modifiedAt"] >= meeting["createdAt"]


@pytest.mark.parametrize(
    "source", ["phone", "phoneInbound", "phoneOutbound", "inPerson", "onlineMeeting"]
)
async def test_every_interaction_source_counts(client: httpx.AsyncClient, source: str) -> None:
    ann = await create_user(client, "Ann", "ann@agency.example")
    candidate_id = await create_candidate(client)

    note = await note_for(client, candidate_id, source, ann)

    got = await sections(client, candidate_id)
    assert (got["lastInteractionDate"], got["lastInteractionWith"]) == (note["createdAt"], ann)


async def test_plain_notes_and_call_attempts_are_not_interactions(
    client: httpx.AsyncClient,
) -> None:
    ann = await create_user(client, "Ann", "ann@agency.example")
    candidate_id = await create_candidate(client)
    before = await sections(client, candidate_id)

    await note_for(client, candidate_id, None, ann)
    await note_for(client, candidate_id, "callAttempted", ann)

    got = await sections(client, candidate_id)
    assert (got["lastInteractionDate"], got["lastInteractionWith"]) == (None, None)
    # still, the notes are changes to the candidate
    assert got["modifiedAt"] > before["modifiedAt"]
    assert got["lastActivityDate"] == got["modifiedAt"]


async def test_a_note_without_an_author_names_no_one(client: httpx.AsyncClient) -> None:
    candidate_id = await create_candidate(client)

    note = await note_for(client, candidate_id, "phone")

    got = await sections(client, candidate_id)
    assert (got["lastInteractionDate"], got["lastInteractionWith"]) == (note["createdAt"], None)


async def test_of_notes_on_the_same_instant_the_one_with_the_higher_id_wins(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [await create_user(client, f"User {n}", f"user{n}@agency.example") for n in range(4)]
    candidate_id = await create_candidate(client)
    freeze_note_clock(monkeypatch, datetime(2024, 3, 1, 10, 0, tzinfo=UTC))

    notes = [await note_for(client, candidate_id, "phone", user) for user in users]

    assert {note["createdAt"] for note in notes} == {"2024-03-01T10:00:00.000Z"}
    winner = max(notes, key=lambda note: note["id"])
    got = await sections(client, candidate_id)
    assert got["lastInteractionDate"] == "2024-03-01T10:00:00.000Z"
    assert got["lastInteractionWith"] == users[notes.index(winner)]
    # the list route derives the same
    page = (await client.get("/candidates")).json()
    assert unwrap(page["items"][0]) == got


async def test_a_note_older_than_the_patch_set_last_interaction_does_not_replace_it(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = await create_user(client, "Ann", "ann@agency.example")
    bob = await create_user(client, "Bob", "bob@agency.example")
    candidate_id = await create_candidate(client)
    patch = {
        "lastInteractionAt": "2024-01-15T14:30:00.000Z",
        "lastInteractionWithId": ann["userId"],
    }
    assert (await client.patch(f"/candidates/{candidate_id}", json=patch)).status_code == 200

    freeze_note_clock(monkeypatch, datetime(2024, 1, 1, 9, 0, tzinfo=UTC))
    await note_for(client, candidate_id, "inPerson", bob)

    got = await sections(client, candidate_id)
    assert (got["lastInteractionDate"], got["lastInteractionWith"]) == (
        "2024-01-15T14:30:00.000Z",
        ann,
    )


async def test_a_note_newer_than_the_patch_set_last_interaction_replaces_it(
    client: httpx.AsyncClient,
) -> None:
    ann = await create_user(client, "Ann", "ann@agency.example")
    bob = await create_user(client, "Bob", "bob@agency.example")
    candidate_id = await create_candidate(client)
    patch = {
        "lastInteractionAt": "2024-01-15T14:30:00.000Z",
        "lastInteractionWithId": ann["userId"],
    }
    await client.patch(f"/candidates/{candidate_id}", json=patch)

    note = await note_for(client, candidate_id, "phone", bob)

    got = await sections(client, candidate_id)
    assert (got["lastInteractionDate"], got["lastInteractionWith"]) == (note["createdAt"], bob)

    # a later PATCH wins again; clearing it brings the note back
    patch = {"lastInteractionAt": "2099-01-01T00:00:00.000Z", "lastInteractionWithId": None}
    await client.patch(f"/candidates/{candidate_id}", json=patch)
    got = await sections(client, candidate_id)
    assert (got["lastInteractionDate"], got["lastInteractionWith"]) == (
        "2099-01-01T00:00:00.000Z",
        None,
    )
    await client.patch(f"/candidates/{candidate_id}", json={"lastInteractionAt": None})
    got = await sections(client, candidate_id)
    assert (got["lastInteractionDate"], got["lastInteractionWith"]) == (note["createdAt"], bob)


async def test_a_note_at_the_same_instant_as_the_patch_set_value_leaves_patchs_user(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = await create_user(client, "Ann", "ann@agency.example")
    bob = await create_user(client, "Bob", "bob@agency.example")
    candidate_id = await create_candidate(client)
    freeze_note_clock(monkeypatch, datetime(2024, 1, 15, 14, 30, tzinfo=UTC))
    await note_for(client, candidate_id, "phone", bob)

    patch = {
        "lastInteractionAt": "2024-01-15T14:30:00.000Z",
        "lastInteractionWithId": ann["userId"],
    }
    await client.patch(f"/candidates/{candidate_id}", json=patch)

    got = await sections(client, candidate_id)
    assert (got["lastInteractionDate"], got["lastInteractionWith"]) == (
        "2024-01-15T14:30:00.000Z",
        ann,
    )


async def test_last_interaction_shows_an_author_deactivated_later(
    client: httpx.AsyncClient,
) -> None:
    ann = await create_user(client, "Ann", "ann@agency.example")
    candidate_id = await create_candidate(client)
    await note_for(client, candidate_id, "onlineMeeting", ann)

    deactivated = (await client.patch(f"/users/{ann['userId']}", json={"deactivated": True})).json()

    assert (await sections(client, candidate_id))["lastInteractionWith"] == deactivated


# ---- lastActivityDate --------------------------------------------------------------------------


async def test_last_activity_date_is_the_later_of_modified_at_and_last_interaction(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidate_id = await create_candidate(client)
    url = f"/candidates/{candidate_id}"

    # an interaction in the past: the candidate's own change is the latest activity
    await client.patch(url, json={"lastInteractionAt": "2020-01-01T00:00:00.000Z"})
    got = await sections(client, candidate_id)
    assert got["lastActivityDate"] == got["modifiedAt"]

    # an interaction dated after the last change
    await client.patch(url, json={"lastInteractionAt": "2030-06-01T12:00:00.000Z"})
    assert (await sections(client, candidate_id))["lastActivityDate"] == "2030-06-01T12:00:00.000Z"

    # a note dated later still
    freeze_note_clock(monkeypatch, datetime(2031, 1, 1, tzinfo=UTC))
    await note_for(client, candidate_id, "phone")
    assert (await sections(client, candidate_id))["lastActivityDate"] == "2031-01-01T00:00:00.000Z"


# ---- a list page -------------------------------------------------------------------------------


async def test_a_list_page_derives_each_candidates_own_sections(
    client: httpx.AsyncClient,
) -> None:
    ann = await create_user(client, "Ann", "ann@agency.example")
    bob = await create_user(client, "Bob", "bob@agency.example")
    jane = await create_candidate(client, firstName="Jane")
    john = await create_candidate(client, firstName="John")
    nobody = await create_candidate(client, firstName="Nobody")
    now = now_s()
    janes_task = await task_for(client, jane, "Jane's call", now + timedelta(days=1), ann)
    johns_task = await task_for(client, john, "John's call", now + timedelta(days=2), bob)
    johns_note = await note_for(client, john, "phone", ann)
    janes_note = await note_for(client, jane, "inPerson", bob)

    page = (await client.get("/candidates", params={"limit": 50})).json()
    by_id = {item["id"]: unwrap(item) for item in page["items"]}

    assert by_id[jane] == {
        **by_id[jane],
        "nextTaskDue": due_json(janes_task),
        "nextInteractionDate": janes_task["dueDate"],
        "nextInteractionWith": ann,
        "lastInteractionDate": janes_note["createdAt"],
        "lastInteractionWith": bob,
    }
    assert by_id[john] == {
        **by_id[john],
        "nextTaskDue": due_json(johns_task),
        "nextInteractionDate": johns_task["dueDate"],
        "nextInteractionWith": bob,
        "lastInteractionDate": johns_note["createdAt"],
        "lastInteractionWith": ann,
    }
    assert {key: by_id[nobody][key] for key in SECTIONS if key != "lastActivityDate"} == {
        "lastInteractionDate": None,
        "lastInteractionWith": None,
        "nextInteractionDate": None,
        "nextInteractionWith": None,
        "nextTaskDue": None,
    }
    for candidate_id in (jane, john, nobody):
        assert by_id[candidate_id] == await sections(client, candidate_id)


async def test_a_list_page_loads_the_sections_with_a_fixed_number_of_queries(
    client: httpx.AsyncClient, database: Database
) -> None:
    async def add_candidates(count: int) -> None:
        for n in range(count):
            user = await create_user(client, f"User {n}", f"u{n}@agency.example")
            candidate_id = await create_candidate(client)
            await task_for(client, candidate_id, "Overdue", now_s() - timedelta(days=1), user)
            await task_for(client, candidate_id, "Call", now_s() + timedelta(days=1), user)
            await note_for(client, candidate_id, "phone", user)
            await note_for(client, candidate_id, None, user)

    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    async def statements_for_a_page() -> int:
        statements.clear()
        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        try:
            response = await client.get("/candidates", params={"limit": 50})
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(statements)

    await add_candidates(2)
    few = await statements_for_a_page()
    await add_candidates(6)
    many = await statements_for_a_page()

    assert many == few
