"""Request bodies and answers of the client contact routes (Spott ``/clients/contacts``,
``spott-reference/clients-and-contacts.txt``).

A client contact is a candidate's role at a client. ``POST /clients/contacts/{clientId}`` takes
either ``candidateId`` (an existing candidate) or the fields of ``POST /candidates`` to create
the person, plus the role's own fields; ``emails`` and ``phoneNumbers`` belong to the role.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from talentbase.api.schemas import Output, StrictInput, absent
from talentbase.candidates.schemas import (
    MAX_LIST_ITEMS,
    CandidateCreate,
    ClientContactOut,
    EmailIn,
    LocationOut,
    PersonName,
    PhoneNumberIn,
    RefId,
    StageOut,
    TaskOut,
    UserOut,
    UtcDateTime,
)

COLOR_HEX_PATTERN = r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$"

# one line of text, not blank
RoleText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=300, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
StageName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
    AfterValidator(lambda value: unicodedata.normalize("NFC", value)),
]
ColorHex = Annotated[str, StringConstraints(pattern=COLOR_HEX_PATTERN)]
StageOrder = Annotated[int, Field(ge=0, le=1_000_000)]

# the role's own fields: everything else in the create body is the candidate's
ROLE_FIELDS = frozenset(
    {
        "candidate_id",
        "role",
        "department",
        "start_date",
        "end_date",
        "active",
        "emails",
        "phone_numbers",
        "stage_id",
        "keep_showing_as_candidate",
    }
)


class ClientContactCreate(CandidateCreate):
    """Body of ``POST /clients/contacts/{clientId}``: ``candidateId`` of an existing candidate,
    or the fields of ``POST /candidates`` (``firstName`` and ``lastName`` then required) to
    create one; plus the role: ``role``, ``department``, ``startDate``, ``endDate`` (not
    before ``startDate``), ``active`` (default true), the role's ``emails`` and
    ``phoneNumbers``, ``stageId``, and ``keepShowingAsCandidate`` (the candidate's
    ``visibleIfClientContact``)."""

    candidate_id: RefId = absent("An existing candidate; leave out to create the person")
    first_name: PersonName = absent("Required when no candidateId is given")
    last_name: PersonName = absent("Required when no candidateId is given")
    role: RoleText | None = None
    department: RoleText | None = None
    start_date: UtcDateTime | None = None
    end_date: UtcDateTime | None = None
    active: bool = True
    emails: list[EmailIn] = absent("The role's email addresses", max_length=MAX_LIST_ITEMS)
    phone_numbers: list[PhoneNumberIn] = absent(
        "The role's phone numbers", max_length=MAX_LIST_ITEMS
    )
    stage_id: RefId | None = None
    keep_showing_as_candidate: bool = absent(
        "Whether the person keeps showing as a candidate (the candidate's visibleIfClientContact)"
    )
    # one name for one meaning: keepShowingAsCandidate; sent, this answers UNRECOGNIZED_KEYS
    visible_if_client_contact: SkipJsonSchema[bool | None] = None


class ClientContactPatch(StrictInput):
    """Body of ``PATCH /clients/contacts/{id}`` (Spott), every key optional. ``firstName``,
    ``lastName`` and ``mainContactId`` change the candidate; the rest the role."""

    role: RoleText | None = None
    department: RoleText | None = None
    first_name: PersonName = absent()
    last_name: PersonName = absent()
    emails: list[EmailIn] = absent("Replaces the role's emails", max_length=MAX_LIST_ITEMS)
    phone_numbers: list[PhoneNumberIn] = absent(
        "Replaces the role's phone numbers", max_length=MAX_LIST_ITEMS
    )
    main_contact_id: RefId | None = Field(
        default=None, description="The candidate's main contact (a user); null clears it"
    )
    stage_id: RefId | None = None
    start_date: UtcDateTime = absent()
    end_date: UtcDateTime | None = None
    active: bool = absent()


class StageCreate(StrictInput):
    """Body of ``POST /clients/contacts/stages``. ``order`` defaults to one after the last."""

    name: StageName
    order: StageOrder = absent("Position in the pipeline; defaults to one after the last stage")
    color_hex: ColorHex | None = None


class StageList(Output):
    """``{"stages": [...]}`` in pipeline order."""

    stages: list[StageOut]


class InteractionUserOut(Output):
    """A user as Spott's contact document shows the interaction partner."""

    id: str
    name: str
    avatar_url: str | None
    deactivated_at: datetime | None


class ContactPerson(Output):
    """A candidate with its client-contact roles (``GET /clients/contacts/{candidateId}``)."""

    candidate_id: str
    first_name: str
    last_name: str
    avatar_url: str | None
    locations: list[LocationOut]
    last_interaction_date: datetime | None
    last_interaction_with: InteractionUserOut | None
    next_interaction_date: datetime | None
    next_interaction_with: InteractionUserOut | None
    last_activity_date: datetime
    next_task_due: TaskOut | None
    main_contact: UserOut | None
    client_contacts: list[ClientContactOut]
