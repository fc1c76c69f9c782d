"""The lottery draw of one frame with N applicants, timed as the worker runs it
(bench/lottery/README.md).

    .venv/bin/python -m bench.lottery --applicants 100000 [--capacity 1000]
        [--database-url postgres://postgres@127.0.0.1:5432/kaisai_hlot_bench]

A fresh database (a SQLite file in a temporary directory, or the PostgreSQL database named in
the URL, dropped and created), N people and two lottery frames of N applicants each (one per
event: the same people apply to both), bulk-inserted (COPY on PostgreSQL). Then the draw
itself, in a child process so that its memory is its own:

- frame 1: `draws.draw_due_lotteries()` — the worker's job — timed, peak RSS measured;
- frame 2: `draw_lottery(frame=…, force=True)` under tracemalloc (slower: not timed).

Checks afterwards: accepted == capacity, every applicant has exactly one outcome (accepted or
waitlisted, one audit row, one mail), waitlist keys distinct, and the draw recomputes from its
seed (`lottery.verify`, `selectors_lottery.verification`). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/kaisai_hlot_bench"


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")
    os.environ.setdefault("SECRET_KEY", "lottery-benchmark-only-" + "x" * 40)
    os.environ.setdefault("KAISAI_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def populate(applicants: int, capacity: int, nominated: int, others: int = 0) -> list[int]:
    """People, a group, two events with a lottery frame each, N applications to each frame,
    and `others` accepted registrations to other events (the rest of a site's registrations
    table, which the draw must not read). Returns the two frames' ids."""
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from bench.city.generate import write_rows
    from kaisai.accounts.models import User
    from kaisai.accounts.services import create_users_without_password
    from kaisai.core.models import OutboxMail
    from kaisai.events.models import Event
    from kaisai.groups.services import create_group
    from kaisai.registrations import services
    from kaisai.registrations.enums import Method, Status
    from kaisai.registrations.models import Registration

    now = timezone.now()
    [owner] = create_users_without_password(nicknames=["lottery-owner"])
    group = create_group(creator=owner, title="Lottery bench", slug="lottery-bench")
    frames = []
    for number in (1, 2):
        event = Event.objects.create(
            group=group, title=f"Lottery bench {number}", status="published",
            starts_at=now + timedelta(days=30), ends_at=now + timedelta(days=30, hours=3),
        )  # fmt: skip
        frames.append(
            services.create_frame(
                event=event,
                by=owner,
                capacity=capacity,
                name="General",
                method=Method.LOTTERY,
                lottery_at=now + timedelta(days=7),
            )  # fmt: skip
        )
    with transaction.atomic():
        password = make_password(None)
        write_rows(
            User, ("nickname", "email", "password", "date_joined", "preferred_language"),
            ((f"applicant{i}", f"applicant{i}@example.invalid", password, now,
              "en" if i % 3 else "ja") for i in range(applicants)),
        )  # fmt: skip
        people = list(
            User.objects.filter(nickname__startswith="applicant")
            .order_by("id")
            .values_list("id", flat=True)
        )
        for frame in frames:
            write_rows(
                Registration,
                ("event_id", "frame_id", "user_id", "status", "nominated", "created_at",
                 "updated_at"),
                ((frame.event_id, frame.pk, user_id, Status.APPLIED, i < nominated, now, now)
                 for i, user_id in enumerate(people)),
            )  # fmt: skip
        for number in range(-(-others // max(len(people), 1))):
            count = min(len(people), others - number * len(people))
            event = Event.objects.create(
                group=group, title=f"Other event {number}", status="published",
                starts_at=now - timedelta(days=number + 1), ends_at=now - timedelta(days=number),
            )  # fmt: skip
            other = services.create_frame(event=event, by=owner, capacity=count, name="General")
            write_rows(
                Registration,
                ("event_id", "frame_id", "user_id", "status", "nominated", "created_at",
                 "updated_at"),
                ((event.pk, other.pk, user_id, Status.ACCEPTED, False, now, now)
                 for user_id in people[:count]),
            )  # fmt: skip
    OutboxMail.objects.all().delete()
    return [frame.pk for frame in frames]


def draw(frame_ids: list[int]) -> dict:
    """In the child process: the timed draw of the first frame (the worker's job), then the
    second under tracemalloc."""
    import tracemalloc

    from django.db import connection
    from django.utils import timezone

    from kaisai.registrations import services
    from kaisai.registrations.models import Frame

    first, second = frame_ids
    Frame.objects.filter(pk=first).update(lottery_at=timezone.now())
    connection.ensure_connection()
    rss_before = rss_mb()
    profile = os.environ.get("BENCH_PROFILE")  # a file for cProfile's stats of the timed draw
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    statements: dict[str, list[float]] = {}  # BENCH_STATEMENTS=1: seconds per statement kind

    def timed(execute, sql, params, many, context):
        begun = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            words = sql.split()
            kind = " ".join(words[:3] if words[0] in ("INSERT", "UPDATE") else words[:1])
            spent = statements.setdefault(kind, [0, 0.0])
            spent[0] += 1
            spent[1] += time.perf_counter() - begun

    wrapper = connection.execute_wrapper(timed) if os.environ.get("BENCH_STATEMENTS") else None
    if wrapper is not None:  # and the COMMIT (the deferred foreign-key checks run in it)
        commit = connection._commit

        def timed_commit():
            begun = time.perf_counter()
            try:
                return commit()
            finally:
                spent = statements.setdefault("COMMIT", [0, 0.0])
                spent[0] += 1
                spent[1] += time.perf_counter() - begun

        connection._commit = timed_commit  # type: ignore[method-assign]
    started = time.perf_counter()
    if wrapper is not None:
        with wrapper:
            drawn = services.draw_due_lotteries()
    else:
        drawn = services.draw_due_lotteries()  # what the worker's ticker runs
    elapsed = time.perf_counter() - started
    if statements:
        print(json.dumps({k: [n, round(t, 3)] for k, (n, t) in sorted(statements.items())}),
              file=sys.stderr)  # fmt: skip
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    assert drawn == 1, drawn
    rss_peak = peak_rss_mb()
    tracemalloc.start()
    services.draw_lottery(frame=Frame.objects.get(pk=second), force=True)
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "draw_s": round(elapsed, 3),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(rss_peak, 1),
        "tracemalloc_peak_mb": round(traced_peak / 2**20, 1),
        "vendor": connection.vendor,
    }


def expand() -> dict:
    """In a child process: the worker's expansion of every bulk row the draws queued into
    ordinary outbox rows (`bulkexpand.expand_bulk_mail`), timed, with its peak RSS."""
    from django.db import connection

    from kaisai.core import bulkexpand

    connection.ensure_connection()
    rss_before = rss_mb()
    started = time.perf_counter()
    written = bulkexpand.expand_bulk_mail(seconds=float("inf"))
    elapsed = time.perf_counter() - started
    return {
        "expand_s": round(elapsed, 3),
        "expanded": written,
        "expand_rss_before_mb": round(rss_before, 1),
        "expand_peak_rss_mb": round(peak_rss_mb(), 1),
    }


def check(frame_id: int, capacity: int) -> dict:
    """The draw's result, checked against the facts and recomputed from the seed."""
    from django.db.models import Count

    from kaisai.core import bulkmail
    from kaisai.core.models import BulkMail, OutboxMail
    from kaisai.registrations import lottery
    from kaisai.registrations.enums import Status
    from kaisai.registrations.models import Frame, LotteryDraw, Registration, RegistrationLog
    from kaisai.registrations.selectors_lottery import verification

    result = LotteryDraw.objects.get(frame_id=frame_id)
    rows = Registration.objects.filter(frame_id=frame_id)
    statuses = dict(rows.values("status").annotate(n=Count("id")).values_list("status", "n"))
    accepted = statuses.get(Status.ACCEPTED, 0)
    waitlisted = statuses.get(Status.WAITLISTED, 0)
    logs = RegistrationLog.objects.filter(frame_id=frame_id, reason__startswith="lottery:")
    logged = logs.values("registration_id").distinct().count()
    registration_ids = set(rows.values_list("id", flat=True))
    # What the draw queued: bulk rows (one per batch and outcome) standing for one mail each.
    bulks = list(BulkMail.objects.filter(params__frame=frame_id))
    queued = bulkmail.queued(bulks)
    queued_won = bulkmail.queued([b for b in bulks if b.template == "lottery_won"])
    mails = [  # the outbox key is registration-<id>-<log id> (audit.mail_key)
        template
        for key, template in OutboxMail.objects.filter(
            template__in=["lottery_won", "lottery_waitlisted"]
        ).values_list("key", "template")
        if int(key.split("-")[1]) in registration_ids
    ]
    won_mails = mails.count("lottery_won")
    keys = rows.filter(status=Status.WAITLISTED).values("waitlist_key").distinct().count()
    winners = set(rows.filter(status=Status.ACCEPTED).values_list("id", flat=True))
    verified = verification(frame_id)
    recomputed = lottery.draw_order(result.seed, result.applicants, result.nominated)
    frame = Frame.objects.get(pk=frame_id)
    checks = {
        "accepted_is_capacity": accepted == capacity == frame.accepted_count == result.accepted,
        "everyone_one_outcome": accepted + waitlisted == rows.count() == len(result.applicants)
        and logs.count() == logged == rows.count(),
        "one_mail_queued_each": queued == len(registration_ids) and queued_won == accepted,
        # After the worker's expansion: one ordinary outbox row each, of the right kind.
        "one_mail_each": len(mails) == len(registration_ids)
        and won_mails == accepted
        and all(b.expanded_at is not None for b in bulks),
        "waitlist_keys_distinct": keys == waitlisted,
        "winners_are_the_order_head": winners == set(result.order[:capacity]),
        "reproducible_from_seed": recomputed == result.order
        and lottery.verify(
            seed=result.seed,
            published_commitment=result.commitment,
            algorithm=result.algorithm,
            applicants=result.applicants,
            nominated=result.nominated,
            order=result.order,
        )  # fmt: skip
        and verified is not None
        and verified.ok,
    }
    return {"accepted": accepted, "waitlisted": waitlisted, "queued": queued,
            "bulk_rows": len(bulks), "mails": len(mails), **checks}  # fmt: skip


def recreate_postgres(url: str) -> None:
    from bench.city.__main__ import recreate_database

    recreate_database(url)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lottery", description=__doc__)
    parser.add_argument("--applicants", type=int, default=100_000)
    parser.add_argument("--capacity", type=int, default=1000)
    parser.add_argument("--nominated", type=int, default=10)
    parser.add_argument(
        "--other-registrations", type=int, default=0,
        help="registrations to other events in the same table (a site's history)",
    )  # fmt: skip
    parser.add_argument("--database-url", default="", help=f"PostgreSQL, e.g. {DEFAULT_PG}")
    parser.add_argument("--draw-child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--expand-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.expand_child:  # the child process: expand the bulk mail and report
        setup_django(args.database_url)
        print(json.dumps(expand()))
        return

    if args.draw_child:  # the child process: draw and report
        setup_django(args.database_url)
        print(json.dumps(draw([int(pk) for pk in args.draw_child.split(",")])))
        return

    tmp = "" if args.database_url else tempfile.mkdtemp(prefix="kaisai-bench-lottery-")
    url = args.database_url or f"sqlite:///{tmp}/lottery.sqlite3"
    if url.startswith("postgres"):
        recreate_postgres(url)
    load_before = os.getloadavg()
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    frame_ids = populate(args.applicants, args.capacity, args.nominated, args.other_registrations)
    insert_s = time.perf_counter() - started
    print(f"{args.applicants} applicants x 2 frames inserted in {insert_s:.1f} s", flush=True)
    from django.db import connections

    connections.close_all()
    child = subprocess.run(
        [sys.executable, "-m", "bench.lottery", "--draw-child", ",".join(map(str, frame_ids)),
         "--database-url", url],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if child.returncode != 0:
        sys.exit(f"the draw failed:\n{child.stdout}\n{child.stderr}")
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    if child.stderr.strip():
        print(child.stderr.strip().splitlines()[-1])  # BENCH_STATEMENTS' seconds per statement
    load_drawn = os.getloadavg()
    child = subprocess.run(
        [sys.executable, "-m", "bench.lottery", "--expand-child", "--database-url", url],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if child.returncode != 0:
        sys.exit(f"the expansion failed:\n{child.stdout}\n{child.stderr}")
    expanded = json.loads(child.stdout.strip().splitlines()[-1])
    checked = check(frame_ids[0], min(args.capacity, args.applicants))
    checked_second = check(frame_ids[1], min(args.capacity, args.applicants))
    ok = all(v for k, v in {**checked, **checked_second}.items() if isinstance(v, bool))
    load_after = os.getloadavg()
    print(f"database {measured['vendor']}, capacity {args.capacity}, {os.cpu_count()} CPUs, "
          f"load {load_before[0]:.2f} → {load_after[0]:.2f}")  # fmt: skip
    print(f"draw (worker's draw_due_lotteries): {measured['draw_s']:.3f} s; RSS "
          f"{measured['rss_before_mb']} MB before, peak {measured['peak_rss_mb']} MB; "
          f"tracemalloc peak (second frame) {measured['tracemalloc_peak_mb']} MB")  # fmt: skip
    print(f"expansion of both frames' bulk mail (the worker's job): {expanded['expand_s']:.3f} s "
          f"for {expanded['expanded']} mails; RSS {expanded['expand_rss_before_mb']} MB before, "
          f"peak {expanded['expand_peak_rss_mb']} MB")  # fmt: skip
    print(f"checks: {json.dumps(checked)}")
    print(json.dumps({
        "applicants": args.applicants,
        "other_registrations": args.other_registrations,
        "draw_s": measured["draw_s"],
        "mails_queued": checked["queued"],
        "bulk_rows": checked["bulk_rows"],
        "expand_s": expanded["expand_s"],
        "expanded_mails": expanded["expanded"],
        "expand_peak_rss_mb": expanded["expand_peak_rss_mb"],
        "peak_rss_mb": measured["peak_rss_mb"],
        "rss_before_mb": measured["rss_before_mb"],
        "tracemalloc_peak_mb": measured["tracemalloc_peak_mb"],
        "insert_s": round(insert_s, 2),
        "database": measured["vendor"],
        "load_before": round(load_before[0], 2),
        "load_drawn": round(load_drawn[0], 2),
        "load_after": round(load_after[0], 2),
        "ok": ok,
    }))  # fmt: skip
    if tmp:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
