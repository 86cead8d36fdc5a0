"""The search table: each candidate's names, emails and phone numbers in folded form, kept in
step with the candidate by ORM events.

``candidate_search`` holds one row per candidate (``search.text.fold``): ``first_name`` and
``last_name``; ``emails`` and ``phones`` as ``\\x1f``-separated lists (``\\x1fa@x.com\\x1f``, so
that ``equals`` is a ``LIKE '%\\x1fvalue\\x1f%'``); and ``search_text``, every one of those words
between single spaces (`` jose obrien jose@x.com 442079460958 ``), which free text and the
prefilters of the other text filters search.

Each database indexes ``search_text`` with its own substring index, made by migration 0013 and
absent from the models (``include_name`` tells schema comparisons to leave them alone):

- PostgreSQL: a pg_trgm GIN index (``gin_trgm_ops``) serving ``LIKE '%…%'``;
- SQLite: an FTS5 table with the trigram tokenizer whose content is this table
  (``content_rowid`` is ``doc_id``, an ``INTEGER PRIMARY KEY`` that VACUUM never renumbers), kept
  in step by three triggers on this table. A deleted candidate's row goes by its foreign key's
  cascade, which fires the delete trigger.

The rows are written by mapper events on ``Candidate`` (``after_insert``, ``after_update`` when
a searched field changed); the PATCH, which writes the candidate without the ORM's flush,
stages ``reindex`` and, when that updated no row, runs ``index``. Bulk loaders that bypass the
ORM (``insert(Candidate)`` with a list) fire no events: they must insert
``row_for(candidate_row)`` into this table themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Insert,
    Integer,
    String,
    Text,
    bindparam,
    event,
    insert,
    update,
)
from sqlalchemy import inspect as inspect_state
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from talentbase.candidates.models import Candidate
from talentbase.db.base import Base
from talentbase.db.batch import Staged, bound, prefixed
from talentbase.search.text import fold, joined, phone_forms

LIST_SEPARATOR = "\x1f"
WORD_SEPARATOR = " "

FTS_TABLE = "candidate_search_fts"
TRIGRAM_INDEX = "ix_candidate_search_text_trgm"
# FTS5 keeps its index in shadow tables named after the virtual table
_FTS_SHADOWS = ("_data", "_idx", "_docsize", "_config", "_content")
DATABASE_SPECIFIC_OBJECTS = frozenset(
    {FTS_TABLE, TRIGRAM_INDEX, *(FTS_TABLE + suffix for suffix in _FTS_SHADOWS)}
)

# the columns an ``entry`` gives
ENTRY_COLUMNS = ("first_name", "last_name", "emails", "phones", "search_text")

# the Candidate attributes the row is made from
SEARCHED_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "second_last_name",
    "emails",
    "phone_numbers",
)


class CandidateSearch(Base):
    """The folded search fields of one candidate (module docstring)."""

    __tablename__ = "candidate_search"
    __table_args__ = (Index("ix_candidate_search_workspace", "workspace_id", "candidate_id"),)

    # SQLite's rowid (the FTS5 content key) only when the type is exactly INTEGER
    doc_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    candidate_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("candidates.id", ondelete="CASCADE"), unique=True
    )
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    first_name: Mapped[str] = mapped_column(Text())
    last_name: Mapped[str] = mapped_column(Text())
    emails: Mapped[str] = mapped_column(Text())
    phones: Mapped[str] = mapped_column(Text())
    search_text: Mapped[str] = mapped_column(Text())


# a search by creation date (``candidate.createdAt``) walks this index as the list walks
# ``ix_candidates_workspace_modified``
Index(
    "ix_candidates_workspace_created",
    Candidate.__table__.c.workspace_id,
    Candidate.__table__.c.created_at,
    Candidate.__table__.c.id,
)


def entry(
    *,
    first_name: str,
    middle_name: str | None,
    last_name: str,
    second_last_name: str | None,
    emails: Iterable[dict[str, Any]],
    phone_numbers: Iterable[dict[str, Any]],
) -> dict[str, str]:
    """The folded search fields of a candidate (the columns of ``CandidateSearch`` but the
    keys), from its stored values."""
    email_words = [fold(str(item.get("email") or "")) for item in emails]
    phone_words = [form for item in phone_numbers for form in phone_forms(item)]
    names = [fold(name or "") for name in (first_name, middle_name, last_name, second_last_name)]
    return {
        "first_name": names[0],
        "last_name": names[2],
        "emails": joined(email_words, LIST_SEPARATOR),
        "phones": joined(dict.fromkeys(phone_words), LIST_SEPARATOR),
        "search_text": joined([*names, *email_words, *phone_words], WORD_SEPARATOR),
    }


def row_for(candidate: Mapping[str, Any]) -> dict[str, Any]:
    """The ``candidate_search`` row of a candidate given as its ``candidates`` row (a mapping
    keyed by column name), for bulk loaders that insert candidates without the ORM."""
    return {
        "candidate_id": candidate["id"],
        "workspace_id": candidate["workspace_id"],
        **entry(
            first_name=candidate["first_name"],
            middle_name=candidate.get("middle_name"),
            last_name=candidate["last_name"],
            second_last_name=candidate.get("second_last_name"),
            emails=candidate.get("emails") or [],
            phone_numbers=candidate.get("phone_numbers") or [],
        ),
    }


def entry_of(candidate: Candidate, values: Mapping[str, Any] | None = None) -> dict[str, str]:
    """``entry`` of a loaded candidate, with ``values`` (column -> new value) applied."""
    values = values or {}
    current = {name: values.get(name, getattr(candidate, name)) for name in SEARCHED_FIELDS}
    return entry(
        first_name=current["first_name"],
        middle_name=current["middle_name"],
        last_name=current["last_name"],
        second_last_name=current["second_last_name"],
        emails=current["emails"] or [],
        phone_numbers=current["phone_numbers"] or [],
    )


def changed_entry(candidate: Candidate, values: Mapping[str, Any]) -> dict[str, str] | None:
    """``entry_of`` the candidate with ``values`` applied, or None when ``values`` changes no
    searched field."""
    if not any(name in values for name in SEARCHED_FIELDS):
        return None
    return entry_of(candidate, values)


def reindex(candidate_id: str, values: Mapping[str, str]) -> Staged:
    """The ``UPDATE`` of a candidate's search row to ``values`` (an ``entry``), for a
    ``WriteBatch``; it updates no row for a candidate loaded in bulk without one, which then
    needs ``index``."""
    return _REINDEX, {"s_candidate_id": candidate_id, **prefixed("s_", values)}


def index(candidate_id: str, workspace_id: str, values: Mapping[str, str]) -> Insert:
    """The ``INSERT`` of a candidate's search row (``values``: an ``entry``)."""
    return insert(CandidateSearch).values(
        candidate_id=candidate_id, workspace_id=workspace_id, **values
    )


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Alembic ``include_name`` hook: schema comparisons skip the objects that exist on one
    database only and are made by migration 0013 (``DATABASE_SPECIFIC_OBJECTS``)."""
    return not (type_ in ("table", "index") and name in DATABASE_SPECIFIC_OBJECTS)


# the statements of the two events, built once (they run in every create and in every PATCH
# of a name, email or phone); the columns come with the parameters
_INSERT = insert(CandidateSearch)
_UPDATE = update(CandidateSearch).where(CandidateSearch.candidate_id == bindparam("target_id"))
_REINDEX = (
    update(CandidateSearch)
    .where(CandidateSearch.candidate_id == bindparam("s_candidate_id"))
    .values(bound("s_", CandidateSearch.__table__, ENTRY_COLUMNS))
)


@event.listens_for(Candidate, "after_insert")
def _index_new_candidate(
    _mapper: Mapper[Candidate], connection: Connection, target: Candidate
) -> None:
    connection.execute(
        _INSERT,
        {"candidate_id": target.id, "workspace_id": target.workspace_id, **entry_of(target)},
    )


@event.listens_for(Candidate, "after_update")
def _reindex_changed_candidate(
    _mapper: Mapper[Candidate], connection: Connection, target: Candidate
) -> None:
    state = inspect_state(target)
    if not any(state.attrs[name].history.has_changes() for name in SEARCHED_FIELDS):
        return  # e.g. ``touch`` moving modifiedAt: nothing searched changed
    values = entry_of(target)
    result = connection.execute(_UPDATE, {"target_id": target.id, **values})
    if result.rowcount == 0:  # a candidate loaded in bulk without its row
        connection.execute(
            _INSERT, {"candidate_id": target.id, "workspace_id": target.workspace_id, **values}
        )
