"""Bulk mail: one outbox entry for many recipients of the same mail (a lottery draw's
winners or waitlisted, 5,000 a batch), queued in the caller's transaction in one INSERT and
expanded into ordinary outbox rows by the worker (`kaisai.core.bulkexpand`).

Apps say how their ids become mails by registering an *expander* for a `source` name
(`register`, in their AppConfig.ready: core imports no domain app). An expander writes the
`OutboxMail` rows of some of a bulk row's ids — the same rows `queue_mail` would have written
at queueing time, with the same keys — and returns how many it wrote. It must be idempotent
per id (the outbox key is unique: `ON CONFLICT DO NOTHING`), so that a chunk done twice
queues each mail once. docs/mail-delivery.md ("Bulk mail").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kaisai.core.models import BulkMail

# expander(bulk, ids) -> outbox rows written, for `ids` (a slice of bulk.ids, in order).
Expander = Callable[[BulkMail, Sequence[int]], int]
expanders: dict[str, Expander] = {}


def register(source: str, expander: Expander) -> None:
    """Make `expander` the one that expands bulk rows of `source`."""
    expanders[source] = expander


def queue_bulk(
    *, source: str, template: str, ids: Sequence[int], params: dict[str, Any] | None = None
) -> BulkMail | None:
    """Queue `template` to everyone `ids` stands for (one INSERT; none for no ids). The
    worker expands it once committed; rolled back with the caller, it never existed."""
    if source not in expanders:
        raise LookupError(f"no bulk mail expander registered for {source!r}")
    if not ids:
        return None
    return BulkMail.objects.create(
        source=source, template=template, ids=list(ids), params=params or {}
    )


def queued(rows: Sequence[BulkMail] | None = None) -> int:
    """How many mails bulk rows stand for (their ids; an expander may skip some, e.g. a
    person without an address, as `queue_mail` does)."""
    return sum(len(row.ids) for row in (BulkMail.objects.all() if rows is None else rows))
