"""EXPLAIN (ANALYZE, BUFFERS) of the draw's batch statements, and what each index costs, on a
database that `bench.lottery` has drawn (PostgreSQL; bench/lottery/README.md):

    .venv/bin/python -m bench.lottery.explain \
        --database-url postgres://postgres@127.0.0.1:5432/kaisai_hlot_bench

Each statement runs for one batch (5,000 of frame 1's waitlisted, in their order) inside a
transaction that is rolled back, first as it is, then once per index of the table written
with that index dropped (DDL is transactional on PostgreSQL: rolled back as well), so that the
difference is that index's cost. Nothing is left changed.
"""

from __future__ import annotations

import argparse
import time

from bench.lottery.run import setup_django


class Undo(Exception):
    pass


def statements(frame_id: int, ids: list[int]) -> dict[str, tuple[str, str, list]]:
    """name → (table, sql, params) for one batch."""
    from django.db.models import Max, Min
    from django.utils import timezone

    from kaisai.core.models import BulkMail
    from kaisai.registrations.enums import Status
    from kaisai.registrations.models import Frame, RegistrationLog
    from kaisai.registrations.services import drawmails, drawrows

    frame = Frame.objects.get(pk=frame_id)
    update = ("registrations_registration",
              *drawrows.status_update(ids, Status.WAITLISTED, first_waitlist_key=1))  # fmt: skip
    audit = drawrows.audit_rows(frame, ids, speakers=set(), won=set())
    logs = RegistrationLog.objects.filter(frame=frame, registration_id__in=ids)
    bounds = logs.aggregate(first=Min("id"), last=Max("id"))
    bulk = BulkMail(template="lottery_waitlisted", ids=ids, created_at=timezone.now(), params={
        "frame": frame.pk, "logs_after": bounds["first"] - 1, "logs_upto": bounds["last"],
    })  # fmt: skip
    # The mails of the batch as the draw wrote them before: the expansion's statement, with
    # keys "explain-…" (its first parameter) that differ from the expanded ones: a fresh
    # insert, not conflicts.
    mail_sql, mail_params = drawmails._insert(bulk, ids)
    return {
        "registration UPDATE (waitlisted)": update,
        "audit INSERT": ("registrations_registrationlog", *audit),
        "outbox INSERT (per-person mails)": ("core_outboxmail", mail_sql,
                                             ["explain-", *mail_params[1:]]),
    }  # fmt: skip


def indexes(table: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = %s AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [table],
        )
        return [name for (name,) in cursor.fetchall()]


def run(sql: str, params: list, drop: str = "", explain: bool = False) -> tuple[float, str]:
    from django.db import connection, transaction

    plan = ""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if drop:
                cursor.execute(f'DROP INDEX "{drop}"')
            if sql.startswith("UPDATE"):  # as drawrows.set_status runs it
                cursor.execute("SET LOCAL enable_seqscan = off")
            started = time.perf_counter()
            if explain:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            else:
                cursor.execute(sql, params)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred FK checks, too
            elapsed = time.perf_counter() - started
            raise Undo
    except Undo:
        pass
    return elapsed, plan


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lottery.explain")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django(args.database_url)
    from kaisai.registrations.models import LotteryDraw

    draw = LotteryDraw.objects.exclude(drawn_at=None).order_by("frame_id").first()
    assert draw is not None, "draw a frame first: python -m bench.lottery"
    ids = draw.order[draw.accepted : draw.accepted + 5000]
    for name, (table, sql, params) in statements(draw.frame_id, ids).items():
        _elapsed, plan = run(sql, params, explain=True)
        print(f"### {name}\n{plan}")
        base = min(run(sql, params)[0] for _ in range(args.repeat))
        print(f"{name}: {base:.3f} s for 5,000 rows (with the deferred FK checks)")
        for index in indexes(table):
            without = min(run(sql, params, drop=index)[0] for _ in range(args.repeat))
            print(f"  without {index}: {without:.3f} s ({base - without:+.3f})")


if __name__ == "__main__":
    main()
