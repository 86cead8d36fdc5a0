"""The orjson JSON text of ``talentbase.jsontext`` against the standard library's, and the
UUID version 7 ids of ``db.base.new_id``."""

from __future__ import annotations

import json
import uuid

from talentbase.db.base import is_id, new_id
from talentbase.jsontext import dumps, loads

VIEW_LIKE = {
    "candidateId": "0190c2a4-5f6e-7a1b-8c3d-9e0f1a2b3c4d",
    "firstName": "Zoë",
    "lastName": 'Ó Briain \u2028 "quoted" \\ / \n tab\t',
    "emails": ["zoe@example.com"],
    "latitude": 51.5072,
    "totalCompensation": 1e12,
    "baseCompensation": 0.1,
    "tags": [],
    "address": None,
    "doNotContact": False,
    "order": 3,
    "emoji": "\U0001f600",
    "control": "\x01\x1f",
}


def test_dumps_is_compact_json_that_reads_back_the_same() -> None:
    text = dumps(VIEW_LIKE)
    assert json.loads(text) == VIEW_LIKE
    assert " " not in dumps({"a": [1, {"b": None}]})
    assert "Zoë" in text and "\U0001f600" in text


def test_small_floats_read_back_the_same() -> None:
    values = [1e-7, 1e-5, 1.5e-5, -1e-9, 5e-324, 0.1, 1e12, -0.0, 12.000000000000002]
    assert loads(dumps(values)) == values


def test_dumps_falls_back_to_json_for_integers_beyond_64_bits() -> None:
    value = {"big": 10**30, "negative": -(2**70)}
    assert json.loads(dumps(value)) == value


def test_dumps_takes_non_string_keys_as_json_does() -> None:
    assert json.loads(dumps({1: "a"})) == {"1": "a"}


def test_loads_reads_what_json_reads() -> None:
    for text in (dumps(VIEW_LIKE), json.dumps(VIEW_LIKE), '{"big": 100000000000000000000000}'):
        assert loads(text) == json.loads(text)
    assert loads(b'{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}
    assert loads(b'{"big": 100000000000000000000000}') == {"big": 10**23}


def test_loads_falls_back_to_json_beyond_the_standard() -> None:
    assert loads('{"x": NaN}')["x"] != loads('{"x": NaN}')["x"]
    assert loads('{"x": -Infinity}') == {"x": float("-inf")}


def test_new_ids_are_canonical_time_ordered_uuids() -> None:
    ids = [new_id() for _ in range(1000)]
    assert len(set(ids)) == len(ids)
    assert all(is_id(value) and uuid.UUID(value).version == 7 for value in ids)
    # version 7 orders by creation: a later id sorts after an earlier one
    assert ids == sorted(ids)
