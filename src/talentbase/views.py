"""Wire formats shared by every view: date-times and the user object (API.md §1, §2.3)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from talentbase.users.models import User


def iso(value: datetime | None) -> str | None:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC, or None (API.md §1)."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:"
        f"{value.minute:02d}:{value.second:02d}.{value.microsecond // 1000:03d}Z"
    )


def iso_date(value: date | None) -> str | None:
    """A calendar date as ``YYYY-MM-DDT00:00:00.000Z`` (API.md §1, ``dateOfBirth``)."""
    if value is None:
        return None
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}T00:00:00.000Z"


def user_json(user: User) -> dict[str, Any]:
    """A user as ``{userId, name, email, avatarUrl, deactivatedAt}`` (API.md §2.3)."""
    return {
        "userId": user.id,
        "name": user.name,
        "email": user.email,
        "avatarUrl": user.avatar_url,
        "deactivatedAt": iso(user.deactivated_at),
    }
