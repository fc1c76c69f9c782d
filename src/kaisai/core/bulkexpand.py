"""Expanding bulk mail (`kaisai.core.bulkmail`) into ordinary outbox rows: the worker's job
(`expand_bulk_mail`, in settings.KAISAI_PERIODIC_JOBS), off the path of whoever queued it.
The normal sending path (`outbox.deliver_due_mail`) then delivers the rows like any other.

One chunk (CHUNK ids) per transaction: the bulk row is claimed (FOR UPDATE SKIP LOCKED: two
workers never expand the same row at once), its next ids are written as outbox rows by the
registered expander, and its progress (`expanded`) moves on in the same transaction. A crash
loses at most the chunk in flight, which is rolled back and done again: each recipient gets
one outbox row (its key is unique), and memory holds one bulk row's ids at a time.
"""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from kaisai.core.bulkmail import expanders
from kaisai.core.models import BulkMail

CHUNK = 1000
# How long one call of expand_bulk_mail goes on (then the ticker's other jobs get their turn).
SECONDS = 10.0


def expand_chunk(bulk_id: int, chunk: int | None = None) -> int | None:
    """Expand the next chunk of one bulk row; returns the outbox rows written, or None when
    the row is done, unknown or being expanded by another worker."""
    with transaction.atomic():
        bulk = (
            BulkMail.objects.select_for_update(skip_locked=True)
            .filter(pk=bulk_id, expanded_at__isnull=True)
            .first()
        )
        if bulk is None:
            return None
        ids = bulk.ids[bulk.expanded : bulk.expanded + (chunk or CHUNK)]
        written = expanders[bulk.source](bulk, ids) if ids else 0
        bulk.expanded += len(ids)
        fields = ["expanded"]
        if bulk.expanded >= len(bulk.ids):
            bulk.expanded_at = timezone.now()
            fields.append("expanded_at")
        bulk.save(update_fields=fields)
        return written


def expand_bulk_mail(*, chunk: int | None = None, seconds: float = SECONDS) -> int:
    """Expand pending bulk rows, oldest first, chunk by chunk for up to `seconds`; returns
    the outbox rows written."""
    started = time.monotonic()
    written = 0
    pending = BulkMail.objects.filter(expanded_at__isnull=True).order_by("id")
    for bulk_id in pending.values_list("pk", flat=True):
        while (done := expand_chunk(bulk_id, chunk)) is not None:
            written += done
            if time.monotonic() - started >= seconds:
                return written
    return written
