"""Field rules of API.md §2.1, one function per value family.

Each validator takes the raw JSON value and returns the stored form, or raises
``PydanticCustomError(code, message)`` whose type is the Spott error code; Pydantic attaches the
field's path. Rules that need configuration or several items at once (phone numbers, one primary
per list, duplicates) live in ``candidates.service``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import pycountry
from email_validator import EmailNotValidError, validate_email
from pydantic_core import PydanticCustomError

from talentbase.api.errors import INVALID_STRING, INVALID_TYPE, TOO_BIG, TOO_SMALL
from talentbase.db.types import truncate_ms

NAME_MAX = 100
_NAME_PUNCTUATION = frozenset(" -'’.")
# ASCII digits only (``\d`` would take other scripts' digits), matched in full
_DATETIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})"
)
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# a date of birth may also come as a date-time whose time (and zone, if any) is ignored
_DATE_WITH_TIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_ISO_CURRENCIES = frozenset(currency.alpha_3 for currency in pycountry.currencies)
_ALPHA_2 = frozenset(country.alpha_2 for country in pycountry.countries)


def _country_key(name: str) -> str:
    """How country names are compared: case, accents, a leading "The" and "St."/"St" for
    "Saint" do not matter ("São Tomé" is "Sao Tome", "St Lucia" is "Saint Lucia")."""
    key = unicodedata.normalize("NFKD", name.casefold())
    key = "".join(char for char in key if not unicodedata.combining(char)).strip()
    key = re.sub(r"^the\s+", "", key)
    key = re.sub(r"^st\.?\s+", "saint ", key)
    return re.sub(r"\s+", " ", key)


_COUNTRY_NAMES = frozenset(
    _country_key(name)
    for country in pycountry.countries
    for name in (
        country.name,
        getattr(country, "official_name", None),
        getattr(country, "common_name", None),
    )
    if name
)
# Everyday English names that differ from the ISO names pycountry knows ("Russian Federation",
# "Türkiye", "Côte d'Ivoire", ...), and the UK's nations, which the nationality enum names.
COUNTRY_ALIASES = {
    "bosnia": "BA",
    "britain": "GB",
    "brunei": "BN",
    "burma": "MM",
    "cape verde": "CV",
    "curacao": "CW",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "east timor": "TL",
    "england": "GB",
    "great britain": "GB",
    "holland": "NL",
    "ivory coast": "CI",
    "kosovo": "XK",
    "macau": "MO",
    "macedonia": "MK",
    "micronesia": "FM",
    "northern ireland": "GB",
    "palestine": "PS",
    "republic of ireland": "IE",
    "republic of korea": "KR",
    "republic of the congo": "CG",
    "reunion": "RE",
    "russia": "RU",
    "scotland": "GB",
    "swaziland": "SZ",
    "turkey": "TR",
    "uae": "AE",
    "uk": "GB",
    "usa": "US",
    "vatican": "VA",
    "vatican city": "VA",
    "wales": "GB",
}
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# date-times a CRM can mean; outside them a value is a typo (and year 1 cannot even be shown
# in the API's format once converted to UTC)
EARLIEST_DATETIME = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_DATETIME = datetime(3000, 1, 1, tzinfo=UTC)


def _require_str(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError(INVALID_TYPE, "Expected a string")
    return value


def person_name(value: str) -> str:
    """A name (API.md §2.1): trimmed, NFC-normalised, 1–100 characters of Unicode letters and
    marks, spaces, hyphens, apostrophes (' and ’) and dots, with at least one letter."""
    name = unicodedata.normalize("NFC", value.strip())
    if not name:
        raise PydanticCustomError(TOO_SMALL, "Must contain at least 1 character after trimming")
    if len(name) > NAME_MAX:
        raise PydanticCustomError(TOO_BIG, f"Must contain at most {NAME_MAX} characters")
    for char in name:
        if char in _NAME_PUNCTUATION:
            continue
        if unicodedata.category(char)[0] not in ("L", "M"):
            raise PydanticCustomError(
                INVALID_STRING,
                "Names may contain only letters, spaces, hyphens, apostrophes and dots; "
                f"found {char!r}",
            )
    if not any(unicodedata.category(char)[0] == "L" for char in name):
        raise PydanticCustomError(INVALID_STRING, "Names must contain at least one letter")
    return name


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
DISPLAY_NAME_MAX = 200


def display_name(value: str) -> str:
    """A user's display name: trimmed, NFC-normalised, 1–200 characters, any printable text
    (digits allowed, unlike a candidate's name), no control or bidi-override characters."""
    name = unicodedata.normalize("NFC", value.strip())
    if not name:
        raise PydanticCustomError(TOO_SMALL, "Must contain at least 1 character after trimming")
    if len(name) > DISPLAY_NAME_MAX:
        raise PydanticCustomError(TOO_BIG, f"Must contain at most {DISPLAY_NAME_MAX} characters")
    for char in name:
        if unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn") or char in _BIDI_CONTROLS:
            raise PydanticCustomError(INVALID_STRING, f"Names must not contain {char!r}")
    return name


def email_address(value: str) -> str:
    """A syntactically valid email address (no DNS lookup); stored exactly as given."""
    try:
        # test_environment: addresses at the reserved `.test` domain are valid too
        validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise PydanticCustomError(INVALID_STRING, f"Invalid email address: {exc}") from exc
    return value


def http_url(value: str) -> str:
    """An absolute http(s) URL with a host and no whitespace; stored as given."""
    if any(char.isspace() for char in value):
        raise PydanticCustomError(INVALID_STRING, "Invalid URL: must not contain whitespace")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        raise PydanticCustomError(
            INVALID_STRING, "Invalid URL: must not contain control characters"
        )
    try:
        parts = urlsplit(value)
        _ = parts.port
    except ValueError as exc:
        raise PydanticCustomError(INVALID_STRING, f"Invalid URL: {exc}") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError(INVALID_STRING, "Invalid URL: must be an absolute http(s) URL")
    return value


def country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code (any case) or a country's English name (ISO name, official or
    common name, or an everyday name in ``COUNTRY_ALIASES``, compared as ``_country_key``
    says); stored as given. No fuzzy matching, so typos are refused."""
    text = value.strip()
    if len(text) == 2 and text.upper() in _ALPHA_2:
        return text
    key = _country_key(text)
    if key in _COUNTRY_NAMES or key in COUNTRY_ALIASES:
        return text
    raise PydanticCustomError(
        INVALID_STRING,
        f"Unknown country {value!r}: use an ISO 3166-1 alpha-2 code or the country's name",
    )


def currency(value: str) -> str:
    """An ISO 4217 alphabetic code, exactly (upper case)."""
    if value not in _ISO_CURRENCIES:
        raise PydanticCustomError(
            INVALID_STRING, f"Unknown currency {value!r}: use an ISO 4217 code such as USD"
        )
    return value


def _checked_datetime(match: re.Match[str]) -> datetime:
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    fraction = (match.group(7) or "").ljust(6, "0")[:6]
    zone = match.group(8)
    try:
        if zone == "Z":
            tz = UTC
        else:
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            if offset >= timedelta(hours=24) or int(digits[2:]) >= 60:
                raise ValueError("time zone offset out of range")
            tz = timezone(offset if zone[0] == "+" else -offset)
        return datetime(year, month, day, hour, minute, second, int(fraction), tzinfo=tz)
    except ValueError as exc:
        raise PydanticCustomError(INVALID_STRING, f"Invalid date-time: {exc}") from exc


def utc_datetime(value: Any) -> datetime:
    """An ISO 8601 date-time with a zone (``Z`` or an offset), converted to UTC and cut to
    milliseconds (API.md §1: input without any zone is rejected)."""
    text = _require_str(value)
    match = _DATETIME_RE.fullmatch(text)
    if match is None:
        raise PydanticCustomError(
            INVALID_STRING,
            "Invalid date-time: expected ISO 8601 with a time zone, e.g. 2024-01-15T14:30:00.000Z",
        )
    try:
        moment = truncate_ms(_checked_datetime(match))
    except OverflowError as exc:
        raise PydanticCustomError(INVALID_STRING, "Invalid date-time: out of range") from exc
    if moment < EARLIEST_DATETIME:
        raise PydanticCustomError(TOO_SMALL, "Date-time must be on or after 1900-01-01")
    if moment >= LATEST_DATETIME:
        raise PydanticCustomError(TOO_BIG, "Date-time must be before 3000-01-01")
    return moment


def birth_date(value: Any) -> date:
    """A calendar date given as ``YYYY-MM-DD`` or inside a date-time; a time or offset in the
    input is ignored, never converted (API.md §1), so the date never shifts with a time zone.
    Must lie between 1900-01-01 and today."""
    text = _require_str(value)
    match = _DATE_RE.fullmatch(text) or _DATE_WITH_TIME_RE.fullmatch(text)
    if match is None:
        raise PydanticCustomError(
            INVALID_STRING, "Invalid date: expected YYYY-MM-DD or an ISO 8601 date-time"
        )
    if match.re is _DATE_WITH_TIME_RE:
        hour, minute, second = int(match.group(4)), int(match.group(5)), int(match.group(6) or 0)
        zone = match.group(8) or "Z"
        offset = zone[1:].replace(":", "") if zone != "Z" else "0000"
        if hour > 23 or minute > 59 or second > 59 or offset[:2] > "23" or offset[2:] > "59":
            raise PydanticCustomError(INVALID_STRING, "Invalid date-time: time out of range")
    try:
        result = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise PydanticCustomError(INVALID_STRING, f"Invalid date: {exc}") from exc
    if result < EARLIEST_BIRTH_DATE:
        raise PydanticCustomError(TOO_SMALL, "Date of birth must be on or after 1900-01-01")
    # a day of slack: "today" differs across time zones
    if result > datetime.now(UTC).date() + timedelta(days=1):
        raise PydanticCustomError(TOO_BIG, "Date of birth must not be in the future")
    return result
