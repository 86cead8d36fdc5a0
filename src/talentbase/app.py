"""``create_app(settings)``: routers, middleware, error handlers, the OpenAPI document."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from talentbase import __version__
from talentbase.api.deps import CallerDep
from talentbase.api.errors import (
    DATABASE_UNAVAILABLE,
    ApiError,
    handle_api_error,
    handle_database_unavailable,
    handle_http_exception,
    handle_request_validation,
)
from talentbase.api.metrics import install_metrics
from talentbase.api.middleware import BodyGuardMiddleware, RequestContextMiddleware
from talentbase.api.rate_limit import UNLIMITED_PATHS, RateLimitMiddleware, RateLimits
from talentbase.attachments.router import router as attachments_router
from talentbase.candidates.router import router as candidates_router
from talentbase.client_contacts.router import router as client_contacts_router
from talentbase.companies.router import router as companies_router
from talentbase.custom_attributes.router import router as custom_attributes_router
from talentbase.db.engine import Database
from talentbase.deleted_feed.router import router as deleted_feed_router
from talentbase.duplicates.router import router as duplicates_router
from talentbase.health import router as health_router
from talentbase.history.router import router as history_router
from talentbase.idempotency import openapi as idempotency_openapi
from talentbase.idempotency.middleware import IdempotencyMiddleware
from talentbase.linkedin.router import router as linkedin_router
from talentbase.notes.router import router as notes_router
from talentbase.placements.router import router as placements_router
from talentbase.search.router import router as search_router
from talentbase.settings import Settings
from talentbase.tasks.router import router as tasks_router
from talentbase.users.router import router as users_router
from talentbase.webhooks import worker as webhook_worker
from talentbase.webhooks.router import router as webhooks_router
from talentbase.work_history.router import router as work_history_router
from talentbase.workspaces.service import key_hasher

# routes that answer without touching the database
NO_DATABASE_PATHS = frozenset({"/healthz", "/metrics"})

DESCRIPTION = """A self-hosted recruitment CRM that speaks the Spott candidate API.

