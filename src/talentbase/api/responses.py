"""The JSON answer of candidate views: encoded by orjson (``talentbase.jsontext``)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


class FastJSONResponse(JSONResponse):
    """A ``JSONResponse`` whose body orjson encodes: the same bytes as Starlette's for the
    values a view holds (compact, UTF-8). A value orjson refuses (an integer beyond 64 bits)
    is encoded by Starlette's ``json`` instead."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:
            return super().render(content)
