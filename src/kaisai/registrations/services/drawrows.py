"""The lottery draw's writes for a batch of the draw order, set-based (a frame of 100,000
applicants is twenty batches of a few statements each, not 300,000 single-row statements).

Row for row they are what the draw wrote one registration at a time through the ORM before:
the status (and waitlist key, in draw order), `audit.log_entry`'s audit row with the draw's
reason, `audit.record`'s mail (`audit.mail_key`, the lottery template for the outcome,
`queue_mail`'s model reference, no mail without an address — queued as two bulk rows per
batch, one per outcome, and expanded into those outbox rows by the worker: `drawmails`) and
the status listeners
(`hooks.statuses_changed`: each listener's `many` part, or the listener per registration).
tests/registrations/test_draw_batches.py compares them with the one-row-at-a-time path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Max
from django.utils.translation import gettext_noop

from kaisai.core import bulksql
from kaisai.registrations import hooks
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration, RegistrationLog
from kaisai.registrations.services import drawmails

T = TypeVar("T")
BATCH = 5000
WON = gettext_noop("lottery: won")
WAITLISTED = gettext_noop("lottery: waitlisted")
SPEAKER_SEAT = gettext_noop("lottery: speaker seat")
MAIL_WON, MAIL_WAITLISTED = "lottery_won", "lottery_waitlisted"


def batches(ids: Sequence[int], size: int | None = None) -> list[Sequence[int]]:
    size = size or BATCH
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def chunked(rows: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    """`rows` in lists of `size` (BATCH), read as they come (only one batch in memory)."""
    iterator = iter(rows)
    while batch := list(islice(iterator, size or BATCH)):
        yield batch


def set_status(ids: Sequence[int], status: str, *, first_waitlist_key: int | None = None) -> None:
    """Set `status` on the registrations `ids`; with `first_waitlist_key`, also their waitlist
    keys, consecutive in the order of `ids`."""
    with connection.cursor() as cursor:
        by_key = connection.vendor == "postgresql"
        if by_key:
            # The batch's rows by their primary key, never by a scan of the whole table: with
            # the batch's 5,000 ids known, the planner's default costs (random_page_cost 4)
            # price 5,000 key lookups above a scan of a million registrations of other events
            # (bench/lottery: --other-registrations). Undone by the transaction's end, or here.
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(*status_update(ids, status, first_waitlist_key=first_waitlist_key))
        if by_key:
            cursor.execute("SET LOCAL enable_seqscan = on")


def status_update(
    ids: Sequence[int], status: str, *, first_waitlist_key: int | None = None
) -> tuple[str, list]:
    """`set_status`'s statement (bench/lottery/explain.py explains it)."""
    table = connection.ops.quote_name(Registration._meta.db_table)
    source, source_params = bulksql.positions(ids)
    assignments = "status = %s"
    params: list[Any] = [status]
    if first_waitlist_key is not None:
        assignments += ", waitlist_key = %s + o.n"
        params.append(first_waitlist_key - 1)
    # The batch's ids also as a condition on the table's own key: without it PostgreSQL
    # hash-joins the batch against a scan of the whole registrations table — every
    # registration of the site, for each batch of 5,000 (bench/lottery/README.md) — where
    # the key's index finds the batch's rows.
    own, own_params = bulksql.members(f"{table}.id", ids)
    return (
        f"UPDATE {table} SET {assignments} FROM {source} "  # noqa: S608
        f"WHERE {table}.id = o.id AND {own}",
        [*params, *source_params, *own_params],
    )


def record(frame: Frame, ids: Sequence[int], *, speakers: set[int], won: set[int]) -> None:
    """The audit rows (in the order of `ids`), the mails (two bulk rows: to the winners
    `won` and to the rest, `drawmails`) and the status listeners of a batch whose statuses
    are set."""
    last_log = RegistrationLog.objects.aggregate(last=Max("id"))["last"] or 0
    with connection.cursor() as cursor:
        cursor.execute(*audit_rows(frame, ids, speakers=speakers, won=won))
    logs = (last_log, RegistrationLog.objects.aggregate(last=Max("id"))["last"] or 0)
    drawmails.queue(frame, [rid for rid in ids if rid in won], MAIL_WON, logs)
    drawmails.queue(frame, [rid for rid in ids if rid not in won], MAIL_WAITLISTED, logs)
    hooks.statuses_changed(frame, ids, Status.APPLIED, load=_load)


def audit_rows(
    frame: Frame, ids: Sequence[int], *, speakers: set[int], won: set[int]
) -> tuple[str, list]:
    """The INSERT of the batch's audit rows, in the order of `ids`."""
    source, source_params = bulksql.positions(ids)
    # The statuses are the ones `set_status` just wrote (the winners accepted, the rest
    # waitlisted): the audit rows are built from the batch alone, without reading the
    # registrations back (a join that cost a scan of the registrations table per batch).
    winners = [rid for rid in ids if rid in won]
    is_won, won_params = bulksql.members("o.id", winners) if winners else ("1 = 0", [])
    to_status = (f"CASE WHEN {is_won} THEN %s ELSE %s END",
                 [*won_params, Status.ACCEPTED, Status.WAITLISTED])  # fmt: skip
    reason = (f"CASE WHEN {is_won} THEN %s ELSE %s END", [*won_params, WON, WAITLISTED])
    seated = sorted(speakers.intersection(ids))
    if seated:
        marks = ", ".join(["%s"] * len(seated))
        reason = (f"CASE WHEN o.id IN ({marks}) THEN %s ELSE {reason[0]} END",
                  [*seated, SPEAKER_SEAT, *reason[1]])  # fmt: skip
    log = RegistrationLog(frame_id=frame.pk, from_status=Status.APPLIED, actor=None)
    return bulksql.insert_select(
        log, source,
        {"registration_id": ("o.id", []), "to_status": to_status, "reason": reason},
        source_params=source_params, tail="ORDER BY o.n",
    )  # fmt: skip


def _load(ids: Sequence[int]) -> dict[int, Registration]:
    """Registrations as the draw loaded them, for a listener without a `many` part."""
    return Registration.objects.select_related("user").in_bulk(list(ids))
