"""The OpenAPI side of idempotent POSTs: the ``Idempotency-Key`` header parameter, the 409 and
422 answers it adds, and the ``Idempotent-Replayed`` header of a replayed answer, on every POST
operation of the document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from talentbase.idempotency import service

PARAMETER: dict[str, Any] = {
    "name": service.HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Makes the POST safe to retry: sent again with the same key and the same request "
        "(method, path, query, body and `x-on-behalf-of`) within 24 hours, it is not carried "
        "out again; the first answer (status, body, `Content-Type`, `ETag`, `Location`) is "
        f"sent again with `{service.REPLAYED_HEADER}: true`. The same key with a different "
        "request is a 422 `IDEMPOTENCY_KEY_REUSED`; while the first request is still running "
        "the retry waits up to 2 s for its answer, then answers 409. A 5xx answer is not kept: "
        "a retry runs again. Keys are per workspace; 1 to 255 visible ASCII characters "
        "(a UUID is a good key)."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": service.MAX_KEY_LENGTH,
        "pattern": "^[!-~]+$",
    },
}
CONFLICT = (
    f"A request with the same `{service.HEADER}` is still in progress (retry after "
    "`Retry-After`), or it was carried out but its answer was lost"
)
REUSED = (
    f"`{service.HEADER}` already used within 24 hours for a different request "
    "(`IDEMPOTENCY_KEY_REUSED`)"
)
REPLAYED = {
    "description": "`true` when the answer is the stored answer of an earlier request with "
    f"the same `{service.HEADER}`",
    "schema": {"type": "string", "enum": ["true"]},
}
# answers given before the key is looked at (or instead of a replay): never replays
_NOT_REPLAYED = frozenset({"401", "413", "415", "422", "429", "500", "503"})
_ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


def document(app: FastAPI) -> None:
    """Wraps ``app.openapi`` so the document it builds (once) describes idempotent POSTs."""
    build: Callable[[], dict[str, Any]] = app.openapi
    documented: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        schema = build()
        if not any(schema is done for done in documented):
            describe(schema)
            documented[:] = [schema]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def describe(schema: dict[str, Any]) -> None:
    """Adds the header parameter, the replay header and the 409 and 422 answers to every POST
    operation of ``schema``."""
    for path_item in schema.get("paths", {}).values():
        operation = path_item.get("post")
        if not isinstance(operation, dict):
            continue
        operation.setdefault("parameters", []).append(dict(PARAMETER))
        responses = operation.setdefault("responses", {})
        for status, response in responses.items():
            if status not in _NOT_REPLAYED:
                response.setdefault("headers", {})[service.REPLAYED_HEADER] = dict(REPLAYED)
        conflict = responses.get("409")
        if conflict is None:
            responses["409"] = {"description": CONFLICT, "content": _ERROR_BODY}
        else:
            conflict["description"] = f"{conflict['description']}; or: {CONFLICT}"
        responses["422"] = {"description": REUSED, "content": _ERROR_BODY}
