"""Webhook routes: ``/webhooks``. Thin; the rules are in ``webhooks.service``, delivery in
``webhooks.worker``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse, Response

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor
from talentbase.api.routing import StrictJSONRoute
from talentbase.api.schemas import error_responses
from talentbase.api.settings_dep import SettingsDep
from talentbase.webhooks import delivery, service
from talentbase.webhooks.schemas import DeliveryList, WebhookCreate, WebhookCreated, WebhookList

router = APIRouter(route_class=StrictJSONRoute, tags=["webhooks"])


@router.post(
    "/webhooks",
    status_code=status.HTTP_201_CREATED,
    response_class=JSONResponse,
    summary="Create webhook",
    responses={201: {"model": WebhookCreated}, **error_responses(400, 401, 413, 415)},
)
async def create_webhook(
    body: WebhookCreate, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    """Subscribes a URL to event types. The answer holds the signing secret, shown only this
    once: each delivery is signed with it (``Talentbase-Signature``, see the README)."""
    allowed = delivery.allowed_hosts(settings.webhook_allowed_hosts)
    webhook = await service.create_webhook(session, caller.workspace_id, body, allowed)
    return JSONResponse(webhook, status_code=status.HTTP_201_CREATED)


@router.get(
    "/webhooks",
    response_class=JSONResponse,
    summary="List webhooks",
    responses={200: {"model": WebhookList}, **error_responses(401)},
)
async def list_webhooks(caller: CallerDep, session: SessionDep) -> JSONResponse:
    """The workspace's webhooks, oldest first, without their secrets."""
    return JSONResponse(await service.list_webhooks(session, caller.workspace_id))


@router.delete(
    "/webhooks/{id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete webhook",
    responses=error_responses(401, 404),
)
async def delete_webhook(id: str, caller: CallerDep, session: SessionDep) -> Response:
    """Deletes the webhook and its delivery log: nothing more is sent to it."""
    await service.delete_webhook(session, caller.workspace_id, id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/webhooks/{id}/deliveries",
    response_class=JSONResponse,
    summary="List webhook deliveries",
    responses={200: {"model": DeliveryList}, **error_responses(400, 401, 404)},
)
async def list_deliveries(
    id: str,
    caller: CallerDep,
    session: SessionDep,
    limit: Annotated[
        int, Query(description=f"Items per page, 1–{MAX_LIMIT}", ge=1, le=MAX_LIMIT)
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(description="`pageInfo.nextCursor` of the previous page; omit for the first"),
    ] = None,
) -> JSONResponse:
    """The webhook's delivery log, newest event first, a cursor page at a time: per event its
    status, attempts, last status code and error, next attempt and delivery time."""
    after = decode_cursor(cursor) if cursor is not None else None
    return JSONResponse(
        await service.list_deliveries(session, caller.workspace_id, id, limit, after)
    )
