"""Configuration, read from the environment with the ``TALENTBASE_`` prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
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
    - ``db_timeout_seconds``: the longest a request's database work may take (waiting for a
      connection or the SQLite write lock included); past it the answer is 503.
    - ``rate_limit_per_minute``: requests a minute per API key (Spott: 1000; API.md §1);
      ``rate_limit_unauthenticated_per_minute``: per client address for requests without a key;
      ``auth_failures_per_minute``: failed authentications a minute from one address before
      further failures answer 429.
    - ``redis_url``: ``redis://host:port/db``; when set, rate-limit counters live in Redis, so
      several server processes share one budget; otherwise in memory (per process).
    - ``secret_key``: the server secret that keys the API-key hashes (HMAC-SHA256); when unset
      it is read from ``secret_key_file`` (default: ``talentbase.secret`` beside the SQLite
      database file, or in the working folder for PostgreSQL), created (mode 0600) on first
      use. The database remembers a check value of its secret, so a server or command started
      with another secret refuses to run instead of silently failing every key. Keep it
      out of database backups: without it a stolen database cannot check a guessed key.
    - ``metrics_enabled``: serve Prometheus metrics at ``/metrics``, without an API key
      (``talentbase.api.metrics``); ``false`` stops counting and makes ``/metrics`` a 404.
    - ``webhook_worker``: ``serve`` also runs the webhook delivery worker
      (``talentbase.webhooks.worker``); ``false`` leaves delivery to ``talentbase worker``.
      ``webhook_poll_seconds``: how often an idle worker looks for work;
      ``webhook_timeout_seconds``: a delivery not answered 2xx within this has failed;
      ``webhook_lease_seconds``: how long a claimed delivery stays claimed (longer than the
      timeout: a worker that died mid-delivery has it sent again after this);
      ``webhook_backoff_base_seconds`` / ``webhook_backoff_max_seconds``: the retry delay
      doubles from the base up to the cap; ``webhook_retry_window_seconds``: a delivery still
      failing this long after its event is abandoned and its webhook disabled;
      ``webhook_concurrency``: deliveries one worker sends at once;
      ``webhook_allowed_hosts``: comma-separated host names or IP addresses that webhook URLs
      may name (others are refused when subscribed, and never contacted); unset: any host.
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
    db_timeout_seconds: float = Field(default=30.0, gt=0)
    rate_limit_per_minute: int = Field(default=1000, ge=1)
    rate_limit_unauthenticated_per_minute: int = Field(default=100, ge=1)
    auth_failures_per_minute: int = Field(default=20, ge=1)
    redis_url: str | None = None
    secret_key: SecretStr | None = None
    secret_key_file: Path | None = None
    log_level: str = "info"
    access_log: bool = True
    metrics_enabled: bool = True
    webhook_worker: bool = True
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_lease_seconds: float = Field(default=60.0, gt=0)
    webhook_backoff_base_seconds: float = Field(default=30.0, gt=0)
    webhook_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    webhook_retry_window_seconds: float = Field(default=12 * 3600.0, gt=0)
    webhook_concurrency: int = Field(default=10, ge=1, le=100)
    webhook_allowed_hosts: str | None = None

    @model_validator(mode="after")
    def _lease_outlasts_a_delivery(self) -> Settings:
        # a lease shorter than a try would let a second worker send a delivery still in flight
        if self.webhook_lease_seconds <= self.webhook_timeout_seconds:
            raise ValueError("webhook_lease_seconds must be longer than webhook_timeout_seconds")
        return self

    @field_validator("default_phone_region")
    @classmethod
    def _upper_region(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        return value.upper()
