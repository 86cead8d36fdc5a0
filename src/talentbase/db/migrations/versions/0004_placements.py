"""Schema changes for placements: indexes for the page order of ``GET /placements`` and its
``companyId`` filter.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 11:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_placements_workspace_modified",
        "placements",
        ["workspace_id", "modified_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_placements_company", "placements", ["workspace_id", "company_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_placements_company", table_name="placements")
    op.drop_index("ix_placements_workspace_modified", table_name="placements")
