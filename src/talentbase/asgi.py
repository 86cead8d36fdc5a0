"""The application as ``talentbase serve`` runs it in each worker process: settings from the
environment (``serve`` puts its command-line options there before starting the workers) and
JSON logging configured."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from talentbase.app import create_app
from talentbase.logging import configure_logging
from talentbase.settings import Settings


def production_app() -> FastAPI:
    """A uvicorn factory (``talentbase.asgi:production_app``): the app of one worker process."""
    settings = Settings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    # What is alive now (modules, the app, schemas, compiled metadata: some 170 000 objects)
    # lives as long as the process: frozen, the collector stops walking it in every full
    # collection, which took ~100 ms each and set every route's p99 (bench/README.md).
    gc.collect()
    gc.freeze()
    return app
