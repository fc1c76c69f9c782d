"""The lottery draw's writes for a batch of the draw order, set-based (a frame of 100,000
applicants is twenty batches of a few statements each, not 300,000 single-row statements).

Row for row they are what the draw wrote one registration at a time through the ORM before:
the status (and waitlist key, in draw order), `audit.log_entry`'s audit row with the draw's
reason, `audit.record`'s mail (`audit.mail_key`, the lottery template for the outcome,
`queue_mail`'s model reference, no mail without an address) and the status listeners
(`hooks.statuses_changed`: each listener's `many` part, or the listener per registration).
tests/registrations/test_draw_batches.py compares them with the one-row-at-a-time path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from kaisai.accounts.models import User
from kaisai.core import bulksql
from kaisai.core.models import OutboxMail
from kaisai.registrations import hooks
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration, RegistrationLog
from kaisai.registrations.services.audit import mail_key

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
    table = connection.ops.quote_name(Registration._meta.db_table)
    source, source_params = bulksql.positions(ids)
    assignments = "status = %s"
    params: list[Any] = [status]
    if first_waitlist_key is not None:
        assignments += ", waitlist_key = %s + o.n"
        params.append(first_waitlist_key - 1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {source} WHERE {table}.id = o.id",  # noqa: S608
            [*params, *source_params],
        )


def record(frame: Frame, ids: Sequence[int], *, speakers: set[int]) -> None:
    """The audit rows (in the order of `ids`), the mails and the status listeners of a batch
    whose statuses are set."""
    quote = connection.ops.quote_name
    registrations = quote(Registration._meta.db_table)
    source, source_params = bulksql.positions(ids)
    last_log = RegistrationLog.objects.aggregate(last=Max("id"))["last"] or 0
    seated = sorted(speakers.intersection(ids))
    reason: tuple[str, list] = (
        "CASE WHEN r.status = %s THEN %s ELSE %s END",
        [Status.ACCEPTED, WON, WAITLISTED],
    )
    if seated:
        marks = ", ".join(["%s"] * len(seated))
        reason = (f"CASE WHEN r.id IN ({marks}) THEN %s ELSE {reason[0]} END",
                  [*seated, SPEAKER_SEAT, *reason[1]])  # fmt: skip
    log = RegistrationLog(frame_id=frame.pk, from_status=Status.APPLIED, actor=None)
    sql, params = bulksql.insert_select(
        log, f"{source} CROSS JOIN {registrations} r",
        {"registration_id": ("r.id", []), "to_status": ("r.status", []), "reason": reason},
        source_params=source_params, tail="WHERE r.id = o.id ORDER BY o.n",
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute(*_mails(frame, ids, last_log))
    hooks.statuses_changed(frame, ids, Status.APPLIED, load=_load)


def _mails(frame: Frame, ids: Sequence[int], last_log: int) -> tuple[str, list]:
    """One mail per audit row written after `last_log` for the batch: `audit.record`'s."""
    quote = connection.ops.quote_name
    logs = quote(RegistrationLog._meta.db_table)
    registrations = quote(Registration._meta.db_table)
    users = quote(User._meta.db_table)
    source, source_params = bulksql.positions(ids)
    prefix, middle, suffix = mail_key("\0", "\0").split("\0")
    text = "::text" if connection.vendor == "postgresql" else ""
    mail = OutboxMail(next_attempt_at=timezone.now())
    links = {
        "key": (f"%s{text} || r.id || %s{text} || l.id || %s{text}", [prefix, middle, suffix]),
        "to_email": ("u.email", []),
        "recipient_id": ("u.id", []),
        "language": ("COALESCE(NULLIF(u.preferred_language, ''), %s)", [settings.LANGUAGE_CODE]),
        "template": (
            "CASE WHEN r.status = %s THEN %s ELSE %s END",
            [Status.ACCEPTED, MAIL_WON, MAIL_WAITLISTED],
        ),  # fmt: skip
        "context": bulksql.json_object(
            "registration", bulksql.json_reference(Registration, "r.id")
        ),
    }
    return bulksql.insert_select(
        mail,
        # The batch drives the join (CROSS JOIN: SQLite keeps that order) — led by the
        # frame's index on the audit rows instead, SQLite rescans the batch for every row.
        f"{source} CROSS JOIN {logs} l"
        f" JOIN {registrations} r ON r.id = l.registration_id JOIN {users} u ON u.id = r.user_id",
        links,
        source_params=source_params,
        # queue_mail's rules: no address, no mail; a key already queued is not queued again.
        tail="WHERE l.registration_id = o.id AND l.frame_id = %s AND l.id > %s"
        " AND u.email <> '' ORDER BY o.n ON CONFLICT DO NOTHING",
        tail_params=[frame.pk, last_log],
    )


def _load(ids: Sequence[int]) -> dict[int, Registration]:
    """Registrations as the draw loaded them, for a listener without a `many` part."""
    return Registration.objects.select_related("user").in_bulk(list(ids))
