"""How a client contact stage appears in views: ``{id, order, name, colorHex}`` (Spott)."""

from __future__ import annotations

from typing import Any

from talentbase.client_contacts.models import ClientContactStage


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
