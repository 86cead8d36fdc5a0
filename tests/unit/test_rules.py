"""Unit tests of the value rules (API.md §1, §2.1): ``candidates.rules``, phone parsing in
``candidates.service`` and strict JSON parsing in ``api.routing``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic_core import PydanticCustomError

from talentbase.api.routing import parse_json_strict
from talentbase.candidates import rules
from talentbase.candidates.service import parse_phone


def _code(function: Any, value: Any) -> str:
    """The Spott error code ``function`` raises for ``value``."""
    with pytest.raises(PydanticCustomError) as raised:
        function(value)
    assert str(raised.value), "the error carries a message"
    code: str = raised.value.type
    return code


# ---- person_name ----


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("Jane", "Jane"),
        ("  Jane  ", "Jane"),
        ("\tJane\n", "Jane"),
        ("José", "José"),
        ("Zoe\u0308", "Zo\u00eb"),
        ("O'Brien", "O'Brien"),
        ("O’Brien", "O’Brien"),
        ("Jean-Luc", "Jean-Luc"),
        ("St. John", "St. John"),
        ("Mary Ann", "Mary Ann"),
        ("Nguyễn", "Nguyễn"),
        ("李小龍", "李小龍"),
        ("Ørsted", "Ørsted"),
        ("Владимир", "Владимир"),
        ("J", "J"),
    ],
)
def test_person_name_accepts_letters_marks_and_name_punctuation(value: str, stored: str) -> None:
    assert rules.person_name(value) == stored


def test_person_name_is_nfc_normalised() -> None:
    decomposed = "Rene\u0301e"
    result = rules.person_name(decomposed)
    assert result == "Ren\u00e9e"
    assert len(result) == 5


def test_person_name_of_100_characters_is_accepted() -> None:
    assert rules.person_name("A" * 100) == "A" * 100


def test_person_name_length_is_counted_after_trimming() -> None:
    assert rules.person_name("  " + "A" * 100 + "  ") == "A" * 100


def test_person_name_length_is_counted_after_nfc() -> None:
    decomposed = "e\u0301" * 100
    assert rules.person_name(decomposed) == "\u00e9" * 100


def test_person_name_of_101_characters_is_too_big() -> None:
    assert _code(rules.person_name, "A" * 101) == "TOO_BIG"


@pytest.mark.parametrize("value", ["", " ", "   ", "\t\n"])
def test_person_name_empty_after_trimming_is_too_small(value: str) -> None:
    assert _code(rules.person_name, value) == "TOO_SMALL"


@pytest.mark.parametrize(
    "value",
    ["R2D2", "Jane_Doe", "Jane@Roe", "Jane\tRoe", "Jane😀", "Jane!", "Jane/Roe", "1"],
)
def test_person_name_with_other_characters_is_an_invalid_string(value: str) -> None:
    assert _code(rules.person_name, value) == "INVALID_STRING"


# ---- email_address ----


@pytest.mark.parametrize(
    "value",
    [
        "jsmith@example.com",
        "JSmith@Example.COM",
        "first.last+tag@sub.example.co.uk",
        "josé@example.com",
    ],
)
def test_email_address_accepts_valid_addresses_stored_as_given(value: str) -> None:
    assert rules.email_address(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "jane.example.com",
        "jane@",
        "@example.com",
        "jane roe@example.com",
        "jane@@example.com",
        "jane..roe@example.com",
        "",
    ],
)
def test_email_address_refuses_invalid_addresses(value: str) -> None:
    assert _code(rules.email_address, value) == "INVALID_STRING"


# ---- http_url ----


@pytest.mark.parametrize(
    "value",
    [
        "https://www.linkedin.com/in/jane",
        "http://example.com",
        "http://example.com:8080/path?q=1#top",
        "HTTPS://EXAMPLE.COM/Jane",
    ],
)
def test_http_url_accepts_absolute_http_urls_stored_as_given(value: str) -> None:
    assert rules.http_url(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "ftp://x",
        "not a url",
        "www.linkedin.com/in/jane",
        "//example.com/jane",
        "https://",
        "http:///path",
        "https://exa mple.com",
        "https://example.com/ jane",
        "https://example.com:99999",
        "javascript:alert(1)",
        "mailto:jane@example.com",
        "",
    ],
)
def test_http_url_refuses_anything_but_absolute_http_urls(value: str) -> None:
    assert _code(rules.http_url, value) == "INVALID_STRING"


# ---- country ----


@pytest.mark.parametrize(
    "value",
    ["NL", "nl", "DE", "US", "Netherlands", "germany", "United States", "United Kingdom"],
)
def test_country_accepts_alpha_2_codes_and_country_names(value: str) -> None:
    assert rules.country(value) == value


@pytest.mark.parametrize("value", ["Narnia", "XX", "NLD", "N", "", "Atlantis"])
def test_country_refuses_unknown_countries(value: str) -> None:
    assert _code(rules.country, value) == "INVALID_STRING"


# ---- currency ----


@pytest.mark.parametrize("value", ["USD", "EUR", "GBP", "JPY", "CHF"])
def test_currency_accepts_iso_4217_codes(value: str) -> None:
    assert rules.currency(value) == value


@pytest.mark.parametrize("value", ["usd", "Usd", "XYZ", "US", "USDD", "", "$"])
def test_currency_refuses_anything_but_upper_case_iso_4217(value: str) -> None:
    assert _code(rules.currency, value) == "INVALID_STRING"


# ---- utc_datetime ----


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-15T14:30:00.000Z", datetime(2024, 1, 15, 14, 30, tzinfo=UTC)),
        ("2024-01-15T14:30:00Z", datetime(2024, 1, 15, 14, 30, tzinfo=UTC)),
        ("2024-01-15T14:30Z", datetime(2024, 1, 15, 14, 30, tzinfo=UTC)),
        ("2024-01-15T16:30:00+02:00", datetime(2024, 1, 15, 14, 30, tzinfo=UTC)),
        ("2024-01-15T16:30:00+0200", datetime(2024, 1, 15, 14, 30, tzinfo=UTC)),
        ("2024-01-15T09:30:00-05:00", datetime(2024, 1, 15, 14, 30, tzinfo=UTC)),
        ("2024-01-16T00:30:00+10:00", datetime(2024, 1, 15, 14, 30, tzinfo=UTC)),
        ("2024-01-15T14:30:00.5Z", datetime(2024, 1, 15, 14, 30, 0, 500_000, tzinfo=UTC)),
        ("2024-01-15T14:30:00.123999Z", datetime(2024, 1, 15, 14, 30, 0, 123_000, tzinfo=UTC)),
        ("2024-01-15T14:30:00.123999999Z", datetime(2024, 1, 15, 14, 30, 0, 123_000, tzinfo=UTC)),
    ],
)
def test_utc_datetime_converts_to_utc_at_millisecond_precision(
    value: str, expected: datetime
) -> None:
    result = rules.utc_datetime(value)
    assert result == expected
    assert result.utcoffset() == timedelta(0)
    assert result.microsecond % 1000 == 0


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-15T14:30:00",
        "2024-01-15T14:30:00.000",
        "2024-01-15",
        "15-01-2024T14:30:00Z",
        "2024-13-01T00:00:00Z",
        "2024-02-30T00:00:00Z",
        "2024-01-15T25:00:00Z",
        "2024-01-15T14:60:00Z",
        "2024-01-15T14:30:00+24:00",
        "2024-01-15T14:30:00+02:60",
        "yesterday",
        "",
    ],
)
def test_utc_datetime_refuses_values_without_zone_or_out_of_range(value: str) -> None:
    assert _code(rules.utc_datetime, value) == "INVALID_STRING"


@pytest.mark.parametrize("value", [1705329000, None, True, ["2024-01-15T14:30:00Z"]])
def test_utc_datetime_refuses_non_strings_as_invalid_type(value: Any) -> None:
    assert _code(rules.utc_datetime, value) == "INVALID_TYPE"


# ---- birth_date ----


@pytest.mark.parametrize(
    "value",
    [
        "1990-05-15",
        "1990-05-15T00:00:00.000Z",
        "1990-05-15T00:00:00Z",
        "1990-05-15T23:30:00-05:00",
        "1990-05-15T01:00:00+09:00",
        "1990-05-15T23:59:59.999+14:00",
    ],
)
def test_birth_date_is_the_calendar_date_as_written(value: str) -> None:
    assert rules.birth_date(value) == date(1990, 5, 15)


def test_birth_date_returns_a_date_not_a_datetime() -> None:
    result = rules.birth_date("1990-05-15T12:00:00Z")
    assert type(result) is date


@pytest.mark.parametrize(
    "value",
    [
        "15-05-1990",
        "1990/05/15",
        "1990-02-30",
        "1990-13-01",
        "1990-5-15",
        "19900515",
        "1990-05-15T25:00:00Z",
        "May 15, 1990",
        "",
    ],
)
def test_birth_date_refuses_malformed_dates(value: str) -> None:
    assert _code(rules.birth_date, value) == "INVALID_STRING"


@pytest.mark.parametrize("value", [19900515, None, False])
def test_birth_date_refuses_non_strings_as_invalid_type(value: Any) -> None:
    assert _code(rules.birth_date, value) == "INVALID_TYPE"


def test_birth_date_before_1900_is_too_small() -> None:
    assert rules.birth_date("1900-01-01") == date(1900, 1, 1)
    assert _code(rules.birth_date, "1899-12-31") == "TOO_SMALL"


def test_birth_date_in_the_future_is_too_big() -> None:
    future = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    assert _code(rules.birth_date, future) == "TOO_BIG"


# ---- parse_phone ----


@pytest.mark.parametrize(
    ("value", "region", "e164"),
    [
        ("+31612345678", None, "+31612345678"),
        ("+31 6 1234 5678", None, "+31612345678"),
        ("+31-6-1234-5678", None, "+31612345678"),
        ("+1 (415) 555-2671", None, "+14155552671"),
        ("+44 20 7183 8750", None, "+442071838750"),
        ("0612345678", "NL", "+31612345678"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("+31612345678", "US", "+31612345678"),
    ],
)
def test_parse_phone_gives_the_e164_form(value: str, region: str | None, e164: str) -> None:
    assert parse_phone(value, region) == e164


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("12345", None),
        ("0612345678", None),
        ("+1 800 FLOWERS", None),
        ("+31 6 1234 567a", None),
        ("", None),
        ("+", None),
        ("+-", None),
        ("+999 1234", None),
        ("+31 6", None),
    ],
)
def test_parse_phone_refuses_what_is_not_a_possible_number(value: str, region: str | None) -> None:
    assert parse_phone(value, region) is None


def test_parse_phone_same_number_in_different_formatting_matches() -> None:
    forms = ["+31612345678", "+31 6 12345678", "+31 (6) 1234-5678", "+31.6.1234.5678"]
    assert {parse_phone(form, None) for form in forms} == {"+31612345678"}


# ---- parse_json_strict ----


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"firstName": "Jane"}', {"firstName": "Jane"}),
        (b'{"name": "Zo\xc3\xab"}', {"name": "Zoë"}),
        (b'{"a": {"b": [1, 2.5, null, true]}}', {"a": {"b": [1, 2.5, None, True]}}),
        (b"[]", []),
        (b'{"a": {"x": 1}, "b": {"x": 2}}', {"a": {"x": 1}, "b": {"x": 2}}),
    ],
)
def test_parse_json_strict_parses_valid_json(body: bytes, expected: Any) -> None:
    assert parse_json_strict(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"firstName": "Ann", "firstName": "Bob"}', id="duplicate-key"),
        pytest.param(b'{"a": 1, "a": 1}', id="duplicate-key-same-value"),
        pytest.param(b'{"emails": [{"email": "a", "email": "b"}]}', id="nested-duplicate-key"),
        pytest.param(b'{"amount": NaN}', id="NaN"),
        pytest.param(b'{"amount": Infinity}', id="Infinity"),
        pytest.param(b'{"amount": -Infinity}', id="minus-Infinity"),
        pytest.param(b"NaN", id="bare-NaN"),
        pytest.param(b'{"name": "\xff"}', id="invalid-utf-8"),
        pytest.param(b'{"name": "\xc3"}', id="truncated-utf-8"),
        pytest.param(b'{"name": "\xed\xa0\x80"}', id="utf-8-surrogate"),
        pytest.param(b'{"a": ' + b"1" * 5000 + b"}", id="number-too-long"),
        pytest.param(b'{"a": 1,}', id="trailing-comma"),
        pytest.param(b"{'a': 1}", id="single-quotes"),
        pytest.param(b"", id="empty"),
        pytest.param(b'{"a": 1', id="truncated"),
    ],
)
def test_parse_json_strict_raises_json_decode_error(body: bytes) -> None:
    with pytest.raises(json.JSONDecodeError):
        parse_json_strict(body)


def test_parse_json_strict_duplicate_key_error_names_the_key() -> None:
    with pytest.raises(json.JSONDecodeError) as raised:
        parse_json_strict(b'{"gender": "male", "gender": "female"}')
    assert "gender" in str(raised.value)
