"""Search indexes: the ``candidate_search`` table (folded names, emails, phone numbers of each
candidate, filled here for the candidates already stored), its substring index (pg_trgm GIN on
PostgreSQL, an FTS5 trigram table with its triggers on SQLite) and the candidates' creation-date
index. See ``talentbase.search.models``.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from talentbase.search.models import row_for

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000

# external content: the FTS table stores only its index and reads text from candidate_search
# (the names are search.models.FTS_TABLE and TRIGRAM_INDEX, written out as this file is DDL)
_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE candidate_search_fts USING fts5(search_text, "
    "content='candidate_search', content_rowid='doc_id', tokenize='trigram')"
)
_SQLITE_TRIGGERS = {
    "candidate_search_fts_insert": (
        "AFTER INSERT ON candidate_search BEGIN "
        "INSERT INTO candidate_search_fts(rowid, search_text) "
        "VALUES (new.doc_id, new.search_text); END"
    ),
    "candidate_search_fts_delete": (
        "AFTER DELETE ON candidate_search BEGIN "
        "INSERT INTO candidate_search_fts(candidate_search_fts, rowid, search_text) "
        "VALUES ('delete', old.doc_id, old.search_text); END"
    ),
    "candidate_search_fts_update": (
        "AFTER UPDATE OF search_text ON candidate_search BEGIN "
        "INSERT INTO candidate_search_fts(candidate_search_fts, rowid, search_text) "
        "VALUES ('delete', old.doc_id, old.search_text); "
        "INSERT INTO candidate_search_fts(rowid, search_text) "
        "VALUES (new.doc_id, new.search_text); END"
    ),
}


def _fill_existing_candidates() -> None:
    """One ``candidate_search`` row per stored candidate, in batches (on SQLite the insert
    trigger indexes each in FTS5)."""
    candidates = sa.table(
        "candidates",
        sa.column("id", sa.String()),
        sa.column("workspace_id", sa.String()),
        sa.column("first_name", sa.String()),
        sa.column("middle_name", sa.String()),
        sa.column("last_name", sa.String()),
        sa.column("second_last_name", sa.String()),
        sa.column("emails", sa.JSON()),
        sa.column("phone_numbers", sa.JSON()),
    )
    search = sa.table(
        "candidate_search",
        *(
            sa.column(name, sa.String())
            for name in (
                "candidate_id",
                "workspace_id",
                "first_name",
                "last_name",
                "emails",
                "phones",
                "search_text",
            )
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
        connection.execute(search.insert(), [row_for(dict(row._mapping)) for row in rows])
        after = rows[-1].id


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "candidate_search",
        sa.Column(
            "doc_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("candidate_id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("first_name", sa.Text(), nullable=False),
        sa.Column("last_name", sa.Text(), nullable=False),
        sa.Column("emails", sa.Text(), nullable=False),
        sa.Column("phones", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_candidate_search_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_candidate_search_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("doc_id", name=op.f("pk_candidate_search")),
        sa.UniqueConstraint("candidate_id", name=op.f("uq_candidate_search_candidate_id")),
    )
    op.create_index(
        "ix_candidate_search_workspace",
        "candidate_search",
        ["workspace_id", "candidate_id"],
        unique=False,
    )
    op.create_index(
        "ix_candidates_workspace_created",
        "candidates",
        ["workspace_id", "created_at", "id"],
        unique=False,
    )
    if dialect == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_candidate_search_text_trgm ON candidate_search "
            "USING gin (search_text gin_trgm_ops)"
        )
    elif dialect == "sqlite":
        op.execute(_SQLITE_FTS)
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    _fill_existing_candidates()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS candidate_search_fts")
    elif dialect == "postgresql":
        # pg_trgm stays: other objects of the database may use it
        op.execute("DROP INDEX IF EXISTS ix_candidate_search_text_trgm")
    op.drop_index("ix_candidates_workspace_created", table_name="candidates")
    op.drop_index("ix_candidate_search_workspace", table_name="candidate_search")
    op.drop_table("candidate_search")
