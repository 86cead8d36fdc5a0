"""The identifier table: each candidate's normalised contact identifiers, kept in step with the
candidate by ORM events, so a duplicate check is one index lookup.

``candidate_identifiers`` holds one row per ``(candidate, kind, value)``
(``duplicates.identifiers``): the kinds are the contact types (email, phone, linkedin,
instagram, facebook, x). ``ix_candidate_identifiers_lookup`` on
``(workspace_id, kind, value, candidate_id)`` answers "who else in this workspace holds these
identifiers" from the index alone. A row keeps its ``id`` (a duplicate's
``contactIdentifierId``) for as long as the candidate holds the identifier.

The rows are written by mapper events on ``Candidate``: ``after_insert`` (create), and
``after_update`` when ``emails``, ``phone_numbers`` or ``social_media`` changed (PATCH, the
contact identifier route, merge, anonymize): the rows of identifiers no longer held are
deleted, new ones inserted (the PATCH, which writes the candidate without the ORM's flush,
stages the same writes from ``identifier_writes``). What was held is worked out from the
values the change replaced (no statement on the PATCH path; issue 7), read from the table
only when they were not loaded. A deleted candidate's rows go by their foreign key's cascade.
Bulk loaders that bypass the ORM (``insert(Candidate)`` with a list) fire no events: they must
insert ``rows_for(candidate_row)`` into this table themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Delete,
    ForeignKey,
    Index,
    Insert,
    String,
    UniqueConstraint,
    and_,
    bindparam,
    delete,
    event,
    insert,
    or_,
    select,
    tuple_,
)
from sqlalchemy import inspect as inspect_state
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from talentbase.candidates.models import Candidate
from talentbase.db.base import Base, new_id
from talentbase.db.batch import Staged, bound, prefixed
from talentbase.duplicates.identifiers import MAX_VALUE_BYTES, Identifier, of_lists

# the Candidate attributes the identifiers are made from
IDENTIFYING_FIELDS = ("emails", "phone_numbers", "social_media")


class CandidateIdentifier(Base):
    """One normalised contact identifier of one candidate (module docstring)."""

    __tablename__ = "candidate_identifiers"
    __table_args__ = (
        UniqueConstraint("candidate_id", "kind", "value"),
        Index("ix_candidate_identifiers_lookup", "workspace_id", "kind", "value", "candidate_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("candidates.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(MAX_VALUE_BYTES))


def identifiers_of(candidate: Candidate) -> list[Identifier]:
    """The identifiers of a loaded candidate."""
    return of_lists(
        candidate.emails or [], candidate.phone_numbers or [], candidate.social_media or []
    )


def rows_for(candidate: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``candidate_identifiers`` rows of a candidate given as its ``candidates`` row (a
    mapping keyed by column name), for bulk loaders that insert candidates without the ORM."""
    identifiers = of_lists(
        candidate.get("emails") or [],
        candidate.get("phone_numbers") or [],
        candidate.get("social_media") or [],
    )
    return [
        {
            "id": new_id(),
            "workspace_id": candidate["workspace_id"],
            "candidate_id": candidate["id"],
            "kind": identifier.kind,
            "value": identifier.value,
        }
        for identifier in identifiers
    ]


# the statements of the PATCH path, built once (building the DELETE cost a third as much as
# running it, bench/README.md)
_INSERT = insert(CandidateIdentifier)
_DELETE_GONE = delete(CandidateIdentifier).where(
    CandidateIdentifier.candidate_id == bindparam("candidate_id"),
    tuple_(CandidateIdentifier.kind, CandidateIdentifier.value).in_(
        bindparam("gone", expanding=True)
    ),
)


def _rows(target: Candidate, keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "id": new_id(),
            "workspace_id": target.workspace_id,
            "candidate_id": target.id,
            "kind": kind,
            "value": value,
        }
        for kind, value in keys
    ]


def _insert(connection: Connection, target: Candidate, keys: list[tuple[str, str]]) -> None:
    if keys:
        connection.execute(_INSERT, _rows(target, keys))


