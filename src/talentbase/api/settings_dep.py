"""The app's settings as a dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from talentbase.settings import Settings


# ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, a thread hand-off on
# every request that costs more than the dependency itself
async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]
