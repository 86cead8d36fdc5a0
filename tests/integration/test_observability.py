"""Observability (issue 6, item 7): JSON access logs without personal data, ``/readyz`` and
Prometheus metrics at ``/metrics``."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from alembic.script import ScriptDirectory
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from talentbase.app import create_app
from talentbase.db import migrate
from talentbase.db.urls import sync_url
from talentbase.health import shipped_migrations
from talentbase.logging import configure_logging
from talentbase.settings import Settings
from tests.conftest import (
    DEFAULT_POSTGRES_URL,
    NewKey,
    backend,
    create_candidate,
    make_client,
    workspace_id_of,
)

ACCESS_KEYS = {
    "event",
    "level",
    "timestamp",
    "request_id",
    "workspace_id",
    "method",
    "route",
    "status",
    "latency_ms",
}
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")

# personal data sent in bodies, query strings and paths; none of it may reach a log line
EMAIL = "jane.secret@example.org"
PHONE = "+14155550123"
FIRST_NAME = "Wilhelmina"
LAST_NAME = "Quackenbush"
PERSONAL = (EMAIL, PHONE, "4155550123", FIRST_NAME, LAST_NAME, "jane.secret")

Logs = Callable[[], list[dict[str, Any]]]


@asynccontextmanager
async def serving(settings: Settings, **overrides: Any) -> AsyncIterator[Any]:
    """An app of its own for ``settings`` changed by ``overrides``; its engine disposed after."""
    app = create_app(settings.model_copy(update=overrides))
    try:
        yield app
    finally:
        await app.state.database.dispose()


def _configure(level: str) -> tuple[io.StringIO, Callable[[], None]]:
    root = logging.getLogger()
    handlers, root_level, structlog_config = list(root.handlers), root.level, structlog.get_config()
    # the test's own HTTP client logs each request's URL at INFO; only the server is checked
    test_client_log = logging.getLogger("httpx")
    client_level = test_client_log.level
    test_client_log.setLevel(logging.WARNING)
    stream = io.StringIO()
    configure_logging(level, stream=stream)

    def restore() -> None:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(root_level)
        test_client_log.setLevel(client_level)
        structlog.configure(**structlog_config)

    return stream, restore


@pytest.fixture(params=["info"])
def log_stream(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """Everything logged while the test runs, as configured for ``serve`` (JSON lines)."""
    stream, restore = _configure(request.param)
    yield stream
    restore()


@pytest.fixture
def logs(log_stream: io.StringIO) -> Logs:
    """Parses every captured line as JSON (a line that is not fails the test)."""

    def parse() -> list[dict[str, Any]]:
        return [json.loads(line) for line in log_stream.getvalue().splitlines()]

    return parse


def access_lines(logs: Logs) -> list[dict[str, Any]]:
    return [line for line in logs() if line["event"] == "request"]


# ---- access log --------------------------------------------------------------------------------


async def test_access_line_has_exactly_request_id_workspace_route_method_status_latency(
    settings: Settings, new_api_key: NewKey, database: Any, logs: Logs
) -> None:
    key = await new_api_key()
    async with serving(settings, access_log=True) as app, make_client(app, key) as http:
        candidate_id = await create_candidate(http)
        got = await http.get(f"/candidates/{candidate_id}", headers={"x-request-id": "trace-42"})
    assert got.status_code == 200
    workspace_id = await workspace_id_of(database, key)
    created, read = access_lines(logs)
    for line in (created, read):
        assert set(line) == ACCESS_KEYS
        assert line["level"] == "info"
        assert ISO_UTC.match(line["timestamp"]), line["timestamp"]
        assert isinstance(line["latency_ms"], float)
        assert line["latency_ms"] >= 0
        assert line["workspace_id"] == workspace_id
    assert {k: created[k] for k in ("method", "route", "status")} == {
        "method": "POST",
        "route": "/candidates",
        "status": 201,
    }
    assert {k: read[k] for k in ("request_id", "method", "route", "status")} == {
        "request_id": "trace-42",
        "method": "GET",
        "route": "/candidates/{id}",
        "status": 200,
    }
    assert candidate_id not in json.dumps(logs())


async def test_access_line_before_authentication_has_null_workspace(
    settings: Settings, logs: Logs
) -> None:
    async with serving(settings, access_log=True) as app, make_client(app, None) as http:
        refused = await http.get(f"/candidates/{uuid.uuid4()}")
    assert refused.status_code == 401
    [line] = access_lines(logs)
    assert line["request_id"] == refused.headers["x-request-id"]
    assert line["workspace_id"] is None
    assert (line["method"], line["route"], line["status"]) == ("GET", "/candidates/{id}", 401)


async def test_unknown_path_is_logged_as_unmatched_not_as_its_path(
    settings: Settings, new_api_key: NewKey, logs: Logs
) -> None:
    async with (
        serving(settings, access_log=True) as app,
        make_client(app, await new_api_key()) as http,
    ):
        missing = await http.get(f"/people/{EMAIL}")
    assert missing.status_code == 404
    [line] = access_lines(logs)
    assert (line["method"], line["route"], line["status"]) == ("GET", "unmatched", 404)


async def test_head_is_logged_as_head_with_the_get_route(
    settings: Settings, new_api_key: NewKey, logs: Logs
) -> None:
    async with (
        serving(settings, access_log=True) as app,
        make_client(app, await new_api_key()) as http,
    ):
        head = await http.head("/users/_list")
    assert head.status_code == 200
    [line] = access_lines(logs)
    assert (line["method"], line["route"], line["status"]) == ("HEAD", "/users/_list", 200)


async def test_answer_given_before_routing_is_logged_with_the_route_template(
    settings: Settings, new_api_key: NewKey, logs: Logs
) -> None:
    async with (
        serving(settings, access_log=True) as app,
        make_client(app, await new_api_key()) as http,
    ):
        refused = await http.patch(
            f"/candidates/{uuid.uuid4()}",
            content=f"firstName={FIRST_NAME}",
            headers={"content-type": "text/plain"},
        )
    assert refused.status_code == 415
    [line] = access_lines(logs)
    assert (line["method"], line["route"], line["status"]) == ("PATCH", "/candidates/{id}", 415)


@pytest.mark.parametrize("log_stream", ["info", "debug"], indirect=True)
async def test_personal_data_in_bodies_queries_and_paths_never_reaches_the_log(
    settings: Settings, new_api_key: NewKey, log_stream: io.StringIO, logs: Logs
) -> None:
    person = {
        "firstName": FIRST_NAME,
        "lastName": LAST_NAME,
        "emails": [{"email": EMAIL}],
        "phoneNumbers": [{"phoneNumber": PHONE}],
    }
    query = {"email": EMAIL, "name": f"{FIRST_NAME} {LAST_NAME}", "phone": PHONE}
    async with (
        serving(settings, access_log=True) as app,
        make_client(app, await new_api_key()) as http,
    ):
        created = await http.post("/candidates", json=person)
        assert created.status_code == 201, created.text
        candidate_id = created.json()
        read = await http.get(f"/candidates/{candidate_id}")
        assert EMAIL in read.text
        patched = await http.patch(f"/candidates/{candidate_id}", json={"middleName": FIRST_NAME})
        assert patched.status_code == 200, patched.text
        invalid = await http.post("/candidates", json={**person, "emails": [{"email": PHONE}]})
        assert invalid.status_code == 400
        # personal data in a query string: refused (unknown parameters), and not logged
        listed = await http.get("/candidates", params=query)
        assert listed.status_code == 400
        assert EMAIL not in listed.text
        await http.get(f"/people/{EMAIL}", params=query)
    captured = log_stream.getvalue()
    assert len(access_lines(logs)) == 6
    for value in PERSONAL:
        assert value not in captured


async def test_unhandled_error_is_logged_as_type_and_frames_without_its_message(
    settings: Settings, logs: Logs
) -> None:
    async with serving(settings, access_log=True) as app:

        async def fails() -> None:
            raise RuntimeError(f"could not mail {EMAIL}") from ValueError(FIRST_NAME)

        app.add_api_route("/test-failure", fails, methods=["GET"])
        async with make_client(app, None) as http:
            failed = await http.get("/test-failure")
    assert failed.status_code == 500
    assert EMAIL not in failed.text
    error, access = logs()
    assert set(error) == {"event", "level", "timestamp", "request_id", "route", "exception"}
    assert (error["event"], error["level"], error["route"]) == (
        "unhandled_error",
        "error",
        "/test-failure",
    )
    assert error["request_id"] == failed.headers["x-request-id"] == access["request_id"]
    exception = error["exception"]
    assert set(exception) == {"type", "frames", "cause"}
    assert exception["type"] == "builtins.RuntimeError"
    assert exception["frames"][-1].endswith(" in fails")
    assert exception["frames"][-1].startswith(__file__ + ":")
    assert exception["cause"] == {"type": "builtins.ValueError", "frames": []}
    assert (access["route"], access["status"]) == ("/test-failure", 500)
    for value in PERSONAL:
        assert value not in json.dumps(logs())


def test_standard_library_records_are_json_lines_too(logs: Logs) -> None:
    logging.getLogger("talentbase.test").warning("disk %s is full", "sda")
    logging.getLogger("talentbase.test").debug("hidden below INFO")
    [line] = logs()
    assert set(line) == {"event", "level", "timestamp", "logger"}
    assert (line["event"], line["level"], line["logger"]) == (
        "disk sda is full",
        "warning",
        "talentbase.test",
    )


async def test_access_log_setting_off_writes_no_access_line(settings: Settings, logs: Logs) -> None:
    async with serving(settings, access_log=False) as app, make_client(app, None) as http:
        assert (await http.get("/healthz")).status_code == 200
    assert access_lines(logs) == []


# ---- /readyz -----------------------------------------------------------------------------------


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database of the run's backend with nothing in it (no migrations applied)."""
    if backend() == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = os.environ.get("TALENTBASE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    name = f"talentbase_test_empty_{uuid.uuid4().hex[:12]}"
    admin = create_engine(sync_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _set_revision(database_url: str, revision: str) -> None:
    engine = create_engine(sync_url(database_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


HEAD = ", ".join(sorted(shipped_migrations().heads))


def _previous_revision() -> str:
    scripts = ScriptDirectory(str(migrate.MIGRATIONS_DIR))
    [head] = scripts.get_heads()
    previous = scripts.get_revision(head).down_revision
    assert isinstance(previous, str)
    return previous


async def test_readyz_is_ready_on_a_migrated_database_without_a_key(
    settings: Settings, logs: Logs
) -> None:
    async with serving(settings, access_log=True) as app, make_client(app, None) as http:
        ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "migrations": "current"}
    # a probe every few seconds must not fill the log: its access line and nothing else
    [line] = logs()
    assert (line["event"], line["route"], line["status"]) == ("request", "/readyz", 200)


async def test_readyz_and_healthz_are_never_rate_limited(settings: Settings) -> None:
    async with (
        serving(settings, rate_limit_unauthenticated_per_minute=1, redis_url=None) as app,
        make_client(app, None) as http,
    ):
        statuses = [(await http.get(path)).status_code for path in ["/readyz", "/healthz"] * 3]
        limited = [(await http.get("/users/_list")).status_code for _ in range(2)]
    assert statuses == [200] * 6
    # the budget of 1 is still enforced elsewhere: the probes did not use it up
    assert limited == [401, 429]


async def test_readyz_503_when_no_migrations_were_applied(
    settings: Settings, empty_database_url: str
) -> None:
    async with (
        serving(settings, database_url=empty_database_url) as app,
        make_client(app, None) as http,
    ):
        answer = await http.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": 503,
        "message": "Not ready: the database has no migrations applied "
        f"(expected revision {HEAD}); run `talentbase migrate`",
        "requestId": answer.headers["x-request-id"],
        "database": "ok",
        "migrations": "behind",
    }


async def test_readyz_503_when_migrations_are_behind_then_ready_once_migrated(
    settings: Settings, empty_database_url: str
) -> None:
    previous = _previous_revision()
    migrate.upgrade(empty_database_url, previous)
    async with (
        serving(settings, database_url=empty_database_url) as app,
        make_client(app, None) as http,
    ):
        behind = await http.get("/readyz")
        migrate.upgrade(empty_database_url)
        ready = await http.get("/readyz")
    assert behind.status_code == 503
    assert behind.json() == {
        "status": 503,
        "message": f"Not ready: database migrations are behind (database at revision {previous}, "
        f"expected {HEAD}); run `talentbase migrate`",
        "requestId": behind.headers["x-request-id"],
        "database": "ok",
        "migrations": "behind",
    }
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "migrations": "current"}


async def test_readyz_503_when_the_database_is_at_a_revision_the_code_does_not_know(
    settings: Settings, empty_database_url: str
) -> None:
    migrate.upgrade(empty_database_url)
    _set_revision(empty_database_url, "9999_from_the_future")
    async with (
        serving(settings, database_url=empty_database_url) as app,
        make_client(app, None) as http,
    ):
        answer = await http.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": 503,
        "message": "Not ready: the database is at revision 9999_from_the_future, which this "
        f"version of talentbase does not know (it expects {HEAD}); was it migrated by a newer "
        "version?",
        "requestId": answer.headers["x-request-id"],
        "database": "ok",
        "migrations": "unknown",
    }


