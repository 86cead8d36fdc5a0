"""What a search filter asks once it has been checked: ``search.service`` makes these from the
body (values already folded, dates already bounds), ``search.repository`` turns them into SQL.

Negative operators (``notEquals``, ``notIn``) are the exact complement of their positive
counterpart: a candidate without any value for the field matches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# the positive operators; a negative one is its positive one with ``negate``
TEXT_MATCHES = ("contains", "equals", "startsWith")
COMPARISONS = ("equals", "lessThanOrEqual", "greaterThanOrEqual")


@dataclass(frozen=True)
class FreeText:
    """``candidate.any``: every term is found in the candidate's folded names, emails or
    phone numbers."""

    terms: tuple[str, ...]


@dataclass(frozen=True)
class TextField:
    """A text filter on one searched field: ``column`` is ``first_name``, ``last_name``,
    ``emails`` or ``phones`` of ``search.models.CandidateSearch``; ``operator`` one of
    ``TEXT_MATCHES``; ``value`` folded (digits only for phones); ``negate`` for
    ``notEquals``."""

    column: str
    operator: str
    value: str
    negate: bool = False


@dataclass(frozen=True)
class Choice:
    """``in`` / ``notIn`` (``negate``) on the main contact's user id (``column``
    ``main_contact``) or on the ``status`` or ``nationality`` lists: any of the candidate's
    values is among ``values``."""

    column: str
    values: tuple[str, ...]
    negate: bool = False


@dataclass(frozen=True)
class Period:
    """A date filter as the half-open interval ``[low, high)`` (either end open when None);
    ``negate`` for ``notEquals``."""

    low: datetime | None
    high: datetime | None
    negate: bool = False


@dataclass(frozen=True)
class CandidatePeriod:
    """A ``Period`` on the candidate's ``created_at`` or ``modified_at`` (``column``)."""

    column: str
    period: Period


@dataclass(frozen=True)
class CustomText:
    """A text or URL custom attribute: ``value`` with ASCII letters lowered, compared with the
    stored value lowered the same way (the one case folding both databases share)."""

    definition_id: str
    operator: str  # one of TEXT_MATCHES
    value: str
    negate: bool = False


@dataclass(frozen=True)
class CustomNumber:
    """A number custom attribute, or a currency one's amount in ``currency``."""

    definition_id: str
    operator: str  # one of COMPARISONS
    value: int | float
    currency: str | None = None
    negate: bool = False


@dataclass(frozen=True)
class CustomChecked:
    """A checkbox custom attribute: checked, or not (no value counts as unchecked)."""

    definition_id: str
    checked: bool


@dataclass(frozen=True)
class CustomChoice:
    """A select (``multiple`` False) or multi-select custom attribute: any chosen option is
    among ``values``."""

    definition_id: str
    multiple: bool
    values: tuple[str, ...]
    negate: bool = False


@dataclass(frozen=True)
class CustomPeriod:
    """A date custom attribute (stored as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` text)."""

    definition_id: str
    period: Period


Criterion = (
    FreeText
    | TextField
    | Choice
    | CandidatePeriod
    | CustomText
    | CustomNumber
    | CustomChecked
    | CustomChoice
    | CustomPeriod
)
