"""Derived view sections are computed from stored records, not typed in: rows written straight
into the tables behind them (their API routes come in a later issue) show up in the view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select

from talentbase.attachments.models import Attachment
from talentbase.candidates.models import Candidate
from talentbase.client_contacts.models import ClientContact, ClientContactStage
from talentbase.companies.models import Company
from talentbase.custom_attributes.models import CustomAttributeDefinition, CustomAttributeValue
from talentbase.db.engine import Database
from talentbase.linkedin.models import LinkedInProfile
from talentbase.placements.models import Placement
from talentbase.tasks.models import Task, TaskLink
from talentbase.work_history.models import WorkExperience
from tests.conftest import create_candidate, create_user


def _ms(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


async def test_derived_sections_follow_the_records_behind_them(
    client: httpx.AsyncClient, database: Database
) -> None:
    recruiter = await create_user(client, "Ann Recruiter", "ann@agency.example")
    candidate_id = await create_candidate(client)
    before = (await client.get(f"/candidates/{candidate_id}")).json()
    assert before["currentPlacements"]["hasCurrentPlacement"] is False
    assert before["hasClientContacts"] is False

    now = datetime.now(UTC).replace(microsecond=0)
    async with database.transaction(write=True) as session:
        # the candidate's workspace, read back from its row
        candidate = await session.get(Candidate, candidate_id)
        assert candidate is not None
        workspace_id = candidate.workspace_id
        acme = Company(
            workspace_id=workspace_id, name="Acme", logo_url="https://acme.example/l.png"
        )
        globex = Company(workspace_id=workspace_id, name="Globex")
        session.add_all([acme, globex])
        await session.flush()
        running = Placement(
            workspace_id=workspace_id,
            candidate_id=candidate_id,
            company_id=acme.id,
            start_date=now - timedelta(days=30),
        )
        ended = Placement(
            workspace_id=workspace_id,
            candidate_id=candidate_id,
            company_id=globex.id,
            start_date=now - timedelta(days=400),
            end_date=now - timedelta(days=100),
        )
        overdue = Task(
            workspace_id=workspace_id, content="Send CV", due_date=now - timedelta(days=1)
        )
        upcoming = Task(
            workspace_id=workspace_id,
            content="Call back",
            due_date=now + timedelta(days=2),
            assigned_to_user_id=recruiter["userId"],
        )
        done = Task(
            workspace_id=workspace_id,
            content="Done already",
            due_date=now - timedelta(days=5),
            completed_at=now,
        )
        session.add_all([running, ended, overdue, upcoming, done])
        await session.flush()
        session.add_all(
            [
                TaskLink(
                    task_id=task.id,
                    entity_type="candidate",
                    entity_id=candidate_id,
                    workspace_id=workspace_id,
                )
                for task in (overdue, upcoming, done)
            ]
        )
        session.add_all(
            [
                WorkExperience(
                    workspace_id=workspace_id,
                    candidate_id=candidate_id,
                    company_id=globex.id,
                    job_title="Engineer",
                    start_date=now - timedelta(days=900),
                    end_date=now - timedelta(days=400),
                ),
                WorkExperience(
                    workspace_id=workspace_id,
                    candidate_id=candidate_id,
                    company_id=acme.id,
                    job_title="Lead Engineer",
                    start_date=now - timedelta(days=30),
                ),
            ]
        )
        stage = ClientContactStage(
            workspace_id=workspace_id, name="Warm", position=1, color_hex="#ff0000"
        )
        session.add(stage)
        await session.flush()
        contact = ClientContact(
            workspace_id=workspace_id,
            candidate_id=candidate_id,
            company_id=globex.id,
            role="CTO",
            active=True,
            stage_id=stage.id,
        )
        definition = CustomAttributeDefinition(
            workspace_id=workspace_id,
            entity_type="candidate",
            label="Seniority",
            kind="select",
            options=["Junior", "Senior"],
        )
        session.add_all([contact, definition])
        await session.flush()
        session.add(
            CustomAttributeValue(
                workspace_id=workspace_id,
                entity_type="candidate",
                entity_id=candidate_id,
                definition_id=definition.id,
                value="Senior",
            )
        )
        session.add(
            LinkedInProfile(
                candidate_id=candidate_id,
                workspace_id=workspace_id,
                headline="Builder",
                skills=["Python"],
            )
        )
        cv = Attachment(
            workspace_id=workspace_id,
            candidate_id=candidate_id,
            type="CV",
            file_name="cv.pdf",
            storage_path="/nonexistent/cv.pdf",
        )
        session.add(cv)
        await session.flush()
        ids = {
            "running": running.id,
            "overdue": overdue.id,
            "acme": acme.id,
            "globex": globex.id,
            "contact": contact.id,
            "definition": definition.id,
            "cv": cv.id,
        }

    view = (await client.get(f"/candidates/{candidate_id}")).json()

    placements = view["currentPlacements"]
    assert placements["hasCurrentPlacement"] is True
    assert [p["id"] for p in placements["placements"]] == [ids["running"]]
    assert placements["placements"][0]["company"] == {
        "id": ids["acme"],
        "name": "Acme",
        "logoUrl": "https://acme.example/l.png",
    }
    assert view["nextTaskDue"]["nextTaskDue"] == {
        "id": ids["overdue"],
        "content": "Send CV",
        "dueDate": _ms(now - timedelta(days=1)),
    }
    assert view["nextInteractionDate"]["nextInteractionDate"] == _ms(now + timedelta(days=2))
    assert view["nextInteractionWith"]["user"] == recruiter
    assert view["latestWorkExperience"] == {
        "title": "Lead Engineer",
        "company": {"id": ids["acme"], "name": "Acme", "logoUrl": "https://acme.example/l.png"},
    }
    contacts = view["clientContacts"]["clientContacts"]
    assert [c["id"] for c in contacts] == [ids["contact"]]
    assert contacts[0]["company"]["name"] == "Globex"
    assert contacts[0]["stage"]["name"] == "Warm"
    assert view["hasClientContacts"] is True
    assert view["hasActiveClientContacts"] is True
    assert view["customAttributes"] == [
        {
            "value": {"viewType": "customSelect", "selected": "Senior"},
            "attributeDefinitionId": ids["definition"],
            "label": "Seniority",
            "aiFillOngoing": False,
            "aiOverridden": False,
            "isFilledByAI": False,
            "options": ["Junior", "Senior"],
        }
    ]
    assert view["linkedInProfile"] == {
        "viewType": "candidateLinkedInProfile",
        "headline": "Builder",
        "about": None,
        "skills": ["Python"],
    }
    assert view["cvAttachmentId"] == ids["cv"]
    # nothing else moved: the candidate itself was not modified
    assert view["modifiedAt"] == before["modifiedAt"]


async def test_delete_removes_the_candidates_own_records(
    client: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await create_candidate(client)
    async with database.transaction(write=True) as session:
        candidate = await session.get(Candidate, candidate_id)
        assert candidate is not None
        task = Task(workspace_id=candidate.workspace_id, content="x", due_date=datetime.now(UTC))
        session.add(task)
        await session.flush()
        session.add(
            TaskLink(
                task_id=task.id,
                entity_type="candidate",
                entity_id=candidate_id,
                workspace_id=candidate.workspace_id,
            )
        )
        session.add(LinkedInProfile(candidate_id=candidate_id, workspace_id=candidate.workspace_id))

    assert (await client.delete(f"/candidates/{candidate_id}")).status_code == 204

    async with database.transaction(write=False) as session:
        links = await session.scalar(
            select(func.count()).select_from(TaskLink).where(TaskLink.entity_id == candidate_id)
        )
        profiles = await session.scalar(
            select(func.count())
            .select_from(LinkedInProfile)
            .where(LinkedInProfile.candidate_id == candidate_id)
        )
    assert links == 0
    assert profiles == 0
