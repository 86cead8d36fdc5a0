"""The webhook worker finds the events waiting for their fan-out in a partial index.

``ix_outbox_events_fan_out`` on ``(fanned_out_at, created_at, id)`` kept an entry for every
version of every event. Each fan-out sets ``fanned_out_at``, so until a vacuum the
``fanned_out_at IS NULL`` range held the old version of every event fanned out since the
last one: under a stream of PATCHes PostgreSQL read 100 000 index entries and 10 000 heap
pages (about 100 ms) for each of the worker's rounds, a quarter of a core
(bench/README.md, fifth round). ``ix_outbox_events_pending`` on ``(created_at, id) WHERE
fanned_out_at IS NULL`` holds only the events that waited; the worker's ordered scan walks
it in order and stops after its batch, and a fan-out adds no entry to it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PENDING = sa.text("fanned_out_at IS NULL")


def upgrade() -> None:
    """Replace the full fan-out index with the partial one of waiting events."""
    op.create_index(
        "ix_outbox_events_pending",
        "outbox_events",
        ["created_at", "id"],
        postgresql_where=_PENDING,
        sqlite_where=_PENDING,
    )
    op.drop_index("ix_outbox_events_fan_out", table_name="outbox_events")


def downgrade() -> None:
    """Back to the full fan-out index."""
    op.create_index(
        "ix_outbox_events_fan_out", "outbox_events", ["fanned_out_at", "created_at", "id"]
    )
    op.drop_index("ix_outbox_events_pending", table_name="outbox_events")