@pytest.mark.parametrize(
    "unreachable_url",
    ["postgresql://postgres@127.0.0.1:1/x", "sqlite:////nonexistent-folder/talentbase.db"],
    ids=["postgres-refused", "sqlite-no-folder"],
)
async def test_readyz_503_when_the_database_is_unreachable(
    settings: Settings, unreachable_url: str, logs: Logs
) -> None:
    async with (
        serving(settings, database_url=unreachable_url) as app,
        make_client(app, None) as http,
    ):
        answer = await http.get("/readyz")
        alive = await http.get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": 503,
        "message": "Not ready: the database is unreachable (refused or failed the connection)",
        "requestId": answer.headers["x-request-id"],
        "database": "unreachable",
        "migrations": "unknown",
    }
    assert alive.status_code == 200
    [warning] = [line for line in logs() if line["level"] == "warning"]
    assert warning["event"] == "readiness_database_unreachable"
    assert warning["error"] == "OperationalError"


async def test_readyz_and_its_503_are_documented_and_metrics_are_not(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    assert "/metrics" not in document["paths"]
    readyz = document["paths"]["/readyz"]["get"]
    assert not readyz.get("security")
    assert readyz["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Ready"
    }
    assert readyz["responses"]["503"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NotReadyBody"
    }
    assert set(document["components"]["schemas"]["NotReadyBody"]["required"]) == {
        "status",
        "message",
        "requestId",
        "database",
        "migrations",
    }


# ---- /metrics ----------------------------------------------------------------------------------


def samples(exposition: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """The samples called ``name``, keyed by their sorted labels."""
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def labels(**values: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(values.items()))


async def test_metrics_count_requests_by_method_route_template_and_status(
    settings: Settings, new_api_key: NewKey
) -> None:
    async with serving(settings) as app:
        async with make_client(app, await new_api_key()) as http:
            candidate_id = await create_candidate(http)
            await http.get(f"/candidates/{candidate_id}")
            await http.get(f"/candidates/{uuid.uuid4()}")
            await http.get("/no/such/path")
        async with make_client(app, None) as anonymous:
            scraped = await anonymous.get("/metrics")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    exposition = scraped.text
    assert samples(exposition, "talentbase_http_requests_total") == {
        labels(method="POST", route="/candidates", status="201"): 1,
        labels(method="GET", route="/candidates/{id}", status="200"): 1,
        labels(method="GET", route="/candidates/{id}", status="404"): 1,
        labels(method="GET", route="unmatched", status="404"): 1,
    }
    assert samples(exposition, "talentbase_http_request_duration_seconds_count") == {
        labels(method="POST", route="/candidates"): 1,
        labels(method="GET", route="/candidates/{id}"): 2,
        labels(method="GET", route="unmatched"): 1,
    }
    assert samples(exposition, "talentbase_http_server_errors_total") == {}
    assert candidate_id not in exposition
    assert "/no/such/path" not in exposition


async def test_metrics_count_server_errors(settings: Settings) -> None:
    async with serving(settings) as app:

        async def fails() -> None:
            raise RuntimeError("boom")

        app.add_api_route("/test-failure", fails, methods=["GET"])
        async with make_client(app, None) as http:
            assert (await http.get("/test-failure")).status_code == 500
            exposition = (await http.get("/metrics")).text
    assert samples(exposition, "talentbase_http_server_errors_total") == {
        labels(method="GET", route="/test-failure", status="500"): 1
    }


async def test_metrics_count_rate_limit_rejections_by_budget(
    settings: Settings, new_api_key: NewKey
) -> None:
    key = await new_api_key()
    async with serving(
        settings,
        rate_limit_per_minute=2,
        rate_limit_unauthenticated_per_minute=3,
        auth_failures_per_minute=1,
        redis_url=None,  # counters of this app only, whatever the environment says
    ) as app:
        # a key not yet known to authenticate also spends its address's budget (1 of 3)
        async with make_client(app, key) as http:
            keyed = [(await http.get("/users/_list")).status_code for _ in range(3)]
        # a made-up key: address 2 of 3, one failure; then refused by the failure budget
        async with make_client(app, "made-up-key-" + uuid.uuid4().hex) as guesser:
            guessed = [(await guesser.get("/users/_list")).status_code for _ in range(2)]
        async with make_client(app, None) as anonymous:
            unkeyed = [(await anonymous.get("/users/_list")).status_code for _ in range(2)]
            # /metrics is never refused, though this address's budget is spent
            scrapes = [await anonymous.get("/metrics") for _ in range(2)]
        async with make_client(app, None) as anonymous:
            exposition = (await anonymous.get("/metrics")).text
    assert keyed == [200, 200, 429]
    assert unkeyed == [401, 429]
    assert [scrape.status_code for scrape in scrapes] == [200, 200]
    assert guessed == [401, 429]
    assert samples(exposition, "talentbase_rate_limit_rejections_total") == {
        labels(limit="api_key"): 1,
        labels(limit="address"): 1,
        labels(limit="failed_auth"): 1,
    }
    requests = samples(exposition, "talentbase_http_requests_total")
    assert requests[labels(method="GET", route="/users/_list", status="429")] == 3
    assert requests[labels(method="GET", route="/metrics", status="200")] == 2


async def test_each_app_counts_into_its_own_registry(settings: Settings) -> None:
    async with serving(settings) as first, serving(settings) as second:
        async with make_client(first, None) as http:
            await http.get("/healthz")
            await http.get("/healthz")
        async with make_client(second, None) as http:
            await http.get("/healthz")
            second_exposition = (await http.get("/metrics")).text
        async with make_client(first, None) as http:
            first_exposition = (await http.get("/metrics")).text
    healthz = labels(method="GET", route="/healthz", status="200")
    assert samples(first_exposition, "talentbase_http_requests_total")[healthz] == 2
    assert samples(second_exposition, "talentbase_http_requests_total")[healthz] == 1


async def test_metrics_can_be_turned_off(settings: Settings) -> None:
    async with serving(settings, metrics_enabled=False) as app, make_client(app, None) as http:
        missing = await http.get("/metrics")
        alive = await http.get("/healthz")
    assert missing.status_code == 404
    assert alive.status_code == 200
    assert app.state.metrics is None


async def test_metrics_speak_openmetrics_when_asked(settings: Settings) -> None:
    async with serving(settings) as app, make_client(app, None) as http:
        scraped = await http.get(
            "/metrics", headers={"accept": "application/openmetrics-text; version=1.0.0"}
        )
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("application/openmetrics-text")
    assert scraped.text.endswith("# EOF\n")
