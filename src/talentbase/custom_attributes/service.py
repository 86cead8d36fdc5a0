"""Rules for custom attributes (spott-reference/custom-attributes.txt): definitions of a kind
with options for the select kinds, unique labels, and values checked against their kind.

Decisions where Spott is silent:
- A label already used by a definition of the same workspace and entity type (ignoring case)
  → 409 with one ``DUPLICATE`` error at ``label``.
- ``options``: required and non-empty for the select kinds, no two alike ignoring case; sent
  for another kind → 400 ``UNRECOGNIZED_KEYS`` at ``options``.
- Setting a value writes only when it differs from the stored one; a change touches the
  candidate (its ``modifiedAt`` moves). A value set here is a person's: ``isFilledByAI``
  becomes false, and ``aiOverridden`` true when it replaces an AI-filled value.
- The bulk route merges: listed attributes are set (``null`` removes), others are kept; all or
  nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import (
    DUPLICATE,
    NOT_FOUND,
    REQUIRED,
    TOO_SMALL,
    UNRECOGNIZED_KEYS,
    ApiError,
    ErrorItem,
    NotFound,
    ValidationFailed,
)
from talentbase.api.pagination import PageQuery
from talentbase.candidates import repository as candidates
from talentbase.candidates import view as candidate_view
from talentbase.candidates.models import Candidate
from talentbase.custom_attributes import repository
from talentbase.custom_attributes.models import (
    ENTITY_TYPES,
    SELECT_KINDS,
    CustomAttributeDefinition,
    CustomAttributeValue,
    label_key,
)
from talentbase.custom_attributes.schemas import (
    KIND_OF_VIEW_TYPE,
    BulkValues,
    DefinitionCreate,
    ValueSet,
)
from talentbase.custom_attributes.values import ValueProblem, normalize_value
from talentbase.custom_attributes.view import VALUE_VIEWS
from talentbase.db.types import after, utcnow
from talentbase.views import iso

CANDIDATE = "candidate"


def definition_json(definition: CustomAttributeDefinition) -> dict[str, Any]:
    """``{definition: {viewType, description, options}, id, label, viewType, createdAt,
    modifiedAt}`` (Spott's definition list item)."""
    view_type = VALUE_VIEWS[definition.kind][0]
    return {
        "definition": {
            "viewType": view_type,
            "description": definition.description,
            "options": list(definition.options),
        },
        "id": definition.id,
        "label": definition.label,
        "viewType": view_type,
        "createdAt": iso(definition.created_at),
        "modifiedAt": iso(definition.modified_at),
    }


def _check_entity_type(entity_type: str) -> None:
    """A path entity type other than ``candidate`` / ``clientContact`` is an unknown resource."""
    if entity_type not in ENTITY_TYPES:
        raise NotFound("Entity type", entity_type)


def _options(kind: str, body: DefinitionCreate) -> list[str]:
    """The definition's options; raises ``ValidationFailed`` naming ``options`` or one item."""
    sent = "options" in body.model_fields_set
    if kind not in SELECT_KINDS:
        if sent:
            raise ValidationFailed(
                [
                    ErrorItem(
                        UNRECOGNIZED_KEYS,
                        "options",
                        "options apply only to customSelect and customMultiSelect",
                        "options",
                    )
                ]
            )
        return []
    if not sent:
        raise ValidationFailed([ErrorItem(REQUIRED, "options", "Required", None)])
    options = list(body.options)
    if not options:
        raise ValidationFailed(
            [ErrorItem(TOO_SMALL, "options", "At least one option is required", "array")]
        )
    errors: list[ErrorItem] = []
    seen: dict[str, int] = {}
    for index, option in enumerate(options):
        key = option.casefold()
        if key in seen:
            errors.append(
                ErrorItem(
                    DUPLICATE,
                    f"options.{index}",
                    f"Same option as item {seen[key]} (options are compared ignoring case)",
                    option,
                )
            )
        else:
            seen[key] = index
    if errors:
        raise ValidationFailed(errors)
    return options


def _label_conflict(entity_type: str, label: str) -> ApiError:
    return ApiError(
        409,
        "A definition with this label already exists",
        [
            ErrorItem(
                DUPLICATE,
                "label",
                f"A {entity_type} attribute is already labelled {label!r} (ignoring case)",
                label,
            )
        ],
    )


async def create_definition(
    session: AsyncSession, workspace_id: str, entity_type: str, body: DefinitionCreate
) -> dict[str, Any]:
    """Creates a definition and returns it (``definition_json``). Raises ``NotFound`` for an
    unknown entity type, ``ValidationFailed`` for bad options, 409 for a label in use."""
    _check_entity_type(entity_type)
    kind = KIND_OF_VIEW_TYPE[body.view_type]
    options = _options(kind, body)
    if await repository.label_taken(session, workspace_id, entity_type, label_key(body.label)):
        raise _label_conflict(entity_type, body.label)
    now = utcnow()
    definition = CustomAttributeDefinition(
        workspace_id=workspace_id,
        entity_type=entity_type,
        label=body.label,
        description=body.description,
        kind=kind,
        options=options,
        created_at=now,
        modified_at=now,
    )
    repository.add(session, definition)
    try:
        await session.flush()
    except IntegrityError:
        # a concurrent request took the label between the check and the insert
        raise _label_conflict(entity_type, body.label) from None
    return definition_json(definition)


async def get_definition(
    session: AsyncSession, workspace_id: str, entity_type: str, definition_id: str
) -> dict[str, Any]:
    """One definition; ``NotFound`` when unknown in this workspace and entity type."""
    _check_entity_type(entity_type)
    definition = await repository.get_definition(session, workspace_id, entity_type, definition_id)
    if definition is None:
        raise NotFound("Custom attribute definition", definition_id)
    return definition_json(definition)


async def list_definitions(
    session: AsyncSession, workspace_id: str, entity_type: str, query: PageQuery
) -> dict[str, Any]:
    """``{items, pagination}``: a page of definitions, oldest first."""
    _check_entity_type(entity_type)
    page = await repository.definitions_page(session, workspace_id, entity_type, query)
    return {
        "items": [definition_json(definition) for definition in page.rows],
        "pagination": page.pagination(),
    }


async def _locked_candidate(
    session: AsyncSession, workspace_id: str, candidate_id: str
) -> Candidate:
    """The candidate, row-locked so concurrent writes of its values take turns."""
    candidate = await candidates.get(session, workspace_id, candidate_id, for_update=True)
    if candidate is None:
        raise NotFound("Candidate", candidate_id)
    return candidate


async def _store(
    session: AsyncSession,
    workspace_id: str,
    candidate: Candidate,
    wanted: Sequence[tuple[CustomAttributeDefinition, Any]],
) -> None:
    """Writes each ``(definition, stored form or None)``: None removes. Writes only what
    differs, and touches the candidate when anything did (its history gets the values before
    and after, by definition id)."""
    stored = await repository.values_of(
        session, workspace_id, CANDIDATE, candidate.id, (d.id for d, _ in wanted)
    )
    before: dict[str, Any] = {}
    for definition, value in wanted:
        current = stored.get(definition.id)
        if (current.value if current is not None else None) != value:
            before[definition.id] = current.value if current is not None else None
        if value is None:
            if current is not None:
                await repository.delete_value(session, current)
        elif current is None:
            repository.add(
                session,
                CustomAttributeValue(
                    workspace_id=workspace_id,
                    entity_type=CANDIDATE,
                    entity_id=candidate.id,
                    definition_id=definition.id,
                    value=value,
                    modified_at=utcnow(),
                ),
            )
        elif current.value != value:
            current.ai_overridden = current.ai_overridden or current.is_filled_by_ai
            current.is_filled_by_ai = False
            current.ai_fill_ongoing = False
            current.value = value
            current.modified_at = after(current.modified_at)
    if before:
        await session.flush()
        after_values = {definition.id: value for definition, value in wanted}
        await candidates.touch(
            session,
            workspace_id,
            [candidate.id],
            {
                "customAttributes": {
                    "before": before,
                    "after": {key: after_values[key] for key in before},
                }
            },
        )


async def set_value(
    session: AsyncSession,
    workspace_id: str,
    candidate_id: str,
    definition_id: str,
    body: ValueSet,
) -> dict[str, Any]:
    """Sets (or, with ``null``, removes) one value and returns the CandidateView. Raises
    ``NotFound`` for an unknown candidate or candidate definition, ``ValidationFailed`` (path
    ``value``…) for a value that does not fit the kind."""
    candidate = await _locked_candidate(session, workspace_id, candidate_id)
    definition = await repository.get_definition(session, workspace_id, CANDIDATE, definition_id)
    if definition is None:
        raise NotFound("Custom attribute definition", definition_id)
    value = None
    if body.value is not None:
        try:
            value = normalize_value(definition.kind, definition.options, body.value)
        except ValueProblem as problem:
            raise ValidationFailed([problem.at("value")]) from None
    await _store(session, workspace_id, candidate, [(definition, value)])
    return await candidate_view.build_view(session, workspace_id, candidate)


async def set_values(
    session: AsyncSession, workspace_id: str, candidate_id: str, body: BulkValues
) -> None:
    """Sets or removes several values at once, all or nothing. Raises ``NotFound`` for an
    unknown candidate and ``ValidationFailed`` naming every bad item (``attributes.N.…``): an
    unknown definition (``NOT_FOUND``), one listed twice (``DUPLICATE``), a value that does not
    fit."""
    candidate = await _locked_candidate(session, workspace_id, candidate_id)
    items = body.attributes
    definitions = await repository.definitions_by_ids(
        session, workspace_id, CANDIDATE, (item.attribute_definition_id for item in items)
    )
    errors: list[ErrorItem] = []
    first_index: dict[str, int] = {}
    wanted: list[tuple[CustomAttributeDefinition, Any]] = []
    for index, item in enumerate(items):
        path = f"attributes.{index}"
        definition_id = item.attribute_definition_id
        definition = definitions.get(definition_id)
        if definition is None:
            errors.append(
                ErrorItem(
                    NOT_FOUND,
                    f"{path}.attributeDefinitionId",
                    f"No candidate attribute definition {definition_id}",
                    definition_id,
                )
            )
            continue
        if definition_id in first_index:
            errors.append(
                ErrorItem(
                    DUPLICATE,
                    f"{path}.attributeDefinitionId",
                    f"Same attribute definition as item {first_index[definition_id]}",
                    definition_id,
                )
            )
            continue
        first_index[definition_id] = index
        if item.value is None:
            wanted.append((definition, None))
            continue
        try:
            wanted.append(
                (definition, normalize_value(definition.kind, definition.options, item.value))
            )
        except ValueProblem as problem:
            errors.append(problem.at(f"{path}.value"))
    if errors:
        raise ValidationFailed(errors)
    await _store(session, workspace_id, candidate, wanted)
