"""The two ceilings of the PATCH benchmark (bench/perf.py), on the product's own stack.

The app is exactly what ``talentbase serve`` runs in a worker (same middleware, settings,
logging, authentication, session and driver setup), plus two routes that live only here:

- ``GET /_bench/constant``: checks the API key, answers a constant small JSON;
- ``PATCH /_bench/update/{id}``: checks the key and runs one single-row ``UPDATE`` of a
  candidate in the request's transaction (then commits, as every write request does).

Run by bench/perf.py as ``uvicorn --factory bench.ceilings:ceiling_app``, beside the product's
server and with ``TALENTBASE_WEBHOOK_WORKER=false`` (its worker would otherwise fan out a share
of the product's events).
"""

from __future__ import annotations

import itertools

from fastapi import APIRouter, FastAPI
from sqlalchemy import update

from talentbase.api.deps import CallerDep, SessionDep
from talentbase.asgi import production_app
from talentbase.candidates.models import Candidate

_names = itertools.cycle(("Ceilinga", "Ceilingb"))


def ceiling_app() -> FastAPI:
    """The production app of one worker with the two ceiling routes added."""
    app = production_app()
    router = APIRouter()

    @router.get("/_bench/constant")
    async def constant(_caller: CallerDep) -> dict[str, bool]:
        return {"ok": True}

    @router.patch("/_bench/update/{candidate_id}")
    async def one_update(
        candidate_id: str, caller: CallerDep, session: SessionDep
    ) -> dict[str, bool]:
        await session.execute(
            update(Candidate)
            .where(Candidate.workspace_id == caller.workspace_id, Candidate.id == candidate_id)
            .values(middle_name=next(_names))
        )
        return {"ok": True}

    app.include_router(router)
    return app
