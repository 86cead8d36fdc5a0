"""Schema changes for clients and client contacts: a client's LinkedIn URL and status, the
client contact stages, a contact's stage as a reference to one, one contact per candidate and
client.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("linkedin_url", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("status", sa.String(length=32), nullable=True))

    op.create_table(
        "client_contact_stages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("color_hex", sa.String(length=9), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_client_contact_stages_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_contact_stages")),
        sa.UniqueConstraint(
            "workspace_id", "name", name=op.f("uq_client_contact_stages_workspace_id")
        ),
    )

    # the stage was a JSON copy; it becomes a reference to a stage row (no stored contact has
    # one yet: contacts had no API before this revision)
    with op.batch_alter_table("client_contacts", schema=None) as batch_op:
        batch_op.drop_column("stage")
        batch_op.add_column(sa.Column("stage_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_client_contacts_stage_id_client_contact_stages"),
            "client_contact_stages",
            ["stage_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_client_contacts_workspace_id"),
            ["workspace_id", "company_id", "candidate_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("client_contacts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_client_contacts_workspace_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_client_contacts_stage_id_client_contact_stages"), type_="foreignkey"
        )
        batch_op.drop_column("stage_id")
        batch_op.add_column(sa.Column("stage", sa.JSON(), nullable=True))

    op.drop_table("client_contact_stages")

    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_column("status")
        batch_op.drop_column("linkedin_url")
