"""The rules of idempotent POSTs (issue 5 §2).

A POST sent with ``Idempotency-Key`` (1–255 visible ASCII characters; keys are per workspace)
is done at most once within ``Policy.window`` (24 hours): the same key with the same request
(``fingerprint``) answers the first answer again, marked ``Idempotent-Replayed: true``; with a
different request it is a 422 ``IDEMPOTENCY_KEY_REUSED``; while the first is still running the
retry waits up to ``Policy.wait_seconds`` for its answer, then answers 409. 5xx answers are not
kept: the key is released and a retry runs again.

Exactly once, even when the server dies mid-request: a key is first claimed in its own
committed transaction (``in_flight``, for ``Policy.lease``); the request's transaction marks it
``committed`` together with the change; the answer is stored (``done``) after that commit. What
a retry finds tells what happened: ``in_flight`` past its lease means the attempt died before
committing (run again), ``committed`` past its lease means the change was made but its answer
was lost (409, never a second change).
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from talentbase.api.errors import INVALID_STRING, ErrorItem
from talentbase.idempotency.models import COMMITTED, DONE, IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
MAX_KEY_LENGTH = 255
# request headers that change what a write does, so they are part of "the same request"
FINGERPRINT_HEADERS = (b"x-on-behalf-of",)
# answer headers a replay repeats (the rest are per answer: request id, rate limits, length)
STORED_HEADERS = frozenset({b"content-type", b"etag", b"location", b"x-duplicates"})

_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
_BOUNDARY_RE = re.compile(rb"""boundary=(?:"([^"]+)"|([^;\s]+))""", re.IGNORECASE)


@dataclass(frozen=True)
class Policy:
    """The timings: how long a key answers for its request (``window``), how long a claim
    is held before another attempt may take it over (``lease``, longer than any request
    takes), how long a retry waits for the attempt in flight (``wait_seconds``, checking every
    ``poll_seconds``), and how often expired keys are purged (``purge_every``)."""

    window: timedelta = timedelta(hours=24)
    lease: timedelta = timedelta(seconds=30)
    wait_seconds: float = 2.0
    poll_seconds: float = 0.05
    purge_every: timedelta = timedelta(minutes=1)


class Decision(enum.Enum):
    """What a stored claim means for a new request with its key."""

    CLAIM = "claim"  # no live claim: this request runs
    REUSED = "reused"  # the key belongs to a different request: 422
    REPLAY = "replay"  # the answer is stored: send it again
    BUSY = "busy"  # an attempt holds the key: wait for it
    LOST = "lost"  # the change was committed but its answer was lost: 409


class InvalidKey(ValueError):
    """The ``Idempotency-Key`` header is malformed; ``error`` names it (a 400)."""

    def __init__(self, error: ErrorItem) -> None:
        super().__init__(error.message)
        self.error = error


def check_key(values: list[str]) -> str:
    """The key from the header's ``values`` (every occurrence of the header). Raises
    ``InvalidKey`` unless there is exactly one of 1–255 visible ASCII characters (no spaces,
    no control characters)."""
    if len(values) != 1:
        raise InvalidKey(
            ErrorItem(INVALID_STRING, HEADER, f"Send one {HEADER} header", f"{len(values)} headers")
        )
    value = values[0]
    if not _KEY_RE.match(value):
        received = value if len(value) <= 200 else value[:200] + "…"
        raise InvalidKey(
            ErrorItem(
                INVALID_STRING,
                HEADER,
                f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters "
                "(no spaces or control characters)",
                received.encode("utf-8", "replace").decode("utf-8"),
            )
        )
    return value


def fingerprint(
    method: str,
    raw_path: bytes,
    query: bytes,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
) -> str:
    """SHA-256 (hex) of what makes two requests "the same": method, path, query string, the
    ``FINGERPRINT_HEADERS`` (the acting user) and the body's bytes. A multipart body's
    boundary is chosen afresh by the client for every send, so it is replaced by a fixed one
    first: a client that re-encodes the same upload makes the same request."""
    content_type = next((value for name, value in headers if name == b"content-type"), b"")
    if content_type.lower().startswith(b"multipart/"):
        found = _BOUNDARY_RE.search(content_type)
        if found is not None:
            boundary = found.group(1) or found.group(2)
            body = body.replace(b"--" + boundary, b"--boundary")
    digest = hashlib.sha256()
    for part in (method.encode("ascii"), raw_path, query):
        digest.update(len(part).to_bytes(8, "big") + part)
    for wanted in FINGERPRINT_HEADERS:
        values = [value for name, value in headers if name == wanted]
        digest.update(len(values).to_bytes(8, "big"))
        for value in values:
            digest.update(len(value).to_bytes(8, "big") + value)
    digest.update(body)
    return digest.hexdigest()


def decide(
    claim: IdempotencyKey | None, request_fingerprint: str, now: datetime, policy: Policy
) -> Decision:
    """What the stored ``claim`` of a key (None when there is none) means for a request with
    ``request_fingerprint`` at ``now``. A claim older than the window is as good as none."""
    if claim is None or claim.created_at + policy.window <= now:
        return Decision.CLAIM
    if claim.fingerprint != request_fingerprint:
        return Decision.REUSED
    if claim.state == DONE:
        return Decision.REPLAY
    if claim.lease_expires_at > now:
        return Decision.BUSY
    # the attempt holding the key died: after its commit the change stands, before it nothing
    return Decision.LOST if claim.state == COMMITTED else Decision.CLAIM
