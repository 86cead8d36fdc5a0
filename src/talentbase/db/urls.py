"""Database URL handling: one user-facing URL, the right driver for async and sync use."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url


class UnsupportedDatabaseError(ValueError):
    """Raised for a database URL whose backend talentbase does not support."""


def _backend(url: URL) -> str:
    name = url.get_backend_name()
    if name in ("sqlite",):
        return "sqlite"
    if name in ("postgresql", "postgres"):
        return "postgresql"
    raise UnsupportedDatabaseError(
        f"unsupported database URL scheme {url.drivername!r}; use sqlite:/// or postgresql://"
    )


def async_url(raw: str) -> URL:
    """The URL with the async driver talentbase uses: aiosqlite or psycopg 3."""
    url = make_url(raw)
    if _backend(url) == "sqlite":
        return url.set(drivername="sqlite+aiosqlite")
    return url.set(drivername="postgresql+psycopg")


def sync_url(raw: str) -> URL:
    """The URL with a blocking driver, for migrations and the CLI: sqlite3 or psycopg 3."""
    url = make_url(raw)
    if _backend(url) == "sqlite":
        return url.set(drivername="sqlite")
    return url.set(drivername="postgresql+psycopg")


def is_sqlite(raw: str) -> bool:
    """Whether the URL names an SQLite database."""
    return _backend(make_url(raw)) == "sqlite"


def sqlite_path(raw: str) -> Path | None:
    """The database file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    if not is_sqlite(raw):
        return None
    database = make_url(raw).database
    return Path(database) if database and database != ":memory:" else None
