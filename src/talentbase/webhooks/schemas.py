"""Bodies and answers of the webhook routes."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, WithJsonSchema

from talentbase.api.pagination import PageInfoOut
from talentbase.api.schemas import OneOf, Output, StrictInput
from talentbase.candidates.schemas import HttpUrl
from talentbase.events.outbox import EVENT_TYPES
from talentbase.webhooks.models import DELIVERY_STATUSES

EventType = Annotated[str, OneOf(EVENT_TYPES, "event type")]


def _unique(values: list[str]) -> list[str]:
    """The list without repeats, first occurrence kept."""
    return list(dict.fromkeys(values))


EventTypes = Annotated[
    list[EventType],
    Field(min_length=1, max_length=len(EVENT_TYPES) * 4),
    AfterValidator(_unique),
    WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "string", "enum": list(EVENT_TYPES)},
            "minItems": 1,
            "uniqueItems": True,
        }
    ),
]


class WebhookCreate(StrictInput):
    """Body of ``POST /webhooks``: where to send (an absolute http(s) URL, at most 2048
    characters) and which event types (one or more; repeats are dropped)."""

    url: HttpUrl
    events: EventTypes


class WebhookOut(Output):
    """A webhook as ``GET /webhooks`` lists it; never its secret. ``disabledAt`` is set once
    its endpoint kept failing: a disabled webhook gets no events."""

    id: str
    url: str
    events: list[str]
    created_at: str
    disabled_at: str | None


class WebhookCreated(WebhookOut):
    """The answer of ``POST /webhooks``: the webhook and its signing secret, shown only here."""

    secret: str


class WebhookList(Output):
    """``{"items": [...]}``: the workspace's webhooks, oldest first."""

    items: list[WebhookOut]


class DeliveryOut(Output):
    """One event sent (or to be sent) to one webhook. ``status``: pending (not tried yet, or
    its first try is under way), failed (tried, retried at ``nextAttemptAt``), delivered
    (answered 2xx), abandoned (retries ran out, or the webhook was disabled)."""

    id: str
    event_id: str
    event_type: str
    candidate_id: str | None
    status: Annotated[str, WithJsonSchema({"type": "string", "enum": list(DELIVERY_STATUSES)})]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: str | None
    delivered_at: str | None
    created_at: str


class DeliveryList(Output):
    """A cursor page of deliveries, newest event first: ``{items, pageInfo}``."""

    items: list[DeliveryOut]
    page_info: PageInfoOut
