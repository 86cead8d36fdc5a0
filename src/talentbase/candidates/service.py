"""The rules of candidate writes: PATCH semantics (API.md §2.1) and create (API.md §2.2).

A request body is first validated for shape and per-value format by ``candidates.schemas``; this
module then applies the rules that need several items or the database at once (one primary per
list, duplicates, phone parsing with the configured region, user and company references), and
writes only what really changed, so re-sending stored values is a no-op that keeps
``modifiedAt``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import (
    DUPLICATE,
    INVALID_STRING,
    NOT_FOUND,
    ONLY_ONE_PRIMARY_ALLOWED,
    TOO_BIG,
    TOO_SMALL,
    ApiError,
    ErrorItem,
    NotFound,
    ValidationFailed,
)
from talentbase.api.pagination import CursorQuery
from talentbase.candidates import etags, repository, view
from talentbase.candidates.models import Candidate
from talentbase.candidates.schemas import (
    CandidateCreate,
    CandidateFields,
    CandidatePatch,
    CompensationIn,
    CustomAttributeValueIn,
    EducationIn,
    EmailIn,
    LanguageIn,
    LocationIn,
    PhoneNumberIn,
    SocialMediaIn,
    WorkExperienceIn,
)
from talentbase.companies import repository as companies
from talentbase.custom_attributes import repository as custom_attributes
from talentbase.custom_attributes.models import CustomAttributeValue
from talentbase.custom_attributes.values import ValueProblem, normalize_value
from talentbase.db.base import new_id
from talentbase.db.batch import WriteBatch
from talentbase.db.engine import begin_writing
from talentbase.db.types import after, utcnow
from talentbase.history import context as write_context
from talentbase.history import fields as history_fields
from talentbase.history import service as history
from talentbase.history.context import ACTING_USER_HEADER
from talentbase.users import repository as users
from talentbase.users.models import User
from talentbase.work_history import repository as work_history
from talentbase.work_history.models import Education, WorkExperience

_PHONE_CHARACTERS = frozenset("+0123456789 ()-./")


class FieldErrors:
    """Collects field errors so one answer names every bad field."""

    def __init__(self) -> None:
        self.items: list[ErrorItem] = []

    def add(self, code: str, path: str, message: str, received: Any = None) -> None:
        """Records one failure."""
        self.items.append(ErrorItem(code, path, message, received))

    def raise_if_any(self) -> None:
        """Raises ``ValidationFailed`` (400) with every recorded failure, if any."""
        if self.items:
            raise ValidationFailed(self.items)


def _primary_flags(flags: list[bool], field: str, errors: FieldErrors) -> list[bool]:
    """API.md §2.1: at most one ``isPrimary: true``; none in a non-empty list → the first."""
    primaries = [index for index, flag in enumerate(flags) if flag]
    for index in primaries[1:]:
        errors.add(
            ONLY_ONE_PRIMARY_ALLOWED,
            f"{field}.{index}.isPrimary",
            f"Only one item of {field} may be primary; item {primaries[0]} already is",
            True,
        )
    if flags and not primaries:
        return [index == 0 for index in range(len(flags))]
    return flags


def _duplicates(keys: list[str], path: str, what: str, errors: FieldErrors) -> None:
    seen: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key in seen:
            errors.add(
                DUPLICATE,
                path.format(index=index),
                f"Same {what} as item {seen[key]}",
            )
        else:
            seen[key] = index


def normalize_emails(items: list[EmailIn], errors: FieldErrors) -> list[dict[str, Any]]:
    """Stored email items; duplicates compared case-insensitively (API.md §2.1)."""
    _duplicates([item.email.casefold() for item in items], "emails.{index}.email", "email", errors)
    flags = _primary_flags([item.is_primary for item in items], "emails", errors)
    return [
        {"purpose": item.purpose, "email": item.email, "isPrimary": flag}
        for item, flag in zip(items, flags, strict=True)
    ]


def parse_phone(value: str, region: str | None) -> str | None:
    """The E.164 form of ``value``, or None when it is not a possible phone number. Without a
    leading ``+`` the number is read in ``region``; letters (vanity numbers) are refused."""
    if not set(value) <= _PHONE_CHARACTERS or not any(char.isdigit() for char in value):
        return None
    try:
        parsed = phonenumbers.parse(value, None if value.lstrip().startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def normalize_phones(
    items: list[PhoneNumberIn], region: str | None, errors: FieldErrors
) -> list[dict[str, Any]]:
    """Stored phone items with their E.164 form under ``e164``; duplicates compared by E.164."""
    e164s: list[str] = []
    for index, item in enumerate(items):
        e164 = parse_phone(item.phone_number, region)
        if e164 is None:
            hint = "" if region else " with its country code (a leading +)"
            errors.add(
                INVALID_STRING,
                f"phoneNumbers.{index}.phoneNumber",
                f"Not a valid phone number; write it in international form{hint}",
                item.phone_number,
            )
            e164 = f"invalid:{index}"
        e164s.append(e164)
    _duplicates(e164s, "phoneNumbers.{index}.phoneNumber", "phone number", errors)
    flags = _primary_flags([item.is_primary for item in items], "phoneNumbers", errors)
    return [
        {"purpose": item.purpose, "phoneNumber": item.phone_number, "isPrimary": flag, "e164": e164}
        for item, flag, e164 in zip(items, flags, e164s, strict=True)
    ]


def social_media_key(url: str) -> str:
    """The form in which social media URLs are compared: case and a trailing slash aside."""
    return url.casefold().rstrip("/")


def normalize_social_media(items: list[SocialMediaIn], errors: FieldErrors) -> list[dict[str, Any]]:
    """Stored social media items; the same URL twice (``social_media_key``) is refused."""
    _duplicates(
        [social_media_key(item.url) for item in items],
        "socialMedia.{index}.url",
        "URL",
        errors,
    )
    flags = _primary_flags([item.is_primary for item in items], "socialMedia", errors)
    return [
        {"url": item.url, "type": item.type, "isPrimary": flag}
        for item, flag in zip(items, flags, strict=True)
    ]


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def normalize_location(item: LocationIn) -> dict[str, Any]:
    """A stored location, blank strings as null. The derived ``rawCityCountry`` /
    ``formattedAddress`` are not stored: the view computes them."""
    return {
        "type": item.type,
        "street1": _blank_to_none(item.street1),
        "street2": _blank_to_none(item.street2),
        "postalCode": _blank_to_none(item.postal_code),
        "city": _blank_to_none(item.city),
        "region": _blank_to_none(item.region),
        "state": _blank_to_none(item.state),
        "country": _blank_to_none(item.country),
        "latitude": item.latitude,
        "longitude": item.longitude,
    }


def normalize_languages(
    items: list[LanguageIn], stored: list[dict[str, Any]], errors: FieldErrors
) -> list[dict[str, Any]]:
    """Stored language items. An ``id`` sent is kept; an item sent without one takes the id of the
    stored item with the same language and fluency (so re-sending is a no-op), else a new id."""
    _duplicates(
        [item.language.casefold() for item in items],
        "languages.{index}.language",
        "language",
        errors,
    )
    _duplicates(
        [item.id or f"\0{index}" for index, item in enumerate(items)],
        "languages.{index}.id",
        "id",
        errors,
    )
    claimed = {item.id for item in items if item.id}
    reusable = {
        (entry["language"].casefold(), entry.get("fluency")): entry["id"]
        for entry in stored
        if entry["id"] not in claimed
    }
    result = []
    for item in items:
        item_id = (
            item.id or reusable.pop((item.language.casefold(), item.fluency), None) or new_id()
        )
        result.append({"language": item.language, "id": item_id, "fluency": item.fluency})
    return result


def normalize_compensation(
    item: CompensationIn, stored: dict[str, Any] | None, errors: FieldErrors
) -> dict[str, Any]:
    """The stored compensation: the object replaces the whole compensation (keys left out become
    null). The stored id is kept when the id sent matches it, or when nothing else changes;
    otherwise the server assigns a new one (API.md §2.1)."""
    if (
        item.base_compensation is not None
        and item.total_compensation is not None
        and item.base_compensation > item.total_compensation
    ):
        errors.add(
            TOO_BIG,
            "compensation.baseCompensation",
            "baseCompensation must not exceed totalCompensation",
            item.base_compensation,
        )
    value = {
        "currency": item.currency,
        "totalCompensation": item.total_compensation,
        "baseCompensation": item.base_compensation,
    }
    if stored is not None:
        same_values = all(stored.get(key) == value[key] for key in value)
        if item.id == stored["id"] or same_values:
            return {"id": stored["id"], **value}
    return {"id": new_id(), **value}


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _user_references(body: CandidateFields) -> dict[str, str]:
    """The users a write names, by the path that names them: ``mainContact.userId``,
    ``lastInteractionWithId`` and the acting user of ``x-on-behalf-of`` (checked with the
    others in one query; the history reads it from the session then)."""
    sent = body.model_fields_set
    references: dict[str, str] = {}
    if "main_contact" in sent and body.main_contact and body.main_contact.user_id is not None:
        references["mainContact.userId"] = body.main_contact.user_id
    if "last_interaction_with_id" in sent and body.last_interaction_with_id is not None:
        references["lastInteractionWithId"] = body.last_interaction_with_id
    acting_user_id = write_context.acting_user_id()
    if acting_user_id is not None:
        references[ACTING_USER_HEADER] = acting_user_id
    return references


async def _resolve(
    session: AsyncSession,
    workspace_id: str,
    body: CandidateFields,
    current: Candidate | None,
    phone_region: str | None,
    *,
    loaded_users: dict[str, User] | None = None,
) -> tuple[dict[str, Any], dict[str, User]]:
    """The candidate columns the body sets, normalised, and the users it names (loaded to check
    them, with the acting user of ``x-on-behalf-of``); raises ``ValidationFailed`` naming every
    bad field. ``current`` is the stored candidate (None on create). ``loaded_users``: the
    users of ``_user_references(body)`` that exist, when the caller has read them already
    (else they are read here, in one query)."""
    sent = body.model_fields_set
    errors = FieldErrors()
    values: dict[str, Any] = {}
    for name in (
        "first_name",
        "middle_name",
        "last_name",
        "second_last_name",
        "gender",
        "acquisition_source",
        "visible_if_client_contact",
        "date_of_birth",
        "last_interaction_at",
        "last_interaction_with_id",
    ):
        if name in sent:
            values[name] = getattr(body, name)
    if "nationality" in sent:
        values["nationality"] = _dedupe(body.nationality)
    if "status" in sent:
        values["status"] = _dedupe(body.status)
    if "emails" in sent:
        values["emails"] = normalize_emails(body.emails, errors)
    if "phone_numbers" in sent:
        values["phone_numbers"] = normalize_phones(body.phone_numbers, phone_region, errors)
    if "social_media" in sent:
        values["social_media"] = normalize_social_media(body.social_media, errors)
    if "locations" in sent:
        values["locations"] = [normalize_location(item) for item in body.locations]
    if "languages" in sent:
        stored_languages = current.languages if current is not None else []
        values["languages"] = normalize_languages(body.languages, stored_languages, errors)
    if "compensation" in sent:
        stored_compensation = current.compensation if current is not None else None
        values["compensation"] = (
            None
            if body.compensation is None
            else normalize_compensation(body.compensation, stored_compensation, errors)
        )
    if "main_contact" in sent:
        values["main_contact_user_id"] = body.main_contact.user_id if body.main_contact else None
    references = _user_references(body)
    found: dict[str, User] = {}
    if loaded_users is not None:
        found = loaded_users
    elif references:
        found = await users.by_ids(session, workspace_id, references.values())
    for path, user_id in references.items():
        if user_id in found:
            continue
        if path == ACTING_USER_HEADER:
            errors.items.append(write_context.acting_user_not_found(user_id))
        else:
            errors.add(NOT_FOUND, path, f"No user {user_id} in this workspace", user_id)
    errors.raise_if_any()
    return values, found


@dataclass(frozen=True)
class CandidateAnswer:
    """An answer about one candidate: its CandidateView and its current ETag."""

    view: dict[str, Any]
    etag: str


@dataclass(frozen=True)
class NotModified:
    """The client's copy is current (``If-None-Match``): a 304 with the ETag, no view."""

    etag: str


