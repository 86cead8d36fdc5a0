"""Request bodies and the CandidateView of the candidate routes.

Field names and types are exactly the seed's (``update-candidate.seed.txt``); the value rules are
API.md §2.1. A field that is absent is not in ``model_fields_set``: absent leaves a stored value
unchanged, ``null`` clears it where the type allows ``None``.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from talentbase.api.errors import TOO_SMALL
from talentbase.api.pagination import PageInfoOut
from talentbase.api.schemas import OneOf, Output, StrictInput, absent, enum_check, enum_schema
from talentbase.candidates import enums, rules

MAX_LIST_ITEMS = 50
MAX_ENUM_LIST_ITEMS = 500

Gender = Annotated[str, OneOf(enums.GENDERS, "gender")]
Nationality = Annotated[str, OneOf(enums.NATIONALITIES, "nationality")]
Status = Annotated[str, OneOf(enums.STATUSES, "status")]
AcquisitionSource = Annotated[str, OneOf(enums.ACQUISITION_SOURCES, "acquisition source")]
Purpose = Annotated[str, OneOf(enums.CONTACT_PURPOSES, "purpose")]
SocialMediaType = Annotated[str, OneOf(enums.SOCIAL_MEDIA_TYPES, "social media type")]
LocationType = Annotated[str, OneOf(enums.LOCATION_TYPES, "location type")]
Fluency = Annotated[str, OneOf(enums.FLUENCIES, "fluency")]
Degree = Annotated[str, OneOf(enums.DEGREES, "degree")]

PersonName = Annotated[
    str,
    AfterValidator(rules.person_name),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": rules.NAME_MAX,
            "description": "1-100 characters after trimming: Unicode letters and marks, spaces, "
            "hyphens, apostrophes (' and ’) and dots, with at least one letter; stored trimmed "
            "and NFC-normalised",
        }
    ),
]
EmailAddress = Annotated[
    str,
    StringConstraints(max_length=320),
    AfterValidator(rules.email_address),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 320}),
]
HttpUrl = Annotated[
    str,
    StringConstraints(max_length=2048),
    AfterValidator(rules.http_url),
    WithJsonSchema({"type": "string", "format": "uri", "maxLength": 2048}),
]
Country = Annotated[
    str,
    StringConstraints(max_length=100),
    AfterValidator(rules.country),
    WithJsonSchema(
        {"type": "string", "description": "ISO 3166-1 alpha-2 code or English country name"}
    ),
]
Currency = Annotated[
    str,
    AfterValidator(rules.currency),
    WithJsonSchema({"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217"}),
]
UtcDateTime = Annotated[
    datetime,
    BeforeValidator(rules.utc_datetime),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
BirthDate = Annotated[
    date,
    BeforeValidator(rules.birth_date),
    WithJsonSchema(
        {
            "type": "string",
            "description": "A calendar date: YYYY-MM-DD or a date-time whose date part is used",
            "examples": ["1990-05-15T00:00:00.000Z"],
        }
    ),
]
# no control characters in one-line text; multi-line text may hold tabs and line breaks
ShortText = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
LongText = Annotated[
    str, StringConstraints(max_length=10_000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")
]
# work history text: stored trimmed; blank text is refused (send null for no value)
TrimmedShortText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
TrimmedLongText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=10_000,
        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
    ),
]
ItemId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
]
RefId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$")
]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Amount = Annotated[float, Field(ge=0, le=1e12)]
LanguageName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
    AfterValidator(lambda value: unicodedata.normalize("NFC", value)),
]


class EmailIn(StrictInput):
    """``emails[]`` item."""

    purpose: Purpose | None = None
    email: EmailAddress
    is_primary: bool = False


class PhoneNumberIn(StrictInput):
    """``phoneNumbers[]`` item; the number is parsed in ``candidates.service``."""

    purpose: Purpose | None = None
    phone_number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    is_primary: bool = False


class SocialMediaIn(StrictInput):
    """``socialMedia[]`` item."""

    url: HttpUrl
    type: SocialMediaType
    is_primary: bool = False


class LocationIn(StrictInput):
    """``locations[]`` item; ``rawCityCountry`` and ``formattedAddress`` are derived, and accepted
    (then recomputed) because Spott's create example sends them."""

    type: LocationType | None = None
    street1: ShortText | None = None
    street2: ShortText | None = None
    postal_code: ShortText | None = None
    city: ShortText | None = None
    region: ShortText | None = None
    state: ShortText | None = None
    country: Country | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    raw_city_country: ShortText | None = Field(default=None, json_schema_extra={"readOnly": True})
    formatted_address: ShortText | None = Field(default=None, json_schema_extra={"readOnly": True})


