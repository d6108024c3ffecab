"""Prometheus metrics per route template (`/api/v1/segments/{segment_id}`), so ids never become labels."""

from __future__ import annotations

from time import perf_counter

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ApiMetrics:
    """One registry per app, so tests can build several apps in one process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "citysense_api_request_duration_seconds", "Request latency by route", ["route"], registry=self.registry
        )
        self.responses = Counter(
            "citysense_api_responses", "Responses by route, method and status", ["route", "method", "status"],
            registry=self.registry,
        )  # fmt: skip
        self.upstream_failures = Counter(
            "citysense_api_upstream_failures", "Failed calls to a store or the inference service", ["upstream"],
            registry=self.registry,
        )  # fmt: skip

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class RouteMetrics:
    """Pure ASGI middleware: times every HTTP request, labelled by the matched route's template."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = perf_counter(), 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = getattr(scope.get("route"), "path", "other")  # set by the router once a route matched
            self.metrics.latency.labels(route).observe(perf_counter() - started)
            self.metrics.responses.labels(route, scope["method"], str(status)).inc()
