"""Schema changes for attachments: ``assigned_at`` (which CV a candidate got last, for
``cvAttachmentId``) and an index for the page order of ``GET /attachments``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_attachments_workspace_created",
            ["workspace_id", "created_at", "id"],
            unique=False,
        )
    # files linked before this column existed were linked when they were uploaded
    op.execute("UPDATE attachments SET assigned_at = created_at WHERE candidate_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_attachments_workspace_created")
        batch_op.drop_column("assigned_at")
