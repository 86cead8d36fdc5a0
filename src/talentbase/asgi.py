"""The application as ``talentbase serve`` runs it in each worker process: settings from the
environment (``serve`` puts its command-line options there before starting the workers) and
JSON logging configured."""

from __future__ import annotations

from fastapi import FastAPI

from talentbase.app import create_app
from talentbase.logging import configure_logging
from talentbase.settings import Settings


def production_app() -> FastAPI:
    """A uvicorn factory (``talentbase.asgi:production_app``): the app of one worker process."""
    settings = Settings()
    configure_logging(settings.log_level)
    return create_app(settings)
