"""End to end: the real server (``talentbase serve``: uvicorn on a real socket) and the README's
curl walk-through, step by step, through httpx."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import backend
from tests.e2e.servers import running_server
from tests.integration.test_patch_seed import expected_view, seed_body

API_KEY = "walkthrough-key-0123456789abcdef"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[str]:
    """``talentbase serve`` in a subprocess with its process time zone set far from UTC; on
    SQLite a fresh database file (the server migrates it), on PostgreSQL the run's database."""
    if backend() == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'walkthrough.db'}"
    else:
        url = database_url
    log = tmp_path_factory.mktemp("e2e-log") / "server.log"
    env = {"TALENTBASE_BOOTSTRAP_API_KEY": API_KEY, "TZ": "Pacific/Auckland"}
    with running_server(url, log, env) as base:
        yield base


def test_readme_walkthrough_against_the_real_server(server: str) -> None:
    with httpx.Client(base_url=server, headers={"x-api-key": API_KEY}, timeout=10) as http:
        # 1. two users (recruiters)
        ann = http.post("/users", json={"name": "Ann Recruiter", "email": "ann@agency.example"})
        bob = http.post("/users", json={"name": "Bob Recruiter", "email": "bob@agency.example"})
        assert ann.status_code == 201 and bob.status_code == 201, (ann.text, bob.text)
        assert {user["name"] for user in http.get("/users/_list").json()["users"]} >= {
            "Ann Recruiter",
            "Bob Recruiter",
        }
        # 2. a candidate: 201 and a bare JSON string
        created = http.post("/candidates", json={"firstName": "Jane", "lastName": "Roe"})
        assert created.status_code == 201
        candidate_id = created.json()
        assert isinstance(candidate_id, str)
        # 3. the seed's PATCH body with real ids
        body = seed_body(ann.json()["userId"], bob.json()["userId"])
        patched = http.patch(f"/candidates/{candidate_id}", json=body)
        assert patched.status_code == 200, patched.text
        view = patched.json()
        expected = expected_view(candidate_id, ann.json(), bob.json())
        for key in ("name", "emails", "locations", "mainContact", "lastInteractionWith"):
            assert view[key] == expected[key], key
        # the server runs at UTC+13/+12: the date of birth must not shift
        assert view["dateOfBirth"]["dateOfBirth"] == "1990-05-15T00:00:00.000Z"
        assert patched.headers["x-request-id"]
        # 4. GET shows the same view
        assert http.get(f"/candidates/{candidate_id}").json() == view
        # 5. a bad PATCH is refused, names the field, and changes nothing
        refused = http.patch(f"/candidates/{candidate_id}", json={"gender": "Male"})
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["path"] == "gender"
        assert http.get(f"/candidates/{candidate_id}").json() == view
        # 6. delete
        assert http.delete(f"/candidates/{candidate_id}").status_code == 204
        assert http.get(f"/candidates/{candidate_id}").status_code == 404


def test_real_server_refuses_requests_without_a_key(server: str) -> None:
    response = httpx.get(f"{server}/candidates/anything", timeout=10)
    assert response.status_code == 401
    assert response.json()["message"] == "Missing x-api-key header"


def _readme_blocks() -> list[str]:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Walk-through with curl", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)```", section, re.DOTALL)


def test_readme_curl_walkthrough_runs_as_written(server: str) -> None:
    """The README's own shell commands, with only the address and key filled in."""
    setup, follow_up = _readme_blocks()
    script = setup.replace("export TB=http://127.0.0.1:8000", f"export TB={server}").replace(
        "export KEY=tb_...", f"export KEY={API_KEY}"
    )
    assert script != setup, "the README's walk-through no longer sets TB and KEY as expected"
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script + "\necho CANDIDATE=$CANDIDATE\n" + follow_up],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    patched_json, _, rest = done.stdout.partition("CANDIDATE=")
    view = json.loads(patched_json)
    assert view["name"]["firstName"] == "John"
    assert view["mainContact"]["user"]["name"] == "Ann Recruiter"
    assert view["lastInteractionWith"]["user"]["name"] == "Bob Recruiter"
    assert view["dateOfBirth"]["dateOfBirth"] == "1990-05-15T00:00:00.000Z"
    assert view["compensation"]["compensation"]["totalCompensation"] == 100000
    # the follow-up: GET answers the same view, the bad PATCH is refused, DELETE answers 204
    assert rest.count('"firstName":"John"') == 1
    assert '"code":"INVALID_ENUM_VALUE","path":"gender"' in rest
    assert rest.rstrip().endswith("204")


STORY_SECTIONS = {
    "currentPlacements",
    "nextTaskDue",
    "lastInteractionWith",
    "customAttributes",
    "latestWorkExperience",
    "cvAttachmentId",
    "linkedInProfile",
}


def test_readme_candidate_story_runs_as_written(server: str, tmp_path: Path) -> None:
    """The README's "A candidate's whole story": every record made with curl appears in the
    candidate's view."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A candidate's whole story", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```bash\n(.*?)```", section, re.DOTALL)[0]
    script = block.replace("export TB=http://127.0.0.1:8000", f"export TB={server}").replace(
        "export KEY=tb_...", f"export KEY={API_KEY}"
    )
    assert script != block, "the story no longer sets TB and KEY as expected"
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    disposition = next(line for line in lines if line.lower().startswith("content-disposition"))
    assert "filename*=UTF-8''Mar%C3%ADa%20L%C3%B6fgren%20%E2%80%93%20CV.pdf" in disposition
    sections = {
        key: json.loads(value)
        for key, _, value in (line.partition(" ") for line in lines)
        if key in STORY_SECTIONS
    }
    assert sections["currentPlacements"]["hasCurrentPlacement"] is True
    assert sections["currentPlacements"]["placements"][0]["company"]["name"] == "Acme Analytics"
    assert sections["nextTaskDue"]["nextTaskDue"]["content"] == "Check in after the first week"
    assert sections["lastInteractionWith"]["user"]["name"] == "Ann Recruiter"
    assert sections["latestWorkExperience"]["title"] == "Data Engineer"
    assert sections["customAttributes"][0]["value"] == {
        "viewType": "customSelect",
        "selected": "Senior",
    }
    assert isinstance(sections["cvAttachmentId"], str)
    assert sections["linkedInProfile"]["skills"] == ["Python", "SQL"]