async def update_candidate(
    session: AsyncSession,
    workspace_id: str,
    candidate_id: str,
    body: CandidatePatch,
    *,
    phone_region: str | None,
    if_match: str | None = None,
) -> CandidateAnswer:
    """Applies a PATCH (API.md §2.1) and returns the CandidateView with the new ETag.

    Absent keys leave fields unchanged; only columns whose stored value differs are written, and
    ``modifiedAt`` and ``version`` move only when something did; a change is recorded in the
    history with its field-level diff and emitted as ``candidate.updated``, in this
    transaction. Raises ``NotFound`` (404), ``PreconditionFailed`` (412: ``If-Match`` does not
    match, checked under the row lock) and ``ValidationFailed`` (400); nothing is written on
    failure.

    On SQLite the candidate is read before the write lock (the route ``locks_late``), which
    then covers only the writes and the commit; when the candidate changed in between
    (``repository.StaleRead``), the change is rolled back and made again from a read under
    the lock.
    """
    try:
        return await _update_candidate(
            session, workspace_id, candidate_id, body, phone_region, if_match
        )
    except repository.StaleRead:
        # read before SQLite's write lock (``locks_late``) and changed since: once more,
        # under the lock this time
        await session.rollback()
        session.expunge_all()
        await begin_writing(session)
        return await _update_candidate(
            session, workspace_id, candidate_id, body, phone_region, if_match
        )


