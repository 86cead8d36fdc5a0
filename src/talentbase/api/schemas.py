"""Schema building blocks shared by every router: the strict input base, enum strings, the
error body, and the camelCase convention at the edge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError, core_schema

from talentbase.api.errors import INVALID_ENUM_VALUE


class StrictInput(BaseModel):
    """Base of every request body: camelCase keys only, unknown keys rejected
    (``UNRECOGNIZED_KEYS``), no type coercion ("1" is not a number, "true" not a boolean)."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        allow_inf_nan=False,
    )


class Output(BaseModel):
    """Base of documented responses: camelCase keys, and nothing undocumented."""

    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, validate_by_alias=True, serialize_by_alias=True
    )


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def absent(description: str | None = None, **constraints: Any) -> Any:
    """Default of a field that may be left out but is not nullable: left out, it is missing
    from ``model_fields_set`` and leaves the stored value unchanged (API.md §2.1); sent as
    ``null`` it fails validation. The documented schema shows no default."""
    return Field(
        default=None, description=description, json_schema_extra=_no_default, **constraints
    )


def enum_check(values: tuple[str, ...], what: str) -> Callable[[str], str]:
    """A validator accepting exactly ``values`` (case-sensitive), else ``INVALID_ENUM_VALUE``.
    Long lists are not repeated in the message."""
    allowed = frozenset(values)
    listing = (
        "one of: " + ", ".join(values)
        if len(values) <= 15
        else "a value listed in the API documentation"
    )

    def check(value: str) -> str:
        if value not in allowed:
            raise PydanticCustomError(
                INVALID_ENUM_VALUE, f"Invalid {what} {value!r}; expected {listing}"
            )
        return value

    return check


def enum_schema(values: tuple[str, ...]) -> dict[str, Any]:
    """JSON schema of a string enum."""
    return {"type": "string", "enum": list(values)}


@dataclass(frozen=True)
class OneOf:
    """``Annotated[str, OneOf(values, "what")]``: exactly one of ``values`` (case-sensitive),
    else ``INVALID_ENUM_VALUE``; documented as a string enum."""

    values: tuple[str, ...]
    what: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            enum_check(self.values, self.what), handler(source)
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return enum_schema(self.values)


class ErrorItemOut(Output):
    """One field error."""

    code: str
    path: str
    message: str
    received: Any = None


class ErrorBody(Output):
    """Spott's error body (API.md §1)."""

    status: int
    message: str
    request_id: str
    errors: list[ErrorItemOut] | None = None


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses."""
    descriptions = {
        400: "Validation failed or a bad reference; `errors` names each field",
        401: "Missing or unknown `x-api-key`",
        404: "Unknown id (or an id of another workspace)",
        413: "Body larger than the limit (1 MiB by default)",
        415: "Body sent with a Content-Type other than application/json",
    }
    return {
        status: {"model": ErrorBody, "description": descriptions[status]} for status in statuses
    }