def _delta(
    wanted: list[tuple[str, str]], stored: list[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The identifiers to delete and to insert to go from ``stored`` to ``wanted``; the rows
    kept keep their ids (a duplicate's ``contactIdentifierId``)."""
    keep, held = set(wanted), set(stored)
    return [key for key in stored if key not in keep], [key for key in wanted if key not in held]


def identifier_writes(target: Candidate, values: Mapping[str, Any]) -> list[Staged]:
    """The ``DELETE`` and the ``INSERT`` that bring the identifier rows of a loaded candidate
    from its values to those with ``values`` (column -> new value) applied, for a
    ``WriteBatch``; none when no identifier changes. The rows are assumed to match the loaded
    values, as the ORM event assumes."""
    if not any(name in values for name in IDENTIFYING_FIELDS):
        return []
    lists = [values.get(name, getattr(target, name)) or [] for name in IDENTIFYING_FIELDS]
    gone, new = _delta(
        [(item.kind, item.value) for item in of_lists(*lists)],
        [(item.kind, item.value) for item in identifiers_of(target)],
    )
    writes: list[Staged] = []
    if gone:
        params = {"i_candidate_id": target.id}
        for number, (kind, value) in enumerate(gone):
            params[f"i_gone{number}_kind"] = kind
            params[f"i_gone{number}_value"] = value
        writes.append((_batch_delete_gone(len(gone)), params))
    rows = _rows(target, new)
    if rows:
        inserted: dict[str, Any] = {}
        for number, row in enumerate(rows):
            inserted.update(prefixed(f"i{number}_", row))
        writes.append((_batch_insert(len(rows)), inserted))
    return writes


@lru_cache(maxsize=64)
def _batch_delete_gone(count: int) -> Delete:
    """The ``DELETE`` of ``count`` identifier rows of a candidate (parameters
    ``i_candidate_id``, ``i_gone<n>_kind``, ``i_gone<n>_value``): a batched write cannot take an
    expanding ``IN`` list (``db.batch``), so there is one statement per count."""
    return delete(CandidateIdentifier).where(
        CandidateIdentifier.candidate_id == bindparam("i_candidate_id"),
        or_(
            *(
                and_(
                    CandidateIdentifier.kind == bindparam(f"i_gone{number}_kind"),
                    CandidateIdentifier.value == bindparam(f"i_gone{number}_value"),
                )
                for number in range(count)
            )
        ),
    )


@lru_cache(maxsize=64)
def _batch_insert(count: int) -> Insert:
    """The ``INSERT`` of ``count`` new identifier rows in one multi-row ``VALUES`` (parameters
    ``i<n>_<column>`` for the n-th row): one statement per count, as for the ``DELETE``. On
    SQLite every statement of a PATCH's batch is a hand-over of the GIL while the write lock
    is held, so one statement for all new rows shortens the lock (bench/README.md, eighth
    round)."""
    return insert(CandidateIdentifier).values(
        [
            bound(f"i{number}_", CandidateIdentifier.__table__, _ROW_COLUMNS)
            for number in range(count)
        ]
    )


_ROW_COLUMNS = ("id", "workspace_id", "candidate_id", "kind", "value")


@event.listens_for(Candidate, "after_insert")
def _record_new_candidate(
    _mapper: Mapper[Candidate], connection: Connection, target: Candidate
) -> None:
    _insert(connection, target, [(item.kind, item.value) for item in identifiers_of(target)])


def _before_update(target: Candidate) -> list[tuple[str, str]] | None:
    """The identifiers the candidate held before this flush, from the ORM's attribute history
    (the loaded values it replaces); None when one of them was not loaded."""
    state = inspect_state(target)
    lists: list[list[dict[str, Any]]] = []
    for name in IDENTIFYING_FIELDS:
        history = state.attrs[name].history
        before = history.deleted or history.unchanged
        if not before:
            return None
        lists.append(before[0] or [])
    return [(item.kind, item.value) for item in of_lists(*lists)]


@event.listens_for(Candidate, "after_update")
def _follow_changed_candidate(
    _mapper: Mapper[Candidate], connection: Connection, target: Candidate
) -> None:
    state = inspect_state(target)
    if not any(state.attrs[name].history.has_changes() for name in IDENTIFYING_FIELDS):
        return  # e.g. ``touch`` moving modifiedAt, a new name: no identifier changed
    wanted = [(item.kind, item.value) for item in identifiers_of(target)]
    stored = _before_update(target)
    if stored is None:
        stored = [
            (row.kind, row.value)
            for row in connection.execute(
                select(CandidateIdentifier.kind, CandidateIdentifier.value).where(
                    CandidateIdentifier.candidate_id == target.id
                )
            )
        ]
    gone, new = _delta(wanted, stored)
    if gone:
        connection.execute(_DELETE_GONE, {"candidate_id": target.id, "gone": gone})
    _insert(connection, target, new)
