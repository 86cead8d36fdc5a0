"""SQL for search. Every query filters by workspace (API.md §1).

The conditions are portable SQL over the folded ``candidate_search`` columns, so both
databases give the same answers; what differs is how each finds the rows fast (one class per
database below):

- PostgreSQL: ``search_text LIKE '%…%'`` is served by the pg_trgm GIN index, so every text
  condition is (also) written as such a ``LIKE``.
- SQLite: the FTS5 trigram table answers the same ``LIKE`` from its index; its rowids pick the
  ``candidate_search`` rows, which the exact ``LIKE`` then checks.

JSON values (statuses, nationalities, custom attribute values) are read with each database's
own JSON functions.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Numeric,
    Select,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
)
from sqlalchemy import column as sql_column
from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.pagination import Page, PageQuery
from talentbase.candidates.models import Candidate
from talentbase.custom_attributes.models import CustomAttributeValue
from talentbase.search.criteria import (
    CandidatePeriod,
    Choice,
    Criterion,
    CustomChecked,
    CustomChoice,
    CustomNumber,
    CustomPeriod,
    CustomText,
    FreeText,
    Period,
    TextField,
)
from talentbase.search.models import FTS_TABLE, LIST_SEPARATOR, CandidateSearch
from talentbase.views import iso

CANDIDATE = "candidate"
ESCAPE = "\\"
_LIKE_SPECIAL = re.compile(r"([\\%_])")
# FTS5's trigram index serves a LIKE only through a run of at least three literal characters
_TRIGRAM = 3
# FTS5 intersects the posting lists of every trigram of a LIKE pattern; in a long value (an
# email) some trigrams are in nearly every row ("exa", ".co"), which makes the lookup grow with
# the table. The index is asked for the value's first characters only (a superset; the exact
# LIKE checks the rows): five seeded emails at 1M candidates took 4.1 ms on average whole,
# 2.8 ms by their first 12 characters.
_FTS_PREFIX = 12


def escape_like(value: str) -> str:
    """``value`` as a literal inside a LIKE pattern with ``ESCAPE '\\'``."""
    return _LIKE_SPECIAL.sub(r"\\\1", value)


class _Backend(ABC):
    """The conditions that depend on the database: ``_PostgreSQL``, ``_SQLite``."""

    @abstractmethod
    def search_text_like(self, before: str, value: str, after: str) -> list[ColumnElement[bool]]:
        """``search_text LIKE before || value || after`` (``before`` / ``after`` are ``%`` or
        ``% ``-style wildcards, ``value`` literal), in the form the database's index serves."""

    @abstractmethod
    def json_text(self, value: Any, key: str | None = None) -> ColumnElement[Any]:
        """The JSON string at the top of ``value`` (or under ``key``) as text."""

    @abstractmethod
    def json_number(self, value: Any, key: str | None = None) -> ColumnElement[Any]:
        """The JSON number at the top of ``value`` (or under ``key``) as a number."""

    @abstractmethod
    def json_is_true(self, value: Any) -> ColumnElement[bool]:
        """Whether ``value`` is JSON ``true``."""

    @abstractmethod
    def json_strings(self, value: Any) -> Any:
        """The elements of the JSON array of strings ``value``, as a table with column
        ``value`` (for a correlated ``EXISTS``)."""

    def in_workspace(self, workspace_id: str) -> ColumnElement[bool]:
        """The search row belongs to the workspace; called after the row's other conditions
        are built, so that it may leave the finding of rows to their substring index."""
        return CandidateSearch.workspace_id == workspace_id

    def ascii_lower(self, text: ColumnElement[Any]) -> ColumnElement[Any]:
        """``text`` with ASCII letters lowered, others left as they are."""
        return func.lower(text)

    def ordered(self, text: Any) -> Any:
        """``text`` for ORDER BY in code point order."""
        return text


