"""Search rules: which filter fits which path, what its value must be, and the answers.

``POST /candidates/_search`` (API.md §4): each filter is checked against the table of
``schemas.FILTERS_DESCRIPTION``; every combination that makes no sense is a 400 naming
``filters.N.type`` / ``.operator`` / ``.path`` / ``.value`` (all bad filters in one answer), and
a path or user id that is not of the caller's workspace is a 400 ``NOT_FOUND``. The answer is
a page of CandidateViews, most recently modified first, ties by id (descending), so a page
never repeats or skips a row of another page of the same search.

``GET /search/people``: the query's words (``search.text.query_terms``) must all be found;
best match first (``repository.find_people``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic_core import PydanticCustomError
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import (
    INVALID_ENUM_VALUE,
    INVALID_STRING,
    INVALID_TYPE,
    NOT_FOUND,
    REQUIRED,
    TOO_BIG,
    TOO_SMALL,
    ErrorItem,
    ValidationFailed,
)
from talentbase.api.pagination import page_query
from talentbase.candidates import rules, view
from talentbase.candidates.enums import NATIONALITIES, STATUSES
from talentbase.candidates.models import Candidate
from talentbase.candidates.service import FieldErrors
from talentbase.custom_attributes import repository as custom_attributes
from talentbase.custom_attributes.models import CustomAttributeDefinition
from talentbase.custom_attributes.values import ValueProblem, normalize_value
from talentbase.db.base import is_id
from talentbase.search import repository
from talentbase.search.criteria import (
    CandidatePeriod,
    Choice,
    Criterion,
    CustomChecked,
    CustomChoice,
    CustomNumber,
    CustomPeriod,
    CustomText,
    FreeText,
    Period,
    TextField,
)
from talentbase.search.schemas import CandidateSearchBody, SearchFilter
from talentbase.search.text import digits, fold, query_terms
from talentbase.users import repository as users

CANDIDATE = "candidate"
MAX_TEXT_VALUE = 200
MAX_CHOICES = 100
MAX_QUERY = 200

TEXT_OPERATORS = ("contains", "equals", "startsWith", "notEquals")
CHOICE_OPERATORS = ("in", "notIn")
COMPARISON_OPERATORS = ("lessThanOrEqual", "greaterThanOrEqual", "equals", "notEquals")
FREE_TEXT = "candidate.any"

# operator used when a filter leaves it out, by type (date, number, currency: no default)
DEFAULT_OPERATORS = {
    "text": "contains",
    "customText": "contains",
    "customUrl": "contains",
    "entitySelect": "in",
    "customSelect": "in",
    "customMultiSelect": "in",
    "boolean": "equals",
    "customCheckbox": "equals",
}


@dataclass(frozen=True)
class _Native:
    """A ``candidate.*`` path: its filter type, operators, and what it filters."""

    type: str
    operators: tuple[str, ...]
    field: str


NOTHING_TO_LOOK_FOR = "Nothing to look for: only spaces and punctuation"

NATIVE_PATHS = {
    FREE_TEXT: _Native("text", ("contains",), "any"),
    "candidate.firstName": _Native("text", TEXT_OPERATORS, "first_name"),
    "candidate.lastName": _Native("text", TEXT_OPERATORS, "last_name"),
    "candidate.email": _Native("text", TEXT_OPERATORS, "emails"),
    "candidate.phoneNumber": _Native("text", TEXT_OPERATORS, "phones"),
    "candidate.mainContact": _Native("entitySelect", CHOICE_OPERATORS, "main_contact"),
    "candidate.status": _Native("entitySelect", CHOICE_OPERATORS, "status"),
    "candidate.nationality": _Native("entitySelect", CHOICE_OPERATORS, "nationality"),
    "candidate.createdAt": _Native("date", COMPARISON_OPERATORS, "created_at"),
    "candidate.modifiedAt": _Native("date", COMPARISON_OPERATORS, "modified_at"),
}

# custom attribute kind -> (filter types it takes, operators)
CUSTOM_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "text": (("text", "customText"), TEXT_OPERATORS),
    "url": (("text", "customUrl"), TEXT_OPERATORS),
    "number": (("customNumber",), COMPARISON_OPERATORS),
    "currency": (("customCurrency",), COMPARISON_OPERATORS),
    "checkbox": (("boolean", "customCheckbox"), ("equals",)),
    "select": (("entitySelect", "customSelect"), CHOICE_OPERATORS),
    "multiSelect": (("entitySelect", "customMultiSelect"), CHOICE_OPERATORS),
    "date": (("date", "customDate"), COMPARISON_OPERATORS),
}

_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ONE_MS = timedelta(milliseconds=1)
_ONE_DAY = timedelta(days=1)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class _Bad(Exception):
    """A filter's problem, raised inside the checks and recorded by ``_criteria``. ``where``
    is ``type``, ``operator``, ``path`` or ``value`` (with the place inside the value)."""

    def __init__(self, code: str, where: str, message: str, received: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.where = where
        self.message = message
        self.received = received


def _shown(value: Any) -> Any:
    if isinstance(value, str):
        return value[:200]
    if value is None or isinstance(value, bool | int | float):
        return value
    return "array" if isinstance(value, list) else "object"


def _listing(values: tuple[str, ...]) -> str:
    return ", ".join(values)


# ---- values -------------------------------------------------------------------------------


def _string(value: Any, limit: int = MAX_TEXT_VALUE) -> str:
    if not isinstance(value, str):
        raise _Bad(INVALID_TYPE, "value", "Expected a string", _shown(value))
    if len(value) > limit:
        raise _Bad(TOO_BIG, "value", f"At most {limit} characters", _shown(value))
    return value


def _folded(value: Any) -> str:
    folded = fold(_string(value))
    if not folded:
        raise _Bad(TOO_SMALL, "value", "Nothing to look for: the value is empty", value)
    return folded


def _phone_digits(value: Any) -> str:
    found = digits(_string(value))
    if not found:
        raise _Bad(INVALID_STRING, "value", "A phone number filter needs digits", value)
    return found


def _choices(value: Any, check: Callable[[str, int], str]) -> tuple[str, ...]:
    """A non-empty array of strings, each checked by ``check(item, index)``; repeats dropped."""
    if not isinstance(value, list):
        raise _Bad(INVALID_TYPE, "value", "Expected an array of strings", _shown(value))
    if not value:
        raise _Bad(TOO_SMALL, "value", "Choose at least one value", "array")
    if len(value) > MAX_CHOICES:
        raise _Bad(TOO_BIG, "value", f"At most {MAX_CHOICES} values", "array")
    chosen: dict[str, None] = {}
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise _Bad(INVALID_TYPE, f"value.{index}", "Expected a string", _shown(item))
        chosen[check(item, index)] = None
    return tuple(chosen)


def _enum_item(allowed: tuple[str, ...], what: str) -> Callable[[str, int], str]:
    accepted = frozenset(allowed)

    def check(item: str, index: int) -> str:
        if item not in accepted:
            raise _Bad(INVALID_ENUM_VALUE, f"value.{index}", f"Not a {what}: {item[:200]!r}", item)
        return item

    return check


def _user_id(item: str, _index: int) -> str:
    return item  # checked against the workspace's users once all filters are read


def _period(operator: str, value: Any) -> Period:
    """A date filter's interval: a date-time with a zone is that instant (to the millisecond,
    as stored); a plain ``YYYY-MM-DD`` is that whole UTC day."""
    if not isinstance(value, str):
        raise _Bad(INVALID_TYPE, "value", "Expected an ISO 8601 date-time or date", _shown(value))
    plain = _PLAIN_DATE.fullmatch(value) is not None
    try:
        start = rules.utc_datetime(f"{value}T00:00:00Z" if plain else value)
    except PydanticCustomError as error:
        raise _Bad(error.type, "value", error.message(), value[:200]) from None
    end = start + (_ONE_DAY if plain else _ONE_MS)
    if operator == "lessThanOrEqual":
        return Period(None, end)
    if operator == "greaterThanOrEqual":
        return Period(start, None)
    return Period(start, end, negate=operator == "notEquals")


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad(INVALID_TYPE, "value", "Expected true or false", _shown(value))
    return value


def _stored_form(kind: str, options: list[str], value: Any) -> Any:
    """``value`` checked as a value of the kind (``custom_attributes.values``)."""
    try:
        return normalize_value(kind, options, value)
    except ValueProblem as problem:
        where = f"value.{problem.path}" if problem.path else "value"
        raise _Bad(problem.code, where, problem.message, _shown(problem.received)) from None


# ---- filters -------------------------------------------------------------------------------


_NEGATIONS = {"notEquals": "equals", "notIn": "in"}


def _positive(operator: str) -> tuple[str, bool]:
    """The positive operator of ``operator`` and whether it is negated (``notIn`` -> ``in``)."""
    return _NEGATIONS.get(operator, operator), operator in _NEGATIONS


def _native(spec: _Native, operator: str, value: Any) -> Criterion:
    positive, negate = _positive(operator)
    if spec.field == "any":
        terms = query_terms(_string(value))
        if not terms:
            raise _Bad(TOO_SMALL, "value", NOTHING_TO_LOOK_FOR, value)
        return FreeText(tuple(terms))
    if spec.field == "phones":
        return TextField("phones", positive, _phone_digits(value), negate)
    if spec.type == "text":
        return TextField(spec.field, positive, _folded(value), negate)
    if spec.field == "main_contact":
        return Choice("main_contact", _choices(value, _user_id), negate)
    if spec.type == "entitySelect":
        allowed = STATUSES if spec.field == "status" else NATIONALITIES
        return Choice(spec.field, _choices(value, _enum_item(allowed, spec.field)), negate)
    return CandidatePeriod(spec.field, _period(operator, value))


def _custom(definition: CustomAttributeDefinition, operator: str, value: Any) -> Criterion:
    positive, negate = _positive(operator)
    kind, key = definition.kind, definition.id
    if kind in ("text", "url"):
        text = _string(value)
        if not text:
            raise _Bad(TOO_SMALL, "value", "Nothing to look for: the value is empty", value)
        return CustomText(key, positive, text.translate(_ASCII_LOWER), negate)
    if kind in ("number", "currency"):
        stored = _stored_form(kind, [], value)
        if kind == "currency":
            return CustomNumber(key, positive, stored["amount"], stored["currency"], negate)
        return CustomNumber(key, positive, stored, None, negate)
    if kind == "checkbox":
        return CustomChecked(key, _boolean(value))
    if kind in ("select", "multiSelect"):
        options = definition.options

        def check(item: str, index: int) -> str:
            try:
                return str(normalize_value("select", options, item))
            except ValueProblem as problem:
                raise _Bad(problem.code, f"value.{index}", problem.message, item) from None

        return CustomChoice(key, kind == "multiSelect", _choices(value, check), negate)
    return CustomPeriod(key, _period(operator, value))


def _operator(item: SearchFilter, allowed: tuple[str, ...], target: str) -> str:
    operator = item.operator
    if operator is None:
        operator = DEFAULT_OPERATORS.get(item.type)
        if operator is None:
            raise _Bad(REQUIRED, "operator", f"Required for {item.type} filters")
    if operator not in allowed:
        raise _Bad(
            INVALID_ENUM_VALUE,
            "operator",
            f"{operator!r} does not apply to {target}; expected one of: {_listing(allowed)}",
            operator,
        )
    return operator


def _filter(item: SearchFilter, definitions: dict[str, CustomAttributeDefinition]) -> Criterion:
    path = item.path
    if path is None:
        if item.type != "text":
            raise _Bad(REQUIRED, "path", f"Required for {item.type} filters")
        path = FREE_TEXT
    if path in NATIVE_PATHS:
        spec = NATIVE_PATHS[path]
        if item.type != spec.type:
            raise _Bad(
                INVALID_ENUM_VALUE, "type", f"{path} takes filters of type {spec.type}", item.type
            )
        return _native(spec, _operator(item, spec.operators, path), item.value)
    if not is_id(path):
        raise _Bad(
            INVALID_ENUM_VALUE,
            "path",
            # short enough for the 200 characters a message keeps (api.errors.MAX_ECHO)
            "Unknown path; expected candidate.{"
            + ", ".join(name.removeprefix("candidate.") for name in NATIVE_PATHS)
            + "} or the id of a candidate custom attribute definition",
            path[:200],
        )
    definition = definitions.get(path)
    if definition is None:
        raise _Bad(NOT_FOUND, "path", f"Custom attribute definition {path} not found", path)
    types, operators = CUSTOM_KINDS[definition.kind]
    if item.type not in types:
        raise _Bad(
            INVALID_ENUM_VALUE,
            "type",
            f"This {definition.kind} attribute takes filters of type {' or '.join(types)}",
            item.type,
        )
    target = f"a {definition.kind} attribute"
    return _custom(definition, _operator(item, operators, target), item.value)


async def _criteria(
    session: AsyncSession, workspace_id: str, filters: list[SearchFilter]
) -> list[Criterion]:
    """The checked criteria of ``filters``; raises ``ValidationFailed`` naming every bad one."""
    definitions = await custom_attributes.definitions_by_ids(
        session, workspace_id, CANDIDATE, [item.path for item in filters if item.path]
    )
    errors = FieldErrors()
    criteria: dict[int, Criterion] = {}
    for index, item in enumerate(filters):
        if item.value is None:
            errors.add(INVALID_TYPE, f"filters.{index}.value", "Must not be null", "null")
            continue
        try:
            criteria[index] = _filter(item, definitions)
        except _Bad as bad:
            errors.add(bad.code, f"filters.{index}.{bad.where}", bad.message, bad.received)
    # positions as sent (the criterion's values have repeats dropped)
    named_users = [
        (index, position, user_id)
        for index, criterion in criteria.items()
        if isinstance(criterion, Choice) and criterion.column == "main_contact"
        for position, user_id in enumerate(filters[index].value)
    ]
    known = await users.by_ids(session, workspace_id, [user_id for _, _, user_id in named_users])
    for index, position, user_id in named_users:
        if user_id not in known:
            errors.add(
                NOT_FOUND, f"filters.{index}.value.{position}", f"User {user_id} not found", user_id
            )
    errors.raise_if_any()
    return list(criteria.values())


async def search_candidates(
    session: AsyncSession, workspace_id: str, body: CandidateSearchBody
) -> dict[str, Any]:
    """``{items: [CandidateView], pagination: {totalItems, page, hasNextPage}}`` for the
    filters of ``body`` (API.md §4); the views of the page are built together."""
    query = page_query(body.page, body.page_size)
    criteria = await _criteria(session, workspace_id, body.filters)
    page = await repository.search_page(session, workspace_id, criteria, query)
    items = await view.build_views(session, workspace_id, page.rows)
    return {"items": items, "pagination": page.pagination()}


def _primary_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: not item.get("isPrimary"))


def person_json(candidate: Candidate) -> dict[str, Any]:
    """A candidate as a ``GET /search/people`` item (``schemas.PersonOut``)."""
    linkedin = [
        item for item in _primary_first(candidate.social_media) if item.get("type") == "LINKEDIN"
    ]
    return {
        "entityType": CANDIDATE,
        "id": candidate.id,
        "firstName": candidate.first_name,
        "middleName": candidate.middle_name,
        "lastName": candidate.last_name,
        "secondLastName": candidate.second_last_name,
        "avatarUrl": candidate.avatar_url,
        "phoneNumbers": [item["phoneNumber"] for item in _primary_first(candidate.phone_numbers)],
        "emailAddresses": [item["email"] for item in _primary_first(candidate.emails)],
        "linkedInUrl": linkedin[0]["url"] if linkedin else None,
    }


async def search_people(
    session: AsyncSession, workspace_id: str, query: str, limit: int
) -> dict[str, Any]:
    """``{items: [person]}``: up to ``limit`` candidates whose names, emails or phone numbers
    hold every word of ``query``, best match first. A query with nothing to look for (only
    punctuation or spaces) → 400 at ``query``."""
    terms = query_terms(query)
    if not terms:
        raise ValidationFailed([ErrorItem(INVALID_STRING, "query", NOTHING_TO_LOOK_FOR, query)])
    found = await repository.find_people(session, workspace_id, terms, limit)
    return {"items": [person_json(candidate) for candidate in found]}
