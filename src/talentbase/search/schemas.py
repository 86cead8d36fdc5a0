"""Bodies and answers of the search routes (API.md §4; Spott ``POST /candidates/_search`` and
``GET /search/people``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from talentbase.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, PaginationOut
from talentbase.api.schemas import OneOf, Output, StrictInput, absent
from talentbase.candidates.schemas import CandidateView

MAX_FILTERS = 50
MAX_PATH = 200

FILTER_TYPES = (
    "text",
    "entitySelect",
    "date",
    "boolean",
    "customText",
    "customNumber",
    "customCheckbox",
    "customSelect",
    "customMultiSelect",
    "customDate",
    "customCurrency",
    "customUrl",
)
OPERATORS = (
    "contains",
    "equals",
    "startsWith",
    "notEquals",
    "in",
    "notIn",
    "lessThanOrEqual",
    "greaterThanOrEqual",
)

FILTERS_DESCRIPTION = """Every filter must hold (AND). Paths, their types and operators:

- `candidate.any` (free text), type `text`, `contains`: every word of the value is found in the
  names, emails or phone numbers.
- `candidate.firstName`, `candidate.lastName`, `candidate.email`, `candidate.phoneNumber`, type
  `text`: `contains`, `equals`, `startsWith`, `notEquals` (phone numbers compare by digits, each
  number as typed, in E.164 and in national form).
- `candidate.mainContact` (user ids of the workspace), `candidate.status`,
  `candidate.nationality` (values of their enums), type `entitySelect`: `in`, `notIn`.
- `candidate.createdAt`, `candidate.modifiedAt`, type `date`: `lessThanOrEqual`,
  `greaterThanOrEqual`, `equals`, `notEquals`; the value is an ISO 8601 date-time with a zone
  (that millisecond) or `YYYY-MM-DD` (that whole UTC day).
- The id of a candidate custom attribute definition; its kind decides: text and url take type
  `text` (or `customText` / `customUrl`) and the text operators; select and multiSelect
  `entitySelect` (or `customSelect` / `customMultiSelect`) with `in`, `notIn` and options as
  values; checkbox `boolean` (or `customCheckbox`) with `equals`; date `date` (or `customDate`),
  number `customNumber` and currency `customCurrency` (value `{amount, currency}`) take
  `lessThanOrEqual`, `greaterThanOrEqual`, `equals`, `notEquals`.

Names, emails and phone numbers compare case- and accent-insensitively, apostrophes ignored
(`O’Brien` = `O'Brien` = `OBrien`, `José` = `jose`, `Łukasz` = `lukasz`); custom text compares
ignoring ASCII case. `notEquals` and `notIn` are the complement of `equals` and `in`: a candidate
without a value matches them. `type` defaults to `text` and `path` (for text) to `candidate.any`;
`operator` may be left out for text (`contains`), select (`in`) and boolean (`equals`) filters."""


class SearchFilter(StrictInput):
    """One filter: ``{type, operator, path, value}`` (see ``FILTERS_DESCRIPTION``)."""

    type: Annotated[str, OneOf(FILTER_TYPES, "filter type")] = "text"
    operator: Annotated[str, OneOf(OPERATORS, "operator")] = absent(
        "Defaults to contains (text), in (select) or equals (boolean)"
    )
    path: str = absent(
        "A `candidate.*` path or a custom attribute definition id; text filters default to "
        "`candidate.any`",
        max_length=MAX_PATH,
    )
    value: Any = Field(description="What to compare with; its type depends on the path")


class CandidateSearchBody(StrictInput):
    """Body of ``POST /candidates/_search``: filters and the page wanted."""

    filters: list[SearchFilter] = Field(
        default_factory=list, max_length=MAX_FILTERS, description=FILTERS_DESCRIPTION
    )
    page: int = Field(0, ge=0, le=MAX_PAGE, description="0-based page number")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Candidates per page"
    )


class CandidateSearchPage(Output):
    """A page of search results, most recently modified first, ties by id (descending):
    ``{items, pagination: {totalItems, page, hasNextPage}}``."""

    items: list[CandidateView]
    pagination: PaginationOut


class PersonOut(Output):
    """One person found by ``GET /search/people`` (Spott's item). Every person is a candidate
    (a client contact is a candidate with a role at a client), so ``entityType`` is always
    ``candidate``. Lists put the primary item first; ``linkedInUrl`` is the (primary) LinkedIn
    URL of the candidate's social media, or null."""

    entity_type: Literal["candidate"]
    id: str
    first_name: str
    middle_name: str | None
    last_name: str
    second_last_name: str | None
    avatar_url: str | None
    phone_numbers: list[str]
    email_addresses: list[str]
    linked_in_url: str | None


class PeopleList(Output):
    """``{items: [...]}``, best match first."""

    items: list[PersonOut]
