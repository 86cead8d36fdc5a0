"""``talentbase seed``: fills a workspace with realistic, varied candidates, fast enough to load a
million on a small machine in minutes (issue 4 §6).

People get names from many countries (``seed_data``: native scripts and their latin forms,
accents, apostrophes, gendered and double surnames), 1–3 email addresses, 0–2 valid phone
numbers of their country, locations, languages, nationalities, statuses, compensation, social
media, work history at a pool of companies, and a few recruiters of the workspace as main
contacts. ``createdAt`` spreads over six years before the seeding day, and many candidates
share one ``modifiedAt`` (a bulk import), as happens in real CRMs.

Rows are written in batches of 5 000 inside few transactions (one per 100 000 candidates),
bypassing the ORM and the request path: SQLAlchemy Core ``insert()`` executemany on SQLite,
psycopg's ``COPY`` on PostgreSQL, from a writer thread while the next batch is made. They are
exactly what the API would store: the list items go through the same normalisers as
``POST /candidates`` (``candidates.service``: emails, phones with their E.164 form, social
media, locations, languages, compensation), names are the NFC forms
``candidates.rules.person_name`` keeps, and ``tests/unit/test_seed.py`` checks that a candidate
created through the API from a seeded one's view is stored identically. A seed writes no outbox
events, webhooks or history entries (a bulk load, not a stream of changes).

What the ORM's mapper events write beside a new candidate is written here too: its
``candidate_search`` row (``search.models.entry``, the folded names, emails and phones that
search reads), and its ``candidate_identifiers`` rows (``duplicates.models.rows_for``, the
normalised emails, phones and social URLs that duplicate detection reads).

The same ``random_seed`` and ``anchor`` on the same starting state give the same candidates
(names, contacts, dates, history); ids are always fresh, so a seed can run twice.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from queue import Queue
from typing import Any, NamedTuple, cast

import phonenumbers
import psycopg
from sqlalchemy import Connection, Engine, Table, create_engine, event, func, insert, select, text

from talentbase.candidates import enums, rules
from talentbase.candidates.models import Candidate
from talentbase.candidates.schemas import (
    CompensationIn,
    EmailIn,
    LanguageIn,
    LocationIn,
    PhoneNumberIn,
    SocialMediaIn,
)
from talentbase.candidates.service import (
    FieldErrors,
    normalize_compensation,
    normalize_emails,
    normalize_languages,
    normalize_location,
    normalize_phones,
    normalize_social_media,
)
from talentbase.companies.models import Company
from talentbase.db.base import Base, new_id
from talentbase.db.engine import apply_sqlite_pragmas
from talentbase.db.types import truncate_ms
from talentbase.db.urls import is_sqlite, sync_url
from talentbase.duplicates.models import CandidateIdentifier
from talentbase.duplicates.models import rows_for as identifier_rows
from talentbase.search.models import CandidateSearch
from talentbase.search.models import entry as search_entry
from talentbase.search.text import fold
from talentbase.seed_data import (
    COMPANY_KINDS,
    COMPANY_SIZES,
    COMPANY_WORDS,
    COUNTRIES,
    FREE_MAIL_DOMAINS,
    GENERIC_STREETS,
    JOB_TITLES,
    LEGAL_FORMS,
    SECOND_LANGUAGES,
    STREETS,
    USERS,
    Country,
    Culture,
)
from talentbase.users.models import User
from talentbase.work_history.models import WorkExperience
from talentbase.workspaces.models import Workspace

DEFAULT_BATCH_SIZE = 5_000
# candidates per transaction: few transactions, but a crash loses at most this many
COMMIT_EVERY = 100_000
HISTORY_YEARS = 6
# share of candidates whose modifiedAt is the one instant of a bulk import, and of a second one
BULK_IMPORT_SHARE = 0.12
SECOND_IMPORT_SHARE = 0.04


def ascii_slug(name: str) -> str:
    """The lower-case ASCII letters and digits of a latin-script name, accents dropped
    (``"Ó Súilleabháin"`` → ``"osuilleabhain"``, ``"Łukasz"`` → ``"lukasz"``): the stuff of
    email addresses and profile URLs."""
    return "".join(char for char in fold(name) if char.isascii() and char.isalnum())


@dataclass(frozen=True)
class NamePart:
    """One name as it may be stored (``native``, checked by ``rules.person_name``) and its
    latin form (``latin``) with the slug used in addresses."""

    native: str
    latin: str
    slug: str


def _name_part(entry: str) -> NamePart:
    native, _, latin = entry.partition("|")
    native = rules.person_name(native)
    latin = rules.person_name(latin or native)
    return NamePart(native, latin, ascii_slug(latin))


@dataclass(frozen=True)
class _Pools:
    """A culture's name pools, parsed and checked once."""

    male: tuple[NamePart, ...]
    female: tuple[NamePart, ...]
    last: tuple[NamePart, ...]
    last_female: tuple[NamePart, ...]
    middle_male: tuple[NamePart, ...]
    middle_female: tuple[NamePart, ...]


