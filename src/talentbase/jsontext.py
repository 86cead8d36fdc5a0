"""JSON text by orjson for the database's JSON columns (history entries, outbox events, custom
attribute values) and the candidate answers (``api.responses.FastJSONResponse``).

orjson encodes a full candidate view or history entry several times faster than the standard
library's ``json``; on the PATCH path that was 2-4% of the server's CPU (bench/README.md,
seventh round). It refuses one thing ``json`` takes, integers beyond 64 bits: such a value is
encoded by ``json`` instead, so that it is stored and answered as before rather than failing.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: Any) -> str:
    """``value`` as compact JSON text (UTF-8 characters as they are, no spaces)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
