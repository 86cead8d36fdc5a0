"""Run Alembic migrations programmatically (``serve`` applies them on start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from talentbase.db.urls import sync_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at talentbase's migrations and ``database_url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "sqlalchemy.url", sync_url(database_url).render_as_string(hide_password=False)
    )
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` (blocking; call before the event loop starts)."""
    command.upgrade(alembic_config(database_url), revision)
