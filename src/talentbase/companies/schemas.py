"""Request bodies and answers of the client routes (Spott ``/clients``,
``spott-reference/clients-and-contacts.txt``).

A client is a company row. ``POST /clients`` takes the company's fields flat; ``PATCH`` nests
them under ``company`` and keeps client-level fields (``status``) at the top, as Spott does. A
field that is absent is not in ``model_fields_set`` and leaves the stored value unchanged;
``null`` clears a nullable field.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from talentbase.api.errors import INVALID_STRING, TOO_BIG
from talentbase.api.pagination import PageInfoOut
from talentbase.api.schemas import OneOf, Output, StrictInput, absent
from talentbase.candidates import rules
from talentbase.candidates.schemas import (
    MAX_LIST_ITEMS,
    CustomAttributeOut,
    HttpUrl,
    LocationIn,
    LocationOut,
    StageOut,
    TaskOut,
)

# Spott documents only `lead`; `active` and `inactive` complete a client's lifecycle (a project
# decision: the rest of Spott's list is not public)
CLIENT_STATUSES = ("lead", "active", "inactive")
DOMAIN_MAX = 253
_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)


def domain_name(value: str) -> str:
    """A host name such as ``acme.com`` or ``münchen.de``: at least two dot-separated labels
    of letters, digits and inner hyphens (an internationalised name is checked in its ASCII
    form), a top-level label that is not all digits, no scheme, path, port or whitespace.
    Stored as given."""
    problem = (
        "Invalid domain: expected a host name such as acme.com (no scheme, path, port or spaces)"
    )
    try:
        ascii_form = value.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise PydanticCustomError(INVALID_STRING, problem) from exc
    if len(ascii_form) > DOMAIN_MAX:
        raise PydanticCustomError(TOO_BIG, f"A domain has at most {DOMAIN_MAX} characters")
    labels = ascii_form.split(".")
    if (
        len(labels) < 2
        or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise PydanticCustomError(INVALID_STRING, problem)
    return value


CompanyName = Annotated[
    str,
    AfterValidator(rules.display_name),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": rules.DISPLAY_NAME_MAX,
            "description": "1-200 characters after trimming, no control characters; stored "
            "trimmed and NFC-normalised",
        }
    ),
]
Domain = Annotated[
    str,
    StringConstraints(max_length=DOMAIN_MAX * 4),
    AfterValidator(domain_name),
    WithJsonSchema({"type": "string", "format": "hostname", "maxLength": DOMAIN_MAX}),
]
# one line of text, not blank
Industry = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
Size = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
Description = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=10_000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
    ),
]
ClientStatus = Annotated[str, OneOf(CLIENT_STATUSES, "client status")]


class CompanyFields(StrictInput):
    """The company-level fields of a client (``PATCH /clients/{id}`` body ``company``)."""

    name: CompanyName = absent("The company's name")
    domain: Domain | None = None
    description: Description | None = None
    logo_url: HttpUrl | None = None
    industry: Industry | None = None
    size: Size | None = None
    locations: list[LocationIn] = absent(
        "Replaces the whole list; same items and rules as a candidate's locations",
        max_length=MAX_LIST_ITEMS,
    )
    linkedin_url: HttpUrl | None = None


class ClientCreate(CompanyFields):
    """Body of ``POST /clients``: the company's fields and the client-level ``status``."""

    name: CompanyName
    status: ClientStatus | None = None


class ClientPatch(StrictInput):
    """Body of ``PATCH /clients/{id}``: company-level fields under ``company``, client-level
    ``status`` at the top (Spott). Every key optional."""

    company: CompanyFields = absent("Company-level fields; absent keys are left unchanged")
    status: ClientStatus | None = None


# ---- the client as GET shows it ----------------------------------------------------------------


class ClientStatusSection(Output):
    view_type: Literal["clientStatus"]
    status: str | None


class ClientNameSection(Output):
    view_type: Literal["clientName"]
    name: str
    avatar_url: str | None


class ClientDescriptionSection(Output):
    view_type: Literal["clientDescription"]
    description: str | None


class ClientIndustrySection(Output):
    view_type: Literal["clientIndustry"]
    industry: str | None


class ClientDomainSection(Output):
    view_type: Literal["clientDomain"]
    domain: str | None


class ClientLinkedinUrlSection(Output):
    view_type: Literal["clientLinkedinUrl"]
    linkedin_url: str | None


class ClientSizeSection(Output):
    view_type: Literal["clientSize"]
    size: str | None


class ClientStageSection(Output):
    view_type: Literal["clientStage"]
    stage: StageOut | None


class ClientNextTaskDueSection(Output):
    view_type: Literal["clientNextTaskDue"]
    next_task_due: TaskOut | None


class ClientLocationsSection(Output):
    view_type: Literal["clientLocations"]
    locations: list[LocationOut]


class ClientListItem(Output):
    """A client as ``GET /clients`` lists it. No client pipeline or custom attributes exist,
    so ``stage`` is always null and ``customAttributes`` always empty."""

    id: str
    status: ClientStatusSection
    name: ClientNameSection
    description: ClientDescriptionSection
    industry: ClientIndustrySection
    domain: ClientDomainSection
    linkedin_url: ClientLinkedinUrlSection
    size: ClientSizeSection
    stage: ClientStageSection
    next_task_due: ClientNextTaskDueSection
    locations: ClientLocationsSection
    custom_attributes: list[CustomAttributeOut]
    created_at: datetime
    modified_at: datetime


class ClientFundingSection(Output):
    view_type: Literal["clientFunding"]
    funding: None


class ContactEmailOut(Output):
    purpose: str | None
    email_address: str
    is_primary: bool


class ContactPhoneOut(Output):
    purpose: str | None
    phone_number: str
    is_primary: bool


class ClientContactSummary(Output):
    """A contact person as the client view lists it."""

    id: str
    candidate_id: str
    first_name: str
    middle_name: str | None
    last_name: str
    avatar_url: str | None
    role: str | None
    department: str | None
    start_date: datetime | None
    end_date: datetime | None
    active: bool
    email_addresses: list[ContactEmailOut]
    phone_numbers: list[ContactPhoneOut]
    stage: StageOut | None


class ClientContactsSection(Output):
    view_type: Literal["clientContacts"]
    contacts: list[ClientContactSummary]


class ClientView(ClientListItem):
    """A client as ``GET /clients/{id}`` shows it: the list fields, ``funding`` (no funding
    data is kept, so always null) and its contacts, oldest first."""

    funding: ClientFundingSection
    contacts: ClientContactsSection


class ClientList(Output):
    """A cursor page of clients: ``{items, pageInfo}``."""

    items: list[ClientListItem]
    page_info: PageInfoOut
