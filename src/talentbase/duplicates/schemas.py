"""Bodies and answers of duplicate detection: ``POST /candidates/{id}/contact-identifiers``
(Spott's shapes, ``spott-reference/candidates-contact-identifiers-POST.txt``) and the
``onDuplicate`` choice of ``POST /candidates``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from talentbase.api.schemas import ErrorBody, OneOf, Output, StrictInput
from talentbase.candidates.schemas import CandidateCreate, Purpose
from talentbase.duplicates.identifiers import CONTACT_TYPES

ALLOW = "allow"
REJECT = "reject"
ON_DUPLICATE = (ALLOW, REJECT)

ContactType = Annotated[str, OneOf(CONTACT_TYPES, "contact type")]
OnDuplicate = Annotated[str, OneOf(ON_DUPLICATE, "onDuplicate")]


class ContactIdentifierIn(StrictInput):
    """Body of ``POST /candidates/{id}/contact-identifiers``. The identifier is an email
    address, a phone number or a URL of the contact type's network (a URL without a scheme is
    read as ``https://``), checked as ``PATCH /candidates/{id}`` checks the list it joins.
    ``purpose`` applies to emails and phone numbers (social media items have none)."""

    contact_type: ContactType
    purpose: Purpose | None = Field(
        default=None, description="personal | work | null; not stored for social media"
    )
    identifier: Annotated[str, StringConstraints(min_length=1, max_length=2048)]
    is_primary: bool = Field(
        default=False, description="Make it the candidate's primary item of its list"
    )


class TakenBy(Output):
    """The other candidate holding a duplicate identifier."""

    name: str
    id: str
    type: Literal["candidate"]


class DuplicateOut(Output):
    """An identifier of another candidate of the workspace that is the same as the one added
    (``identifier`` as that candidate holds it; ``contactIdentifierId`` names that
    candidate's identifier)."""

    contact_type: ContactType
    identifier: str
    contact_identifier_id: str
    taken_by: TakenBy


class ContactIdentifierAnswer(Output):
    """Answer of ``POST /candidates/{id}/contact-identifiers``: who else holds the identifier."""

    duplicates: list[DuplicateOut]


class CandidateDuplicate(Output):
    """An identifier of a new candidate that another candidate of the workspace holds
    (``identifier`` as the new candidate's body gives it)."""

    contact_type: ContactType
    identifier: str
    candidate_id: str


class DuplicateCandidateBody(ErrorBody):
    """The 409 of ``POST /candidates`` with ``"onDuplicate": "reject"``: Spott's error body, one
    ``DUPLICATE`` error per identifier taken (at its path in the body, naming the candidate
    that holds it), and the same in ``duplicates``."""

    duplicates: list[CandidateDuplicate]


class CandidateCreateBody(CandidateCreate):
    """Body of ``POST /candidates`` (API.md §2.2) with ``onDuplicate``."""

    on_duplicate: OnDuplicate = Field(
        default=ALLOW,
        description="`reject`: answer 409 (`DUPLICATE`) and create nothing when an email, phone "
        "number or LinkedIn / Instagram / Facebook / X URL of the body belongs to a candidate "
        "of the workspace. `allow` (default): create the candidate and list those duplicates "
        "in the `x-duplicates` answer header",
    )
