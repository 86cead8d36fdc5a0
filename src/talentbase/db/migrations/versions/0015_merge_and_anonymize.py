"""Merge: the tombstone of a candidate merged into another names the survivor.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # no foreign key: the tombstone outlives the survivor; indexed so that merging a
    # survivor into a third candidate re-points the tombstones of those merged into it
    with op.batch_alter_table("deleted_candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.String(length=36), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_deleted_candidates_merged_into_id"), ["merged_into_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deleted_candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deleted_candidates_merged_into_id"))
        batch_op.drop_column("merged_into_id")