class LanguageIn(StrictInput):
    """``languages[]`` item; an ``id`` sent is kept."""

    language: LanguageName
    id: ItemId | None = None
    fluency: Fluency | None = None


class CompensationIn(StrictInput):
    """``compensation``: replaces the whole compensation; keys left out become null."""

    currency: Currency | None = None
    id: RefId | None = None
    total_compensation: Amount | None = None
    base_compensation: Amount | None = None


class MainContactIn(StrictInput):
    """``mainContact``: the recruiter assigned to the candidate."""

    user_id: RefId


class CandidateFields(StrictInput):
    """The fields PATCH and POST share (seed order)."""

    first_name: PersonName = absent("The first name of the candidate")
    middle_name: PersonName | None = Field(default=None, description="The middle name")
    last_name: PersonName = absent("The last name of the candidate")
    second_last_name: PersonName | None = Field(
        default=None, description="The second last name (common in Spanish-speaking countries)"
    )
    compensation: CompensationIn | None = None
    main_contact: MainContactIn | None = None
    languages: list[LanguageIn] = absent(max_length=MAX_LIST_ITEMS)
    gender: Gender | None = None
    # duplicates are dropped (API.md §2.1), so allow room for them before that
    nationality: list[Nationality] = absent(max_length=MAX_ENUM_LIST_ITEMS)
    status: list[Status] = absent(max_length=MAX_ENUM_LIST_ITEMS)
    acquisition_source: AcquisitionSource = absent(
        "How the candidate was acquired; defaults to manual on create"
    )
    locations: list[LocationIn] = absent(max_length=MAX_LIST_ITEMS)
    social_media: list[SocialMediaIn] = absent(max_length=MAX_LIST_ITEMS)
    emails: list[EmailIn] = absent(max_length=MAX_LIST_ITEMS)
    phone_numbers: list[PhoneNumberIn] = absent(max_length=MAX_LIST_ITEMS)
    visible_if_client_contact: bool | None = None
    date_of_birth: BirthDate | None = None
    last_interaction_at: UtcDateTime | None = None
    last_interaction_with_id: RefId | None = None


class CandidatePatch(CandidateFields):
    """Body of ``PATCH /candidates/{id}``: every key optional (API.md §2.1)."""


_check_degree = enum_check(enums.DEGREES, "degree")


def _one_or_more_degrees(value: Any) -> Any:
    """Spott's create example sends one degree as a string, its education answer shows a list:
    both are accepted, a string as a list of one (checked here, so its error path is
    ``degree``, not ``degree.0``)."""
    if isinstance(value, str):
        return [_check_degree(value)]
    return value


Degrees = Annotated[
    list[Degree],
    BeforeValidator(_one_or_more_degrees),
    Field(max_length=MAX_LIST_ITEMS),
    AfterValidator(lambda values: list(dict.fromkeys(values))),
    WithJsonSchema(
        {
            "anyOf": [
                enum_schema(enums.DEGREES),
                {"type": "array", "items": enum_schema(enums.DEGREES), "maxItems": MAX_LIST_ITEMS},
            ],
            "description": "One degree, or a list of them (duplicates are dropped, order kept)",
        }
    ),
]


class EducationIn(StrictInput):
    """``education[]`` item of POST /candidates (API.md §2.2), also the body of
    ``POST /candidates/{id}/education``. Text is stored trimmed, blank text is ``TOO_SMALL``;
    an item naming none of ``companyId``, ``degree``, ``fieldOfStudy`` is ``TOO_SMALL`` at the
    item's path."""

    degree: Degrees | None = None
    company_id: RefId | None = None
    field_of_study: TrimmedShortText | None = None
    grade: TrimmedShortText | None = None
    description: TrimmedLongText | None = None
    start_date: UtcDateTime | None = None
    end_date: UtcDateTime | None = None

    @model_validator(mode="after")
    def _names_something(self) -> EducationIn:
        if not (self.company_id or self.degree or self.field_of_study):
            raise PydanticCustomError(
                TOO_SMALL, "An education record needs a companyId, a degree or a fieldOfStudy"
            )
        return self


