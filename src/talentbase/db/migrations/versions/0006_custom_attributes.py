"""Schema changes for custom attributes: definitions get ``modified_at`` (Spott's definition
list shows it) and ``label_key``, the case-folded label, unique per workspace and entity type;
the entity index becomes the definition list's order.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 11:30:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_definitions = sa.table(
    "custom_attribute_definitions",
    sa.column("id", sa.String()),
    sa.column("label", sa.String()),
    sa.column("label_key", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("modified_at", sa.DateTime(timezone=True)),
)


def _label_key(label: str) -> str:
    # frozen copy of custom_attributes.models.label_key as of this revision
    return unicodedata.normalize("NFC", label.strip()).casefold()


def upgrade() -> None:
    with op.batch_alter_table("custom_attribute_definitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("label_key", sa.String(length=600), nullable=True))
        batch_op.add_column(sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True))

    bind = op.get_bind()
    for id_, label in bind.execute(sa.select(_definitions.c.id, _definitions.c.label)).all():
        bind.execute(
            _definitions.update()
            .where(_definitions.c.id == id_)
            .values(label_key=_label_key(label))
        )
    bind.execute(_definitions.update().values(modified_at=_definitions.c.created_at))

    with op.batch_alter_table("custom_attribute_definitions", schema=None) as batch_op:
        batch_op.alter_column("label_key", existing_type=sa.String(length=600), nullable=False)
        batch_op.alter_column(
            "modified_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.drop_index("ix_custom_attribute_definitions_entity")
        batch_op.create_index(
            "ix_custom_attribute_definitions_listing",
            ["workspace_id", "entity_type", "created_at", "id"],
            unique=False,
        )
        batch_op.create_unique_constraint(
            op.f("uq_custom_attribute_definitions_workspace_id"),
            ["workspace_id", "entity_type", "label_key"],
        )


def downgrade() -> None:
    with op.batch_alter_table("custom_attribute_definitions", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("uq_custom_attribute_definitions_workspace_id"), type_="unique"
        )
        batch_op.drop_index("ix_custom_attribute_definitions_listing")
        batch_op.create_index(
            "ix_custom_attribute_definitions_entity", ["workspace_id", "entity_type"], unique=False
        )
        batch_op.drop_column("modified_at")
        batch_op.drop_column("label_key")
