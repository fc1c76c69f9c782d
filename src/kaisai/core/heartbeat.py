"""Workers' heartbeats: each worker's ticker writes one row (host:pid) every
`BEAT_SECONDS`; the health check and the metrics read the newest (docs/operations.md)."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import timezone

from kaisai.core.models import WorkerHeartbeat

BEAT_SECONDS = 10.0
FORGET_AFTER = timedelta(days=1)  # rows of workers gone this long are deleted


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def beat(name: str | None = None) -> None:
    """This worker is alive (one upsert; now and then old workers' rows are removed)."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(name=name or worker_name(), defaults={"seen_at": now})
    if now.second < BEAT_SECONDS:  # about once a minute
        WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def last_beat() -> datetime | None:
    """When any worker was last seen (one query)."""
    return WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
