"""Prometheus metrics, recorded by a pure ASGI middleware so every response counts, errors included."""

from __future__ import annotations

import functools
from time import perf_counter

from prometheus_client import CollectorRegistry, Counter, Histogram, Info, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KNOWN_ROUTES = frozenset({"/v1/predict", "/healthz", "/readyz", "/metrics"})
SEGMENT_PREDICTION = "/v1/segments/{segment_id}/prediction"


def _route(path: str) -> str:
    """The route template as a label: one series per route, never one per segment id or unknown path."""
    if path in KNOWN_ROUTES:
        return path
    if path.startswith("/v1/segments/") and path.endswith("/prediction") and path.count("/") == 4:
        return SEGMENT_PREDICTION
    return "other"


KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.4, 1.0, 2.5)


class ServiceMetrics:
    """One registry per app instance, so tests can build many apps without name clashes."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "citysense_request_duration_seconds",
            "Request latency by route",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.requests = Counter(
            "citysense_requests",
            "Requests by route, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.errors = Counter(
            "citysense_errors",
            "Requests answered with 4xx (client) or 5xx (server)",
            ["route", "kind"],
            registry=self.registry,
        )
        self.predictions = Counter("citysense_predictions", "Readings predicted", registry=self.registry)
        self.model = Info("citysense_model", "The model artifact being served", registry=self.registry)

    @functools.cache  # noqa: B019 (one instance per app, bounded label sets): skips labels() per request
    def _series(self, route: str, method: str, status: int) -> tuple[Histogram, Counter, Counter | None]:
        error = None if status < 400 else self.errors.labels(route, "client" if status < 500 else "server")
        return self.latency.labels(route), self.requests.labels(route, method, str(status)), error

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        latency, requests, error = self._series(route, method, status)
        latency.observe(seconds)
        requests.inc()
        if error is not None:
            error.inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Times each HTTP request; unknown paths and methods share one label to keep cardinality bounded."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        status = 500  # an exception before the response starts is a server error

        async def send_and_capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_capture)
        finally:
            route = _route(scope["path"])
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "other"
            self.metrics.observe(route, method, status, perf_counter() - start)
