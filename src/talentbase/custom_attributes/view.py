"""How custom attribute values appear in views (Spott ``value.viewType``: customText, ...)."""

from __future__ import annotations

from typing import Any

from talentbase.custom_attributes.models import CustomAttributeDefinition, CustomAttributeValue

# kind -> (viewType, key holding the value)
VALUE_VIEWS = {
    "text": ("customText", "text"),
    "number": ("customNumber", "number"),
    "checkbox": ("customCheckbox", "checked"),
    "select": ("customSelect", "selected"),
    "multiSelect": ("customMultiSelect", "selected"),
    "date": ("customDate", "date"),
    "currency": ("customCurrency", "amount"),
    "url": ("customUrl", "url"),
}


def attribute_json(
    value: CustomAttributeValue, definition: CustomAttributeDefinition
) -> dict[str, Any]:
    """One ``customAttributes[]`` entry of a view. A currency value is stored as
    ``{"amount", "currency"}`` and shown with both keys."""
    view_type, key = VALUE_VIEWS[definition.kind]
    shown: dict[str, Any] = {"viewType": view_type}
    if definition.kind == "currency" and isinstance(value.value, dict):
        shown.update({"amount": value.value.get("amount"), "currency": value.value.get("currency")})
    else:
        shown[key] = value.value
    return {
        "value": shown,
        "attributeDefinitionId": definition.id,
        "label": definition.label,
        "aiFillOngoing": value.ai_fill_ongoing,
        "aiOverridden": value.ai_overridden,
        "isFilledByAI": value.is_filled_by_ai,
        "options": list(definition.options),
    }
