"""Sending one delivery: the signed POST and what came of it."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from talentbase import __version__
from talentbase.webhooks import signing
from talentbase.webhooks.repository import Claimed

USER_AGENT = f"talentbase-webhooks/{__version__}"
MAX_ERROR_LENGTH = 200
HOST_NOT_ALLOWED = "Host not allowed by TALENTBASE_WEBHOOK_ALLOWED_HOSTS"


@dataclass(frozen=True)
class Outcome:
    """How one try went: ``ok`` for a 2xx in time; otherwise the status code (when an answer
    came) and a short error (never the answer's body)."""

    ok: bool
    status_code: int | None = None
    error: str | None = None


def allowed_hosts(setting: str | None) -> frozenset[str] | None:
    """The hosts ``TALENTBASE_WEBHOOK_ALLOWED_HOSTS`` lists, lower case; None (any host) when
    it is unset or empty."""
    hosts = frozenset(
        host.strip().strip("[]").lower() for host in (setting or "").split(",") if host.strip()
    )
    return hosts or None


def host_allowed(url: str, allowed: frozenset[str] | None) -> bool:
    """Whether ``url`` names a host webhooks may be sent to. Redirects are never followed,
    so the host of the URL is the only one a delivery reaches."""
    if allowed is None:
        return True
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return host is not None and host.lower() in allowed


def body_of(claimed: Claimed) -> bytes:
    """The raw body sent: the outbox event's payload as compact UTF-8 JSON. The signature
    covers exactly these bytes."""
    return json.dumps(claimed.payload, ensure_ascii=False, separators=(",", ":")).encode()


def headers_of(claimed: Claimed, body: bytes, timestamp: int) -> dict[str, str]:
    """The headers of a try: content type, event id and type, timestamp and signature."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.EVENT_ID_HEADER: claimed.event_id,
        signing.EVENT_TYPE_HEADER: claimed.event_type,
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature_header(claimed.secret, timestamp, body),
    }


async def send(
    http: httpx.AsyncClient,
    claimed: Claimed,
    time_limit: float,
    allowed: frozenset[str] | None = None,
) -> Outcome:
    """POSTs the event to the webhook's URL. Success is a 2xx whose headers arrive within
    ``time_limit`` seconds, all phases together; the answer's body is never read (a receiver
    cannot make the worker download anything). Redirects are not followed: a 3xx fails. A
    host outside ``allowed`` (when given) fails without any connection."""
    if not host_allowed(claimed.url, allowed):
        return Outcome(False, error=HOST_NOT_ALLOWED)
    body = body_of(claimed)
    headers = headers_of(claimed, body, int(time.time()))
    try:
        async with asyncio.timeout(time_limit):
            request = http.build_request(
                "POST", claimed.url, content=body, headers=headers, timeout=time_limit
            )
            response = await http.send(request, stream=True)
            await response.aclose()
    except (TimeoutError, httpx.TimeoutException):
        return Outcome(False, error=f"No answer within {time_limit:g} s")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return Outcome(False, error=_short(f"{type(exc).__name__}: {exc}"))
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code)
    return Outcome(False, response.status_code, f"HTTP {response.status_code}")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"
