"""Alembic environment: runs migrations with a blocking driver (sqlite3 or psycopg 3)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, event

from talentbase.db.engine import apply_sqlite_pragmas
from talentbase.db.models import metadata
from talentbase.search.models import include_name

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""


def run_migrations() -> None:
    """Apply migrations in one transaction per run (SQLite batch mode for ALTERs)."""
    engine = create_engine(url)
    is_sqlite = engine.dialect.name == "sqlite"
    if is_sqlite:
        event.listen(engine, "connect", apply_sqlite_pragmas)
    with engine.connect() as connection:
        if is_sqlite:
            # a batch ALTER rebuilds the table (copy, drop, rename); with foreign keys on, the
            # drop would cascade-delete or refuse the rows referencing it. The pragma only
            # takes effect outside a transaction; the references are checked at the end.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=is_sqlite,
            compare_type=True,
            # the search index objects of one database only (FTS5, pg_trgm) are not models
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
            if is_sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken references: {broken[:5]}")
    engine.dispose()


run_migrations()
