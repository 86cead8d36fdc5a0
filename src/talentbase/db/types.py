"""Portable column types: UTC timestamps at millisecond precision, JSON documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time in UTC, truncated to milliseconds (API.md §1: stored at ms precision)."""
    return truncate_ms(datetime.now(UTC))


def truncate_ms(value: datetime) -> datetime:
    """``value`` in UTC with microseconds cut to whole milliseconds; ``value`` must be aware."""
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def after(previous: datetime) -> datetime:
    """Now, or ``previous`` plus one millisecond when the clock has not passed it: a new
    ``modifiedAt`` is strictly later than the old one, so every change moves it forward."""
    now = utcnow()
    return now if now > previous else previous + timedelta(milliseconds=1)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime stored at millisecond precision on every backend.

    PostgreSQL keeps ``timestamptz``; SQLite keeps naive UTC text, whose fixed-width format sorts
    in time order. Values read back are always aware (UTC). A naive value is a bug and raises.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = truncate_ms(value)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class JSONDocument(TypeDecorator[Any]):
    """A JSON document (lists and objects of the candidate) stored in one column.

    Generic ``JSON`` on every backend, so the same code runs on SQLite and any PostgreSQL-wire
    engine; the candidate's lists live here so a full-body PATCH is one ``UPDATE``
    (performance-facts.md).
    """

    impl = JSON(none_as_null=True)  # Python None is SQL NULL, so `IS NULL` finds cleared values
    cache_ok = True
