"""Contact identifiers: the ``candidate_identifiers`` table (each candidate's normalised emails,
phone numbers and social URLs, for duplicate detection; see ``talentbase.duplicates.models``),
filled here for the candidates already stored. The deleted feed reads the tombstones through
their existing ``(workspace_id, deleted_at, id)`` index: no change for it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from talentbase.duplicates.models import rows_for

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def _fill_existing_candidates() -> None:
    """The identifier rows of every stored candidate, in batches."""
    candidates = sa.table(
        "candidates",
        sa.column("id", sa.String()),
        sa.column("workspace_id", sa.String()),
        sa.column("emails", sa.JSON()),
        sa.column("phone_numbers", sa.JSON()),
        sa.column("social_media", sa.JSON()),
    )
    identifiers = sa.table(
        "candidate_identifiers",
        *(
            sa.column(name, sa.String())
            for name in ("id", "workspace_id", "candidate_id", "kind", "value")
        ),
    )
    connection = op.get_bind()
    after = ""
    while True:
        rows = connection.execute(
            sa.select(candidates)
            .where(candidates.c.id > after)
            .order_by(candidates.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        made = [item for row in rows for item in rows_for(dict(row._mapping))]
        if made:
            connection.execute(identifiers.insert(), made)
        after = rows[-1].id


def upgrade() -> None:
    op.create_table(
        "candidate_identifiers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("candidate_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_candidate_identifiers_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_candidate_identifiers_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_identifiers")),
        sa.UniqueConstraint(
            "candidate_id", "kind", "value", name=op.f("uq_candidate_identifiers_candidate_id")
        ),
    )
    op.create_index(
        "ix_candidate_identifiers_lookup",
        "candidate_identifiers",
        ["workspace_id", "kind", "value", "candidate_id"],
        unique=False,
    )
    _fill_existing_candidates()


def downgrade() -> None:
    op.drop_index("ix_candidate_identifiers_lookup", table_name="candidate_identifiers")
    op.drop_table("candidate_identifiers")
