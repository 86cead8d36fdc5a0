"""``GET /healthz``: the process is up (no auth, no database)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """``{"status": "ok"}``."""

    status: str


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Health:
    """Answers while the process serves requests."""
    return Health(status="ok")
