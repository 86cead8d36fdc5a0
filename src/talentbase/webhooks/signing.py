"""Webhook secrets and signatures.

Each delivery carries ``Talentbase-Signature: t=<unix seconds>,v1=<hex>``, where ``<hex>`` is
HMAC-SHA256, keyed with the webhook's whole secret (UTF-8, ``whsec_`` included), of
``"<unix seconds>." + raw body``. Signing the timestamp with the body lets a receiver refuse a
replayed old request (README, "Webhooks")."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# not a secret: the mark that starts every secret
SECRET_PREFIX = "whsec_"  # noqa: S105
SIGNATURE_HEADER = "Talentbase-Signature"
TIMESTAMP_HEADER = "Talentbase-Timestamp"
EVENT_ID_HEADER = "Talentbase-Event-Id"
EVENT_TYPE_HEADER = "Talentbase-Event-Type"


def new_secret() -> str:
    """A new signing secret: ``whsec_`` and 256 random bits, base64url."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>." + body`` under ``secret``."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The value of ``Talentbase-Signature``: ``t=<timestamp>,v1=<hex signature>``."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: whether ``header`` (a ``Talentbase-Signature`` value) signs
    ``body`` under ``secret`` with a timestamp at most ``tolerance`` seconds from ``now``.
    Compares in constant time."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in fields.get("v1", []))
