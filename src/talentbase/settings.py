"""Configuration, read from the environment with the ``TALENTBASE_`` prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
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
    - ``attachments_dir``: folder where uploaded files (CVs) are stored, each under a generated
      id, never the client's file name (default ``./attachments``, beside the SQLite default).
      Rows keep the absolute path of their file, so changing it applies to new uploads.
    - ``max_attachment_bytes``: largest accepted upload (default 10 MiB); larger files answer
      413. The upload routes alone take multipart bodies up to this plus the form's framing.
    - ``bootstrap_api_key``: when set, ``serve`` makes sure this key exists (scripts and tests).
    - ``rate_limit_per_minute``: requests a minute per API key (Spott: 1000; API.md §1);
      ``rate_limit_unauthenticated_per_minute``: per client address for requests without a key;
      ``auth_failures_per_minute``: failed authentications a minute from one address before
      further failures answer 429.
    - ``redis_url``: ``redis://host:port/db``; when set, rate-limit counters live in Redis, so
      several server processes share one budget; otherwise in memory (per process).
    - ``secret_key``: the server secret that keys the API-key hashes (HMAC-SHA256); when unset
      it is read from ``secret_key_file``, which is created (mode 0600) on first use. Keep it
      out of database backups: without it a stolen database cannot check a guessed key.
    - ``metrics_enabled``: serve Prometheus metrics at ``/metrics``, without an API key
      (``talentbase.api.metrics``); ``false`` stops counting and makes ``/metrics`` a 404.
    """

    model_config = SettingsConfigDict(env_prefix="TALENTBASE_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    default_phone_region: str | None = None
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    attachments_dir: Path = Path("attachments")
    max_attachment_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    bootstrap_api_key: str | None = None
    bootstrap_workspace: str = "default"
    db_pool_size: int = Field(default=20, ge=1)
    rate_limit_per_minute: int = Field(default=1000, ge=1)
    rate_limit_unauthenticated_per_minute: int = Field(default=100, ge=1)
    auth_failures_per_minute: int = Field(default=20, ge=1)
    redis_url: str | None = None
    secret_key: SecretStr | None = None
    secret_key_file: Path = Path("talentbase.secret")
    log_level: str = "info"
    access_log: bool = True
    metrics_enabled: bool = True

    @field_validator("default_phone_region")
    @classmethod
    def _upper_region(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        return value.upper()
