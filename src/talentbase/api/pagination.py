"""The two list styles of the Spott API, shared by every list route.

- Cursor style (``GET /candidates``, ``/clients``, ``/tasks``, ``/notes``; API.md §4): query
  ``limit`` 1–50 (default 25), ``cursor``, ``modifiedSince`` (inclusive), ``modifiedUntil``
  (inclusive); rows ordered by ``(modifiedAt, id)`` ascending; answer
  ``{items, pageInfo: {nextCursor, hasNextPage}}``. The cursor is base64 of
  ``{"modifiedAt": "…Z", "id": "…"}``, the last row of the page; anything else → 400 ``cursor``.
- Page style (``GET /placements``, custom attribute definitions, ``_search``): query ``page``
  0–10000 (default 0), ``pageSize`` 1–100 (default 20); answer
  ``{items, pagination: {totalItems, page, hasNextPage}}``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from pydantic_core import PydanticCustomError
from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from talentbase.api.errors import INVALID_STRING, TOO_BIG, TOO_SMALL, ErrorItem, ValidationFailed
from talentbase.candidates import rules
from talentbase.db.base import is_id
from talentbase.views import iso

MAX_LIMIT = 50
DEFAULT_LIMIT = 25
MAX_PAGE = 10_000
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

RowT = TypeVar("RowT")


@dataclass(frozen=True)
class CursorPosition:
    """The last row a page returned: the walk goes on after ``(modified_at, id)``."""

    modified_at: datetime
    id: str


def encode_cursor(modified_at: datetime, id_: str) -> str:
    """The opaque cursor for a row: base64 of ``{"modifiedAt": "…Z", "id": "…"}`` (API.md §4)."""
    document = json.dumps({"modifiedAt": iso(modified_at), "id": id_}, separators=(",", ":"))
    return base64.urlsafe_b64encode(document.encode()).decode()


def decode_cursor(value: str) -> CursorPosition:
    """The position a cursor names. Raises ``ValidationFailed`` (400, path ``cursor``) for
    anything that is not a cursor this server made: bad base64, not JSON, other keys, a
    malformed date-time or id."""
    problem = ErrorItem(INVALID_STRING, "cursor", "Malformed cursor", value[:200])
    try:
        padded = value + "=" * (-len(value) % 4)
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        document = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValidationFailed([problem]) from None
    if not isinstance(document, dict) or set(document) != {"modifiedAt", "id"}:
        raise ValidationFailed([problem])
    modified_at, id_ = document["modifiedAt"], document["id"]
    if not isinstance(modified_at, str) or not isinstance(id_, str) or not is_id(id_):
        raise ValidationFailed([problem])
    try:
        moment = rules.utc_datetime(modified_at)
    except PydanticCustomError:
        raise ValidationFailed([problem]) from None
    return CursorPosition(moment, id_)


_SUB_MILLISECOND = re.compile(r"\.\d{3}\d*[1-9]")


def parse_instant(value: str | None, parameter: str, *, lower: bool = False) -> datetime | None:
    """A query parameter's ISO 8601 date-time (with ``Z`` or an offset) as UTC, or None.

    Times are stored to the millisecond; a bound finer than that is cut to its millisecond,
    except a ``lower`` (inclusive) bound, which goes up to the next one: ``modifiedSince`` at
    ``…44.2421Z`` must not answer a row of ``…44.242Z``. Raises ``ValidationFailed`` naming
    ``parameter``."""
    if value is None:
        return None
    try:
        moment = rules.utc_datetime(value)
    except PydanticCustomError as error:
        raise ValidationFailed(
            [ErrorItem(INVALID_STRING, parameter, error.message(), value[:200])]
        ) from None
    if lower and _SUB_MILLISECOND.search(value):
        moment += timedelta(milliseconds=1)
    return moment


@dataclass(frozen=True)
class CursorQuery:
    """Parsed cursor-style query: ``limit``, the position after which to go on, and the
    inclusive ``modifiedSince`` / ``modifiedUntil`` bounds."""

    limit: int
    after: CursorPosition | None
    modified_since: datetime | None
    modified_until: datetime | None


def _int_in_range(value: int, parameter: str, low: int, high: int) -> int:
    if value < low:
        raise ValidationFailed([ErrorItem(TOO_SMALL, parameter, f"Must be at least {low}", value)])
    if value > high:
        raise ValidationFailed([ErrorItem(TOO_BIG, parameter, f"Must be at most {high}", value)])
    return value


# ``async`` (like every dependency here): a plain ``def`` one runs in the thread pool
async def _cursor_query(
    limit: Annotated[
        int, Query(description=f"Items per page, 1–{MAX_LIMIT}", ge=1, le=MAX_LIMIT)
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(description="`pageInfo.nextCursor` of the previous page; omit for the first"),
    ] = None,
    modified_since: Annotated[
        str | None,
        Query(
            alias="modifiedSince",
            description="Only rows modified at or after this ISO 8601 date-time",
        ),
    ] = None,
    modified_until: Annotated[
        str | None,
        Query(
            alias="modifiedUntil",
            description="Only rows modified at or before this ISO 8601 date-time",
        ),
    ] = None,
) -> CursorQuery:
    return CursorQuery(
        limit=limit,
        after=decode_cursor(cursor) if cursor is not None else None,
        modified_since=parse_instant(modified_since, "modifiedSince", lower=True),
        modified_until=parse_instant(modified_until, "modifiedUntil"),
    )


CursorQueryDep = Annotated[CursorQuery, Depends(_cursor_query)]


@dataclass(frozen=True)
class PageQuery:
    """Parsed page-style query: ``page`` (0-based) and ``page_size``."""

    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return self.page * self.page_size


async def _page_query(
    page: Annotated[
        int, Query(description=f"0-based page number, at most {MAX_PAGE}", ge=0, le=MAX_PAGE)
    ] = 0,
    page_size: Annotated[
        int,
        Query(alias="pageSize", description=f"Items per page, 1–{MAX_PAGE_SIZE}", ge=1, le=100),
    ] = DEFAULT_PAGE_SIZE,
) -> PageQuery:
    return PageQuery(page=page, page_size=page_size)


PageQueryDep = Annotated[PageQuery, Depends(_page_query)]


def page_query(page: int, page_size: int) -> PageQuery:
    """A ``PageQuery`` from body values (``_search``), checked like the query parameters;
    errors name ``page`` / ``pageSize``."""
    return PageQuery(
        page=_int_in_range(page, "page", 0, MAX_PAGE),
        page_size=_int_in_range(page_size, "pageSize", 1, MAX_PAGE_SIZE),
    )


@dataclass(frozen=True)
class CursorPage(Generic[RowT]):
    """One page of a cursor walk: ``rows`` and the cursor of the next page (None at the end)."""

    rows: list[RowT]
    next_cursor: str | None

    def page_info(self) -> dict[str, Any]:
        """``{"nextCursor", "hasNextPage"}``."""
        return {"nextCursor": self.next_cursor, "hasNextPage": self.next_cursor is not None}


def keyset_conditions(
    modified_at: InstrumentedAttribute[datetime],
    id_column: InstrumentedAttribute[str],
    query: CursorQuery,
    *,
    descending: bool = False,
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a cursor page over ``(modified_at, id)``: the bounds, and
    strictly after the cursor's row (before it, in ``descending`` order).

    "After the cursor" is the row-value comparison ``(modified_at, id) > (:at, :id)``, which
    PostgreSQL and SQLite (3.15 and later) both serve as one range of the
    ``(workspace_id, modified_at, id)`` index, so a page costs the same wherever the walk is.
    The equivalent ``modified_at > :at OR (modified_at = :at AND id > :id)`` is no index
    range on PostgreSQL: it read every row of the workspace before the cursor (bench/README.md,
    "Scale")."""
    conditions: list[ColumnElement[bool]] = []
    if query.modified_since is not None:
        conditions.append(modified_at >= query.modified_since)
    if query.modified_until is not None:
        conditions.append(modified_at <= query.modified_until)
    if query.after is not None:
        # a plain tuple on the right, so its values are bound with the columns' types
        row = tuple_(modified_at, id_column)
        position = (query.after.modified_at, query.after.id)
        conditions.append(row < position if descending else row > position)
    return conditions


