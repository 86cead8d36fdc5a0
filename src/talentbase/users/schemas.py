"""Bodies and answers of the user routes."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

from talentbase.api.schemas import Output, StrictInput, absent
from talentbase.candidates import rules
from talentbase.candidates.schemas import EmailAddress, HttpUrl, UserOut

DisplayName = Annotated[
    str,
    AfterValidator(rules.display_name),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": rules.DISPLAY_NAME_MAX}),
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
