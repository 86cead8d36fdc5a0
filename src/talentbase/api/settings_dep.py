"""The app's settings as a dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from talentbase.settings import Settings


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]