async def _update_candidate(
    session: AsyncSession,
    workspace_id: str,
    candidate_id: str,
    body: CandidatePatch,
    phone_region: str | None,
    if_match: str | None,
) -> CandidateAnswer:
    locked = await repository.get_locked(
        session, workspace_id, candidate_id, _user_references(body).values()
    )
    if locked is None:
        raise await candidate_not_found(session, workspace_id, candidate_id)
    candidate = locked.candidate
    etags.check_if_match(candidate, if_match)
    values, named_users = await _resolve(
        session, workspace_id, body, candidate, phone_region, loaded_users=locked.users
    )
    changed = {name: value for name, value in values.items() if getattr(candidate, name) != value}
    staged = None
    if changed:
        version, modified_at = repository.next_stamp(candidate)
        batch = WriteBatch()
        await history.record(
            session,
            workspace_id=workspace_id,
            candidate_id=candidate.id,
            version=version,
            at=modified_at,
            action=history.UPDATED,
            changes=history_fields.changes_of(candidate, changed),
            batch=batch,
        )
        # every row of the change in one round trip (db.batch), not one statement per row
        staged = repository.stage_change(
            candidate, {**changed, "version": version, "modified_at": modified_at}, batch
        )
    # a PATCH changes no record behind the view: the families read with the candidate still
    # hold, and what the view reads is read before the writes, which on SQLite hold the
    # write lock (``locks_late``)
    related = await view.load_related(
        session,
        workspace_id,
        [candidate],
        named_users,
        locked.families,
        {candidate.id: locked.experiences} if locked.experiences is not None else None,
    )
    if staged is not None:
        await repository.store_change(session, staged)
    return CandidateAnswer(view.render(candidate, related), etags.of(candidate))


