"""Declarative base with a constraint naming convention, and the id helper."""

from __future__ import annotations

import uuid

import uuid_utils
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table; constraint names are stable across SQLite and PostgreSQL."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def is_id(value: str) -> bool:
    """Whether ``value`` has the shape of an id talentbase makes (a canonical UUID). A lookup
    of anything else can answer "not found" without asking the database (which, for some
    strings, such as ones holding NUL, would fail instead)."""
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def new_id() -> str:
    """A new primary key: a UUID version 7 (RFC 9562: 48 bits of Unix milliseconds, then
    random bits) in its canonical 36-character text form.

    Time-ordered keys are added at the right-hand end of a primary-key index instead of on a
    random page of it, so a PATCH's history, outbox and identifier rows dirty fewer pages.
    ``uuid_utils`` draws its random bits in-process; ``uuid.uuid4`` asks the kernel for each
    id, which took 15 microseconds an id under load (bench/README.md, seventh round). The
    time in an id tells no more than the record's ``createdAt``."""
    return str(uuid_utils.uuid7())