class _PostgreSQL(_Backend):
    def search_text_like(self, before: str, value: str, after: str) -> list[ColumnElement[bool]]:
        pattern = before + escape_like(value) + after
        return [CandidateSearch.search_text.like(pattern, escape=ESCAPE)]

    def json_text(self, value: Any, key: str | None = None) -> ColumnElement[Any]:
        text: ColumnElement[Any]
        if key is None:
            text = value.op("#>>", return_type=Text)(literal_column("'{}'::text[]"))
        else:
            text = value.op("->>", return_type=Text)(literal(key, Text))
        return text

    def json_number(self, value: Any, key: str | None = None) -> ColumnElement[Any]:
        return cast(self.json_text(value, key), Numeric)

    def json_is_true(self, value: Any) -> ColumnElement[bool]:
        return self.json_text(value) == "true"

    def json_strings(self, value: Any) -> Any:
        return func.json_array_elements_text(value).table_valued("value")

    def ascii_lower(self, text: ColumnElement[Any]) -> ColumnElement[Any]:
        # under the C collation lower() changes ASCII letters only, as SQLite's does
        return func.lower(text.collate("C"))

    def ordered(self, text: Any) -> Any:
        return text.collate("C")


_FTS = table(FTS_TABLE, sql_column("rowid", Integer), sql_column("search_text", Text))


class _SQLite(_Backend):
    def __init__(self) -> None:
        self._indexed = False

    def search_text_like(self, before: str, value: str, after: str) -> list[ColumnElement[bool]]:
        exact = CandidateSearch.search_text.like(before + escape_like(value) + after, escape=ESCAPE)
        # FTS5 does not take an ESCAPE clause: unescaped, % and _ in the value are wildcards,
        # so its answer is a superset of the exact LIKE, which then checks each row
        loose = (
            before + value + after
            if len(value) <= _FTS_PREFIX
            else before + value[:_FTS_PREFIX] + "%"
        )
        if max(len(run) for run in re.split("[%_]", loose)) < _TRIGRAM:
            return [exact]
        indexed = CandidateSearch.doc_id.in_(
            select(_FTS.c.rowid).where(_FTS.c.search_text.like(loose))
        )
        self._indexed = True
        return [indexed, exact]

    def in_workspace(self, workspace_id: str) -> ColumnElement[bool]:
        # Without statistics SQLite takes ``workspace_id = ?`` for selective and walks the
        # workspace's whole index, probing the FTS answer per row (40-80x slower at 1M rows,
        # bench/README.md). ``workspace_id || ''`` is no index term (SQLite's documented way
        # to disqualify one), which leaves it the rowid lookups of the FTS matches.
        if self._indexed:
            return CandidateSearch.workspace_id.concat("") == workspace_id
        return super().in_workspace(workspace_id)

    def json_text(self, value: Any, key: str | None = None) -> ColumnElement[Any]:
        return func.json_extract(value, "$" if key is None else f"$.{key}", type_=Text)

    def json_number(self, value: Any, key: str | None = None) -> ColumnElement[Any]:
        return func.json_extract(value, "$" if key is None else f"$.{key}", type_=Numeric)

    def json_is_true(self, value: Any) -> ColumnElement[bool]:
        return func.json_type(value) == "true"

    def json_strings(self, value: Any) -> Any:
        return func.json_each(value).table_valued("value")


def _backend(session: AsyncSession) -> _Backend:
    return _PostgreSQL() if session.get_bind().dialect.name == "postgresql" else _SQLite()


def _negated(condition: ColumnElement[bool], negate: bool) -> ColumnElement[bool]:
    return not_(condition) if negate else condition


def _text_match(
    column: ColumnElement[Any], operator: str, value: str, *, listed: bool
) -> ColumnElement[bool]:
    """``column`` matches ``value``; a ``listed`` column holds ``\\x1f``-separated items, any
    of which may match."""
    literal_value = escape_like(value)
    if listed:
        edge = "%" + LIST_SEPARATOR
        patterns = {
            "contains": f"%{literal_value}%",
            "startsWith": f"{edge}{literal_value}%",
            "equals": f"{edge}{literal_value}{LIST_SEPARATOR}%",
        }
        return column.like(patterns[operator], escape=ESCAPE)
    if operator == "equals":
        return column == value
    pattern = f"{literal_value}%" if operator == "startsWith" else f"%{literal_value}%"
    return column.like(pattern, escape=ESCAPE)


