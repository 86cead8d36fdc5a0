"""JSON text by orjson, both ways, for the database's JSON columns (the candidate's lists,
history entries, outbox events, custom attribute values).

orjson encodes and reads a history entry or a candidate's lists several times faster than the
standard library's ``json``; on the PATCH path that was 2-4% of the server's CPU
(bench/README.md, seventh round). Where the two differ, ``json`` does the work, so that every
value reads back as before: orjson refuses to encode an integer beyond 64 bits, reads one as a
float, and refuses to read ``NaN`` and ``Infinity``, which ``json`` reads. (orjson writes a
``NaN`` or an infinity as ``null``; none reaches a column, as the API refuses them on input
with a 400.) The text itself may differ from ``json``'s (no spaces, characters beyond ASCII as
they are, ``1e-7`` for ``1e-07``); the answers are still encoded by Starlette's
``JSONResponse`` (``json``), so their bytes do not change.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson


def dumps(value: Any) -> str:
    """``value`` as compact JSON text (UTF-8 characters as they are, no spaces)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# 19 digits in a row may be an integer orjson reads as a float (it keeps 64-bit ones exact)
_LONG_NUMBER = re.compile(r"\d{19}")
_LONG_NUMBER_BYTES = re.compile(rb"\d{19}")


def loads(text: str | bytes) -> Any:
    """The value of the JSON ``text``, as ``json.loads`` reads it."""
    if _LONG_NUMBER.search(text) if isinstance(text, str) else _LONG_NUMBER_BYTES.search(text):
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
