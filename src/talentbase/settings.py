"""Configuration, read from the environment with the ``TALENTBASE_`` prefix."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./talentbase.db"


class Settings(BaseSettings):
    """Server settings.

    Every field can be set as ``TALENTBASE_<NAME>`` (e.g. ``TALENTBASE_DATABASE_URL``).

    - ``database_url``: ``sqlite:///path.db`` (embedded default, a file in the working folder) or
      ``postgresql://user@host:port/db``; driver suffixes are added by ``talentbase.db.urls``.
    - ``default_phone_region``: ISO 3166-1 alpha-2 region used to parse phone numbers written
      without a leading ``+`` (API.md §2.1); ``None`` means every number needs its ``+``.
    - ``max_body_bytes``: request bodies above this answer 413 (API.md §1).
    - ``bootstrap_api_key``: when set, ``serve`` makes sure this key exists (scripts and tests).
    - ``rate_limit_per_minute``: requests a minute per API key (Spott: 1000; API.md §1);
      ``rate_limit_unauthenticated_per_minute``: per client address for requests without a key.
    """

    model_config = SettingsConfigDict(env_prefix="TALENTBASE_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    default_phone_region: str | None = None
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    bootstrap_api_key: str | None = None
    bootstrap_workspace: str = "default"
    db_pool_size: int = Field(default=20, ge=1)
    rate_limit_per_minute: int = Field(default=1000, ge=1)
    rate_limit_unauthenticated_per_minute: int = Field(default=100, ge=1)
    log_level: str = "info"
    access_log: bool = True

    @field_validator("default_phone_region")
    @classmethod
    def _upper_region(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        return value.upper()
