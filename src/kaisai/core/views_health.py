"""Health and metrics for operators (docs/operations.md): /healthz, /readyz, /metrics.

Both health checks are cheap and say nothing to the public beyond ready or not; the checks'
details, and /metrics, answer only requests straight from addresses the operator allows
(`metrics.operator_request`)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kaisai.core import metrics
from kaisai.core.heartbeat import last_beat

_migrated = False  # once all migrations are applied, they stay applied for this process


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive (no database, no cache)."""
    return HttpResponse("ok\n", content_type="text/plain")


def _database() -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _migrations() -> bool:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


def _cache() -> bool:
    key, value = "kaisai:readyz", secrets.token_hex(8)
    cache.set(key, value, 30)
    return cache.get(key) == value


def _worker() -> bool:
    beat = last_beat()
    stale = timedelta(seconds=settings.KAISAI_WORKER_STALE_SECONDS)
    return beat is not None and timezone.now() - beat <= stale


CHECKS = {"database": _database, "migrations": _migrations, "cache": _cache, "worker": _worker}


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: database reachable, migrations applied, cache reachable, a worker seen
    within KAISAI_WORKER_STALE_SECONDS. 200 or 503; details only for the operator."""
    results: dict[str, bool] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = bool(check())
        except Exception:
            results[name] = False
    ready = all(results.values())
    body: dict[str, object] = {"status": "ready" if ready else "not ready"}
    if metrics.operator_request(request):
        body["checks"] = results
    return JsonResponse(body, status=200 if ready else 503)


@require_GET
@never_cache
def prometheus(request: HttpRequest) -> HttpResponse:
    if not metrics.operator_request(request):
        return HttpResponse("Not found.\n", status=404, content_type="text/plain")
    return metrics.metrics_response()
