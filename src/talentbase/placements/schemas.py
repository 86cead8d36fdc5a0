"""Bodies and answers of the placement routes (Spott ``placements-lists.txt``).

A placement is a candidate placed at a company, optionally for a named vacancy. talentbase keeps
no vacancy records, so a vacancy is only a name: the answer shows it as
``{"id": null, "name": …}`` (Spott's keys, no invented id), or ``null`` when no name was given.
Spott's fee, template, application and custom attribute fields are not stored, so they are
neither accepted nor shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

from talentbase.api.pagination import PaginationOut
from talentbase.api.schemas import Output, StrictInput, absent
from talentbase.candidates import rules
from talentbase.candidates.schemas import RefId, UtcDateTime

VacancyName = Annotated[
    str,
    AfterValidator(rules.display_name),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": rules.DISPLAY_NAME_MAX}),
]


class PlacementCreate(StrictInput):
    """Body of ``POST /placements``. ``candidateId`` and ``companyId`` are required and must
    name records of the workspace, as must ``placedByUserId`` when sent; ``placedAtDate``
    defaults to now; ``endDate`` must be after ``startDate`` when both are set."""

    candidate_id: RefId
    company_id: RefId
    vacancy_name: VacancyName | None = None
    placed_by_user_id: RefId = absent("A user of the workspace; omit for none")
    placed_at_date: UtcDateTime = absent("When the placement was made; defaults to now")
    start_date: UtcDateTime | None = None
    end_date: UtcDateTime | None = None


class PlacementPatch(StrictInput):
    """Body of ``PATCH /placements/{id}`` (Spott "Update a placement"): every key optional, an
    absent key leaves the value unchanged. ``null`` clears ``startDate``, ``endDate`` (nullable in
    Spott) and ``vacancyName``; ``placedByUserId`` and ``placedAtDate`` are not nullable. The
    candidate and the company of a placement cannot be changed (unknown keys → 400)."""

    placed_by_user_id: RefId = absent("A user of the workspace")
    placed_at_date: UtcDateTime = absent()
    start_date: UtcDateTime | None = None
    end_date: UtcDateTime | None = None
    vacancy_name: VacancyName | None = None


class PlacementUser(Output):
    """The user who made the placement (Spott's short user form)."""

    id: str
    name: str
    avatar_url: str | None
    deactivated_at: datetime | None


class PlacementCandidate(Output):
    """The placed candidate."""

    id: str
    first_name: str
    last_name: str
    middle_name: str | None
    second_last_name: str | None
    avatar_url: str | None


class PlacementCompany(Output):
    """The company the candidate is placed at; ``logoCdnUrl`` is the company's logo URL."""

    id: str
    name: str
    logo_cdn_url: str | None


class PlacementVacancy(Output):
    """The vacancy by name only: talentbase keeps no vacancy records, so ``id`` is null."""

    id: None
    name: str


class PlacementDetail(Output):
    """A placement as every placement route answers it (Spott's list item, less the fee,
    template, extension and application fields talentbase does not store)."""

    id: str
    placed_by_user: PlacementUser | None
    placed_at: datetime | None
    start_date: datetime | None
    end_date: datetime | None
    candidate: PlacementCandidate
    company: PlacementCompany
    vacancy: PlacementVacancy | None
    created_at: datetime
    modified_at: datetime


class PlacementList(Output):
    """``{items, pagination}`` of ``GET /placements``."""

    items: list[PlacementDetail]
    pagination: PaginationOut
