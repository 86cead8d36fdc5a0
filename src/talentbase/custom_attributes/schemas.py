"""Bodies and answers of the custom attribute routes (spott-reference/custom-attributes.txt)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from talentbase.api.errors import INVALID_STRING, TOO_BIG, TOO_SMALL
from talentbase.api.pagination import PaginationOut
from talentbase.api.schemas import OneOf, Output, StrictInput, absent
from talentbase.candidates.schemas import MAX_LIST_ITEMS, LongText, RefId
from talentbase.custom_attributes.view import VALUE_VIEWS

LABEL_MAX = 200
MAX_OPTIONS = 500

# the kinds as Spott's definition list names them (customText, customNumber, ...)
VIEW_TYPES = tuple(view_type for view_type, _ in VALUE_VIEWS.values())
KIND_OF_VIEW_TYPE = {view_type: kind for kind, (view_type, _) in VALUE_VIEWS.items()}


def _one_line(value: str) -> str:
    """Trimmed, NFC-normalised, 1–200 characters, no control or unassigned characters."""
    text = unicodedata.normalize("NFC", value.strip())
    if not text:
        raise PydanticCustomError(TOO_SMALL, "Must contain at least 1 character after trimming")
    if len(text) > LABEL_MAX:
        raise PydanticCustomError(TOO_BIG, f"Must contain at most {LABEL_MAX} characters")
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"):
            raise PydanticCustomError(INVALID_STRING, f"Must not contain {char!r}")
    return text


OneLine = Annotated[
    str,
    AfterValidator(_one_line),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": LABEL_MAX}),
]

AttributeValue = Annotated[
    Any,
    Field(
        description=(
            'The value, bare (`"Senior"`, `42`, `true`, `"A"`, `["A", "B"]`, '
            '`"2024-01-15T14:30:00.000Z"`, `{"amount": 5000, "currency": "EUR"}`, '
            '`"https://…"`) or as the view shows it (`{"viewType": "customText", '
            '"text": "Senior"}`); `null` removes the value'
        )
    ),
]


class DefinitionCreate(StrictInput):
    """Body of ``POST /custom-attributes/{entityType}/definitions``. ``viewType`` is the kind
    (Spott's names); ``options`` is required (non-empty, no two alike ignoring case) for
    ``customSelect`` and ``customMultiSelect`` and refused for the other kinds."""

    label: OneLine = Field(description="Unique per entity type, ignoring case")
    description: LongText | None = None
    view_type: Annotated[str, OneOf(VIEW_TYPES, "viewType")]
    options: list[OneLine] = absent(
        "The choices of customSelect / customMultiSelect", max_length=MAX_OPTIONS
    )


class ValueSet(StrictInput):
    """Body of ``PUT /candidates/{id}/custom-attributes/{definitionId}``."""

    value: AttributeValue


class BulkValueItem(StrictInput):
    """One ``attributes[]`` item of the bulk value update."""

    attribute_definition_id: RefId
    value: AttributeValue


class BulkValues(StrictInput):
    """Body of ``PUT /custom-attributes/candidates/{id}/values/_bulk``: the values to set (or
    remove, with ``null``); attributes not listed keep their values."""

    attributes: list[BulkValueItem] = Field(max_length=MAX_LIST_ITEMS)


class DefinitionDetails(Output):
    """``definition`` of a definition: its kind, description and options (``[]`` for kinds
    without options)."""

    view_type: str
    description: str | None
    options: list[str]


class DefinitionOut(Output):
    """A custom attribute definition in Spott's list shape."""

    definition: DefinitionDetails
    id: str
    label: str
    view_type: str
    created_at: datetime
    modified_at: datetime


class DefinitionList(Output):
    """A page of definitions: ``{items, pagination}``."""

    items: list[DefinitionOut]
    pagination: PaginationOut
