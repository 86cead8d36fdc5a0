"""Custom attribute values: checked against their definition's kind, and stored normalised."""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError

from talentbase.api.errors import (
    INVALID_ENUM_VALUE,
    INVALID_STRING,
    INVALID_TYPE,
    TOO_BIG,
    TOO_SMALL,
)
from talentbase.candidates import rules
from talentbase.views import iso

MAX_TEXT = 10_000


class ValueProblem(Exception):
    """Why a value does not fit its definition: a Spott error ``code`` and a ``message``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _select(options: list[str], value: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem(INVALID_TYPE, "Expected one option as a string")
    if value not in options:
        raise ValueProblem(INVALID_ENUM_VALUE, f"Not an option: {value!r}")
    return value


def _currency(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != {"amount", "currency"}:
        raise ValueProblem(INVALID_TYPE, 'Expected {"amount": number, "currency": "USD"}')
    if not _is_number(value["amount"]) or not isinstance(value["currency"], str):
        raise ValueProblem(INVALID_TYPE, "amount must be a number and currency a string")
    if value["amount"] < 0:
        raise ValueProblem(TOO_SMALL, "amount must not be negative")
    return {"amount": value["amount"], "currency": rules.currency(value["currency"])}


def normalize_value(kind: str, options: list[str], value: Any) -> Any:
    """The stored form of ``value`` for a definition of ``kind`` (``options`` for the select
    kinds); raises ``ValueProblem`` when it does not fit. Dates are stored as UTC date-times in
    the API's format, multi-select choices without repeats. ``value`` must not be None."""
    try:
        if kind == "text":
            if not isinstance(value, str):
                raise ValueProblem(INVALID_TYPE, "Expected a string")
            if len(value) > MAX_TEXT:
                raise ValueProblem(TOO_BIG, f"At most {MAX_TEXT} characters")
            return value
        if kind == "number":
            if not _is_number(value):
                raise ValueProblem(INVALID_TYPE, "Expected a number")
            return value
        if kind == "checkbox":
            if not isinstance(value, bool):
                raise ValueProblem(INVALID_TYPE, "Expected a boolean")
            return value
        if kind == "select":
            return _select(options, value)
        if kind == "multiSelect":
            if not isinstance(value, list):
                raise ValueProblem(INVALID_TYPE, "Expected an array of options")
            return list(dict.fromkeys(_select(options, item) for item in value))
        if kind == "date":
            return iso(rules.utc_datetime(value))
        if kind == "url":
            if not isinstance(value, str):
                raise ValueProblem(INVALID_TYPE, "Expected a URL string")
            return rules.http_url(value)
        if kind == "currency":
            return _currency(value)
    except PydanticCustomError as error:
        raise ValueProblem(error.type, error.message()) from error
    raise ValueProblem(INVALID_STRING, f"Unknown attribute kind {kind!r}")
