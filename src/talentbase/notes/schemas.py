"""Bodies and answers of the note routes (Spott ``POST /notes``, ``GET /notes``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, WithJsonSchema

from talentbase.api.pagination import PageInfoOut
from talentbase.api.schemas import OneOf, Output, StrictInput
from talentbase.candidates.schemas import RefId
from talentbase.tasks.references import CANDIDATE, CLIENT, CLIENT_CONTACT
from talentbase.tasks.schemas import MAX_LINKS, LabelOut, TaskUserOut, text_rule

# Spott's note sources, exactly (case-sensitive)
NOTE_SOURCES = (
    "phone",
    "phoneInbound",
    "phoneOutbound",
    "inPerson",
    "onlineMeeting",
    "callAttempted",
)
# The sources that are an interaction with the person: a call attempt reached no one, so it
# does not move a candidate's lastInteractionDate.
INTERACTION_SOURCES = ("phone", "phoneInbound", "phoneOutbound", "inPerson", "onlineMeeting")
NOTE_ENTITY_TYPES = (CANDIDATE, CLIENT, CLIENT_CONTACT)
NOTE_CONTENT_MAX = 100_000
NOTE_TITLE_MAX = 500

NoteSource = Annotated[str, OneOf(NOTE_SOURCES, "note source")]
NoteContent = Annotated[
    str,
    AfterValidator(text_rule(NOTE_CONTENT_MAX, multiline=True)),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": NOTE_CONTENT_MAX}),
]
NoteTitle = Annotated[
    str,
    AfterValidator(text_rule(NOTE_TITLE_MAX, multiline=False)),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": NOTE_TITLE_MAX}),
]


class NoteLinkIn(StrictInput):
    """A ``links[]`` item: a record the note is about."""

    entity_type: Annotated[str, OneOf(NOTE_ENTITY_TYPES, "entity type")]
    entity_id: RefId


class NoteCreate(StrictInput):
    """Body of ``POST /notes``. ``source`` says what kind of interaction the note records
    (none: a plain note)."""

    title: NoteTitle | None = None
    content: NoteContent
    source: NoteSource | None = None
    links: Annotated[list[NoteLinkIn], Field(max_length=MAX_LINKS)] = Field(default_factory=list)


# ---- answers, for the OpenAPI document ----


class NoteCandidateOut(Output):
    id: str
    first_name: str
    last_name: str
    middle_name: str | None
    second_last_name: str | None
    avatar_url: str | None


class NoteClientOut(Output):
    id: str
    name: str
    logo_url: str | None


class NoteClientContactOut(NoteCandidateOut):
    candidate_id: str
    company_id: str
    company_name: str
    company_logo_url: str | None


class NoteLinkOut(Output):
    """A link: ``entityType`` and the record under the key of its kind (``candidate``,
    ``client`` or ``clientContact``), the link's ``id`` and its ``noteId``."""

    entity_type: Literal["candidate", "client", "clientContact"]
    candidate: NoteCandidateOut | None = None
    client: NoteClientOut | None = None
    client_contact: NoteClientContactOut | None = None
    id: str
    note_id: str


class NoteOut(Output):
    """A note (Spott's note object). This server records no meetings, calls, recordings,
    editors or labels, and notes cannot be edited or pinned yet."""

    id: str
    type: Literal["manual"]
    source: NoteSource | None
    title: str | None
    content: str
    created_at: datetime
    last_edited_at: datetime | None
    created_by: TaskUserOut | None
    editors: list[dict[str, Any]]
    meeting: dict[str, Any] | None
    call: dict[str, Any] | None
    audio_recording: dict[str, Any] | None
    pinned: bool
    labels: list[LabelOut]
    links: list[NoteLinkOut]


class NoteList(Output):
    """A cursor page of notes: ``{items, pageInfo}``."""

    items: list[NoteOut]
    page_info: PageInfoOut