def _pools(culture: Culture) -> _Pools:
    def parts(entries: tuple[str, ...]) -> tuple[NamePart, ...]:
        return tuple(_name_part(entry) for entry in entries)

    last = parts(culture.last)
    return _Pools(
        male=parts(culture.male),
        female=parts(culture.female),
        last=last,
        last_female=parts(culture.last_female) or last,
        middle_male=parts(culture.middle_male),
        middle_female=parts(culture.middle_female),
    )


# Stand-ins for the request models (``candidates.schemas``) that ``candidates.service``'s
# normalisers read: the same attributes, without the cost of a pydantic model per item
# (about 12 µs each, a quarter of the time to make a candidate). The normalisers only read them.
class _Email(NamedTuple):
    purpose: str | None
    email: str
    is_primary: bool = False


class _Phone(NamedTuple):
    purpose: str | None
    phone_number: str
    is_primary: bool = False


class _Social(NamedTuple):
    url: str
    type: str
    is_primary: bool = False


class _Location(NamedTuple):
    type: str
    city: str
    country: str | None
    latitude: float
    longitude: float
    street1: str | None = None
    postal_code: str | None = None
    street2: str | None = None
    region: str | None = None
    state: str | None = None


class _Language(NamedTuple):
    language: str
    fluency: str | None
    id: str | None = None


class _Compensation(NamedTuple):
    currency: str
    total_compensation: float | None
    base_compensation: float | None
    id: str | None = None


@dataclass(frozen=True)
class SeedResult:
    """What a seed wrote, and how long it took."""

    workspace_id: str
    candidates: int
    work_experiences: int
    companies: int
    users: int
    seconds: float


@dataclass(frozen=True)
class _CompanyRef:
    id: str
    domain: str


