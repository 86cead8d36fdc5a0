"""Tenant isolation (issue 6 §5, API.md §1): a key of workspace A tries every route against the
records of workspace B, by id in the path, by id in the body, by list filter and by cursor.
Every attempt is a 404 (path id), a 400 ``NOT_FOUND`` (body reference) or an empty result;
nothing of B shows in any answer; and B is exactly as it was afterwards.

``ATTEMPTS`` must cover every operation of the OpenAPI document (a new route fails the suite
until its attempts are written)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.conftest import NewKey, make_client

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# every text stored in B carries this; no answer to A may contain it
MARK = "Bravo"
PUBLIC = {("/healthz", "get"), ("/readyz", "get")}


@dataclass
class Attempt:
    """One request of A; ``expect`` is ``404``, ``400`` (a body reference, code NOT_FOUND) or
    ``empty`` (a list answer with no items of B)."""

    method: str
    url: str
    expect: str
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    files: dict[str, Any] | None = None


async def _ok(response: httpx.Response, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def _world(http: httpx.AsyncClient, mark: str) -> dict[str, str]:
    """One record of every family in a workspace, names carrying ``mark``; their ids."""
    user = await _ok(
        await http.post(
            "/users", json={"name": f"{mark} User", "email": f"{mark.lower()}@x.example"}
        )
    )
    client = await _ok(await http.post("/clients", json={"name": f"{mark} Corp"}))
    stage = await _ok(await http.post("/clients/contacts/stages", json={"name": f"{mark} stage"}))
    definition = await _ok(
        await http.post(
            "/custom-attributes/candidate/definitions",
            json={"label": f"{mark} level", "viewType": "customText"},
        )
    )
    candidate = await _ok(
        await http.post(
            "/candidates",
            json={
                "firstName": mark,
                "lastName": "Person",
                "emails": [{"email": f"{mark.lower()}@person.example", "isPrimary": True}],
                "workExperiences": [{"companyId": client["id"], "jobTitle": f"{mark} job"}],
                "education": [{"companyId": client["id"], "degree": "Master"}],
                "customAttributes": [{"attributeDefinitionId": definition["id"], "value": mark}],
                "mainContact": {"userId": user["userId"]},
            },
        )
    )
    contact = await _ok(
        await http.post(
            f"/clients/contacts/{client['id']}",
            json={"candidateId": candidate, "role": f"{mark} role", "stageId": stage["id"]},
        )
    )
    placement = await _ok(
        await http.post("/placements", json={"candidateId": candidate, "companyId": client["id"]})
    )
    link = [{"entityType": "candidate", "entityId": candidate}]
    task = await _ok(
        await http.post("/tasks/_raw", json={"content": f"{mark} task", "links": link})
    )
    note = await _ok(
        await http.post(
            "/notes", json={"content": f"{mark} note", "source": "phone", "links": link}
        )
    )
    attachment = await _ok(
        await http.post(
            "/attachments",
            params={"type": "CV", "candidateId": candidate},
            files={"files": (f"{mark} cv.pdf", PDF, "application/pdf")},
        )
    )
    await _ok(
        await http.put(
            f"/candidates/{candidate}/linkedin-profile", json={"headline": f"{mark} headline"}
        ),
        200,
    )
    education = (await _ok(await http.get(f"/candidates/{candidate}/education"), 200))[0]["id"]
    job = (await _ok(await http.get(f"/candidates/{candidate}/work-experiences"), 200))[0]["id"]
    gone = await _ok(await http.post("/candidates", json={"firstName": mark, "lastName": "Gone"}))
    await _ok(await http.delete(f"/candidates/{gone}"), 204)
    webhook = await _ok(
        await http.post(
            "/webhooks",
            # loopback: a worker of a later test may fan events out to it
            json={"url": f"http://127.0.0.1:9/{mark.lower()}", "events": ["candidate.created"]},
        )
    )
    return {
        "user": user["userId"],
        "client": client["id"],
        "stage": stage["id"],
        "definition": definition["id"],
        "candidate": candidate,
        "contact": contact["clientContacts"][0]["id"],
        "placement": placement["id"],
        "task": task["id"],
        "note": note["id"],
        "attachment": attachment[0]["attachmentId"],
        "education": education,
        "job": job,
        "webhook": webhook["id"],
        "gone": gone,
    }


def _attempts(a: dict[str, str], b: dict[str, str]) -> dict[tuple[str, str], list[Attempt]]:
    """Per documented operation, what A tries against B."""
    bc, ac = b["candidate"], a["candidate"]
    pdf = {"files": ("cv.pdf", PDF, "application/pdf")}
    return {
        ("/candidates", "get"): [
            Attempt("GET", "/candidates", "empty"),
        ],
        ("/candidates", "post"): [
            Attempt("POST", "/candidates", "400", {"firstName": "A", "lastName": "B", "mainContact": {"userId": b["user"]}}),
            Attempt("POST", "/candidates", "400", {"firstName": "A", "lastName": "B", "workExperiences": [{"companyId": b["client"]}]}),
            Attempt("POST", "/candidates", "400", {"firstName": "A", "lastName": "B", "education": [{"companyId": b["client"]}]}),
            Attempt("POST", "/candidates", "400", {"firstName": "A", "lastName": "B", "customAttributes": [{"attributeDefinitionId": b["definition"], "value": "x"}]}),
        ],
        ("/candidates/_search", "post"): [
            Attempt("POST", "/candidates/_search", "empty", {"filters": [{"value": MARK}]}),
            Attempt("POST", "/candidates/_search", "empty", {"pageSize": 100}),
            Attempt("POST", "/candidates/_search", "400", {"filters": [{"type": "entitySelect", "path": "candidate.mainContact", "value": [b["user"]]}]}),
            Attempt("POST", "/candidates/_search", "400", {"filters": [{"type": "customText", "path": b["definition"], "value": MARK}]}),
        ],
        ("/search/people", "get"): [
            Attempt("GET", "/search/people", "empty", params={"query": MARK}),
            Attempt("GET", "/search/people", "empty", params={"query": "person"}),
        ],
        ("/candidates/{id}", "get"): [Attempt("GET", f"/candidates/{bc}", "404")],
        ("/candidates/{id}", "patch"): [
            Attempt("PATCH", f"/candidates/{bc}", "404", {"middleName": "Hacked"}),
            Attempt("PATCH", f"/candidates/{ac}", "400", {"mainContact": {"userId": b["user"]}}),
            Attempt("PATCH", f"/candidates/{ac}", "400", {"lastInteractionWithId": b["user"]}),
            Attempt("PATCH", f"/candidates/{ac}", "400", {"middleName": "Hacked"}, headers={"x-on-behalf-of": b["user"]}),
        ],
        ("/candidates/deleted", "get"): [
            Attempt("GET", "/candidates/deleted", "empty"),
            Attempt("GET", "/candidates/deleted", "empty", params={"since": "2000-01-01T00:00:00Z", "limit": "50"}),
        ],
        ("/candidates/{id}/contact-identifiers", "post"): [
            Attempt("POST", f"/candidates/{bc}/contact-identifiers", "404", {"contactType": "email", "identifier": "hacked@x.example"}),
            Attempt("POST", f"/candidates/{ac}/contact-identifiers", "400", {"contactType": "email", "identifier": "hacked@x.example"}, headers={"x-on-behalf-of": b["user"]}),
        ],
        ("/candidates/{id}/history", "get"): [
            Attempt("GET", f"/candidates/{bc}/history", "404"),
            Attempt("GET", f"/candidates/{bc}/history", "404", params={"limit": "50"}),
        ],
        ("/candidates/{id}", "delete"): [Attempt("DELETE", f"/candidates/{bc}", "404")],
        ("/candidates/{id}/merge", "post"): [
            Attempt("POST", f"/candidates/{bc}/merge", "404", {"duplicateId": ac}),
            Attempt("POST", f"/candidates/{ac}/merge", "400", {"duplicateId": bc}),
        ],
        ("/candidates/{id}/anonymize", "post"): [
            Attempt("POST", f"/candidates/{bc}/anonymize", "404"),
            Attempt("POST", f"/candidates/{ac}/anonymize", "400", headers={"x-on-behalf-of": b["user"]}),
        ],
        ("/candidates/{id}/custom-attributes/{definitionId}", "put"): [
            Attempt("PUT", f"/candidates/{bc}/custom-attributes/{a['definition']}", "404", {"value": "x"}),
            Attempt("PUT", f"/candidates/{ac}/custom-attributes/{b['definition']}", "404", {"value": "x"}),
        ],
        ("/custom-attributes/candidates/{id}/values/_bulk", "put"): [
            Attempt("PUT", f"/custom-attributes/candidates/{bc}/values/_bulk", "404", {"attributes": []}),
            Attempt("PUT", f"/custom-attributes/candidates/{ac}/values/_bulk", "400", {"attributes": [{"attributeDefinitionId": b["definition"], "value": "x"}]}),
        ],
        ("/candidates/{id}/education", "get"): [Attempt("GET", f"/candidates/{bc}/education", "404")],
        ("/candidates/{id}/education", "post"): [
            Attempt("POST", f"/candidates/{bc}/education", "404", {"degree": "Master"}),
            Attempt("POST", f"/candidates/{ac}/education", "400", {"companyId": b["client"]}),
        ],
        ("/candidates/{id}/education", "put"): [
            Attempt("PUT", f"/candidates/{bc}/education", "404", {"education": []}),
            Attempt("PUT", f"/candidates/{ac}/education", "400", {"education": [{"id": b["education"], "degree": "Master"}]}),
        ],
        ("/candidates/{id}/education/{educationId}", "delete"): [
            Attempt("DELETE", f"/candidates/{bc}/education/{b['education']}", "404"),
            Attempt("DELETE", f"/candidates/{ac}/education/{b['education']}", "404"),
        ],
        ("/candidates/{id}/work-experiences", "get"): [Attempt("GET", f"/candidates/{bc}/work-experiences", "404")],
        ("/candidates/{id}/work-experiences", "post"): [
            Attempt("POST", f"/candidates/{bc}/work-experiences", "404", {"jobTitle": "x"}),
            Attempt("POST", f"/candidates/{ac}/work-experiences", "400", {"companyId": b["client"]}),
        ],
        ("/candidates/{id}/work-experiences", "put"): [
            Attempt("PUT", f"/candidates/{bc}/work-experiences", "404", {"workExperiences": []}),
            Attempt("PUT", f"/candidates/{ac}/work-experiences", "400", {"workExperiences": [{"id": b["job"], "jobTitle": "x"}]}),
        ],
        ("/candidates/{id}/work-experiences/{workExperienceId}", "delete"): [
            Attempt("DELETE", f"/candidates/{bc}/work-experiences/{b['job']}", "404"),
            Attempt("DELETE", f"/candidates/{ac}/work-experiences/{b['job']}", "404"),
        ],
        ("/candidates/{id}/linkedin-profile", "put"): [
            Attempt("PUT", f"/candidates/{bc}/linkedin-profile", "404", {"headline": "Hacked"}),
        ],
        ("/clients", "get"): [Attempt("GET", "/clients", "empty")],
        ("/clients", "post"): [],  # references nothing: only "B unchanged" applies
        ("/clients/{id}", "get"): [Attempt("GET", f"/clients/{b['client']}", "404")],
        ("/clients/{id}", "patch"): [
            Attempt("PATCH", f"/clients/{b['client']}", "404", {"company": {"name": "Hacked"}}),
        ],
        ("/clients/contacts/stages", "get"): [Attempt("GET", "/clients/contacts/stages", "empty")],
        ("/clients/contacts/stages", "post"): [],
        ("/clients/contacts/{id}", "post"): [
            Attempt("POST", f"/clients/contacts/{b['client']}", "404", {"candidateId": ac}),
            Attempt("POST", f"/clients/contacts/{a['client']}", "400", {"candidateId": bc}),
            Attempt("POST", f"/clients/contacts/{a['client']}", "400", {"firstName": "A", "lastName": "B", "stageId": b["stage"]}),
        ],
        ("/clients/contacts/{id}", "get"): [Attempt("GET", f"/clients/contacts/{bc}", "404")],
        ("/clients/contacts/{id}", "patch"): [
            Attempt("PATCH", f"/clients/contacts/{b['contact']}", "404", {"role": "Hacked"}),
            Attempt("PATCH", f"/clients/contacts/{a['contact']}", "400", {"stageId": b["stage"]}),
            Attempt("PATCH", f"/clients/contacts/{a['contact']}", "400", {"mainContactId": b["user"]}),
        ],
        ("/custom-attributes/{entityType}/definitions", "get"): [
            Attempt("GET", "/custom-attributes/candidate/definitions", "empty"),
        ],
        ("/custom-attributes/{entityType}/definitions", "post"): [],
        ("/custom-attributes/{entityType}/definitions/{id}", "get"): [
            Attempt("GET", f"/custom-attributes/candidate/definitions/{b['definition']}", "404"),
        ],
        ("/placements", "get"): [
            Attempt("GET", "/placements", "empty", params={"candidateId": bc}),
            Attempt("GET", "/placements", "empty", params={"companyId": b["client"]}),
        ],
        ("/placements", "post"): [
            Attempt("POST", "/placements", "400", {"candidateId": bc, "companyId": a["client"]}),
            Attempt("POST", "/placements", "400", {"candidateId": ac, "companyId": b["client"]}),
            Attempt("POST", "/placements", "400", {"candidateId": ac, "companyId": a["client"], "placedByUserId": b["user"]}),
        ],
        ("/placements/{id}", "get"): [Attempt("GET", f"/placements/{b['placement']}", "404")],
        ("/placements/{id}", "patch"): [
            Attempt("PATCH", f"/placements/{b['placement']}", "404", {"vacancyName": "Hacked"}),
            Attempt("PATCH", f"/placements/{a['placement']}", "400", {"placedByUserId": b["user"]}),
        ],
        ("/placements/{id}", "delete"): [Attempt("DELETE", f"/placements/{b['placement']}", "404")],
        ("/tasks", "get"): [
            Attempt("GET", "/tasks", "empty", params={"candidateId": bc}),
            Attempt("GET", "/tasks", "empty", params={"assignedToUserId": b["user"]}),
        ],
        ("/tasks/_raw", "post"): [
            Attempt("POST", "/tasks/_raw", "400", {"content": "x", "links": [{"entityType": "candidate", "entityId": bc}]}),
            Attempt("POST", "/tasks/_raw", "400", {"content": "x", "links": [{"entityType": "client", "entityId": b["client"]}]}),
            Attempt("POST", "/tasks/_raw", "400", {"content": "x", "links": [{"entityType": "user", "entityId": b["user"]}]}),
            Attempt("POST", "/tasks/_raw", "400", {"content": "x", "assignedToUserId": b["user"]}),
            Attempt("POST", "/tasks/_raw", "400", {"content": "x"}, headers={"x-on-behalf-of": b["user"]}),
        ],
        ("/tasks/{id}", "get"): [Attempt("GET", f"/tasks/{b['task']}", "404")],
        ("/tasks/{id}", "patch"): [
            Attempt("PATCH", f"/tasks/{b['task']}", "404", {"isCompleted": True}),
            Attempt("PATCH", f"/tasks/{a['task']}", "400", {"links": [{"entityType": "candidate", "entityId": bc}]}),
            Attempt("PATCH", f"/tasks/{a['task']}", "400", {"assignedToUserId": b["user"]}),
        ],
        ("/notes", "get"): [
            Attempt("GET", "/notes", "empty", params={"candidateId": bc}),
            Attempt("GET", "/notes", "empty", params={"clientContactId": b["contact"]}),
        ],
        ("/notes", "post"): [
            Attempt("POST", "/notes", "400", {"content": "x", "links": [{"entityType": "candidate", "entityId": bc}]}),
            Attempt("POST", "/notes", "400", {"content": "x", "links": [{"entityType": "client", "entityId": b["client"]}]}),
            Attempt("POST", "/notes", "400", {"content": "x", "links": [{"entityType": "clientContact", "entityId": b["contact"]}]}),
            Attempt("POST", "/notes", "400", {"content": "x"}, headers={"x-on-behalf-of": b["user"]}),
        ],
        ("/notes/{id}", "get"): [Attempt("GET", f"/notes/{b['note']}", "404")],
        ("/attachments", "get"): [
            Attempt("GET", "/attachments", "empty", params={"candidateId": bc}),
        ],
        ("/attachments", "post"): [
            Attempt("POST", "/attachments", "400", params={"type": "CV", "candidateId": bc}, files=pdf),
        ],
        ("/attachments/temporary", "post"): [],
        ("/attachments/temporary/assign", "post"): [
            Attempt("POST", "/attachments/temporary/assign", "400", {"attachments": [{"id": b["attachment"], "type": "cv"}], "candidateId": ac}),
            Attempt("POST", "/attachments/temporary/assign", "400", {"attachments": [{"id": a["attachment"], "type": "cv"}], "candidateId": bc}),
        ],
        ("/attachments/{id}", "get"): [Attempt("GET", f"/attachments/{b['attachment']}", "404")],
        ("/attachments/{id}", "delete"): [Attempt("DELETE", f"/attachments/{b['attachment']}", "404")],
        ("/users", "get"): [Attempt("GET", "/users", "empty", params={"includeDeactivated": "true"})],
        ("/users", "post"): [],
        ("/users/_list", "get"): [Attempt("GET", "/users/_list", "empty")],
        ("/users/{id}", "get"): [Attempt("GET", f"/users/{b['user']}", "404")],
        ("/users/{id}", "patch"): [
            Attempt("PATCH", f"/users/{b['user']}", "404", {"deactivated": True}),
        ],
        ("/webhooks", "get"): [Attempt("GET", "/webhooks", "empty")],
        ("/webhooks", "post"): [],
        ("/webhooks/{id}", "delete"): [Attempt("DELETE", f"/webhooks/{b['webhook']}", "404")],
        ("/webhooks/{id}/deliveries", "get"): [Attempt("GET", f"/webhooks/{b['webhook']}/deliveries", "404")],
    }  # fmt: skip


async def _snapshot(http: httpx.AsyncClient, ids: dict[str, str]) -> list[Any]:
    """Everything B's own key can read of B."""
    reads = [
        f"/candidates/{ids['candidate']}",
        f"/candidates/{ids['candidate']}/history",
        f"/candidates/{ids['candidate']}/education",
        f"/candidates/{ids['candidate']}/work-experiences",
        f"/clients/{ids['client']}",
        f"/clients/contacts/{ids['candidate']}",
        "/clients/contacts/stages",
        f"/placements/{ids['placement']}",
        f"/tasks/{ids['task']}",
        f"/notes/{ids['note']}",
        "/attachments",
        "/users?includeDeactivated=true",
        "/custom-attributes/candidate/definitions",
        "/candidates?limit=50",
        "/candidates/deleted?limit=50",
        "/webhooks",
        f"/webhooks/{ids['webhook']}/deliveries",
    ]
    return [await _ok(await http.get(url), 200) for url in reads] + [
        (await http.get(f"/attachments/{ids['attachment']}")).content
    ]


