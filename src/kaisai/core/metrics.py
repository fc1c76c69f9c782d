"""Prometheus metrics (docs/operations.md): request latency and per-process counters
(prometheus-client; across gunicorn's worker processes through its multiprocess mode, which
`kaisai serve` switches on), and gauges read from the database at scrape time, so that what
the workers do on other machines is counted as well.

Apps add their own database-read metrics with `add_source` in their AppConfig.ready()
(core imports no app).
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db.models import Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REQUEST_SECONDS = Histogram(
    "kaisai_http_request_duration_seconds",
    "Time to answer a request, by view and status class",
    ["method", "view", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REGISTRATIONS = Counter(
    "kaisai_registrations",
    "Registration attempts by result (accepted, waitlisted, applied, or the refusal's reason)",
    ["result"],
)
CHECKINS = Counter("kaisai_checkins", "Check-ins at the reception, by method", ["method"])

Source = Callable[[], Iterable[Any]]
_sources: list[Source] = []
FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def add_source(source: Source) -> None:
    """Register a function that yields metric families read at scrape time."""
    if source not in _sources:
        _sources.append(source)


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in settings.KAISAI_METRICS_ALLOW]


def operator_request(request: HttpRequest) -> bool:
    """A request straight from an address the operator allows (KAISAI_METRICS_ALLOW; loopback
    by default), not relayed by the proxy: anything that came through nginx carries a
    forwarding header and is refused, whatever the proxy's own address."""
    if any(header in request.META for header in FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _networks())


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time: a handful of indexed queries."""

    def collect(self) -> Iterable[Any]:
        from django_tasks_db.models import DBTaskResult

        from kaisai.core.heartbeat import last_beat
        from kaisai.core.models import OutboxMail

        now = timezone.now()
        pending = OutboxMail.objects.filter(state=OutboxMail.State.PENDING)
        facts = pending.aggregate(oldest=Min("created_at"))
        yield _gauge("kaisai_outbox_pending", "Mails waiting to be sent", pending.count())
        yield _gauge(
            "kaisai_outbox_oldest_pending_age_seconds",
            "Age of the oldest mail waiting to be sent (0 when none)",
            _age(now, facts["oldest"]),
        )
        failed = OutboxMail.objects.filter(state=OutboxMail.State.FAILED).count()
        yield _gauge("kaisai_outbox_failed", "Mails given up on (undeliverable)", failed)
        ready = DBTaskResult.objects.ready()
        oldest_task = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
        yield _gauge("kaisai_tasks_ready", "Background tasks waiting for a worker", ready.count())
        yield _gauge(
            "kaisai_worker_lag_seconds",
            "How long the oldest background task has waited for a worker (0 when none)",
            _age(now, oldest_task),
        )
        beat = last_beat()
        yield _gauge(
            "kaisai_worker_heartbeat_age_seconds",
            "Seconds since any worker was last seen (-1: never)",
            _age(now, beat) if beat else -1.0,
        )
        for source in _sources:
            yield from source()


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _age(now: Any, moment: Any) -> float:
    return max((now - moment).total_seconds(), 0.0) if moment else 0.0


_database = CollectorRegistry(auto_describe=False)
_database.register(DatabaseCollector())


def exposition() -> bytes:
    """The text of a scrape: this process's (or all gunicorn processes') metrics and the
    database's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_database)


def metrics_response() -> HttpResponse:
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


class RequestMetricsMiddleware:
    """Observes every request's duration by view name (bounded: URL names, not paths)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unmatched"
        REQUEST_SECONDS.labels(
            request.method or "", view, f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - started)
        return response
