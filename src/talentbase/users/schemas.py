"""Bodies and answers of the user routes."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from talentbase.api.schemas import Output, StrictInput, absent
from talentbase.candidates.schemas import EmailAddress, HttpUrl, UserOut


def _display_name(value: str) -> str:
    return unicodedata.normalize("NFC", value)


DisplayName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_display_name),
]


class UserCreate(StrictInput):
    """Body of ``POST /users``: a recruiter of the workspace."""

    name: DisplayName
    email: EmailAddress
    avatar_url: HttpUrl | None = None


class UserPatch(StrictInput):
    """Body of ``PATCH /users/{id}``; ``deactivated`` true sets ``deactivatedAt`` to now, false
    clears it."""

    name: DisplayName = absent()
    email: EmailAddress = absent()
    avatar_url: HttpUrl | None = None
    deactivated: bool = absent()


class UserList(Output):
    """``{"users": [...]}`` (Spott ``GET /users/_list``)."""

    users: list[UserOut]
