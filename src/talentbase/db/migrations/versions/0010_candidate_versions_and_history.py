"""Candidate versions (the ETag's source) and the candidate history table.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # existing candidates start at version 1, as new ones do
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "candidate_history",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("candidate_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("api_key_name", sa.String(length=200), nullable=True),
        sa.Column("acting_user_id", sa.String(length=36), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=True),
        sa.Column("route", sa.String(length=200), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("changes", sa.JSON(none_as_null=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["acting_user_id"],
            ["users.id"],
            name=op.f("fk_candidate_history_acting_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_candidate_history_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_history")),
        sa.UniqueConstraint("candidate_id", "version", name="uq_candidate_history_version"),
    )
    with op.batch_alter_table("candidate_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_candidate_history_candidate_at", ["candidate_id", "at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_candidate_history_acting_user_id"), ["acting_user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("candidate_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_history_acting_user_id"))
        batch_op.drop_index("ix_candidate_history_candidate_at")
    op.drop_table("candidate_history")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("version")
