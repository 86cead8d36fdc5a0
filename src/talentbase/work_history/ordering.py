"""The order of a candidate's work history: most recent first.

A record without an end date is current and comes before every ended one; current records are
ordered by start date, ended ones by end date (then start date), latest first; a missing date
counts as earliest; ties are broken by id, ascending, so the order never depends on the
database. ``latestWorkExperience`` is the first work experience in this order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Protocol, TypeVar

_EARLIEST = datetime.min.replace(tzinfo=UTC)

T = TypeVar("T")


class Dated(Protocol):
    """A work experience or education record."""

    @property
    def id(self) -> str: ...

    @property
    def start_date(self) -> datetime | None: ...

    @property
    def end_date(self) -> datetime | None: ...


def _recency(record: Dated) -> tuple[bool, datetime, datetime]:
    start = record.start_date or _EARLIEST
    if record.end_date is None:
        return (True, start, start)
    return (False, record.end_date, start)


def most_recent_first(items: Iterable[T], record: Callable[[T], Dated]) -> list[T]:
    """``items`` ordered most recent first (see the module docstring); ``record`` gives the
    dated record of an item."""
    by_id = sorted(items, key=lambda item: record(item).id)
    # stable: items of equal recency keep their id order
    return sorted(by_id, key=lambda item: _recency(record(item)), reverse=True)