def _items(body: Any) -> list[Any]:
    if isinstance(body, list):
        return body
    for key in ("items", "users", "stages"):
        if key in body:
            items: list[Any] = body[key]
            return items
    raise AssertionError(f"not a list answer: {body}")


@pytest.fixture
async def workspaces(app: Any, new_api_key: NewKey) -> Any:
    key_a, key_b = await new_api_key(), await new_api_key()
    async with make_client(app, key_a) as a, make_client(app, key_b) as b:
        yield a, b


async def test_workspace_a_reaches_nothing_of_workspace_b(workspaces: Any, app: Any) -> None:
    http_a, http_b = workspaces
    ids_b = await _world(http_b, MARK)
    ids_a = await _world(http_a, "Alpha")
    before = await _snapshot(http_b, ids_b)
    attempts = _attempts(ids_a, ids_b)

    documented = {
        (path, method) for path, item in app.openapi()["paths"].items() for method in item
    }
    assert documented - PUBLIC == set(attempts), "every route needs its isolation attempts"

    made = 0
    for (path, method), tries in attempts.items():
        for attempt in tries:
            response = await http_a.request(
                attempt.method,
                attempt.url,
                json=attempt.json,
                params=attempt.params,
                headers=attempt.headers,
                files=attempt.files,
            )
            made += 1
            where = (path, method, attempt.url, response.status_code, response.text[:300])
            assert MARK not in response.text, where
            if attempt.expect == "404":
                assert response.status_code == 404, where
            elif attempt.expect == "400":
                assert response.status_code == 400, where
                assert "NOT_FOUND" in {error["code"] for error in response.json()["errors"]}, where
            else:
                assert response.status_code == 200, where
                names = str(_items(response.json()))
                assert ids_b["candidate"] not in names and MARK not in names, where
                assert ids_b["gone"] not in names, where
    assert made == sum(len(tries) for tries in attempts.values())
    assert await _snapshot(http_b, ids_b) == before


@pytest.mark.parametrize("path", ["/candidates", "/clients", "/tasks", "/notes"])
async def test_a_cursor_of_workspace_b_shows_nothing_of_b_in_a(workspaces: Any, path: str) -> None:
    http_a, http_b = workspaces
    await _world(http_b, MARK)
    await _world(http_b, MARK + "two")
    cursor = (await _ok(await http_b.get(path, params={"limit": 1}), 200))["pageInfo"]["nextCursor"]
    assert cursor is not None
    response = await http_a.get(path, params={"cursor": cursor})
    assert response.status_code == 200
    assert MARK not in response.text
    assert response.json()["items"] == []