class _Generator:
    """Makes candidate rows and their work experience rows, deterministically from ``rng``."""

    def __init__(
        self,
        rng: random.Random,
        workspace_id: str,
        anchor: datetime,
        user_ids: Sequence[str],
        companies: Sequence[_CompanyRef],
        first_number: int,
    ) -> None:
        self.rng = rng
        self.workspace_id = workspace_id
        self.anchor = anchor
        self.user_ids = list(user_ids)
        self.companies = list(companies)
        self.number = first_number
        self.pools = {id(country.culture): _pools(country.culture) for country in COUNTRIES}
        self.cum_weights = _cumulative([country.weight for country in COUNTRIES])
        self.history = timedelta(days=365 * HISTORY_YEARS)
        self.bulk_import = truncate_ms(anchor - timedelta(days=40, hours=3, minutes=17))
        self.second_import = truncate_ms(anchor - timedelta(days=3, hours=9, minutes=2))
        self.phone_prefixes = {country.code: _mobile_example(country.code) for country in COUNTRIES}
        self.errors = FieldErrors()

    def pick(self, items: Sequence[Any]) -> Any:
        """One of ``items``, uniformly."""
        return items[int(self.rng.random() * len(items))]

    def moment(self, start: datetime, end: datetime) -> datetime:
        """A millisecond instant between ``start`` and ``end``, uniformly."""
        span = (end - start).total_seconds()
        return truncate_ms(start + timedelta(seconds=self.rng.random() * span))

    def candidate(self) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
        """One candidate row (the ``candidates`` table's columns), its search row and its work
        experiences."""
        rng = self.rng
        self.number += 1
        number = self.number
        country: Country = rng.choices(COUNTRIES, cum_weights=self.cum_weights)[0]
        culture = country.culture
        pools = self.pools[id(culture)]
        roll = rng.random()
        gender = (
            "male" if roll < 0.47 else "female" if roll < 0.94 else "x" if roll < 0.96 else None
        )
        feminine = gender == "female" or (gender not in ("male", "female") and rng.random() < 0.5)
        native = rng.random() < culture.native_share
        first = self.pick(pools.female if feminine else pools.male)
        last_index = int(rng.random() * len(pools.last))
        last = (pools.last_female if feminine else pools.last)[last_index]
        middles = pools.middle_female if feminine else pools.middle_male
        middle = self.pick(middles) if middles and rng.random() < culture.middle_share else None
        second_last = None
        if rng.random() < culture.second_last_share:
            second_last = self.pick(pools.last)
            if second_last is last:
                second_last = None

        def shown(part: NamePart | None) -> str | None:
            if part is None:
                return None
            return part.native if native else part.latin

        created, modified = self._timestamps()
        experiences, current_company = self._work_history(created, country)
        user_ids = self.user_ids
        main_contact = self.pick(user_ids) if user_ids and rng.random() < 0.4 else None
        last_interaction_at = None
        last_interaction_with = None
        if rng.random() < 0.3:
            last_interaction_at = self.moment(created, modified)
            if user_ids and rng.random() < 0.8:
                last_interaction_with = self.pick(user_ids)
        row: dict[str, Any] = {
            "id": new_id(),
            "workspace_id": self.workspace_id,
            "first_name": shown(first),
            "middle_name": shown(middle),
            "last_name": shown(last),
            "second_last_name": shown(second_last),
            "avatar_url": (
                f"https://avatars.example.com/c/{number}.png" if rng.random() < 0.1 else None
            ),
            "gender": gender,
            "date_of_birth": (
                date(1955, 1, 1) + timedelta(days=int(rng.random() * 18_250))
                if rng.random() < 0.65
                else None
            ),
            "visible_if_client_contact": self._visible(),
            "acquisition_source": self._acquisition_source(),
            "main_contact_user_id": main_contact,
            "last_interaction_at": last_interaction_at,
            "last_interaction_with_id": last_interaction_with,
            "compensation": self._compensation(country),
            "emails": self._emails(first, last, number, current_company),
            "phone_numbers": self._phones(country),
            "social_media": self._social_media(first, last, number),
            "locations": self._locations(country),
            "languages": self._languages(country),
            "nationality": self._nationality(country),
            "status": self._status(),
            "ai_summary": None,
            "last_agent_chat_id": None,
            "created_at": created,
            "modified_at": modified,
        }
        self.errors.raise_if_any()
        for experience in experiences:
            experience["candidate_id"] = row["id"]
        return row, _search_row(row), experiences

    def _timestamps(self) -> tuple[datetime, datetime]:
        rng = self.rng
        roll = rng.random()
        if roll < BULK_IMPORT_SHARE:
            shared = self.bulk_import
        elif roll < BULK_IMPORT_SHARE + SECOND_IMPORT_SHARE:
            shared = self.second_import
        else:
            created = self.moment(self.anchor - self.history, self.anchor)
            if rng.random() < 0.2:
                return created, created  # never edited
            span = (self.anchor - created).total_seconds()
            # edits cluster soon after creation, with a long tail up to the seeding day
            modified = truncate_ms(created + timedelta(seconds=span * rng.random() ** 2))
            return created, modified
        return self.moment(shared - self.history, shared), shared

    def _visible(self) -> bool | None:
        roll = self.rng.random()
        return None if roll < 0.85 else roll < 0.95

    def _acquisition_source(self) -> str:
        roll = self.rng.random()
        if roll < 0.45:
            return "manual"
        if roll < 0.6:
            return "cv_parse"
        if roll < 0.7:
            return "csv_import"
        return str(self.pick(enums.ACQUISITION_SOURCES))

    def _compensation(self, country: Country) -> dict[str, Any] | None:
        rng = self.rng
        if rng.random() >= 0.45:
            return None
        total = float(round(country.salary * (0.5 + 2 * rng.random() ** 2), -3))
        base = float(round(total * (0.7 + 0.3 * rng.random()), -3))
        roll = rng.random()
        item = _Compensation(
            currency=country.currency,
            total_compensation=None if roll < 0.05 else total,
            base_compensation=None if roll > 0.9 else min(base, total),
        )
        return normalize_compensation(cast(CompensationIn, item), None, self.errors)

    def _emails(
        self, first: NamePart, last: NamePart, number: int, company: _CompanyRef | None
    ) -> list[dict[str, Any]]:
        rng = self.rng
        f, l_ = first.slug or "person", last.slug or "candidate"
        patterns = (f"{f}.{l_}", f"{f}{l_}", f"{f[0]}{l_}", f"{l_}.{f}", f"{f}_{l_}")
        # the candidate's number makes every address unique in the workspace
        personal = f"{self.pick(patterns)}{number}"
        if rng.random() < 0.05:
            personal = ".".join(word.capitalize() for word in personal.split("."))
        items = [_Email(purpose="personal", email=f"{personal}@{self.pick(FREE_MAIL_DOMAINS)}")]
        roll = rng.random()
        if roll < 0.45:
            domain = company.domain if company is not None else self.pick(FREE_MAIL_DOMAINS)
            items.append(_Email(purpose="work", email=f"{f}.{l_}.{number}@{domain}"))
        if roll < 0.12:
            items.append(_Email(purpose=None, email=f"{f}{number}@{self.pick(FREE_MAIL_DOMAINS)}"))
        if len(items) > 1 and rng.random() < 0.15:
            items[1] = items[1]._replace(is_primary=True)
        return normalize_emails(cast(list[EmailIn], items), self.errors)

    def _phones(self, home: Country) -> list[dict[str, Any]]:
        rng = self.rng
        roll = rng.random()
        count = 0 if roll < 0.25 else 1 if roll < 0.8 else 2
        items: list[_Phone] = []
        seen: set[str] = set()
        for index in range(count):
            region = home.code if rng.random() < 0.9 else self.pick(COUNTRIES).code
            number = self._phone_number(region)
            if number in seen:
                continue
            seen.add(number)
            purpose = self.pick(("personal", "work", None))
            items.append(
                _Phone(purpose=purpose, phone_number=number, is_primary=index == 1 and roll > 0.95)
            )
        return normalize_phones(cast(list[PhoneNumberIn], items), None, self.errors)

    def _phone_number(self, region: str) -> str:
        """A valid mobile number of ``region``, in E.164 or international format: the example
        number's first digits, then random ones, retried until the number is valid."""
        rng = self.rng
        example = self.phone_prefixes[region]
        digits = str(example.national_number)
        keep = min(3, len(digits) - 4)
        parsed = example
        for _ in range(50):
            tail = "".join(str(int(rng.random() * 10)) for _ in range(len(digits) - keep))
            candidate = phonenumbers.PhoneNumber(
                country_code=example.country_code, national_number=int(digits[:keep] + tail)
            )
            if phonenumbers.is_valid_number(candidate):
                parsed = candidate
                break
        style = (
            phonenumbers.PhoneNumberFormat.E164
            if rng.random() < 0.5
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return str(phonenumbers.format_number(parsed, style))

    def _social_media(self, first: NamePart, last: NamePart, number: int) -> list[dict[str, Any]]:
        rng = self.rng
        f, l_ = first.slug or "person", last.slug or "candidate"
        items: list[_Social] = []
        if rng.random() < 0.65:
            host = "www.linkedin.com" if rng.random() < 0.9 else "linkedin.com"
            items.append(_Social(url=f"https://{host}/in/{f}-{l_}-{number:x}", type="LINKEDIN"))
        if rng.random() < 0.12:
            items.append(_Social(url=f"https://github.com/{f}{l_}{number}", type="GITHUB"))
        if rng.random() < 0.05:
            items.append(_Social(url=f"https://x.com/{f}_{l_}{number}", type="TWITTER"))
        if rng.random() < 0.04:
            items.append(_Social(url=f"https://{f}{l_}{number}.example.com/", type="WEBSITE"))
        return normalize_social_media(cast(list[SocialMediaIn], items), self.errors)

    def location(self, country: Country, kind: str, *, street: bool) -> dict[str, Any]:
        """A stored location (``normalize_location``) in a city of ``country``."""
        rng = self.rng
        city = self.pick(country.cities)
        roll = rng.random()
        item = _Location(
            type=kind,
            street1=(
                f"{self.pick(STREETS.get(country.code, GENERIC_STREETS))} "
                f"{1 + int(rng.random() * 180)}"
                if street
                else None
            ),
            postal_code=city.postal_code if street else None,
            city=city.name,
            country=country.code if roll < 0.55 else country.name if roll < 0.95 else None,
            latitude=round(city.latitude + (rng.random() - 0.5) * 0.06, 4),
            longitude=round(city.longitude + (rng.random() - 0.5) * 0.06, 4),
        )
        return normalize_location(cast(LocationIn, item))

    def _locations(self, country: Country) -> list[dict[str, Any]]:
        rng = self.rng
        if rng.random() < 0.1:
            return []
        found = [self.location(country, "primary_home", street=rng.random() < 0.4)]
        if rng.random() < 0.2:
            found.append(self.location(country, "work", street=rng.random() < 0.5))
        return found

    def _languages(self, country: Country) -> list[dict[str, Any]]:
        rng = self.rng
        spoken = [country.language]
        if country.language != "English" and rng.random() < 0.75:
            spoken.append("English")
        if rng.random() < 0.2:
            other = self.pick(SECOND_LANGUAGES)
            if other not in spoken:
                spoken.append(other)
        items = [
            _Language(
                language=language,
                fluency=(
                    "Native or bilingual proficiency"
                    if index == 0
                    else None
                    if rng.random() < 0.05
                    else self.pick(enums.FLUENCIES[:4])
                ),
            )
            for index, language in enumerate(spoken)
        ]
        return normalize_languages(cast(list[LanguageIn], items), [], self.errors)

    def _nationality(self, country: Country) -> list[str]:
        roll = self.rng.random()
        if roll < 0.03:
            return []
        found = [country.demonym]
        if roll > 0.95:
            other = self.pick(enums.NATIONALITIES)
            if other != country.demonym:
                found.append(other)
        return found

    def _status(self) -> list[str]:
        roll = self.rng.random()
        if roll < 0.4:
            return []
        first = self.pick(enums.STATUSES)
        if roll < 0.9:
            return [first]
        second = self.pick(enums.STATUSES)
        return [first] if second == first else [first, second]

    def _work_history(
        self, created: datetime, country: Country
    ) -> tuple[list[dict[str, Any]], _CompanyRef | None]:
        """0–3 jobs going back from the seeding day; the latest is current 70% of the time.
        Returns the rows (``candidate_id`` is set by the caller) and the current employer."""
        rng = self.rng
        roll = rng.random()
        count = 0 if roll < 0.15 else 1 if roll < 0.5 else 2 if roll < 0.8 else 3
        rows: list[dict[str, Any]] = []
        current: _CompanyRef | None = None
        end: datetime | None = None
        latest = self.anchor
        for index in range(count):
            if index == 0 and rng.random() < 0.7:
                end = None
                start = _month(latest - timedelta(days=90 + rng.random() * 2000))
            else:
                end = _month(latest - timedelta(days=rng.random() * 180))
                start = _month(end - timedelta(days=180 + rng.random() * 2900))
            company = self.pick(self.companies) if rng.random() < 0.95 else None
            if index == 0 and end is None:
                current = company
            rows.append(
                {
                    "id": new_id(),
                    "workspace_id": self.workspace_id,
                    "company_id": company.id if company is not None else None,
                    "job_title": self.pick(JOB_TITLES),
                    "location": (
                        self.location(country, "work", street=False) if rng.random() < 0.4 else None
                    ),
                    "description": (
                        "Led a team of engineers shipping the core product."
                        if rng.random() < 0.15
                        else None
                    ),
                    "start_date": start,
                    "end_date": end,
                    "created_at": created,
                }
            )
            latest = start
        return rows, current


def _search_row(row: dict[str, Any]) -> dict[str, Any]:
    """The ``candidate_search`` row of a candidate row: what the ``after_insert`` mapper event
    of ``search.models`` writes for a candidate the API creates (bulk inserts fire no events)."""
    return {
        "candidate_id": row["id"],
        "workspace_id": row["workspace_id"],
        **search_entry(
            first_name=row["first_name"],
            middle_name=row["middle_name"],
            last_name=row["last_name"],
            second_last_name=row["second_last_name"],
            emails=row["emails"],
            phone_numbers=row["phone_numbers"],
        ),
    }


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Inserts ``rows`` (dicts keyed by column name) into ``table``: on PostgreSQL with
    psycopg's ``COPY``, elsewhere with a Core ``insert()`` executemany. ``COPY`` gets each
    value exactly as an ``INSERT`` would bind it (the column type's bind processor: JSON text,
    UTC timestamps at millisecond precision) and the column's Python default where a row has
    no value, so both paths store the same thing."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    dialect = connection.dialect
    columns = [column for column in table.columns if column.key in rows[0] or column.default]
    plans: list[tuple[str, Any, Any]] = []
    for column in columns:
        default = column.default if column.key not in rows[0] else None
        processor = column.type.dialect_impl(dialect).bind_processor(dialect)
        plans.append((column.key, processor, default))
    names = ", ".join(f'"{column.name}"' for column in columns)
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            values = []
            for key, processor, default in plans:
                if default is None:
                    value = row[key]
                elif callable(default.arg):
                    value = default.arg(None)
                else:
                    value = default.arg
                values.append(processor(value) if processor is not None else value)
            copy.write_row(values)


def _month(moment: datetime) -> datetime:
    """The first day of ``moment``'s month at midnight UTC, not before 1980."""
    return max(datetime(moment.year, moment.month, 1, tzinfo=UTC), datetime(1980, 1, 1, tzinfo=UTC))


def _cumulative(weights: Sequence[int]) -> list[int]:
    total = 0
    result = []
    for weight in weights:
        total += weight
        result.append(total)
    return result


def _mobile_example(region: str) -> phonenumbers.PhoneNumber:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        raise ValueError(f"no example mobile number for {region}")
    return example


def _workspace(connection: Connection, name: str, now: datetime) -> str:
    found = connection.scalar(select(Workspace.id).where(Workspace.name == name))
    if found is not None:
        return str(found)
    workspace_id = new_id()
    connection.execute(
        insert(_table(Workspace)), [{"id": workspace_id, "name": name, "created_at": now}]
    )
    return workspace_id


def _users(connection: Connection, workspace_id: str, now: datetime) -> list[str]:
    """The workspace's active users (oldest first), or six new recruiters if it has none."""
    existing = connection.scalars(
        select(User.id)
        .where(User.workspace_id == workspace_id, User.deactivated_at.is_(None))
        .order_by(User.created_at, User.id)
    ).all()
    if existing:
        return [str(user_id) for user_id in existing]
    rows: list[dict[str, Any]] = [
        {
            "id": new_id(),
            "workspace_id": workspace_id,
            "name": name,
            "email": f"{local}@recruiting.example.com",
            "avatar_url": None,
            "deactivated_at": None,
            "created_at": now,
            "modified_at": now,
        }
        for name, local in USERS
    ]
    connection.execute(insert(_table(User)), rows)
    return [row["id"] for row in rows]


def _companies(
    connection: Connection, generator: _Generator, workspace_id: str, count: int
) -> list[_CompanyRef]:
    """``count`` companies: the employers of the candidates' work history."""
    rng = generator.rng
    rows = []
    for index in range(count):
        word = generator.pick(COMPANY_WORDS)
        kind, industry = generator.pick(COMPANY_KINDS)
        legal = generator.pick(LEGAL_FORMS)
        slug = f"{ascii_slug(word)}-{ascii_slug(kind)}"
        created = generator.moment(generator.anchor - generator.history, generator.anchor)
        country = generator.pick(COUNTRIES)
        rows.append(
            {
                "id": new_id(),
                "workspace_id": workspace_id,
                "name": f"{word} {kind} {legal}",
                "domain": f"{slug}-{index + 1}.example.com",
                "description": None,
                "logo_url": None,
                "industry": industry,
                "size": generator.pick(COMPANY_SIZES),
                "locations": [generator.location(country, "work", street=rng.random() < 0.5)],
                "linkedin_url": f"https://www.linkedin.com/company/{slug}-{index + 1}",
                "status": generator.pick((None, None, "lead", "active", "inactive")),
                "created_at": created,
                "modified_at": created,
            }
        )
    connection.execute(insert(_table(Company)), rows)
    return [_CompanyRef(row["id"], row["domain"]) for row in rows]


def company_pool_size(candidates: int) -> int:
    """How many companies a seed of ``candidates`` creates: one per 200 candidates, 30–5000."""
    return max(30, min(5_000, candidates // 200))


def sync_engine(database_url: str) -> Engine:
    """A blocking engine for bulk work (SQLite with the server's pragmas)."""
    engine = create_engine(sync_url(database_url))
    if is_sqlite(database_url):
        event.listen(engine, "connect", apply_sqlite_pragmas)
    return engine


@dataclass(frozen=True)
class _Batch:
    candidates: list[dict[str, Any]]
    searched: list[dict[str, Any]]
    experiences: list[dict[str, Any]]
    identified: list[dict[str, Any]]


def _batches(generator: _Generator, count: int, batch_size: int) -> Iterator[_Batch]:
    made = 0
    while made < count:
        batch = _Batch([], [], [], [])
        for _ in range(min(batch_size, count - made)):
            row, search_row, experiences = generator.candidate()
            batch.candidates.append(row)
            batch.searched.append(search_row)
            batch.experiences.extend(experiences)
            batch.identified.extend(identifier_rows(row))
        made += len(batch.candidates)
        yield batch


_DONE = "done"
_ABORT = "abort"


def _write(
    engine: Engine, batches: Iterator[_Batch], on_progress: Callable[[int], None] | None
) -> int:
    """Writes the batches from a thread of its own, committing every ``COMMIT_EVERY``
    candidates, while this thread makes the next batch: sqlite3 and psycopg release the GIL
    while the database works (index upkeep, SQLite's FTS triggers, the COPY round trips), so
    that work overlaps with making people. Returns the number of work experiences written;
    a failure on either side stops both and rolls back the open transaction."""
    queue: Queue[_Batch | str] = Queue(maxsize=2)
    failures: list[BaseException] = []
    experiences = 0

    def run() -> None:
        nonlocal experiences
        try:
            with engine.connect() as connection:
                # begun explicitly: COPY goes through the driver's connection, so SQLAlchemy
                # would not autobegin, and its commit would then commit nothing
                transaction = connection.begin()
                in_transaction = 0
                while isinstance(batch := queue.get(), _Batch):
                    _insert(connection, _table(Candidate), batch.candidates)
                    _insert(connection, _table(CandidateSearch), batch.searched)
                    _insert(connection, _table(WorkExperience), batch.experiences)
                    _insert(connection, _table(CandidateIdentifier), batch.identified)
                    experiences += len(batch.experiences)
                    in_transaction += len(batch.candidates)
                    if in_transaction >= COMMIT_EVERY:
                        transaction.commit()
                        transaction = connection.begin()
                        in_transaction = 0
                    if on_progress is not None:
                        on_progress(len(batch.candidates))
                if batch == _DONE:
                    transaction.commit()
        except BaseException as failure:
            failures.append(failure)
            while isinstance(queue.get(), _Batch):
                pass  # let the producer finish putting; its end marker stops this

    writer = threading.Thread(target=run, name="seed-writer")
    writer.start()
    end = _ABORT
    try:
        for batch in batches:
            if failures:
                break
            queue.put(batch)
        else:
            end = _DONE
    finally:
        queue.put(end)
        writer.join()
    if failures:
        raise failures[0]
    return experiences


def seed(
    database_url: str,
    workspace: str,
    count: int,
    *,
    random_seed: int | None = None,
    anchor: datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> SeedResult:
    """Adds ``count`` candidates (with work history, a pool of companies and, when the
    workspace has none, six users) to the workspace called ``workspace`` (created if
    missing) of a migrated database. Timestamps lie up to six years before ``anchor``
    (default: the start of the current UTC day). ``on_progress`` is called with the number of
    candidates written after each batch. PostgreSQL tables are analysed at the end, so the
    planner knows their new sizes at once."""
    started = time.perf_counter()
    now = truncate_ms(datetime.now(UTC))
    if anchor is None:
        anchor = datetime(now.year, now.month, now.day, tzinfo=UTC)
    # reproducible, not secret: the same seed gives the same people
    rng = random.Random(random_seed)  # noqa: S311
    engine = sync_engine(database_url)
    try:
        with engine.begin() as connection:
            workspace_id = _workspace(connection, workspace, now)
            user_ids = _users(connection, workspace_id, now)
            already = connection.scalar(
                select(func.count()).where(Candidate.workspace_id == workspace_id)
            )
            generator = _Generator(rng, workspace_id, anchor, user_ids, [], int(already or 0))
            companies = _companies(connection, generator, workspace_id, company_pool_size(count))
            generator.companies = companies
        batches = _batches(generator, count, batch_size)
        experiences_written = _write(engine, batches, on_progress)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                for table in (
                    "candidates",
                    "candidate_search",
                    "candidate_identifiers",
                    "work_experiences",
                    "companies",
                    "users",
                ):
                    connection.execute(text(f"ANALYZE {table}"))
    finally:
        engine.dispose()
    return SeedResult(
        workspace_id=workspace_id,
        candidates=count,
        work_experiences=experiences_written,
        companies=len(companies),
        users=len(user_ids),
        seconds=time.perf_counter() - started,
    )
