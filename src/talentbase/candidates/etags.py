"""Entity tags of candidates and the conditional requests they serve (issue 5 §1, RFC 9110 §13).

A candidate's ETag is strong and derived from its id and ``version``, which every stored change
moves forward (its own fields and every related record its view shows), so the tag changes
exactly when the stored candidate does.

- ``If-Match`` (PATCH, DELETE): one or more tags, or ``*``; compared strongly (a weak tag
  ``W/"…"`` never matches) after the row lock is taken, so of two writers holding the same tag
  only the first passes. No match → 412 ``PRECONDITION_FAILED`` with the current ETag.
- ``If-None-Match`` (GET): compared weakly; a match (or ``*``) → 304 without a body.

A tag sent without its quotes is read as if quoted (a common client slip).
"""

from __future__ import annotations

import hashlib
from typing import Any

from talentbase.api.errors import ApiError, ErrorItem
from talentbase.api.schemas import ErrorBody
from talentbase.candidates.models import Candidate

PRECONDITION_FAILED = "PRECONDITION_FAILED"
IF_MATCH = "If-Match"
IF_NONE_MATCH = "If-None-Match"

ETAG_HEADER_DOC: dict[str, Any] = {
    "ETag": {
        "description": "The candidate's current entity tag (strong); send it back in "
        "`If-Match` to update only that version, or in `If-None-Match` to read only changes",
        "schema": {"type": "string"},
    }
}


def etag(candidate_id: str, version: int) -> str:
    """The strong ETag (quoted) of this version of the candidate."""
    digest = hashlib.sha256(f"{candidate_id}:{version}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def of(candidate: Candidate) -> str:
    """The candidate's current ETag."""
    return etag(candidate.id, candidate.version)


def _tags(header: str) -> list[tuple[bool, str]]:
    """The ``(weak, tag)`` pairs of an ``If-Match`` / ``If-None-Match`` value; each tag in its
    quoted form (``*`` as is)."""
    result = []
    for part in header.split(","):
        tag = part.strip()
        if not tag:
            continue
        weak = tag.startswith("W/")
        if weak:
            tag = tag[2:]
        if tag != "*" and not (len(tag) >= 2 and tag[0] == tag[-1] == '"'):
            tag = f'"{tag}"'
        result.append((weak, tag))
    return result


class PreconditionFailed(ApiError):
    """412: ``If-Match`` names no tag the candidate has now; nothing was changed. The body's
    ``etag`` and the ``ETag`` header carry the current tag."""

    def __init__(self, sent: str, current: str) -> None:
        message = (
            "The candidate changed since you read it: If-Match does not match its current "
            "ETag. Nothing was changed; read it again and retry"
        )
        super().__init__(
            412,
            message,
            [ErrorItem(PRECONDITION_FAILED, IF_MATCH, message, sent[:200])],
            extra={"etag": current},
            headers={"ETag": current},
        )


def check_if_match(candidate: Candidate, if_match: str | None) -> None:
    """Raises ``PreconditionFailed`` when ``If-Match`` was sent and none of its tags is the
    candidate's current one (strong comparison; ``*`` matches any). Call it holding the row
    lock."""
    if if_match is None:
        return
    current = of(candidate)
    for weak, tag in _tags(if_match):
        if tag == "*" or (not weak and tag == current):
            return
    raise PreconditionFailed(if_match, current)


def not_modified(candidate: Candidate, if_none_match: str | None) -> bool:
    """Whether ``If-None-Match`` names the candidate's current tag (weak comparison; ``*``
    matches any): the client's copy is current, a 304 answers."""
    if if_none_match is None:
        return False
    current = of(candidate)
    return any(tag in ("*", current) for _, tag in _tags(if_none_match))


class PreconditionFailedBody(ErrorBody):
    """The 412 body: Spott's error body and the candidate's current ``etag``."""

    etag: str


PRECONDITION_RESPONSES: dict[int | str, dict[str, Any]] = {
    412: {
        "model": PreconditionFailedBody,
        "description": "`If-Match` does not match the candidate's current ETag; nothing was "
        "changed. The body's `etag` and the `ETag` header carry the current one",
        "headers": ETAG_HEADER_DOC,
    }
}
NOT_MODIFIED_RESPONSES: dict[int | str, dict[str, Any]] = {
    304: {
        "description": "`If-None-Match` matches the current ETag: the client's copy is "
        "current; no body",
        "headers": ETAG_HEADER_DOC,
    }
}
