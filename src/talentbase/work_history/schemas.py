"""Bodies and answers of the work history routes under ``/candidates/{id}``.

An item takes the fields of an ``education[]`` / ``workExperiences[]`` item of POST /candidates
(API.md §2.2, the same rules); in a replacing PUT an item may also carry the ``id`` the GET
answered, to keep that record's id.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from talentbase.api.schemas import Output, StrictInput
from talentbase.candidates.schemas import (
    MAX_LIST_ITEMS,
    Degree,
    EducationIn,
    LocationOut,
    RefId,
    WorkExperienceIn,
)

MAX_RECORDS = MAX_LIST_ITEMS
"""The most education or work experience records one candidate holds (per kind)."""


class EducationReplacement(EducationIn):
    """An item of ``PUT /candidates/{id}/education``: ``id`` keeps that record's id."""

    id: RefId | None = Field(default=None, description="The id of a record to keep")


class WorkExperienceReplacement(WorkExperienceIn):
    """An item of ``PUT /candidates/{id}/work-experiences``: ``id`` keeps that record's id."""

    id: RefId | None = Field(default=None, description="The id of a record to keep")


class EducationList(StrictInput):
    """Body of ``PUT /candidates/{id}/education``: the candidate's whole education."""

    education: list[EducationReplacement] = Field(max_length=MAX_RECORDS)


class WorkExperienceList(StrictInput):
    """Body of ``PUT /candidates/{id}/work-experiences``: the candidate's whole work history."""

    work_experiences: list[WorkExperienceReplacement] = Field(max_length=MAX_RECORDS)


class EducationOut(Output):
    """An education record as ``GET /candidates/{id}/education`` shows it (Spott's shape): the
    institution is the company record named by ``companyId``."""

    id: str
    institution_name: str | None
    company_id: str | None
    institution_logo_url: str | None
    degree: list[Degree]
    field_of_study: str | None
    grade: str | None
    description: str | None
    start_date: datetime | None
    end_date: datetime | None


class WorkExperienceOut(Output):
    """A work experience as ``GET /candidates/{id}/work-experiences`` shows it; ``location`` has
    the shape of a candidate's location in the CandidateView."""

    id: str
    company_id: str | None
    company_name: str | None
    company_logo_url: str | None
    job_title: str | None
    location: LocationOut | None
    description: str | None
    start_date: datetime | None
    end_date: datetime | None
