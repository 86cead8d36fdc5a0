"""Properties of the value rules, over generated inputs (hypothesis)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from talentbase.candidates import rules
from talentbase.db.types import truncate_ms
from talentbase.views import iso, iso_date

offsets = st.integers(min_value=-(14 * 60), max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
moments = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


def _with_offset(moment: datetime, tz: timezone) -> str:
    local = moment.astimezone(tz)
    offset = local.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return local.strftime("%Y-%m-%dT%H:%M:%S.%f") + f"{sign}{hours:02d}:{rest:02d}"


@given(moments, offsets)
def test_any_offset_date_time_is_the_same_instant_in_utc_at_millisecond_precision(
    moment: datetime, tz: timezone
) -> None:
    parsed = rules.utc_datetime(_with_offset(moment, tz))
    assert parsed == truncate_ms(moment)
    assert parsed.tzinfo is UTC
    # what the API writes, it reads back unchanged
    written = iso(parsed)
    assert written is not None
    assert rules.utc_datetime(written) == parsed


@given(st.dates(min_value=date(1900, 1, 1), max_value=date.today()), offsets, st.times())
def test_birth_date_is_the_calendar_date_written_whatever_time_or_offset(
    day: date, tz: timezone, moment: object
) -> None:
    assert rules.birth_date(day.isoformat()) == day
    with_time = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    text = _with_offset(with_time, tz)
    assert rules.birth_date(text) == day
    shown = iso_date(day)
    assert shown == f"{day.isoformat()}T00:00:00.000Z"
    assert rules.birth_date(shown) == day


name_characters = st.characters(categories=("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc")) | (
    st.sampled_from(list(" -'’."))
)


@given(st.text(name_characters, min_size=1, max_size=120))
def test_a_valid_name_is_stored_nfc_and_trimmed_and_normalising_again_changes_nothing(
    text: str,
) -> None:
    try:
        name = rules.person_name(text)
    except PydanticCustomError as error:
        # only the length rules, or no letter at all, can refuse these characters
        has_letter = any(unicodedata.category(char)[0] == "L" for char in text)
        assert error.type in ("TOO_SMALL", "TOO_BIG") or not has_letter
        return
    assert name == unicodedata.normalize("NFC", name)
    assert name == name.strip()
    assert 1 <= len(name) <= rules.NAME_MAX
    assert rules.person_name(name) == name
    assert any(unicodedata.category(char)[0] == "L" for char in name)


@given(st.text(min_size=1, max_size=40).filter(lambda t: any(c.isdigit() for c in t)))
def test_a_name_with_a_digit_is_refused(text: str) -> None:
    try:
        rules.person_name(text)
    except PydanticCustomError as error:
        assert error.type in ("INVALID_STRING", "TOO_SMALL", "TOO_BIG")
    else:
        raise AssertionError(f"accepted {text!r}")
