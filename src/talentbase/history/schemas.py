"""Documented shapes of ``GET /candidates/{id}/history`` (the answer is built as plain JSON by
``history.service``; these models describe it in OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from talentbase.api.pagination import PageInfoOut
from talentbase.api.schemas import Output
from talentbase.candidates.schemas import UserOut


class HistoryItem(Output):
    """One change of the candidate. ``route`` is ``"METHOD /template"`` (null for changes made
    outside the API); ``apiKeyName`` the name of the key used; ``actingUser`` the user named by
    ``x-on-behalf-of`` (or null); ``changes`` maps each changed field (camelCase, as in the
    PATCH body) to ``{before, after}`` (``customAttributes``: maps by definition id of the
    values that changed), and a changed related record (``placement``, ``task``, ``note``,
    ``workExperiences``, ``education``, ``clientContact``, ``attachment``,
    ``linkedInProfile``, ``user``, ``client``) to ``{id, action}``. A deletion has no
    changes. A merge (``merged``, on both candidates) names ``merge: {survivorId,
    duplicateId}`` and, on the survivor, what moved to it; ``anonymized`` names what was
    erased, never the values, and the values of personal fields in earlier entries are
    null from then on."""

    id: str
    at: datetime
    version: int
    action: Literal["created", "updated", "deleted", "related", "merged", "anonymized"]
    route: str | None
    api_key_name: str | None
    acting_user: UserOut | None
    changes: dict[str, Any]


class HistoryList(Output):
    """A cursor page of history entries, newest first: ``{items, pageInfo}``."""

    items: list[HistoryItem]
    page_info: PageInfoOut