# where the value sits in search_text when a field matches: a word is between single spaces
_WORD_EDGES = {"contains": ("%", "%"), "startsWith": ("% ", "%"), "equals": ("% ", " %")}


def _text_field(backend: _Backend, criterion: TextField) -> list[ColumnElement[bool]]:
    column = getattr(CandidateSearch, criterion.column)
    listed = criterion.column in ("emails", "phones")
    match = _text_match(column, criterion.operator, criterion.value, listed=listed)
    if criterion.negate:  # no index serves a negation
        return [not_(match)]
    before, after = _WORD_EDGES[criterion.operator]
    # the field's value is also a word of search_text: the indexed LIKE narrows the rows first
    return [*backend.search_text_like(before, criterion.value, after), match]


def _choice(backend: _Backend, criterion: Choice) -> ColumnElement[bool]:
    if criterion.column == "main_contact":
        chosen = Candidate.main_contact_user_id.in_(criterion.values)
        if criterion.negate:
            return or_(Candidate.main_contact_user_id.is_(None), not_(chosen))
        return chosen
    values = backend.json_strings(getattr(Candidate, criterion.column))
    found = exists(
        select(literal(1)).select_from(values).where(values.c.value.in_(criterion.values))
    )
    return _negated(found, criterion.negate)


def _within(column: Any, period: Period, bound: Any = None) -> ColumnElement[bool]:
    """``column`` in ``[low, high)``; ``bound`` converts the ends (to text for stored text)."""
    convert = bound or (lambda moment: moment)
    conditions = []
    if period.low is not None:
        conditions.append(column >= convert(period.low))
    if period.high is not None:
        conditions.append(column < convert(period.high))
    return and_(*conditions)


