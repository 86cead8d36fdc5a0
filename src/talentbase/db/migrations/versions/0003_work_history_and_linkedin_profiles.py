"""Schema changes for work history and LinkedIn profiles: an education record holds a list of
degrees (``degrees``, JSON) instead of one (``degree``), as Spott's education answer does.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_education = sa.table(
    "education",
    sa.column("id", sa.String(length=36)),
    sa.column("degree", sa.String(length=64)),
    sa.column("degrees", sa.JSON()),
)


def upgrade() -> None:
    with op.batch_alter_table("education", schema=None) as batch_op:
        batch_op.add_column(sa.Column("degrees", sa.JSON(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(_education.c.id, _education.c.degree)).all()
    if rows:
        connection.execute(
            _education.update()
            .where(_education.c.id == sa.bindparam("row_id"))
            .values(degrees=sa.bindparam("new_degrees")),
            [
                {"row_id": row_id, "new_degrees": [degree] if degree else []}
                for row_id, degree in rows
            ],
        )
    with op.batch_alter_table("education", schema=None) as batch_op:
        batch_op.alter_column("degrees", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("degree")


def downgrade() -> None:
    # one degree per record: a record with several keeps only its first
    with op.batch_alter_table("education", schema=None) as batch_op:
        batch_op.add_column(sa.Column("degree", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(_education.c.id, _education.c.degrees)).all()
    if rows:
        connection.execute(
            _education.update()
            .where(_education.c.id == sa.bindparam("row_id"))
            .values(degree=sa.bindparam("old_degree")),
            [
                {"row_id": row_id, "old_degree": degrees[0] if degrees else None}
                for row_id, degrees in rows
            ],
        )
    with op.batch_alter_table("education", schema=None) as batch_op:
        batch_op.drop_column("degrees")
