"""Validation of a custom attribute value against its definition's kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticCustomError

from talentbase.api.errors import INVALID_ENUM_VALUE, INVALID_STRING, INVALID_TYPE, TOO_BIG
from talentbase.candidates import rules

MAX_TEXT = 10_000


@dataclass(frozen=True)
class Problem:
    """Why a value does not fit its definition: a Spott error code and a message."""

    code: str
    message: str


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate_value(kind: str, options: list[str], value: Any) -> Problem | None:
    """None when ``value`` fits a definition of ``kind`` (with ``options`` for the select kinds),
    else the problem. ``null`` always fits: it means "no value"."""
    if value is None:
        return None
    if kind == "text":
        if not isinstance(value, str):
            return Problem(INVALID_TYPE, "Expected a string")
        if len(value) > MAX_TEXT:
            return Problem(TOO_BIG, f"At most {MAX_TEXT} characters")
        return None
    if kind == "number":
        return None if _is_number(value) else Problem(INVALID_TYPE, "Expected a number")
    if kind == "checkbox":
        return None if isinstance(value, bool) else Problem(INVALID_TYPE, "Expected a boolean")
    if kind == "select":
        if not isinstance(value, str):
            return Problem(INVALID_TYPE, "Expected one option as a string")
        return (
            None if value in options else Problem(INVALID_ENUM_VALUE, f"Not an option: {value!r}")
        )
    if kind == "multiSelect":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return Problem(INVALID_TYPE, "Expected an array of options")
        unknown = [item for item in value if item not in options]
        if unknown:
            return Problem(INVALID_ENUM_VALUE, f"Not an option: {unknown[0]!r}")
        return None
    return _validate_formatted(kind, value)


def _validate_formatted(kind: str, value: Any) -> Problem | None:
    try:
        if kind == "date":
            rules.utc_datetime(value)
        elif kind == "url":
            if not isinstance(value, str):
                return Problem(INVALID_TYPE, "Expected a URL string")
            rules.http_url(value)
        elif kind == "currency":
            if not isinstance(value, dict) or set(value) != {"amount", "currency"}:
                return Problem(INVALID_TYPE, 'Expected {"amount": number, "currency": "USD"}')
            if not _is_number(value["amount"]) or not isinstance(value["currency"], str):
                return Problem(INVALID_TYPE, "amount must be a number and currency a string")
            rules.currency(value["currency"])
        else:
            return Problem(INVALID_STRING, f"Unknown attribute kind {kind!r}")
    except PydanticCustomError as error:
        return Problem(error.type, error.message())
    return None
