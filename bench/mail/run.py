"""Mails per second through the outbox to a real SMTP server (aiosmtpd on localhost).

Default: the worker against smtplib (bench/mail/worker.py) — a `kaisai worker` process
delivers an organizer's message to N participants, then a plain smtplib loop sends the same
N messages over one connection; rounds alternate; the server runs in its own process.
`--message 10000`: one such round with 10,000 recipients, for the worker's peak RSS.
`--connections`: one SMTP connection per mail (deliver()) against one per batch
(deliver_due_mail), in one process, alternating, on the same rows.

    .venv/bin/python bench/mail/run.py [--mails 2000] [--rounds 3] [--database-url URL]
    .venv/bin/python bench/mail/run.py --message 10000
    .venv/bin/python bench/mail/run.py --connections [--mails 300] [--prerendered]

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
    parser.add_argument("--mails", type=int, default=0, help="2000 (300 with --connections)")
    parser.add_argument("--rounds", type=int, default=0, help="3 (2 with --connections)")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--connections", action="store_true", help="per mail vs per batch")
    parser.add_argument("--message", type=int, default=0, help="one round to N: worker RSS")
    parser.add_argument("--no-baseline", action="store_true", help="the worker only")
    parser.add_argument(
        "--prerendered",
        action="store_true",
        help="keep subject and bodies rendered: measure sending alone",
    )
    args = parser.parse_args()
    if not args.connections:
        worker_mode(args)
        return
    args.mails, args.rounds = args.mails or 300, args.rounds or 2

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
        sent = 0  # a call per mail: its own connection, opened and closed
        while outbox.deliver_due_mail(limit=1, seconds=0):
            sent += 1
        return sent

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


def worker_mode(args: argparse.Namespace) -> None:
    import json

    from bench.mail import server as smtp_server
    from bench.mail import worker

    if args.message:
        args.mails, args.rounds = args.message, 1
    args.mails, args.rounds = args.mails or 2000, args.rounds or 3
    load_before = os.getloadavg()
    server = smtp_server.Server.start()
    tmp = tempfile.mkdtemp(prefix="kaisai-bench-mail-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    if url.startswith("postgres"):
        from bench.city.__main__ import recreate_database

        recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{server.port}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")
    os.environ.setdefault("SECRET_KEY", "mail-benchmark-only-" + "x" * 40)
    os.environ["KAISAI_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"{args.mails} mails x {args.rounds} rounds, database {connection.vendor}, "
          f"{os.cpu_count()} CPUs, load {load_before[0]:.2f}", flush=True)  # fmt: skip
    try:
        result = worker.run(server, args)
    finally:
        server.stop()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()
    rates = result["rates"]
    kaisai = sum(rates["kaisai worker"]) / len(rates["kaisai worker"])
    baseline = (
        sum(rates["smtplib loop"]) / len(rates["smtplib loop"]) if rates["smtplib loop"] else 0
    )
    for name, values in rates.items():
        print(f"  {name:14} " + "  ".join(f"{v:7.1f}/s" for v in values))
    print(f"  mean size {result['mean_size'] / 1024:.1f} KiB; worker peak RSS "
          f"{max(result['rss']):.1f} MB; load {load_before[0]:.2f} → "
          f"{load_after[0]:.2f}")  # fmt: skip
    figures = {
        "mails": args.mails,
        "rounds": args.rounds,
        "database": connection.vendor,
        "kaisai_mails_per_s": round(kaisai, 1),
        "smtplib_mails_per_s": round(baseline, 1),
        "ratio": round(kaisai / baseline, 3) if baseline else None,
        "worker_rss_mb": round(max(result["rss"]), 1),
        "load_before": round(load_before[0], 2),
        "load_after": round(load_after[0], 2),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
