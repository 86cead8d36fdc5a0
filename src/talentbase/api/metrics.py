"""Prometheus metrics at ``GET /metrics`` (the text format, or OpenMetrics when asked for).

- ``talentbase_http_requests_total{method, route, status}``: answered requests;
- ``talentbase_http_request_duration_seconds{method, route}``: latency histogram;
- ``talentbase_http_server_errors_total{method, route, status}``: answers with a 5xx status;
- ``talentbase_rate_limit_rejections_total{limit}``: 429 answers by the budget exceeded:
  ``api_key``, ``address`` (requests without a key) or ``failed_auth`` (the slow-down of
  repeated failed authentications from one address);
- ``process_*``: the server process's CPU, memory and open files.

``route`` is the route template (``/candidates/{id}``), or ``unmatched`` for a path no route
knows; ``method`` is ``OTHER`` for a non-standard one. So every label has a bounded set of
values whatever clients send, and no label holds an id, a workspace or any personal data.

``/metrics`` needs no API key: a Prometheus scraper usually has none, and the numbers are
server-wide counts, not workspace data. Operators who do not want it served set
``TALENTBASE_METRICS_ENABLED=false`` (then nothing is counted and ``/metrics`` is a 404), or keep
the path off their public proxy. It is never rate limited and not in the OpenAPI document (it is
not a client route). Each app has its own ``CollectorRegistry``, so several apps in one process
(tests) count separately; counts are per process (``talentbase serve`` runs one).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.exposition import choose_encoder
from starlette.types import Scope

from talentbase.settings import Settings

METRICS_PATH = "/metrics"
RATE_LIMITS = ("api_key", "address", "failed_auth")
_STANDARD_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    """``method`` if it is a standard HTTP method, else ``OTHER`` (bounded label values)."""
    return method if method in _STANDARD_METHODS else "OTHER"


class Metrics:
    """The collectors of one app, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        self.requests = Counter(
            "talentbase_http_requests",
            "Answered HTTP requests by method, route template and status",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "talentbase_http_request_duration_seconds",
            "Time from receiving a request to finishing its answer, by method and route template",
            ("method", "route"),
            registry=self.registry,
        )
        self.server_errors = Counter(
            "talentbase_http_server_errors",
            "Answers with a 5xx status by method, route template and status",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.rate_limit_rejections = Counter(
            "talentbase_rate_limit_rejections",
            "Requests refused with 429 by the rate limiter, by the budget they exceeded",
            ("limit",),
            registry=self.registry,
        )
        for limit in RATE_LIMITS:
            # shown as 0 before the first rejection, so alerts on its rate see a series
            self.rate_limit_rejections.labels(limit)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Counts one answered request (``method`` already passed through ``method_label``)."""
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)
        if status >= 500:
            self.server_errors.labels(method, route, str(status)).inc()

    def observe_rate_limit_rejection(self, limit: str) -> None:
        """Counts one 429 of the rate limiter; ``limit`` is one of ``RATE_LIMITS``."""
        self.rate_limit_rejections.labels(limit).inc()

    def render(self, accept: str) -> tuple[bytes, str]:
        """The exposition for an ``Accept`` header, and its content type."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type


def install_metrics(app: FastAPI, settings: Settings) -> None:
    """Gives ``app`` its ``Metrics`` (``app.state.metrics``, ``None`` when disabled) and serves
    them at ``GET /metrics``; the request-context middleware and the rate limiter count into
    them."""
    if not settings.metrics_enabled:
        app.state.metrics = None
        return
    metrics = Metrics()
    app.state.metrics = metrics

    async def serve_metrics(request: Request) -> Response:
        body, content_type = metrics.render(request.headers.get("accept", ""))
        return Response(body, media_type=content_type)

    app.add_api_route(
        METRICS_PATH,
        serve_metrics,
        methods=["GET"],
        include_in_schema=False,
        summary="Prometheus metrics",
    )


def metrics_of(scope: Scope) -> Metrics | None:
    """The metrics of the app serving ``scope`` (``None`` when disabled)."""
    app: Any = scope.get("app")
    state = getattr(app, "state", None)
    metrics = getattr(state, "metrics", None)
    return metrics if isinstance(metrics, Metrics) else None
