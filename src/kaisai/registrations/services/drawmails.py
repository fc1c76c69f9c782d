"""The lottery draw's mails, queued as bulk mail (`kaisai.core.bulkmail`): the draw writes
one row per batch and outcome (`queue`: "lottery_won" or "lottery_waitlisted" to up to 5,000
registrations) instead of 5,000 outbox rows; the worker expands it (`expand`, registered as
the "lottery" expander) into the outbox rows the draw wrote itself before — `audit.record`'s
mail for the draw's audit row: key `audit.mail_key(registration, audit row)`, the recipient's
address and language, the registration as context — and sends them the ordinary way.

What is read at expansion time rather than at the draw: the address and language (as at
sending time for the rest of the mail, which is rendered then). The outcome is the draw's:
a registration cancelled between the draw and the expansion still gets the mail of its draw
outcome, as a mail queued by the draw and not yet sent always did (tests/registrations/
test_draw_mails.py). No address, no mail (`queue_mail`'s rule); a registration deleted
meanwhile (with its audit rows) gets none.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import connection

from kaisai.accounts.models import User
from kaisai.core import bulkmail, bulksql
from kaisai.core.models import BulkMail, OutboxMail
from kaisai.registrations.models import Frame, Registration, RegistrationLog
from kaisai.registrations.services.audit import mail_key

SOURCE = "lottery"


def queue(frame: Frame, ids: Sequence[int], template: str, logs: tuple[int, int]) -> None:
    """Queue `template` to the registrations `ids` (in draw order), whose draw audit rows
    have ids in `logs` = (after, up to and including)."""
    bulkmail.queue_bulk(
        source=SOURCE, template=template, ids=ids,
        params={"frame": frame.pk, "logs_after": logs[0], "logs_upto": logs[1]},
    )  # fmt: skip


def expand(bulk: BulkMail, ids: Sequence[int]) -> int:
    """Write the outbox rows of `ids` (a chunk of `bulk.ids`); returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(*_insert(bulk, ids))
        return max(cursor.rowcount, 0)


def _insert(bulk: BulkMail, ids: Sequence[int]) -> tuple[str, list]:
    """One mail per registration of `ids` for its draw audit row: `audit.record`'s."""
    quote = connection.ops.quote_name
    logs = quote(RegistrationLog._meta.db_table)
    registrations = quote(Registration._meta.db_table)
    users = quote(User._meta.db_table)
    source, source_params = bulksql.positions(ids)
    prefix, middle, suffix = mail_key("\0", "\0").split("\0")
    text = "::text" if connection.vendor == "postgresql" else ""
    # Queued (and due) when the draw queued them, not when expanded: the ordinary sending
    # order (next_attempt_at, id) keeps them before a later mail to the same person (a
    # waitlisted person's "accepted" when a winner cancels before the expansion).
    mail = OutboxMail(next_attempt_at=bulk.created_at, template=bulk.template)
    when = "%s::timestamptz" if connection.vendor == "postgresql" else "%s"
    created = connection.ops.adapt_datetimefield_value(bulk.created_at)
    links: dict[str, tuple[str, list]] = {
        "created_at": (when, [created]),
        "key": (f"%s{text} || r.id || %s{text} || l.id || %s{text}", [prefix, middle, suffix]),
        "to_email": ("u.email", []),
        "recipient_id": ("u.id", []),
        "language": ("COALESCE(NULLIF(u.preferred_language, ''), %s)", [settings.LANGUAGE_CODE]),
        "context": bulksql.json_object(
            "registration", bulksql.json_reference(Registration, "r.id")
        ),
    }
    params = bulk.params
    return bulksql.insert_select(
        mail,
        # The batch drives the join (CROSS JOIN: SQLite keeps that order) — led by the
        # frame's index on the audit rows instead, SQLite rescans the batch for every row.
        f"{source} CROSS JOIN {logs} l"
        f" JOIN {registrations} r ON r.id = l.registration_id JOIN {users} u ON u.id = r.user_id",
        links,
        source_params=source_params,
        # queue_mail's rules: no address, no mail; a key already queued is not queued again.
        tail="WHERE l.registration_id = o.id AND l.frame_id = %s AND l.id > %s AND l.id <= %s"
        " AND u.email <> '' ORDER BY o.n ON CONFLICT DO NOTHING",
        tail_params=[params["frame"], params["logs_after"], params["logs_upto"]],
    )