async def cursor_page(
    session: AsyncSession,
    statement: Select[RowT],
    modified_at: InstrumentedAttribute[datetime],
    id_column: InstrumentedAttribute[str],
    query: CursorQuery,
    *,
    descending: bool = False,
) -> CursorPage[RowT]:
    """Runs ``statement`` (already filtered by workspace and any route filters) as one cursor
    page: keyset conditions, order ``(modified_at, id)`` (newest first when ``descending``),
    ``limit + 1`` rows to know whether another page follows. ``statement`` selects one entity
    whose columns are the two given."""
    order = (modified_at.desc(), id_column.desc()) if descending else (modified_at, id_column)
    paged = (
        statement.where(*keyset_conditions(modified_at, id_column, query, descending=descending))
        .order_by(*order)
        .limit(query.limit + 1)
    )
    rows = list((await session.scalars(paged)).all())
    if len(rows) <= query.limit:
        return CursorPage(rows, None)
    rows = rows[: query.limit]
    last = rows[-1]
    return CursorPage(
        rows, encode_cursor(getattr(last, modified_at.key), getattr(last, id_column.key))
    )


@dataclass(frozen=True)
class Page(Generic[RowT]):
    """One page of a page-style list: ``rows`` and the total number of matching rows."""

    rows: list[RowT]
    total: int
    query: PageQuery

    def pagination(self) -> dict[str, Any]:
        """``{"totalItems", "page", "hasNextPage"}``."""
        return {
            "totalItems": self.total,
            "page": self.query.page,
            "hasNextPage": self.query.offset + len(self.rows) < self.total,
        }


async def offset_page(
    session: AsyncSession,
    statement: Select[RowT],
    order_by: list[Any],
    query: PageQuery,
) -> Page[RowT]:
    """Runs ``statement`` (filtered, not ordered) as one page: a COUNT of all matching rows and
    the rows of the page in ``order_by`` order (end it with the id so ties never move)."""
    total = await session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )
    rows = list(
        (
            await session.scalars(
                statement.order_by(*order_by).offset(query.offset).limit(query.page_size)
            )
        ).all()
    )
    return Page(rows, int(total or 0), query)


class PageInfoOut(BaseModel):
    """``pageInfo`` of a cursor-style answer."""

    nextCursor: str | None
    hasNextPage: bool


class PaginationOut(BaseModel):
    """``pagination`` of a page-style answer."""

    totalItems: int
    page: int
    hasNextPage: bool
