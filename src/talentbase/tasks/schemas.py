"""Bodies and answers of the task routes (Spott ``POST /tasks/_raw``, ``GET /tasks``).

Also the text rule shared with notes: free text keeps what was sent (line breaks and tabs too)
but must not be blank and must not hold other control characters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from talentbase.api.errors import INVALID_STRING, TOO_BIG, TOO_SMALL
from talentbase.api.pagination import PageInfoOut
from talentbase.api.schemas import OneOf, Output, StrictInput, absent
from talentbase.candidates.schemas import RefId, UtcDateTime
from talentbase.tasks.references import CANDIDATE, CLIENT, CLIENT_CONTACT, USER

TASK_ENTITY_TYPES = (CANDIDATE, CLIENT, USER, CLIENT_CONTACT)
TASK_CONTENT_MAX = 10_000
MAX_LINKS = 100
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def text_rule(limit: int, *, multiline: bool) -> Callable[[str], str]:
    """A validator of free text: at least one non-blank character, at most ``limit``
    characters, no control characters (tab and line breaks allowed when ``multiline``)."""

    def check(value: str) -> str:
        if not value.strip():
            raise PydanticCustomError(TOO_SMALL, "Must contain at least 1 non-blank character")
        if len(value) > limit:
            raise PydanticCustomError(TOO_BIG, f"Must contain at most {limit} characters")
        for char in value:
            if unicodedata.category(char) == "Cc" and not (multiline and char in _ALLOWED_CONTROLS):
                raise PydanticCustomError(
                    INVALID_STRING, f"Must not contain the control character U+{ord(char):04X}"
                )
        return value

    return check


TaskContent = Annotated[
    str,
    AfterValidator(text_rule(TASK_CONTENT_MAX, multiline=True)),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": TASK_CONTENT_MAX}),
]
TaskEntityType = Annotated[str, OneOf(TASK_ENTITY_TYPES, "entity type")]


class TaskLinkIn(StrictInput):
    """A ``links[]`` item: the record the task is about. ``taskLinkId``, when sent, must be the
    id of this task's existing link to the same record (so a new task takes none)."""

    task_link_id: RefId | None = None
    entity_type: TaskEntityType
    entity_id: RefId


TaskLinks = Annotated[list[TaskLinkIn], Field(max_length=MAX_LINKS)]


class TaskCreate(StrictInput):
    """Body of ``POST /tasks/_raw``."""

    content: TaskContent
    due_date: UtcDateTime | None = None
    assigned_to_user_id: RefId | None = None
    links: TaskLinks = Field(default_factory=list)


class TaskPatch(StrictInput):
    """Body of ``PATCH /tasks/{id}``; an absent key leaves the value unchanged.
    ``isCompleted`` true completes the task (``completedAt`` now), false reopens it;
    ``assignedToUserId`` null unassigns, ``dueDate`` null clears; ``links`` replaces the
    task's links."""

    content: TaskContent = absent()
    due_date: UtcDateTime | None = None
    assigned_to_user_id: RefId | None = None
    is_completed: bool = absent()
    links: TaskLinks = absent()


# ---- answers, for the OpenAPI document ----


class TaskUserOut(Output):
    """A user as a task shows it."""

    id: str
    name: str
    avatar_url: str | None
    deactivated_at: datetime | None


class TaskMetadataOut(Output):
    type: Literal["GENERIC_TASK"]


class LinkedCandidateOut(Output):
    task_link_id: str
    is_mention: bool
    id: str
    first_name: str
    last_name: str
    middle_name: str | None
    second_last_name: str | None
    avatar_url: str | None


class LinkedClientOut(Output):
    task_link_id: str
    is_mention: bool
    id: str
    name: str
    logo_url: str | None


class LinkedUserOut(Output):
    task_link_id: str
    is_mention: bool
    id: str
    name: str
    avatar_url: str | None
    deactivated_at: datetime | None


class LinkedClientContactOut(LinkedCandidateOut):
    candidate_id: str
    company_id: str
    company_name: str
    company_logo_url: str | None


class TaskLinksOut(Output):
    """The records a task is linked to, per kind. Vacancies, teams and opportunities are not
    kept by this server: those lists are always empty."""

    candidates: list[LinkedCandidateOut]
    vacancies: list[dict[str, Any]]
    clients: list[LinkedClientOut]
    users: list[LinkedUserOut]
    teams: list[dict[str, Any]]
    client_contacts: list[LinkedClientContactOut]
    opportunities: list[dict[str, Any]]


class LabelOut(Output):
    """A label (Spott); this server keeps none, so ``labels`` is always empty."""

    id: str
    name: str
    color_hex: str


class TaskOut(Output):
    """A task (Spott's task object)."""

    id: str
    content: str
    due_date: datetime | None
    is_completed: bool
    completed_at: datetime | None
    created_at: datetime
    created_by: TaskUserOut | None
    assigned_to: TaskUserOut | None
    source: Literal["MANUAL"]
    metadata: TaskMetadataOut
    labels: list[LabelOut]
    links: TaskLinksOut


class TaskList(Output):
    """A cursor page of tasks: ``{items, pageInfo}``."""

    items: list[TaskOut]
    page_info: PageInfoOut
