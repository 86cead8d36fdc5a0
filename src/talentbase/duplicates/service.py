"""Duplicate detection (issue 4 §5): the contact identifier route and the check of
``POST /candidates``.

Candidates are duplicates when they share an identifier (``duplicates.identifiers``: emails
ignoring case, phone numbers by E.164, social URLs in canonical form) within one workspace;
another workspace's candidates are never looked at. Both checks read the identifier table
(``duplicates.models``), one index range per identifier.

- ``POST /candidates/{id}/contact-identifiers`` adds the identifier to the candidate's list
  through the PATCH path (``candidates.service.update_candidate``: same checks, history,
  event, ``modifiedAt`` / ``version`` / ETag), and answers the other candidates holding it.
  An identifier the candidate already holds is not added twice: the stored item stays, taking
  the ``purpose`` sent (when the key is sent), ``isPrimary: true`` and, for a URL, the
  contact type sent; the answer is then 200 instead of 201.
- ``POST /candidates`` checks the new candidate's identifiers once it is stored in the
  request's transaction: with ``onDuplicate: reject`` a duplicate raises a 409 and the
  transaction rolls back, so nothing is created; concurrent rejecting creates are serialised
  per identifier (``repository.lock``), so of two with one email exactly one succeeds. With
  ``allow`` the duplicates are returned for the ``x-duplicates`` header.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import (
    DUPLICATE,
    TOO_BIG,
    ApiError,
    ErrorItem,
    NotFound,
    ValidationFailed,
    translate_pydantic_errors,
)
from talentbase.candidates import repository as candidates
from talentbase.candidates import service as candidate_writes
from talentbase.candidates.models import Candidate
from talentbase.candidates.schemas import MAX_LIST_ITEMS, CandidatePatch
from talentbase.duplicates import identifiers, repository
from talentbase.duplicates.identifiers import (
    EMAIL,
    FACEBOOK,
    INSTAGRAM,
    LINKEDIN,
    PHONE,
    SOCIAL_TYPES,
    Identifier,
    X,
)
from talentbase.duplicates.models import identifiers_of
from talentbase.duplicates.schemas import REJECT, ContactIdentifierIn

# an answer lists at most this many other candidates per identifier (lowest ids first): a
# placeholder address shared by thousands must not make the answer, or the check, large
MAX_HOLDERS = 20
DUPLICATES_HEADER = "x-duplicates"
DUPLICATES_HEADER_DOC: dict[str, Any] = {
    DUPLICATES_HEADER: {
        "description": "JSON list of the new candidate's identifiers (emails, phone numbers, "
        "LinkedIn / Instagram / Facebook / X URLs) that other candidates of the workspace hold: "
        '`[{"contactType": "email", "identifier": "<as sent>", "candidateId": "<the other>"}]`; '
        f"`[]` when there are none; at most {MAX_HOLDERS} other candidates per identifier. "
        "Non-ASCII characters are escaped (`\\u00e9`)",
        "schema": {"type": "string"},
    }
}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")

# per contact type: the body key of the list the identifier joins, and its value key
_LISTS = {
    EMAIL: ("emails", "email"),
    PHONE: ("phoneNumbers", "phoneNumber"),
    **{kind: ("socialMedia", "url") for kind in SOCIAL_TYPES},
}
# what each kind of identifier is called in messages
_NOUNS = {
    EMAIL: "email address",
    PHONE: "phone number",
    LINKEDIN: "LinkedIn URL",
    INSTAGRAM: "Instagram URL",
    FACEBOOK: "Facebook URL",
    X: "X URL",
}
# the Candidate attribute of each list
_ATTRIBUTES = {"emails": "emails", "phoneNumbers": "phone_numbers", "socialMedia": "social_media"}


@dataclass(frozen=True)
class Duplicate:
    """An identifier of the checked candidate (``identifier``) that another candidate holds:
    that candidate and its stored row (``row_id``) and item (``shown``)."""

    identifier: Identifier
    row_id: str
    candidate: Candidate
    shown: str


async def _duplicates(
    session: AsyncSession, workspace_id: str, candidate_id: str, wanted: Sequence[Identifier]
) -> list[Duplicate]:
    """The other candidates of the workspace holding any of ``wanted``, in the order of
    ``wanted`` then by candidate id (two queries)."""
    found = await repository.holders(
        session, workspace_id, wanted, excluding=candidate_id, per_identifier=MAX_HOLDERS
    )
    others = await repository.candidates_by_ids(
        session, workspace_id, (row.candidate_id for row in found)
    )
    held = {
        (other.id, item.kind, item.value): item.shown
        for other in others.values()
        for item in identifiers_of(other)
    }
    position = {(item.kind, item.value): index for index, item in enumerate(wanted)}
    result = []
    for row in sorted(found, key=lambda row: (position[(row.kind, row.value)], row.candidate_id)):
        other = others.get(row.candidate_id)
        if other is None:  # deleted meanwhile (its rows go with it)
            continue
        mine = wanted[position[(row.kind, row.value)]]
        shown = held.get((other.id, row.kind, row.value), mine.shown)
        result.append(Duplicate(mine, row.id, other, shown))
    return result


def _name(candidate: Candidate) -> str:
    parts = (
        candidate.first_name,
        candidate.middle_name,
        candidate.last_name,
        candidate.second_last_name,
    )
    return " ".join(part for part in parts if part)


# ---- POST /candidates ---------------------------------------------------------------------------


def header_value(found: Sequence[Duplicate]) -> str:
    """The ``x-duplicates`` header: ``[{contactType, identifier, candidateId}]`` as ASCII JSON."""
    return json.dumps(
        [
            {
                "contactType": item.identifier.kind,
                "identifier": item.identifier.shown,
                "candidateId": item.candidate.id,
            }
            for item in found
        ],
        separators=(",", ":"),
    )


def _conflict(found: Sequence[Duplicate]) -> ApiError:
    first = found[0]
    errors = [
        ErrorItem(
            DUPLICATE,
            item.identifier.path,
            f"Candidate {item.candidate.id} already has this {_NOUNS[item.identifier.kind]}",
            item.identifier.shown,
        )
        for item in found
    ]
    return ApiError(
        409,
        f"Duplicate candidate: {first.identifier.shown} belongs to candidate "
        f"{first.candidate.id}; nothing was created",
        errors,
        extra={"duplicates": json.loads(header_value(found))},
    )


async def check_new_candidate(
    session: AsyncSession, workspace_id: str, candidate_id: str, on_duplicate: str
) -> list[Duplicate]:
    """The duplicates of a candidate this request has just created (and flushed): other
    candidates of the workspace holding one of its identifiers. With ``on_duplicate`` =
    ``reject``, first takes the identifiers' locks (``repository.lock``), then raises the 409
    ``ApiError`` (``DUPLICATE`` at each identifier's body path, ``duplicates`` listing them)
    when there is any, which rolls the creation back."""
    candidate = await candidates.loaded(session, candidate_id)
    if candidate is None:
        raise NotFound("Candidate", candidate_id)
    wanted = identifiers_of(candidate)
    if on_duplicate == REJECT:
        await repository.lock(session, workspace_id, wanted)
    found = await _duplicates(session, workspace_id, candidate_id, wanted)
    if found and on_duplicate == REJECT:
        raise _conflict(found)
    return found


# ---- POST /candidates/{id}/contact-identifiers --------------------------------------------------


@dataclass(frozen=True)
class ContactIdentifierResult:
    """The answer: whether the identifier was new to the candidate (201, else 200), the
    ``{duplicates}`` body, and the candidate's ETag after the change."""

    added: bool
    body: dict[str, Any]
    etag: str


def _body_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A stored list in its body shape (phone items without their derived ``e164``)."""
    return [{key: value for key, value in item.items() if key != "e164"} for item in items]


def _key(body: ContactIdentifierIn, value: str, phone_region: str | None) -> str | None:
    """The normalised form of the identifier sent, as the list would store it; None for a
    phone number that does not parse (the PATCH check then names it)."""
    if body.contact_type == EMAIL:
        return identifiers.email_key(value)
    if body.contact_type == PHONE:
        return candidate_writes.parse_phone(value, phone_region)
    return identifiers.url_key(value)


def _held_at(field: str, stored: list[dict[str, Any]], key: str | None) -> int | None:
    """The index of the stored item holding the identifier (any social media type: a URL is
    one item whatever its type), None when none does."""
    if key is None:
        return None
    for index, item in enumerate(stored):
        held: str | None
        if field == "emails":
            held = identifiers.email_key(item["email"])
        elif field == "phoneNumbers":
            held = identifiers.phone_key(item)
        else:
            held = identifiers.url_key(item["url"])
        if held == key:
            return index
    return None


def _new_list(
    body: ContactIdentifierIn,
    value: str,
    items: list[dict[str, Any]],
    index: int | None,
) -> list[dict[str, Any]]:
    """``items`` with the identifier: the item at ``index`` updated (purpose when sent,
    contact type, primary flag), or a new item appended; with ``isPrimary`` it is the only
    primary item."""
    _, value_key = _LISTS[body.contact_type]
    if index is None:
        item: dict[str, Any] = {value_key: value, "isPrimary": body.is_primary}
        items = [*items, item]
        index = len(items) - 1
    item = items[index]
    if body.contact_type in SOCIAL_TYPES:
        item["type"] = SOCIAL_TYPES[body.contact_type]
    elif "purpose" in body.model_fields_set or "purpose" not in item:
        item["purpose"] = body.purpose
    if body.is_primary:
        for position, other in enumerate(items):
            other["isPrimary"] = position == index
    return items


def _at_identifier(errors: Sequence[ErrorItem], prefix: str, value_key: str) -> list[ErrorItem]:
    """PATCH's errors about the new item, at the paths of this route's body."""
    paths = {f"{prefix}.{value_key}": "identifier", f"{prefix}.purpose": "purpose"}
    return [
        ErrorItem(error.code, paths.get(error.path, error.path), error.message, error.received)
        for error in errors
    ]


async def add_contact_identifier(
    session: AsyncSession,
    workspace_id: str,
    candidate_id: str,
    body: ContactIdentifierIn,
    *,
    phone_region: str | None,
) -> ContactIdentifierResult:
    """Adds the identifier to the candidate's emails, phone numbers or social media (module
    docstring) and answers ``{duplicates: [{contactType, identifier, contactIdentifierId,
    takenBy: {name, id, type}}]}``: the other candidates of the workspace holding it. The
    identifier is checked as PATCH checks its list, errors at ``identifier``; 400
    ``TOO_BIG`` when the list is full. ``NotFound`` (404) for an unknown candidate."""
    candidate = await candidates.get(session, workspace_id, candidate_id, for_update=True)
    if candidate is None:
        raise NotFound("Candidate", candidate_id)
    field, value_key = _LISTS[body.contact_type]
    value = body.identifier
    if body.contact_type in SOCIAL_TYPES and not _SCHEME.match(value):
        value = "https://" + value
    stored: list[dict[str, Any]] = getattr(candidate, _ATTRIBUTES[field]) or []
    index = _held_at(field, stored, _key(body, value, phone_region))
    items = _body_items(stored)
    if index is None and len(items) >= MAX_LIST_ITEMS:
        raise ValidationFailed(
            [
                ErrorItem(
                    TOO_BIG,
                    "identifier",
                    f"The candidate already has {MAX_LIST_ITEMS} items in {field}",
                    body.identifier,
                )
            ]
        )
    items = _new_list(body, value, items, index)
    position = len(items) - 1 if index is None else index
    prefix = f"{field}.{position}"
    try:
        patch = CandidatePatch.model_validate({field: items})
        answer = await candidate_writes.update_candidate(
            session, workspace_id, candidate_id, patch, phone_region=phone_region
        )
    except ValidationError as invalid:
        errors = translate_pydantic_errors(invalid.errors())
        raise ValidationFailed(_at_identifier(errors, prefix, value_key)) from None
    except ValidationFailed as failure:
        raise ValidationFailed(_at_identifier(failure.errors or [], prefix, value_key)) from None
    added = identifiers.item_identifier(
        field, getattr(candidate, _ATTRIBUTES[field])[position], position
    )
    found = await _duplicates(session, workspace_id, candidate_id, [added] if added else [])
    duplicates = [
        {
            "contactType": item.identifier.kind,
            "identifier": item.shown,
            "contactIdentifierId": item.row_id,
            "takenBy": {
                "name": _name(item.candidate),
                "id": item.candidate.id,
                "type": "candidate",
            },
        }
        for item in found
    ]
    return ContactIdentifierResult(index is None, {"duplicates": duplicates}, answer.etag)