def _custom_value(definition_id: str, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """The candidate has a value of the definition that meets ``condition``."""
    return exists(
        select(literal(1)).where(
            CustomAttributeValue.workspace_id == Candidate.workspace_id,
            CustomAttributeValue.entity_type == CANDIDATE,
            CustomAttributeValue.entity_id == Candidate.id,
            CustomAttributeValue.definition_id == definition_id,
            condition,
        )
    )


def _custom(backend: _Backend, criterion: Criterion) -> ColumnElement[bool]:
    stored = CustomAttributeValue.value
    if isinstance(criterion, CustomText):
        text = backend.ascii_lower(backend.json_text(stored))
        match = _text_match(text, criterion.operator, criterion.value, listed=False)
        return _negated(_custom_value(criterion.definition_id, match), criterion.negate)
    if isinstance(criterion, CustomNumber):
        amount = backend.json_number(stored, None if criterion.currency is None else "amount")
        compare = {
            "equals": amount == criterion.value,
            "lessThanOrEqual": amount <= criterion.value,
            "greaterThanOrEqual": amount >= criterion.value,
        }[criterion.operator]
        if criterion.currency is not None:
            compare = and_(compare, backend.json_text(stored, "currency") == criterion.currency)
        return _negated(_custom_value(criterion.definition_id, compare), criterion.negate)
    if isinstance(criterion, CustomChecked):
        checked = _custom_value(criterion.definition_id, backend.json_is_true(stored))
        return _negated(checked, not criterion.checked)
    if isinstance(criterion, CustomChoice):
        chosen: ColumnElement[bool]
        if criterion.multiple:
            options = backend.json_strings(stored)
            chosen = exists(
                select(literal(1)).select_from(options).where(options.c.value.in_(criterion.values))
            )
        else:
            chosen = backend.json_text(stored).in_(criterion.values)
        return _negated(_custom_value(criterion.definition_id, chosen), criterion.negate)
    assert isinstance(criterion, CustomPeriod)
    # stored as fixed-width UTC text, whose order is the time order
    within = _within(backend.json_text(stored), criterion.period, iso)
    return _negated(_custom_value(criterion.definition_id, within), criterion.period.negate)


def _conditions(backend: _Backend, criterion: Criterion) -> list[ColumnElement[bool]]:
    if isinstance(criterion, FreeText):
        return [
            condition
            for term in criterion.terms
            for condition in backend.search_text_like("%", term, "%")
        ]
    if isinstance(criterion, TextField):
        return _text_field(backend, criterion)
    if isinstance(criterion, Choice):
        return [_choice(backend, criterion)]
    if isinstance(criterion, CandidatePeriod):
        within = _within(getattr(Candidate, criterion.column), criterion.period)
        return [_negated(within, criterion.period.negate)]
    return [_custom(backend, criterion)]


def _text_matches(
    backend: _Backend, workspace_id: str, criteria: list[Criterion]
) -> Select[str] | None:
    """The ids of the workspace's candidates meeting the criteria on their search row (free
    text, text fields), found through the substring index; None when there are none."""
    conditions = [
        condition
        for criterion in criteria
        if isinstance(criterion, FreeText | TextField)
        for condition in _conditions(backend, criterion)
    ]
    if not conditions:
        return None
    return select(CandidateSearch.candidate_id).where(
        backend.in_workspace(workspace_id), *conditions
    )


async def search_page(
    session: AsyncSession, workspace_id: str, criteria: list[Criterion], query: PageQuery
) -> Page[Candidate]:
    """One page of the candidates meeting every criterion, most recently modified first,
    ties by id (descending), with the count of all of them.

    Text criteria are answered first, from the substring index, into a materialised set of
    ids that the page then sorts: otherwise the planner may walk the whole modifiedAt index
    newest first hoping to meet matches early, which costs a scan when they are old. The
    count of text-only searches reads the search table alone."""
    backend = _backend(session)
    statement = select(Candidate).where(Candidate.workspace_id == workspace_id)
    others = [
        criterion for criterion in criteria if not isinstance(criterion, FreeText | TextField)
    ]
    for criterion in others:
        statement = statement.where(*_conditions(backend, criterion))
    matches = _text_matches(backend, workspace_id, criteria)
    counted: Select[Any] = statement
    if matches is not None:
        fenced = matches.cte("text_matches").prefix_with("MATERIALIZED")
        statement = statement.join(fenced, fenced.c.candidate_id == Candidate.id)
        counted = statement if others else matches
    total = await session.scalar(select(func.count()).select_from(counted.subquery()))
    rows = await session.scalars(
        statement.order_by(Candidate.modified_at.desc(), Candidate.id.desc())
        .offset(query.offset)
        .limit(query.page_size)
    )
    return Page(list(rows.all()), int(total or 0), query)


def _word_score(term: str) -> ColumnElement[Any]:
    """How well one term matches: 3 a whole word, 2 the start of a word, 1 the end of one
    (a phone number's last digits), 0 inside a word."""
    literal_term = escape_like(term)
    text = CandidateSearch.search_text
    return case(
        (text.like(f"% {literal_term} %", escape=ESCAPE), 3),
        (text.like(f"% {literal_term}%", escape=ESCAPE), 2),
        (text.like(f"%{literal_term} %", escape=ESCAPE), 1),
        else_=0,
    )


async def find_people(
    session: AsyncSession, workspace_id: str, terms: list[str], limit: int
) -> list[Candidate]:
    """Up to ``limit`` candidates whose names, emails or phone numbers hold every term, best
    first: the sum of the terms' ``_word_score``, then by last name, first name (folded) and
    id. Ranked and cut within the search table; only the candidates kept are read."""
    backend = _backend(session)
    matches = _text_matches(backend, workspace_id, [FreeText(tuple(terms))])
    assert matches is not None
    ranked = matches.add_columns(
        sum((_word_score(term) for term in terms), start=literal(0)).label("score"),
        backend.ordered(CandidateSearch.last_name).label("last_name"),
        backend.ordered(CandidateSearch.first_name).label("first_name"),
    ).subquery("ranked")
    order = (
        ranked.c.score.desc(),
        ranked.c.last_name,
        ranked.c.first_name,
        ranked.c.candidate_id,
    )
    best = select(ranked).order_by(*order).limit(limit).subquery("best")
    rows = await session.scalars(
        select(Candidate)
        .join(best, best.c.candidate_id == Candidate.id)
        .where(Candidate.workspace_id == workspace_id)
        .order_by(best.c.score.desc(), best.c.last_name, best.c.first_name, best.c.candidate_id)
    )
    return list(rows.all())
