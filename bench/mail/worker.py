"""The worker against a plain smtplib loop (bench/mail/README.md, "The worker against
smtplib"): an organizer's message to N participants (`notices.services.messages.send_message`,
the real service) is delivered by a real `kaisai worker` process, then the same N messages,
byte for byte, by one `smtplib.SMTP.sendmail` loop over one connection; rounds alternate.
The aiosmtpd server runs in a process of its own and measures both (first to last mail).
The worker's peak RSS (VmHWM) is read when it has sent the N mails."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup_message(count: int) -> str:
    """N accepted participants of one event and the organizer's message to them; returns
    the message's outbox batch."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from bench.city.generate import write_rows
    from kaisai.accounts.models import User
    from kaisai.accounts.services import create_users_without_password
    from kaisai.events.models import Event
    from kaisai.groups.services import create_group
    from kaisai.notices.services.messages import send_message
    from kaisai.registrations import services
    from kaisai.registrations.enums import Status
    from kaisai.registrations.models import Frame, Registration

    now = timezone.now()
    [owner] = create_users_without_password(nicknames=["mail-owner"])
    group = create_group(creator=owner, title="Mail bench", slug="mail-bench")
    event = Event.objects.create(
        group=group, title="Mail bench night", status="published",
        starts_at=now + timedelta(days=7), ends_at=now + timedelta(days=7, hours=2),
    )  # fmt: skip
    frame = services.create_frame(event=event, by=owner, capacity=count, name="General")
    password = make_password(None)
    write_rows(
        User, ("nickname", "email", "password", "date_joined", "preferred_language"),
        ((f"reader{i}", f"reader{i}@example.invalid", password, now, "ja" if i % 3 else "en")
         for i in range(count)),
    )  # fmt: skip
    people = User.objects.filter(nickname__startswith="reader").values_list("id", flat=True)
    write_rows(
        Registration, ("event_id", "frame_id", "user_id", "status", "created_at", "updated_at"),
        ((event.pk, frame.pk, user_id, Status.ACCEPTED, now, now) for user_id in people),
    )  # fmt: skip
    Frame.objects.filter(pk=frame.pk).update(accepted_count=count)
    body = "Doors open at 18:30. Bring your ticket (the QR code) and a name card.\n\n" * 8
    message = send_message(
        event=event, by=owner, audience="accepted", subject="Tonight: doors and room", body=body
    )
    assert message.recipient_count == count, message.recipient_count
    return message.batch


def reset(batch: str) -> None:
    """Every mail of the message pending again, unrendered: the worker's first attempt."""
    from django.utils import timezone

    from kaisai.core.models import OutboxMail

    OutboxMail.objects.filter(batch=batch).update(
        state="pending", attempts=0, sent_at=None, last_error="",
        next_attempt_at=timezone.now() - timedelta(seconds=1), subject="", body="", html_body="",
    )  # fmt: skip


def proc_status(pid: int, field: str) -> float:
    """VmHWM (peak RSS) or VmRSS of a process, in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def worker_round(server, count: int, timeout: float) -> dict:
    """Start `kaisai worker`, wait until the server has the N mails, read its memory, stop it."""
    server.reset()
    env = {**os.environ, "KAISAI_LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "kaisai", "worker"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        done = server.wait_for(count, timeout)
        rss_peak, rss_now = proc_status(worker.pid, "VmHWM"), proc_status(worker.pid, "VmRSS")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            _out, err = worker.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            _out, err = worker.communicate()
    if not done:
        raise RuntimeError(f"the worker sent {server.count} of {count}:\n{err.decode()[-2000:]}")
    return {"rate": server.rate(), "rss_peak_mb": rss_peak, "rss_mb": rss_now}


def built_messages(batch: str) -> list[tuple[str, str, bytes]]:
    """(from, to, bytes) of the message's mails as the worker sent them (rendered rows)."""
    from django.conf import settings
    from django.core.mail.message import sanitize_address

    from kaisai.core import outbox
    from kaisai.core.models import OutboxMail

    sender = sanitize_address(settings.DEFAULT_FROM_EMAIL, "utf-8")
    return [
        (sender, mail.to_email, outbox.build_message(mail).message().as_bytes(linesep="\r\n"))
        for mail in OutboxMail.objects.filter(batch=batch).order_by("id")
    ]


def smtplib_round(server, messages: list[tuple[str, str, bytes]]) -> float:
    """The baseline: one connection, `sendmail` per message."""
    server.reset()
    with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as smtp:
        for sender, recipient, data in messages:
            smtp.sendmail(sender, [recipient], data)
    assert server.count == len(messages), (server.count, len(messages))
    return server.rate()


def run(server, args) -> dict:
    from django.db import connections

    batch = setup_message(args.mails)
    connections.close_all()
    rates: dict[str, list[float]] = {"kaisai worker": [], "smtplib loop": []}
    rss: list[float] = []
    messages: list[tuple[str, str, bytes]] = []
    for _ in range(args.rounds):
        reset(batch)
        connections.close_all()
        started = time.monotonic()
        result = worker_round(server, args.mails, timeout=max(120.0, args.mails / 5))
        rates["kaisai worker"].append(result["rate"])
        rss.append(result["rss_peak_mb"])
        print(f"  worker: {args.mails} mails in {time.monotonic() - started:.1f} s wall, "
              f"{result['rate']:.1f}/s at the server, peak RSS {result['rss_peak_mb']:.1f} MB",
              flush=True)  # fmt: skip
        if not args.no_baseline:
            messages = messages or built_messages(batch)
            rates["smtplib loop"].append(smtplib_round(server, messages))
            print(f"  smtplib: {rates['smtplib loop'][-1]:.1f}/s", flush=True)
    return {"rates": rates, "rss": rss, "mean_size": server.mean_size()}
