"""A registration to a first-come frame in one SQL statement (PostgreSQL).

Through the ORM a registration is five compiled statements plus BEGIN/COMMIT (the seat or
the waitlist place under the frame's lock, registration, answers, audit row, mail), and in a
rush compiling them is most of the app server's work; the frame's lock is also held across
the round trips that follow it. Here the same rows go in one statement: a CTE whose first
steps place the registration — the conditional UPDATE of `seats.take_seat`, and only if that
took no seat, the `waitlist_seq` bump of `seats.next_waitlist_key` — and whose INSERTs read
the outcome from them. In autocommit the frame's lock is held only inside the database, for a
few index inserts and the commit.

The rows are built from the same unsaved model instances as the ORM path's (`rows`:
registration, answers, audit row; `audit`: the mail's key format and template), field by
field the way the ORM saves them (defaults, auto_now_add, JSON), so they are the rows
`participants._create`, `audit.record` and `queue_mail` write; only what the statement
decides (status, waitlist key, the mail for the status) and the ids that link the rows
(registration → answers and audit row → the mail's key and context) come from SQL. What the
status listeners write for a new registration (check-in's ticket) is added by the parts
they connected in `registrations.hooks` (`on_new`), as further CTEs of the same statement.
tests/registrations/test_onestatement.py compares both paths.
"""

from __future__ import annotations

from contextlib import nullcontext
from functools import cache

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.core.models import OutboxMail
from kaisai.registrations import hooks
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration
from kaisai.registrations.services import rows
from kaisai.registrations.services.audit import MAIL_FOR, mail_key


def available() -> bool:
    """PostgreSQL, with the frame lock on (the test-only unlocked mode uses the ORM path), and
    every status listener able to follow (`hooks.one_statement_ready`)."""
    return (
        connection.vendor == "postgresql"
        and getattr(settings, "KAISAI_REGISTRATION_LOCK", True)
        and hooks.one_statement_ready()
    )


@cache
def _columns(model: type[models.Model]) -> list[tuple[models.Field, str, str]]:
    """(field, quoted column, placeholder with the column's type) for every column but the
    primary key; the same for every statement, so worked out once."""
    quote = connection.ops.quote_name
    return [
        (field, quote(field.column), f"%s::{field.db_type(connection)}")
        for field in model._meta.concrete_fields
        if not field.primary_key
    ]


def insert_cte(
    name: str,
    instance: models.Model,
    source: str,
    links: dict[str, tuple[str, list]],
    *,
    returning: str = "",
    on_conflict: str = "",
) -> tuple[str, list]:
    """`name AS (INSERT … SELECT … FROM source …)` writing `instance`'s columns as the ORM
    would save them, except the columns in `links` (attname → SQL over `source`, params)."""
    columns, values, params = [], [], []
    for field, column, placeholder in _columns(type(instance)):
        columns.append(column)
        if field.attname in links:
            sql, link_params = links[field.attname]
            values.append(sql)
            params.extend(link_params)
        else:
            values.append(placeholder)
            params.append(field.get_db_prep_save(field.pre_save(instance, True), connection))
    # Identifiers and casts come from the model's metadata, values only as parameters.
    table = connection.ops.quote_name(instance._meta.db_table)
    sql = (
        f"{name} AS (INSERT INTO {table} ({', '.join(columns)})"  # noqa: S608
        f" SELECT {', '.join(values)} FROM {source}{on_conflict}"
        f"{' RETURNING ' + returning if returning else ''})"
    )
    return sql, params


def _mail_key_sql(registration_id: str, log_id: str) -> tuple[str, list]:
    """`audit.mail_key` as SQL over two columns."""
    prefix, middle, suffix = mail_key("\0", "\0").split("\0")
    sql = f"%s::text || {registration_id} || %s::text || {log_id} || %s::text"
    return sql, [prefix, middle, suffix]


def register_first_come(frame: Frame, user: User, cleaned: dict) -> Registration:
    """Place a registration to first-come `frame` — a seat if one is left, else the end of
    the waitlist — and write it with its answers, audit row and mail, all or nothing, in one
    statement. A second active registration to the event raises IntegrityError, as `create`
    does (and nothing is written)."""
    registration = rows.new_registration(frame, user)
    frames = Frame._meta.db_table
    parts = [
        # seats.take_seat's conditional UPDATE; if it took no seat, next_waitlist_key's bump.
        f"seat AS (UPDATE {frames} SET accepted_count = accepted_count + 1"  # noqa: S608
        " WHERE id = %s AND accepted_count < COALESCE(accept_limit, capacity) RETURNING id)",
        f"wait AS (UPDATE {frames} SET waitlist_seq = waitlist_seq + 1"  # noqa: S608
        " WHERE id = %s AND NOT EXISTS (SELECT FROM seat) RETURNING waitlist_seq)",
        "placed AS (SELECT %s::text AS status, NULL::bigint AS waitlist_key FROM seat"
        " UNION ALL SELECT %s::text, waitlist_seq FROM wait)",
    ]
    params: list = [frame.pk, frame.pk, Status.ACCEPTED, Status.WAITLISTED]

    def add(sql_params: tuple[str, list]) -> None:
        parts.append(sql_params[0])
        params.extend(sql_params[1])

    add(insert_cte("reg", registration, "placed", {
        "status": ("placed.status", []), "waitlist_key": ("placed.waitlist_key", []),
    }, returning="id, status, waitlist_key, event_id"))  # fmt: skip
    registration_id: dict[str, tuple[str, list]] = {"registration_id": ("reg.id", [])}
    for number, answer in enumerate(rows.new_answers(registration, cleaned)):
        add(insert_cte(f"answer{number}", answer, "reg", registration_id))
    log = rows.new_log(registration, user)
    add(insert_cte("log", log, "reg", registration_id | {"to_status": ("reg.status", [])},
             returning="id, registration_id, to_status"))  # fmt: skip
    if user.email:  # queue_mail's rule: no address, no mail
        mail = OutboxMail(
            to_email=user.email,
            recipient=user,
            language=user.preferred_language or settings.LANGUAGE_CODE,
            next_attempt_at=timezone.now(),
        )
        reference = "jsonb_build_object('_model', %s::text, 'pk', log.registration_id)"
        add(insert_cte("mail", mail, "log", {
            # audit.record's key, its mail for the status, queue_mail's model reference
            "key": _mail_key_sql("log.registration_id", "log.id"),
            "template": ("CASE log.to_status WHEN %s THEN %s ELSE %s END", [
                Status.ACCEPTED, MAIL_FOR[Status.ACCEPTED], MAIL_FOR[Status.WAITLISTED]]),
            "context": (f"jsonb_build_object('registration', {reference})",
                        [Registration._meta.label]),
        }, on_conflict=" ON CONFLICT DO NOTHING"))  # fmt: skip
    for part in hooks.statement_parts:  # what the status listeners write (the ticket)
        for sql_params in part(frame, "reg"):
            add(sql_params)
    sql = "WITH " + ", ".join(parts) + " SELECT id, status, waitlist_key FROM reg"  # noqa: S608
    # In autocommit the statement is its own transaction; inside an outer one a savepoint
    # keeps a unique violation from breaking it.
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with savepoint, connection.cursor() as cursor:
        cursor.execute(sql, params)
        registration.pk, registration.status, registration.waitlist_key = cursor.fetchone()
    registration._state.adding = False
    registration._state.db = connection.alias
    return registration
