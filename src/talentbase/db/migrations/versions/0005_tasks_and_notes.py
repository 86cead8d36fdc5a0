"""Schema changes for tasks and notes.

Tasks gain the acting user who created them, the indexes of their list routes, and link ids
(Spott's ``taskLinkId``) with the order links were sent in; notes and note links are new.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 11:30:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # the foreign key inline: Alembic would add it apart by rebuilding `tasks`, and dropping
        # the old table (foreign keys on) would cascade to delete every task link
        op.execute(
            "ALTER TABLE tasks ADD COLUMN created_by_user_id VARCHAR(36) "
            "CONSTRAINT fk_tasks_created_by_user_id_users REFERENCES users (id)"
        )
    else:
        op.add_column("tasks", sa.Column("created_by_user_id", sa.String(length=36)))
        op.create_foreign_key(
            op.f("fk_tasks_created_by_user_id_users"),
            "tasks",
            "users",
            ["created_by_user_id"],
            ["id"],
        )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_workspace_modified", ["workspace_id", "modified_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_tasks_workspace_assignee", ["workspace_id", "assigned_to_user_id"], unique=False
        )

    # links that exist already get an id of their own before the column becomes required
    with op.batch_alter_table("task_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=True))
    links = sa.table(
        "task_links",
        sa.column("task_id", sa.String()),
        sa.column("entity_type", sa.String()),
        sa.column("entity_id", sa.String()),
        sa.column("id", sa.String()),
        sa.column("position", sa.Integer()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(links.c.task_id, links.c.entity_type, links.c.entity_id))
    for task_id, entity_type, entity_id in rows.all():
        connection.execute(
            links.update()
            .where(
                links.c.task_id == task_id,
                links.c.entity_type == entity_type,
                links.c.entity_id == entity_id,
            )
            .values(id=str(uuid.uuid4()), position=0)
        )
    with op.batch_alter_table("task_links", schema=None) as batch_op:
        batch_op.alter_column("id", existing_type=sa.String(length=36), nullable=False)
        batch_op.alter_column("position", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_task_links_id"), ["id"])

    op.create_table(
        "notes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=True),
        sa.Column("created_by_user_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_notes_created_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_notes_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notes_workspace_modified", ["workspace_id", "modified_at", "id"], unique=False
        )

    op.create_table(
        "note_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("note_id", sa.String(length=36), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"], ["notes.id"], name=op.f("fk_note_links_note_id_notes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_note_links_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_links")),
        sa.UniqueConstraint(
            "note_id", "entity_type", "entity_id", name=op.f("uq_note_links_note_id")
        ),
    )
    with op.batch_alter_table("note_links", schema=None) as batch_op:
        batch_op.create_index(
            "ix_note_links_entity", ["workspace_id", "entity_type", "entity_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("note_links", schema=None) as batch_op:
        batch_op.drop_index("ix_note_links_entity")
    op.drop_table("note_links")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index("ix_notes_workspace_modified")
    op.drop_table("notes")

    with op.batch_alter_table("task_links", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_task_links_id"), type_="unique")
        batch_op.drop_column("position")
        batch_op.drop_column("id")

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_workspace_assignee")
        batch_op.drop_index("ix_tasks_workspace_modified")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_tasks_created_by_user_id_users"), "tasks", type_="foreignkey")
        op.drop_column("tasks", "created_by_user_id")
        return
    # SQLite drops a column with a foreign key only by rebuilding the table (the rebuild leaves
    # the key out with its column), and dropping the old `tasks` (foreign keys on) deletes its
    # task links: keep them aside meanwhile
    op.execute("CREATE TEMPORARY TABLE task_links_kept AS SELECT * FROM task_links")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("created_by_user_id")
    op.execute("DELETE FROM task_links")
    op.execute("INSERT INTO task_links SELECT * FROM task_links_kept")
    op.execute("DROP TABLE task_links_kept")
