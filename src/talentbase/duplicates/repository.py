"""SQL for duplicate detection. Every query filters by workspace (API.md §1)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.candidates.models import Candidate
from talentbase.duplicates.identifiers import Identifier
from talentbase.duplicates.models import CandidateIdentifier


@dataclass(frozen=True)
class Holder:
    """A stored identifier row of another candidate: its id, ``(kind, value)`` and candidate."""

    id: str
    kind: str
    value: str
    candidate_id: str


def _lock_key(workspace_id: str, kind: str, value: str) -> int:
    """A signed 64-bit key naming ``(workspace, kind, value)`` for PostgreSQL's advisory locks
    (a collision only makes two unrelated checks wait for each other)."""
    digest = hashlib.sha256(f"{workspace_id}\x1f{kind}\x1f{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def lock(session: AsyncSession, workspace_id: str, identifiers: Iterable[Identifier]) -> None:
    """Serialises duplicate checks on these identifiers until the transaction ends: on
    PostgreSQL a transaction-level advisory lock per identifier, taken in key order so two
    checks never deadlock; a check made after taking them sees every candidate committed by an
    earlier holder. SQLite needs none: its writers are serialised already (``db.engine``)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({_lock_key(workspace_id, item.kind, item.value) for item in identifiers})
    for key in keys:
        await session.execute(select(func.pg_advisory_xact_lock(key)))


async def holders(
    session: AsyncSession,
    workspace_id: str,
    identifiers: Sequence[Identifier],
    *,
    excluding: str,
    per_identifier: int,
) -> list[Holder]:
    """The rows of candidates of the workspace other than ``excluding`` that hold any of
    ``identifiers``: at most ``per_identifier`` per identifier (lowest candidate ids first),
    in one round trip. Each branch is one range of ``ix_candidate_identifiers_lookup`` that
    stops after ``per_identifier`` rows, so a check costs the same however many candidates the
    workspace has, even when thousands share one identifier."""
    branches: list[Select[tuple[str, str, str, str]]] = []
    for identifier in identifiers:
        branch = (
            select(
                CandidateIdentifier.id,
                CandidateIdentifier.kind,
                CandidateIdentifier.value,
                CandidateIdentifier.candidate_id,
            )
            .where(
                CandidateIdentifier.workspace_id == workspace_id,
                CandidateIdentifier.kind == identifier.kind,
                CandidateIdentifier.value == identifier.value,
                CandidateIdentifier.candidate_id != excluding,
            )
            .order_by(CandidateIdentifier.candidate_id)
            .limit(per_identifier)
            .subquery()
        )
        branches.append(select(branch.c.id, branch.c.kind, branch.c.value, branch.c.candidate_id))
    if not branches:
        return []
    if len(branches) == 1:
        rows = (await session.execute(branches[0])).all()
    else:
        rows = (await session.execute(union_all(*branches))).all()
    return [Holder(row.id, row.kind, row.value, row.candidate_id) for row in rows]


async def candidates_by_ids(
    session: AsyncSession, workspace_id: str, candidate_ids: Iterable[str]
) -> dict[str, Candidate]:
    """The workspace's candidates with these ids, by id (one query)."""
    wanted = sorted(set(candidate_ids))
    if not wanted:
        return {}
    rows = await session.scalars(
        select(Candidate).where(Candidate.workspace_id == workspace_id, Candidate.id.in_(wanted))
    )
    return {candidate.id: candidate for candidate in rows}