Every route except `/healthz`, `/readyz` and `/metrics` needs the `x-api-key` header. Errors
use Spott's body:
`{status, message, requestId, errors?: [{code, path, message, received}]}`."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI application for ``settings`` (read from the environment when omitted).

    The database engine is created here and disposed when the app shuts down; migrations are
    not run here (``talentbase serve`` and the tests run them first).
    """
    settings = settings or Settings()
    database = Database(
        settings.database_url,
        pool_size=settings.db_pool_size,
        timeout_seconds=settings.db_timeout_seconds,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with webhook_worker.running(database, settings):
            yield
        await database.dispose()

    app = FastAPI(
        title="talentbase",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.database = database
    install_metrics(app, settings)
    app.state.key_hasher = key_hasher(settings)
    app.add_exception_handler(ApiError, handle_api_error)
    app.add_exception_handler(RequestValidationError, handle_request_validation)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, handle_database_unavailable)
    # the last added is the outermost
    app.add_middleware(IdempotencyMiddleware)  # innermost: sees bodies the guard let in
    app.add_middleware(BodyGuardMiddleware, max_body_bytes=settings.max_body_bytes)
    app.state.rate_limits = RateLimits(
        per_key=settings.rate_limit_per_minute,
        per_address=settings.rate_limit_unauthenticated_per_minute,
        auth_failures=settings.auth_failures_per_minute,
        redis_url=settings.redis_url,
        hasher=app.state.key_hasher,
    )
    app.add_middleware(RateLimitMiddleware, limits=app.state.rate_limits)
    app.add_middleware(RequestContextMiddleware, access_log=settings.access_log)
    app.include_router(health_router)
    app.include_router(search_router)
    app.include_router(deleted_feed_router)  # before /candidates/{id}
    app.include_router(duplicates_router)
    app.include_router(candidates_router)
    app.include_router(history_router)
    app.include_router(users_router)
    app.include_router(companies_router)
    app.include_router(client_contacts_router)
    app.include_router(work_history_router)
    app.include_router(linkedin_router)
    app.include_router(placements_router)
    app.include_router(tasks_router)
    app.include_router(notes_router)
    app.include_router(custom_attributes_router)
    app.include_router(attachments_router)
    app.include_router(webhooks_router)
    _document_errors_as_spott(app)
    idempotency_openapi.document(app)
    _serve_openapi(app)
    return app


def _serve_openapi(app: FastAPI) -> None:
    """``GET /openapi.json``, behind ``x-api-key`` like every route but ``/healthz``."""

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_document(_caller: CallerDep) -> JSONResponse:
        return JSONResponse(app.openapi())


# OpenAPI links: what a create answers feeds the routes of the record it made, so clients and
# stateful fuzzers (schemathesis) can chain them. (path, method, status) -> [(target path,
# target methods, {parameter: runtime expression})]
_ID = "$response.body#/id"
LINKS: dict[tuple[str, str, str], list[tuple[str, tuple[str, ...], dict[str, str]]]] = {
    ("/candidates", "post", "201"): [
        ("/candidates/{id}", ("get", "patch", "delete"), {"id": "$response.body"}),
        ("/candidates/{id}/education", ("get", "post", "put"), {"id": "$response.body"}),
        ("/candidates/{id}/work-experiences", ("get", "post", "put"), {"id": "$response.body"}),
        ("/candidates/{id}/linkedin-profile", ("put",), {"id": "$response.body"}),
    ],
    ("/users", "post", "201"): [
        ("/users/{id}", ("get", "patch"), {"id": "$response.body#/userId"})
    ],
    ("/clients", "post", "201"): [
        ("/clients/{id}", ("get", "patch"), {"id": _ID}),
        ("/clients/contacts/{id}", ("post",), {"id": _ID}),
    ],
    ("/placements", "post", "201"): [("/placements/{id}", ("get", "patch", "delete"), {"id": _ID})],
    ("/tasks/_raw", "post", "201"): [("/tasks/{id}", ("get", "patch"), {"id": _ID})],
    ("/notes", "post", "201"): [("/notes/{id}", ("get",), {"id": _ID})],
    ("/custom-attributes/{entityType}/definitions", "post", "201"): [
        (
            "/custom-attributes/{entityType}/definitions/{id}",
            ("get",),
            {"id": _ID, "entityType": "$request.path.entityType"},
        )
    ],
    ("/attachments", "post", "201"): [
        ("/attachments/{id}", ("get", "delete"), {"id": "$response.body#/0/attachmentId"})
    ],
}


def _add_links(schema: dict[str, Any]) -> None:
    """Adds ``LINKS`` to the answers they start from (only between documented operations)."""
    paths = schema.get("paths", {})
    for (path, method, status), targets in LINKS.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is None:
            continue
        links = response.setdefault("links", {})
        for target, methods, parameters in targets:
            for target_method in methods:
                if target_method not in paths.get(target, {}):
                    continue
                pointer = target.replace("~", "~0").replace("/", "~1")
                name = (
                    f"{target_method}{target}".replace("/", "_").replace("{", "").replace("}", "")
                )
                links[name] = {
                    "operationRef": f"#/paths/{pointer}/{target_method}",
                    "parameters": parameters,
                }


def _document_errors_as_spott(app: FastAPI) -> None:
    """FastAPI documents a 422 on every route with parameters; talentbase answers validation
    failures with a Spott 400 instead, so the generated document drops the 422s. Every route can
    also answer 500, every rate-limited route 429, and every route that reads the database 503
    (database unavailable), all in Spott's body."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = FastAPI.openapi(app)
        for path, path_item in schema.get("paths", {}).items():
            extra = [("500", "Internal error; the body gives only the request id")]
            if path not in UNLIMITED_PATHS:
                extra.append(("429", "Rate limit exceeded; see `Retry-After`"))
            if path not in NO_DATABASE_PATHS:
                extra.append(("503", "Database unavailable; nothing was changed, retry shortly"))
            for operation in path_item.values():
                if isinstance(operation, dict):
                    responses = operation.setdefault("responses", {})
                    responses.pop("422", None)
                    for status, description in extra:
                        if status in responses:
                            continue
                        responses[status] = {
                            "description": description,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ErrorBody"}
                                }
                            },
                        }
        _add_links(schema)
        schemas = schema.get("components", {}).get("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
