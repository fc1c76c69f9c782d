"""Mails per second through the outbox to a real SMTP server (aiosmtpd on localhost):
one SMTP connection per mail (how deliver() sends a single mail) against one connection for
the whole batch (deliver_due_mail), in the same run, alternating, on the same rows.

    .venv/bin/python bench/mail/run.py [--mails 300] [--rounds 2] [--database-url URL]

The database defaults to a fresh SQLite file in a temporary directory; pass a PostgreSQL URL
(a database of its own: it is migrated and filled) to measure there."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--prerendered",
        action="store_true",
        help="keep subject and bodies rendered: measure sending alone",
    )
    args = parser.parse_args()

    from tests.smtp import SmtpServer

    smtp = SmtpServer()
    smtp.start()
    tmp = tempfile.mkdtemp(prefix="kaisai-bench-mail-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp.port}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["KAISAI_TESTING"] = "1"
    os.environ["KAISAI_LOG_LEVEL"] = "WARNING"

    import django

    django.setup()
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command log
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from kaisai.accounts.services import create_users_without_password
    from kaisai.core import outbox
    from kaisai.core.models import OutboxMail
    from kaisai.events.models import Event
    from kaisai.groups.services import create_group
    from kaisai.registrations import services

    stamp = int(time.time())
    people = create_users_without_password(
        nicknames=[f"bench{stamp}x{i}" for i in range(args.mails + 1)]
    )
    group = create_group(creator=people[0], title="Bench", slug=f"bench-{stamp}")
    from datetime import timedelta

    from django.utils import timezone

    event = Event.objects.create(
        group=group, title="Bench event", status="published",
        starts_at=timezone.now() + timedelta(days=7),
        ends_at=timezone.now() + timedelta(days=7, hours=2),
    )  # fmt: skip
    frame = services.create_frame(event=event, by=people[0], capacity=5, name="General")
    registration = services.register(frame=frame, user=people[0])
    OutboxMail.objects.all().delete()
    for person in people[1:]:
        outbox.queue_mail(key=f"bench-{person.pk}", user=person,
                          template="registration_received",
                          context={"registration": registration})  # fmt: skip

    def reset() -> None:
        rows = OutboxMail.objects.all()
        rows.update(state="pending", attempts=0, sent_at=None, next_attempt_at=timezone.now())
        if not args.prerendered:
            rows.update(subject="", body="", html_body="")

    def per_mail() -> int:
        due = OutboxMail.objects.filter(state="pending").order_by("id").values_list("pk", flat=True)
        return sum(outbox.deliver(pk) is outbox.Outcome.SENT for pk in list(due))

    def batch() -> int:
        return outbox.deliver_due_mail(limit=args.mails)

    rates: dict[str, list[float]] = {"connection per mail": [], "one connection per batch": []}
    if args.prerendered:
        reset()
        batch()  # render and store every mail once
    for _ in range(args.rounds):
        for name, run in (("connection per mail", per_mail), ("one connection per batch", batch)):
            reset()
            received = len(smtp.inbox.messages)
            started = time.perf_counter()
            sent = run()
            elapsed = time.perf_counter() - started
            assert sent == args.mails == len(smtp.inbox.messages) - received, (sent, name)
            rates[name].append(sent / elapsed)
    smtp.stop()
    from django.db import connection

    print(f"{args.mails} mails x {args.rounds} rounds, database {connection.vendor}, "
          f"{'pre-rendered' if args.prerendered else 'rendering included'}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")  # fmt: skip
    for name, values in rates.items():
        print(f"  {name:26} " + "  ".join(f"{v:7.1f}/s" for v in values))
    per = sum(rates["connection per mail"]) / args.rounds
    one = sum(rates["one connection per batch"]) / args.rounds
    print(f"  ratio (batch / per mail): {one / per:.2f}")


if __name__ == "__main__":
    main()
