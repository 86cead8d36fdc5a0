"""A candidate's changes in the API's terms: the camelCase field names of the PATCH body, values
as the API shows them, and the view sections a related record feeds.

``changes`` of a history entry is ``{field: {"before": …, "after": …}}``; a change of a related
record adds ``{record: {"id": …, "action": …}}`` (``record`` one of ``RELATED_SECTIONS``;
``ids`` for several records; custom attribute values as ``customAttributes: {before, after}``,
each a map by definition id of the values that changed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import inspect

from talentbase.candidates.models import Candidate
from talentbase.views import iso, iso_date

# candidate column -> the field's name in the API (the PATCH / POST body's camelCase key)
API_NAMES: dict[str, str] = {
    "first_name": "firstName",
    "middle_name": "middleName",
    "last_name": "lastName",
    "second_last_name": "secondLastName",
    "avatar_url": "avatarUrl",
    "gender": "gender",
    "nationality": "nationality",
    "status": "status",
    "emails": "emails",
    "phone_numbers": "phoneNumbers",
    "locations": "locations",
    "date_of_birth": "dateOfBirth",
    "social_media": "socialMedia",
    "last_interaction_at": "lastInteractionAt",
    "last_interaction_with_id": "lastInteractionWithId",
    "main_contact_user_id": "mainContact",
    "languages": "languages",
    "compensation": "compensation",
    "acquisition_source": "acquisitionSource",
    "visible_if_client_contact": "visibleIfClientContact",
    "ai_summary": "aiSummary",
    "last_agent_chat_id": "lastAgentChatId",
}

# a related record (the key of a ``touch`` description) -> the view sections it feeds, which
# are the ``changedFields`` of its ``candidate.updated`` event
RELATED_SECTIONS: dict[str, tuple[str, ...]] = {
    "placement": ("currentPlacements",),
    "task": ("nextTaskDue", "nextInteractionDate", "nextInteractionWith"),
    "note": ("lastInteractionDate", "lastInteractionWith", "lastActivityDate"),
    "workExperiences": ("workExperiences", "latestWorkExperience"),
    "education": ("education",),
    "clientContact": ("clientContacts", "hasClientContacts", "hasActiveClientContacts"),
    "customAttributes": ("customAttributes",),
    "attachment": ("cvAttachmentId",),
    "linkedInProfile": ("linkedInProfile", "lastLinkedinDiffAt"),
    "user": ("mainContact", "lastInteractionWith", "nextInteractionWith"),
    "client": ("currentPlacements", "latestWorkExperience", "clientContacts"),
}


def api_value(column: str, value: Any) -> Any:
    """A stored column value as the API writes it: date-times and dates in the view's format,
    the main contact as the body's ``{userId}``, phone items without their internal E.164."""
    if value is None:
        return None
    if column == "date_of_birth":
        return iso_date(value)
    if column == "last_interaction_at":
        return iso(value)
    if column == "main_contact_user_id":
        return {"userId": value}
    if column == "phone_numbers":
        return [{key: item[key] for key in item if key != "e164"} for item in value]
    return value


def pending_changes(candidate: Candidate) -> dict[str, dict[str, Any]]:
    """``{field: {before, after}}`` of the candidate's columns set since it was loaded and not
    yet flushed (read from the session's attribute history: no query). Call it before the
    flush that stores them."""
    state = inspect(candidate)
    changes: dict[str, dict[str, Any]] = {}
    for column, name in API_NAMES.items():
        history = state.attrs[column].history
        if not history.added:
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0]
        if before != after:
            changes[name] = {"before": api_value(column, before), "after": api_value(column, after)}
    return changes


def changes_of(candidate: Candidate, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{field: {before, after}}`` of a loaded candidate's columns that ``values`` (column ->
    new value, not yet set on it) would change; the columns that carry no field
    (``version``, ``modified_at``) are left out. No query."""
    changes: dict[str, dict[str, Any]] = {}
    for column, name in API_NAMES.items():
        if column not in values:
            continue
        before, after = getattr(candidate, column), values[column]
        if before != after:
            changes[name] = {"before": api_value(column, before), "after": api_value(column, after)}
    return changes


def initial_values(candidate: Candidate) -> dict[str, dict[str, Any]]:
    """``{field: {before: null, after}}`` of every field a new candidate has set (not null, not
    an empty list)."""
    changes: dict[str, dict[str, Any]] = {}
    for column, name in API_NAMES.items():
        value = getattr(candidate, column)
        if value is not None and value != []:
            changes[name] = {"before": None, "after": api_value(column, value)}
    return changes


def changed_fields(changes: Mapping[str, Any]) -> list[str]:
    """The ``changedFields`` of a ``candidate.updated`` event: the fields of ``changes``, and
    for each related record named there the view sections it feeds; in a stable order."""
    fields: list[str] = []
    for key in changes:
        for field in RELATED_SECTIONS.get(key, (key,)):
            if field not in fields:
                fields.append(field)
    return fields
