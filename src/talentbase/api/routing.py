"""Strict JSON request parsing for every route.

``json.loads`` accepts duplicate keys (last wins), ``NaN`` and ``Infinity``; a typo'd duplicate
must never be silently dropped, so the route class below parses bodies strictly. Failures surface
as FastAPI's ``json_invalid`` error and render as a 400 (API.md §1).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


def _reject_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not valid JSON", name, 0)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise json.JSONDecodeError(f"duplicate key {key!r}", key, 0)
        result[key] = value
    return result


def parse_json_strict(body: bytes) -> Any:
    """Parses a UTF-8 JSON body; raises ``json.JSONDecodeError`` for invalid UTF-8, malformed
    JSON, duplicate object keys, ``NaN``/``Infinity`` and numbers too long to convert."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError("body is not valid UTF-8", "", exc.start) from exc
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant
        )
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise
        raise json.JSONDecodeError(str(exc), text, 0) from exc


class StrictJSONRequest(Request):
    """A request whose ``json()`` is ``parse_json_strict``."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_json_strict(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """An ``APIRoute`` that hands its handler a ``StrictJSONRequest``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
