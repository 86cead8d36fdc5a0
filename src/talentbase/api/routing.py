"""Strict JSON request parsing for every route.

``json.loads`` accepts duplicate keys (last wins), ``NaN`` and ``Infinity``; a typo'd duplicate
must never be silently dropped, so the route class below parses bodies strictly. Failures surface
as FastAPI's ``json_invalid`` error and render as a 400 (API.md §1).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Coroutine
from itertools import accumulate
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from talentbase.api.errors import (
    DUPLICATE,
    INVALID_STRING,
    INVALID_TYPE,
    TOO_BIG,
    UNRECOGNIZED_KEYS,
    ErrorItem,
    ValidationFailed,
)

# no body of the API nests deeper than a handful of levels; far deeper JSON would only exhaust
# the parser's recursion (a 500), so it is refused before parsing
MAX_NESTING_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(rb"[^\[\]{}]")


def nests_too_deep(body: bytes) -> bool:
    """Whether arrays and objects in a JSON text nest deeper than ``MAX_NESTING_DEPTH``;
    brackets inside strings do not count. Cheap: a body with few brackets is not scanned."""
    if body.count(b"[") + body.count(b"{") <= MAX_NESTING_DEPTH:
        return False
    brackets = _NOT_BRACKET.sub(b"", _JSON_STRING.sub(b"", body))
    steps = (1 if byte in b"[{" else -1 for byte in brackets)
    return max(accumulate(steps, initial=0)) > MAX_NESTING_DEPTH


def _reject_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not valid JSON", name, 0)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise json.JSONDecodeError(f"duplicate key {key!r}", key, 0)
        result[key] = value
    return result


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise json.JSONDecodeError(f"number {text[:40]} is out of range", text, 0)
    return value


# a NUL or a lone surrogate; one regular expression search instead of a Python loop over
# every character of every string of every body
_BAD_CHARACTER = re.compile(r"[\x00\ud800-\udfff]")


def _bad_character(text: str) -> str | None:
    found = _BAD_CHARACTER.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "a NUL character"
    return "an unpaired surrogate (invalid Unicode)"


def string_errors(value: Any, path: str = "") -> list[ErrorItem]:
    """Every string (key or value) in a parsed body that holds a NUL character or an unpaired
    surrogate: no database can store them, so they are refused with their path."""
    errors: list[ErrorItem] = []
    if isinstance(value, str):
        problem = _bad_character(value)
        if problem:
            errors.append(ErrorItem(INVALID_STRING, path, f"String contains {problem}"))
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            problem = _bad_character(key)
            if problem:
                errors.append(ErrorItem(INVALID_STRING, path, f"A key contains {problem}"))
                continue
            errors.extend(string_errors(item, child))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            errors.extend(string_errors(item, f"{path}.{index}" if path else str(index)))
    return errors


def parse_json_strict(body: bytes) -> Any:
    """Parses a UTF-8 JSON body; raises ``json.JSONDecodeError`` for invalid UTF-8, malformed
    JSON, duplicate object keys, ``NaN``/``Infinity``, numbers beyond a float's range (``1e400``)
    and integers too long to convert."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError("body is not valid UTF-8", "", exc.start) from exc
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
        )
    except json.JSONDecodeError as exc:
        if exc.doc is not text:
            raise  # our own hooks' errors (duplicate key, NaN, ...) say what is wrong
        # the parser's: the message carries where, as FastAPI shows only ``msg``
        where = f"{exc.msg.removesuffix(' at')} at line {exc.lineno}, column {exc.colno}"
        raise json.JSONDecodeError(where, exc.doc, exc.pos) from exc
    except ValueError as exc:
        # int() refusing a number of thousands of digits; its message names Python internals
        raise json.JSONDecodeError("a number has too many digits", text, 0) from exc


class StrictJSONRequest(Request):
    """A request whose ``json()`` is ``parse_json_strict`` and refuses unstorable strings."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            if nests_too_deep(body):
                raise ValidationFailed(
                    [
                        ErrorItem(
                            TOO_BIG,
                            "",
                            f"JSON nests deeper than {MAX_NESTING_DEPTH} levels of arrays "
                            "and objects",
                        )
                    ]
                )
            data = parse_json_strict(body)
            # the parser refuses raw control characters and the UTF-8 decoder encoded
            # surrogates, so a NUL or a lone surrogate can only come from a ``\u`` escape:
            # without one the walk over every string is skipped
            errors = string_errors(data) if b"\\u" in body else []
            if errors:
                raise ValidationFailed(errors)
            self._json = data
        return self._json


def _query_parameters(dependant: Dependant) -> dict[str, bool]:
    """Every query parameter a route (with its dependencies) declares, by its wire name; True
    for booleans."""
    declared = {
        field.alias: field.field_info.annotation in (bool, bool | None)
        for field in dependant.query_params
    }
    for dependency in dependant.dependencies:
        declared.update(_query_parameters(dependency))
    return declared


def query_errors(params: Any, declared: dict[str, bool]) -> list[ErrorItem]:
    """What is wrong with a request's query parameters: names the route does not declare
    (never silently ignored), names given twice (which one would count?), NUL characters (no
    database stores them), and booleans other than exactly ``true`` / ``false`` (no coercion
    of ``yes`` or ``1``)."""
    errors: list[ErrorItem] = []
    seen: set[str] = set()
    for name, value in params.multi_items():
        if name in seen:
            errors.append(ErrorItem(DUPLICATE, name, f"Query parameter {name!r} given twice"))
            continue
        seen.add(name)
        if name not in declared:
            errors.append(ErrorItem(UNRECOGNIZED_KEYS, name, f"Unknown query parameter {name!r}"))
        elif "\x00" in value:
            errors.append(ErrorItem(INVALID_STRING, name, "Contains a NUL character"))
        elif declared[name] and value not in ("true", "false"):
            errors.append(
                ErrorItem(INVALID_TYPE, name, "Expected true or false", _printable(value[:100]))
            )
    return errors


def _printable(text: str) -> str:
    return text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text


class StrictJSONRoute(APIRoute):
    """An ``APIRoute`` that checks the query string (``query_errors``) and hands its handler a
    ``StrictJSONRequest``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        declared = _query_parameters(self.dependant)

        async def strict_handler(request: Request) -> Response:
            errors = query_errors(request.query_params, declared)
            if errors:
                raise ValidationFailed(errors)
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
