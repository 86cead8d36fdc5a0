"""The order of a candidate's work history: most recent first.

Three groups, in this order:

1. current records, that have started (``startDate`` ≤ now, or none) and not ended (no
   ``endDate``, or ``endDate`` ≥ now): latest start first, a missing start counting as earliest;
2. ended records (``endDate`` < now): latest end first;
3. records not started yet (``startDate`` > now): soonest start first, so a job already agreed
   never hides the one the candidate holds today.

Ties are broken by id, ascending, so the order never depends on the database.
``latestWorkExperience`` is the first work experience in this order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
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


def _place(record: Dated, now: datetime) -> tuple[int, timedelta, str]:
    """The sort key: the group, then a time ascending (negated where the latest comes first),
    then the id."""
    start, end = record.start_date, record.end_date
    if start is not None and start > now:
        return (2, start - _EARLIEST, record.id)
    if end is not None and end < now:
        return (1, -(end - _EARLIEST), record.id)
    return (0, -((start or _EARLIEST) - _EARLIEST), record.id)


def most_recent_first(items: Iterable[T], record: Callable[[T], Dated]) -> list[T]:
    """``items`` ordered most recent first as of now (see the module docstring); ``record``
    gives the dated record of an item."""
    now = datetime.now(UTC)
    return sorted(items, key=lambda item: _place(record(item), now))