async def create_candidate(
    session: AsyncSession, workspace_id: str, body: CandidateCreate, *, phone_region: str | None
) -> str:
    """Creates a candidate with its education, work experience and custom attribute values
    (API.md §2.2) and returns its id; the creation is recorded in the history (every field set,
    with the ids of the records made with it) and emitted as ``candidate.created``. Raises
    ``ValidationFailed`` for any bad field or reference.
    """
    errors = FieldErrors()
    try:
        values, _ = await _resolve(session, workspace_id, body, None, phone_region)
    except ValidationFailed as failure:
        errors.items.extend(failure.errors or [])
        values = {}
    sent = body.model_fields_set
    educations = body.education if "education" in sent else []
    experiences = body.work_experiences if "work_experiences" in sent else []
    attributes = body.custom_attributes if "custom_attributes" in sent else []
    errors.items.extend(
        await check_history_items(
            session,
            workspace_id,
            [(f"education.{index}", item) for index, item in enumerate(educations)]
            + [(f"workExperiences.{index}", item) for index, item in enumerate(experiences)],
        )
    )
    stored_values = await _custom_attribute_values(session, workspace_id, attributes, errors)
    errors.raise_if_any()

    candidate_id = new_id()
    now = utcnow()
    values.setdefault("acquisition_source", "manual")
    candidate = Candidate(
        id=candidate_id,
        workspace_id=workspace_id,
        avatar_url=body.avatar_url,
        created_at=now,
        modified_at=now,
        version=1,
        **values,
    )
    repository.add(session, candidate)
    await session.flush()
    records: list[Education | WorkExperience] = [
        Education(
            id=new_id(),
            workspace_id=workspace_id,
            candidate_id=candidate_id,
            **education_values(item),
        )
        for item in educations
    ]
    records += [
        WorkExperience(
            id=new_id(),
            workspace_id=workspace_id,
            candidate_id=candidate_id,
            **work_experience_values(item),
        )
        for item in experiences
    ]
    work_history.add_all(session, records)
    values_made = [
        CustomAttributeValue(
            workspace_id=workspace_id,
            entity_type="candidate",
            entity_id=candidate_id,
            definition_id=attributes[index].attribute_definition_id,
            value=value,
            is_filled_by_ai=bool(attributes[index].filled_by_ai),
        )
        for index, value in stored_values.items()
    ]
    custom_attributes.add_all(session, values_made)
    changes = history_fields.initial_values(candidate)
    for name, made in (
        ("education", [record for record in records if isinstance(record, Education)]),
        ("workExperiences", [record for record in records if isinstance(record, WorkExperience)]),
    ):
        if made:
            changes[name] = {"before": None, "after": [{"id": record.id} for record in made]}
    if values_made:
        changes["customAttributes"] = {
            "before": None,
            "after": [
                {"attributeDefinitionId": value.definition_id, "value": value.value}
                for value in values_made
            ],
        }
    await history.record(
        session,
        workspace_id=workspace_id,
        candidate_id=candidate_id,
        version=candidate.version,
        at=candidate.modified_at,
        action=history.CREATED,
        changes=changes,
    )
    await session.flush()
    return candidate_id


