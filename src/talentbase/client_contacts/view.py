"""How a client contact appears in views: its stage as ``{id, order, name, colorHex}``
(Spott), and whether the role is active."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from talentbase.client_contacts.models import ClientContact, ClientContactStage


def is_active(contact: ClientContact, now: datetime) -> bool:
    """Whether the role is active at ``now``: its ``active`` flag is set and it has not ended
    (no ``endDate``, or ``endDate`` not before ``now``). A role whose end date has passed is
    over, whatever the flag still says; every view shows this value as ``active``."""
    return contact.active and (contact.end_date is None or contact.end_date >= now)


def stage_json(stage: ClientContactStage | None) -> dict[str, Any] | None:
    """The stage as views show it, or None."""
    if stage is None:
        return None
    return {
        "id": stage.id,
        "order": stage.position,
        "name": stage.name,
        "colorHex": stage.color_hex,
    }
