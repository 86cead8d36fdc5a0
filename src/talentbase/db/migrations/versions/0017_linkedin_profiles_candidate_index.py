"""LinkedIn profiles are found by ``(workspace_id, candidate_id)``, not by workspace alone.

Without table statistics SQLite chose the workspace-only index for a list page's
``workspace_id = ? AND candidate_id IN (…)``, a scan of every profile in the workspace
(bench/results/explain-sqlite-1M.txt); the composite index serves that condition on both
databases and still serves ``workspace_id = ?``.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 14:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Replace the workspace-only index with the ``(workspace_id, candidate_id)`` one."""
    op.create_index(
        "ix_linkedin_profiles_candidate", "linkedin_profiles", ["workspace_id", "candidate_id"]
    )
    op.drop_index("ix_linkedin_profiles_workspace_id", table_name="linkedin_profiles")


def downgrade() -> None:
    """Back to the workspace-only index."""
    op.create_index("ix_linkedin_profiles_workspace_id", "linkedin_profiles", ["workspace_id"])
    op.drop_index("ix_linkedin_profiles_candidate", table_name="linkedin_profiles")
