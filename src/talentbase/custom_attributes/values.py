"""Custom attribute values: checked against their definition's kind, and stored normalised.

A value is accepted in two forms:

- bare, as stored: ``"Senior"``, ``42``, ``true``, ``"A"``, ``["A", "B"]``,
  ``"2024-01-15T14:30:00.000Z"``, ``{"amount": 5000, "currency": "EUR"}``, ``"https://…"``
  (a date may also be a plain ``"2024-01-15"``, stored as ``"2024-01-15T00:00:00.000Z"``);
- as the view shows it (Spott's bulk body sends this form): ``{"viewType": "customText",
  "text": "Senior"}``, ``{"viewType": "customCurrency", "amount": 5000, "currency": "EUR"}``;
  ``viewType`` must be the definition's and the other keys exactly the view's
  (``custom_attributes.view.VALUE_VIEWS``).

A problem names its place inside the value (``ValueProblem.path``: ``2`` for the third item of a
multi-select, ``amount``, ``selected.2`` in the view form), so errors point at the bad part.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from pydantic_core import PydanticCustomError

from talentbase.api.errors import (
    INVALID_ENUM_VALUE,
    INVALID_TYPE,
    REQUIRED,
    TOO_BIG,
    TOO_SMALL,
    UNRECOGNIZED_KEYS,
    ErrorItem,
)
from talentbase.candidates import rules
from talentbase.custom_attributes.view import VALUE_VIEWS
from talentbase.views import iso

MAX_TEXT = 10_000
MAX_AMOUNT = 1e12  # as compensation amounts
MAX_NUMBER = 2**53 - 1
"""The largest magnitude of a ``number`` value: every integer up to it is exact in a double
(a JavaScript client's number) and stored exactly on both backends; beyond 64 bits SQLite's JSON
would keep a float, even Inf, where PostgreSQL keeps every digit."""
_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _shown(value: Any) -> Any:
    """What an error reports as ``received``: scalars as sent (long strings cut), containers by
    their JSON type."""
    if isinstance(value, str):
        return value[:200]
    if value is None or isinstance(value, bool | int | float):
        return value
    return "array" if isinstance(value, list) else "object"


class ValueProblem(Exception):
    """Why a value does not fit its definition: a Spott error ``code``, a ``message``, what was
    ``received`` and the ``path`` of the bad part inside the value ("" for the whole value)."""

    def __init__(self, code: str, message: str, received: Any = None, path: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.received = received
        self.path = path

    def inside(self, key: str) -> ValueProblem:
        """The same problem seen from one level up, where the value sat under ``key``."""
        path = f"{key}.{self.path}" if self.path else key
        return ValueProblem(self.code, self.message, self.received, path)

    def at(self, value_path: str) -> ErrorItem:
        """The error item for a value found at ``value_path`` of the body (e.g. ``value``,
        ``attributes.3.value``)."""
        path = f"{value_path}.{self.path}" if self.path else value_path
        return ErrorItem(self.code, path, self.message, _shown(self.received))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(_options: list[str], value: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem(INVALID_TYPE, "Expected a string", value)
    if len(value) > MAX_TEXT:
        raise ValueProblem(TOO_BIG, f"At most {MAX_TEXT} characters", value)
    return value


def _number(_options: list[str], value: Any) -> int | float:
    """A finite number within ±``MAX_NUMBER``, stored as sent (an integer stays an integer)."""
    if not _is_number(value):
        raise ValueProblem(INVALID_TYPE, "Expected a number", value)
    # abs() first: math.isfinite cannot take an integer beyond float range
    if abs(value) > MAX_NUMBER or (isinstance(value, float) and not math.isfinite(value)):
        raise ValueProblem(
            TOO_BIG, f"Expected a finite number between -{MAX_NUMBER} and {MAX_NUMBER}", value
        )
    number: int | float = value
    return number


def _checkbox(_options: list[str], value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueProblem(INVALID_TYPE, "Expected a boolean", value)
    return value


def _select(options: list[str], value: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem(INVALID_TYPE, "Expected one option as a string", value)
    if value not in options:
        raise ValueProblem(
            INVALID_ENUM_VALUE, f"Not an option of this attribute: {value[:200]!r}", value
        )
    return value


def _multi_select(options: list[str], value: Any) -> list[str]:
    """Options in the order sent, repeats dropped; a bad item names its index."""
    if not isinstance(value, list):
        raise ValueProblem(INVALID_TYPE, "Expected an array of options", value)
    chosen: dict[str, None] = {}
    for index, item in enumerate(value):
        try:
            chosen[_select(options, item)] = None
        except ValueProblem as problem:
            raise problem.inside(str(index)) from None
    return list(chosen)


def _date(_options: list[str], value: Any) -> str:
    """A date-time with a zone, or a plain ``YYYY-MM-DD`` meaning that day at 00:00 UTC."""
    plain = isinstance(value, str) and _PLAIN_DATE.fullmatch(value)
    text = f"{value}T00:00:00Z" if plain else value
    try:
        moment = rules.utc_datetime(text)
    except PydanticCustomError as error:
        raise ValueProblem(error.type, error.message(), value) from error
    return str(iso(moment))


def _url(_options: list[str], value: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem(INVALID_TYPE, "Expected a URL string", value)
    try:
        return rules.http_url(value)
    except PydanticCustomError as error:
        raise ValueProblem(error.type, error.message(), value) from error


def _exact_keys(value: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in value:
        if key not in keys:
            raise ValueProblem(UNRECOGNIZED_KEYS, f"Unrecognized key {key!r}", key, key)
    for key in keys:
        if key not in value:
            raise ValueProblem(REQUIRED, "Required", None, key)


def _currency(_options: list[str], value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueProblem(INVALID_TYPE, 'Expected {"amount": number, "currency": "EUR"}', value)
    _exact_keys(value, ("amount", "currency"))
    amount, code = value["amount"], value["currency"]
    if not _is_number(amount):
        raise ValueProblem(INVALID_TYPE, "Expected a number", amount, "amount")
    if amount < 0:
        raise ValueProblem(TOO_SMALL, "amount must not be negative", amount, "amount")
    if amount > MAX_AMOUNT:
        raise ValueProblem(TOO_BIG, f"amount must be at most {MAX_AMOUNT:.0f}", amount, "amount")
    if not isinstance(code, str):
        raise ValueProblem(INVALID_TYPE, "Expected an ISO 4217 code", code, "currency")
    try:
        return {"amount": amount, "currency": rules.currency(code)}
    except PydanticCustomError as error:
        raise ValueProblem(error.type, error.message(), code, "currency") from error


_CHECKS: dict[str, Callable[[list[str], Any], Any]] = {
    "text": _text,
    "number": _number,
    "checkbox": _checkbox,
    "select": _select,
    "multiSelect": _multi_select,
    "date": _date,
    "currency": _currency,
    "url": _url,
}


def _unwrap(kind: str, value: dict[str, Any]) -> tuple[Any, str]:
    """The bare value inside a view-form value, and the key it sat under ("" for currency,
    whose ``amount`` and ``currency`` sit beside ``viewType``)."""
    view_type, key = VALUE_VIEWS[kind]
    if value["viewType"] != view_type:
        raise ValueProblem(
            INVALID_ENUM_VALUE,
            f"This attribute's values have viewType {view_type!r}",
            value["viewType"],
            "viewType",
        )
    if kind == "currency":
        _exact_keys(value, ("viewType", "amount", "currency"))
        return {"amount": value["amount"], "currency": value["currency"]}, ""
    _exact_keys(value, ("viewType", key))
    if value[key] is None:
        raise ValueProblem(
            INVALID_TYPE, 'Must not be null; send "value": null to remove the value', None, key
        )
    return value[key], key


def normalize_value(kind: str, options: list[str], value: Any) -> Any:
    """The stored form of ``value`` (bare or in the view form) for a definition of ``kind``
    (``options`` for the select kinds); raises ``ValueProblem`` when it does not fit. Dates are
    stored as UTC date-times in the API's format, multi-select choices without repeats.
    ``value`` must not be None (None means "no value" and is handled by the caller)."""
    check = _CHECKS[kind]
    if isinstance(value, dict) and "viewType" in value:
        inner, key = _unwrap(kind, value)
        try:
            return check(options, inner)
        except ValueProblem as problem:
            raise (problem.inside(key) if key else problem) from None
    return check(options, value)