async def _custom_attribute_values(
    session: AsyncSession,
    workspace_id: str,
    attributes: Sequence[CustomAttributeValueIn],
    errors: FieldErrors,
) -> dict[int, Any]:
    """The stored form of each ``customAttributes[]`` value, by item index: the definition must
    be the workspace's (once per candidate) and the value must fit its kind; a null value
    stores nothing. Problems go to ``errors``."""
    definitions = await custom_attributes.definitions_by_ids(
        session, workspace_id, "candidate", (item.attribute_definition_id for item in attributes)
    )
    _duplicates(
        [item.attribute_definition_id for item in attributes],
        "customAttributes.{index}.attributeDefinitionId",
        "attribute definition",
        errors,
    )
    stored_values: dict[int, Any] = {}
    for index, item in enumerate(attributes):
        definition = definitions.get(item.attribute_definition_id)
        path = f"customAttributes.{index}"
        if definition is None:
            errors.add(
                NOT_FOUND,
                f"{path}.attributeDefinitionId",
                f"No candidate attribute definition {item.attribute_definition_id}",
                item.attribute_definition_id,
            )
            continue
        if item.value is None:
            continue  # null means "no value": nothing is stored
        try:
            stored_values[index] = normalize_value(definition.kind, definition.options, item.value)
        except ValueProblem as problem:
            errors.items.append(problem.at(f"{path}.value"))
    return stored_values


async def check_history_items(
    session: AsyncSession,
    workspace_id: str,
    items: Sequence[tuple[str, EducationIn | WorkExperienceIn]],
) -> list[ErrorItem]:
    """The rules of education and work experience items beyond their shape (API.md §2.2),
    shared by POST /candidates and the work history routes: the company exists in the
    workspace (else ``NOT_FOUND`` at ``companyId``), the end is not before the start (else
    ``TOO_SMALL`` at ``endDate``). ``items`` pairs each item with its path in the body, ``""``
    when the body is the item itself. Returns the errors found (one query)."""
    wanted = {item.company_id for _, item in items if item.company_id}
    found = await companies.existing_ids(session, workspace_id, wanted)
    errors = FieldErrors()
    for prefix, item in items:
        path = f"{prefix}." if prefix else ""
        if item.company_id and item.company_id not in found:
            errors.add(
                NOT_FOUND, f"{path}companyId", f"No company {item.company_id}", item.company_id
            )
        if item.start_date and item.end_date and item.end_date < item.start_date:
            errors.add(TOO_SMALL, f"{path}endDate", "endDate must not be before startDate")
    return errors.items


