"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from talentbase.db import migrate
from talentbase.db.models import metadata
from talentbase.db.urls import sync_url
from talentbase.search.models import include_name


def test_migrated_database_matches_the_models(database_url: str) -> None:
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": include_name}
            )
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    migrate.upgrade(url)
    command.downgrade(migrate.alembic_config(url), "base")
    engine = create_engine(sync_url(url))
    try:
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        migrate.upgrade(url)
        engine.dispose()
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _value(column: Any, parents: dict[tuple[str, str], Any], index: int) -> Any:
    """A value a NOT NULL column of the initial schema accepts."""
    for key in column.foreign_keys:
        return parents[(key.column.table.name, key.column.name)]
    if column.name == "id":
        return str(uuid.uuid4())
    kind = column.type
    if isinstance(kind, sa.JSON):
        return []
    if isinstance(kind, sa.DateTime):
        return datetime(2024, 1, 1)
    if isinstance(kind, sa.Date):
        return date(2024, 1, 1)
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return index
    return f"value-{index}-{uuid.uuid4().hex[:8]}"


def test_upgrading_from_the_first_release_keeps_every_row(tmp_path: Path) -> None:
    """Rows of every table of the initial schema (referencing each other) survive the upgrade to
    head and back: on SQLite a rebuilt table must not cascade-delete its referencing rows."""
    url = f"sqlite:///{tmp_path / 'upgrade.db'}"
    migrate.upgrade(url, "0001")
    engine = create_engine(sync_url(url))
    try:
        initial = sa.MetaData()
        initial.reflect(engine)
        parents: dict[tuple[str, str], Any] = {}
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            for index, table in enumerate(initial.sorted_tables):
                if table.name == "alembic_version":
                    continue
                row = {
                    column.name: _value(column, parents, index)
                    for column in table.columns
                    if not column.nullable or column.foreign_keys
                }
                connection.execute(table.insert().values(row))
                for column in table.columns:
                    if column.name in row:
                        parents[(table.name, column.name)] = row[column.name]
        tables = [table.name for table in initial.sorted_tables if table.name != "alembic_version"]

        def counts() -> dict[str, int]:
            with engine.connect() as connection:
                return {
                    name: connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
                    for name in tables
                }

        assert set(counts().values()) == {1}
        migrate.upgrade(url)
        assert counts() == dict.fromkeys(tables, 1)
        command.downgrade(migrate.alembic_config(url), "0001")
        assert counts() == dict.fromkeys(tables, 1)
    finally:
        engine.dispose()