class WorkExperienceIn(StrictInput):
    """``workExperiences[]`` item of POST /candidates (API.md §2.2), also the body of
    ``POST /candidates/{id}/work-experiences``. Text is stored trimmed, blank text is
    ``TOO_SMALL``; an item naming neither ``companyId`` nor ``jobTitle`` is ``TOO_SMALL`` at the
    item's path."""

    company_id: RefId | None = None
    job_title: TrimmedShortText | None = None
    location: LocationIn | None = None
    description: TrimmedLongText | None = None
    start_date: UtcDateTime | None = None
    end_date: UtcDateTime | None = None

    @model_validator(mode="after")
    def _names_something(self) -> WorkExperienceIn:
        if not (self.company_id or self.job_title):
            raise PydanticCustomError(
                TOO_SMALL, "A work experience needs a companyId or a jobTitle"
            )
        return self


class CustomAttributeValueIn(StrictInput):
    """``customAttributes[]`` item of POST /candidates. ``label``, ``description`` and
    ``options`` belong to the definition: accepted because Spott's example sends them, but not
    stored."""

    attribute_definition_id: RefId
    value: Any = None
    label: ShortText | None = None
    description: LongText | None = None
    filled_by_ai: bool | None = Field(default=None, alias="filledByAI")
    options: list[ShortText] | None = None


class CandidateCreate(CandidateFields):
    """Body of ``POST /candidates`` (API.md §2.2): ``firstName`` and ``lastName`` required."""

    first_name: PersonName = Field(description="The first name of the candidate")
    last_name: PersonName = Field(description="The last name of the candidate")
    avatar_url: HttpUrl | None = None
    education: list[EducationIn] = absent(max_length=MAX_LIST_ITEMS)
    work_experiences: list[WorkExperienceIn] = absent(max_length=MAX_LIST_ITEMS)
    custom_attributes: list[CustomAttributeValueIn] = absent(max_length=MAX_LIST_ITEMS)


# ---- CandidateView (API.md §2.3), for the OpenAPI document and contract tests ----


class UserOut(Output):
    """A user as candidates show it."""

    user_id: str
    name: str
    email: str
    avatar_url: str | None
    deactivated_at: datetime | None


class CompanyRef(Output):
    """A company as the view shows it."""

    id: str
    name: str
    logo_url: str | None


class NameSection(Output):
    view_type: Literal["candidateName"]
    avatar_url: str | None
    first_name: str
    last_name: str
    middle_name: str | None
    second_last_name: str | None


class GenderSection(Output):
    view_type: Literal["candidateGender"]
    gender: Gender | None


class NationalitySection(Output):
    view_type: Literal["candidateNationality"]
    nationality: list[Nationality]


class StatusSection(Output):
    view_type: Literal["candidateStatus"]
    status: list[Status]


class EmailOut(Output):
    purpose: Purpose | None
    email: str
    is_primary: bool


class EmailsSection(Output):
    view_type: Literal["candidateEmails"]
    emails: list[EmailOut]


class PhoneNumberOut(Output):
    purpose: Purpose | None
    phone_number: str
    is_primary: bool


class PhoneNumbersSection(Output):
    view_type: Literal["candidatePhoneNumbers"]
    phone_numbers: list[PhoneNumberOut]


class LocationOut(Output):
    type: LocationType | None
    street1: str | None
    street2: str | None
    postal_code: str | None
    city: str | None
    region: str | None
    state: str | None
    country: str | None
    raw_city_country: str | None
    latitude: float | None
    longitude: float | None
    formatted_address: str | None


class LocationsSection(Output):
    view_type: Literal["candidateLocation"]
    locations: list[LocationOut]


class DateOfBirthSection(Output):
    view_type: Literal["candidateDateOfBirth"]
    date_of_birth: datetime | None


class SocialMediaOut(Output):
    url: str
    type: SocialMediaType
    is_primary: bool


class SocialMediaSection(Output):
    view_type: Literal["candidateSocialMedia"]
    social_media: list[SocialMediaOut]


class LastInteractionDateSection(Output):
    view_type: Literal["candidateLastInteractionDate"]
    last_interaction_date: datetime | None


class LastInteractionWithSection(Output):
    view_type: Literal["candidateLastInteractionWith"]
    user: UserOut | None