def education_values(item: EducationIn) -> dict[str, Any]:
    """The stored columns of an education item (API.md §2.2)."""
    return {
        "company_id": item.company_id,
        "degrees": list(item.degree or []),
        "field_of_study": item.field_of_study,
        "grade": item.grade,
        "description": item.description,
        "start_date": item.start_date,
        "end_date": item.end_date,
    }


def work_experience_values(item: WorkExperienceIn) -> dict[str, Any]:
    """The stored columns of a work experience item (API.md §2.2); its location is stored as
    the candidate's locations are."""
    return {
        "company_id": item.company_id,
        "job_title": item.job_title,
        "location": normalize_location(item.location) if item.location else None,
        "description": item.description,
        "start_date": item.start_date,
        "end_date": item.end_date,
    }


async def candidate_not_found(
    session: AsyncSession, workspace_id: str, candidate_id: str
) -> ApiError:
    """The 404 for an id that names no candidate of the workspace. For a candidate merged
    into another (``POST /candidates/{id}/merge``) the body's ``mergedInto`` names the
    survivor, so a client can follow it."""
    survivor_id = await repository.merged_into(session, workspace_id, candidate_id)
    if survivor_id is None:
        return NotFound("Candidate", candidate_id)
    return ApiError(
        404,
        f"Candidate {candidate_id} was merged into candidate {survivor_id}",
        extra={"mergedInto": survivor_id},
    )


async def get_candidate(
    session: AsyncSession,
    workspace_id: str,
    candidate_id: str,
    *,
    if_none_match: str | None = None,
) -> CandidateAnswer | NotModified:
    """The CandidateView and ETag, or ``NotModified`` when ``If-None-Match`` names the current
    ETag (the view is not even built). ``NotFound`` when the id is unknown in this workspace."""
    candidate = await repository.get(session, workspace_id, candidate_id)
    if candidate is None:
        raise await candidate_not_found(session, workspace_id, candidate_id)
    if etags.not_modified(candidate, if_none_match):
        return NotModified(etags.of(candidate))
    view_json = await view.build_view(session, workspace_id, candidate)
    return CandidateAnswer(view_json, etags.of(candidate))


async def current_etag(session: AsyncSession, candidate_id: str) -> str:
    """The ETag of a candidate this request has just read or written (no query: it is in the
    session), for the routes of other families that answer a CandidateView."""
    candidate = await repository.loaded(session, candidate_id)
    if candidate is None:
        raise NotFound("Candidate", candidate_id)
    return etags.of(candidate)


async def list_candidates(
    session: AsyncSession, workspace_id: str, query: CursorQuery
) -> dict[str, Any]:
    """``{items: [CandidateView], pageInfo}``: one cursor page (API.md §4). The views of the
    whole page are built together, with a fixed number of queries."""
    page = await repository.list_page(session, workspace_id, query)
    items = await view.build_views(session, workspace_id, page.rows)
    return {"items": items, "pageInfo": page.page_info()}


async def delete_candidate(
    session: AsyncSession, workspace_id: str, candidate_id: str, *, if_match: str | None = None
) -> None:
    """Deletes the candidate (API.md §2: 204, later GET 404, listed in the deleted feed); the
    deletion is the last entry of its history (which outlives it) and emits
    ``candidate.deleted``. ``NotFound`` (404); ``PreconditionFailed`` (412) when ``If-Match``
    does not match, checked under the row lock."""
    candidate = await repository.get(session, workspace_id, candidate_id, for_update=True)
    if candidate is None:
        raise await candidate_not_found(session, workspace_id, candidate_id)
    etags.check_if_match(candidate, if_match)
    await write_context.acting_user(session, workspace_id)  # a 400 before anything is deleted
    version, at = candidate.version + 1, after(candidate.modified_at)
    await repository.delete_candidate(session, candidate)
    await history.record(
        session,
        workspace_id=workspace_id,
        candidate_id=candidate_id,
        version=version,
        at=at,
        action=history.DELETED,
        changes={},
    )
    await session.flush()