class NextInteractionDateSection(Output):
    view_type: Literal["candidateNextInteractionDate"]
    next_interaction_date: datetime | None


class NextInteractionWithSection(Output):
    view_type: Literal["candidateNextInteractionWith"]
    user: UserOut | None


class MainContactSection(Output):
    view_type: Literal["candidateMainContact"]
    user: UserOut | None


class LanguageOut(Output):
    language: str
    id: str
    fluency: Fluency | None


class LanguagesSection(Output):
    view_type: Literal["candidateLanguages"]
    languages: list[LanguageOut]


class CompensationOut(Output):
    currency: str | None
    id: str
    total_compensation: float | None
    base_compensation: float | None


class CompensationSection(Output):
    view_type: Literal["candidateCompensation"]
    compensation: CompensationOut | None


class PlacementOut(Output):
    id: str
    company: CompanyRef
    start_date: datetime | None
    end_date: datetime | None


class CurrentPlacementsSection(Output):
    view_type: Literal["candidateCurrentPlacements"]
    has_current_placement: bool
    placements: list[PlacementOut]


class TaskOut(Output):
    id: str
    content: str
    due_date: datetime | None


class NextTaskDueSection(Output):
    view_type: Literal["candidateNextTaskDue"]
    next_task_due: TaskOut | None


class AcquisitionSourceSection(Output):
    view_type: Literal["candidateAcquisitionSource"]
    acquisition_source: AcquisitionSource


class LatestWorkExperienceOut(Output):
    title: str | None
    company: CompanyRef | None


class CustomValueOut(Output):
    """A custom attribute value: ``viewType`` names its kind (``customText``, ``customNumber``,
    ...); the other keys depend on the kind."""

    model_config = Output.model_config | {"extra": "allow"}

    view_type: str


class CustomAttributeOut(Output):
    value: CustomValueOut
    attribute_definition_id: str
    label: str
    ai_fill_ongoing: bool
    ai_overridden: bool
    is_filled_by_ai: bool = Field(alias="isFilledByAI")
    options: list[str]


class StageOut(Output):
    id: str
    order: int
    name: str
    color_hex: str | None


class ClientContactOut(Output):
    id: str
    company: CompanyRef
    role: str | None
    department: str | None
    start_date: datetime | None
    end_date: datetime | None
    active: bool
    email_addresses: list[EmailOut]
    phone_numbers: list[PhoneNumberOut]
    stage: StageOut | None
    custom_attributes: list[CustomAttributeOut]


class ClientContactsSection(Output):
    view_type: Literal["candidateClientContacts"]
    client_contacts: list[ClientContactOut]


class LinkedInProfileSection(Output):
    view_type: Literal["candidateLinkedInProfile"]
    headline: str | None
    about: str | None
    skills: list[str]


class CandidateView(Output):
    """The candidate as GET, PATCH and list items show it (API.md §2.3, the seed's order)."""

    id: str
    name: NameSection
    gender: GenderSection
    nationality: NationalitySection
    status: StatusSection
    emails: EmailsSection
    phone_numbers: PhoneNumbersSection
    locations: LocationsSection
    date_of_birth: DateOfBirthSection
    social_media: SocialMediaSection
    last_interaction_date: LastInteractionDateSection
    last_interaction_with: LastInteractionWithSection
    next_interaction_date: NextInteractionDateSection
    next_interaction_with: NextInteractionWithSection
    main_contact: MainContactSection
    languages: LanguagesSection
    compensation: CompensationSection
    current_placements: CurrentPlacementsSection
    next_task_due: NextTaskDueSection
    created_at: datetime
    modified_at: datetime
    last_activity_date: datetime
    acquisition_source: AcquisitionSourceSection
    latest_work_experience: LatestWorkExperienceOut
    last_linkedin_diff_at: datetime | None
    is_diffing_linkedin: bool
    custom_attributes: list[CustomAttributeOut]
    ai_summary: str | None
    client_contacts: ClientContactsSection
    is_visible_if_client_contact: bool | None
    has_client_contacts: bool | None
    has_active_client_contacts: bool | None
    last_agent_chat_id: str | None
    cv_attachment_id: str | None
    linked_in_profile: LinkedInProfileSection


class CandidateList(Output):
    """A cursor page of candidates (API.md §4): ``{items, pageInfo}``."""

    items: list[CandidateView]
    page_info: PageInfoOut
