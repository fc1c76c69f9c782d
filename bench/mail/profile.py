"""cProfile of the outbox delivery as the worker runs it (`deliver_due_mail`), in this
process, for an organizer's message to N people, to the aiosmtpd server in its own process;
or, with `--cpu`, no profiler: the CPU time per mail of the main thread (`time.thread_time`)
and of the whole process (`time.process_time`, the sender threads included), the best of
`--rounds` rounds (less noisy than a rate on a shared machine).

    .venv/bin/python -m bench.mail.profile [--mails 400] [--sort tottime]
    .venv/bin/python -m bench.mail.profile --cpu --mails 2000 --rounds 3 \
        --database-url postgres://postgres@127.0.0.1:5432/NAME_bench   # dropped and created
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=400)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--cpu", action="store_true", help="CPU per mail, no profiler")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from bench.mail.server import Server

    server = Server.start()
    tmp = tempfile.mkdtemp(prefix="kaisai-bench-mail-")
    if args.database_url:
        from bench.city.__main__ import recreate_database

        recreate_database(args.database_url)
    os.environ.update(
        DATABASE_URL=args.database_url or f"sqlite:///{tmp}/bench.sqlite3",
        EMAIL_URL=f"smtp://127.0.0.1:{server.port}",
        DJANGO_SETTINGS_MODULE="kaisai.settings",
        KAISAI_LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("SECRET_KEY", "mail-benchmark-only-" + "x" * 40)
    import django

    django.setup()
    from django.core.management import call_command

    from bench.mail import worker
    from kaisai.core import outbox

    call_command("migrate", verbosity=0)
    batch = worker.setup_message(args.mails)
    worker.reset(batch)
    outbox.deliver_due_mail(limit=20, seconds=0)  # templates loaded, connections warm
    if args.cpu:
        best: tuple[float, float] | None = None
        for _ in range(args.rounds):
            worker.reset(batch)
            server.reset()
            thread, process = time.thread_time(), time.process_time()
            sent = outbox.deliver_due_mail(limit=args.mails, seconds=3600)
            thread, process = time.thread_time() - thread, time.process_time() - process
            assert sent == args.mails, sent
            per_mail = (thread / sent * 1000, process / sent * 1000)
            print(f"{sent} mails: main thread {per_mail[0]:.3f} ms CPU per mail, process "
                  f"{per_mail[1]:.3f} ms ({server.rate():.1f}/s at the server)")  # fmt: skip
            best = per_mail if best is None or per_mail[1] < best[1] else best
        assert best is not None
        print(f"best: main thread {best[0]:.3f} ms, process {best[1]:.3f} ms CPU per mail; "
              f"load {os.getloadavg()[0]:.2f}")  # fmt: skip
        server.stop()
        return
    worker.reset(batch)
    server.reset()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    sent = outbox.deliver_due_mail(limit=args.mails)
    profiler.disable()
    elapsed = time.perf_counter() - started
    server.stop()
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    print(f"{sent} mails in {elapsed:.1f} s under cProfile ({server.rate():.1f}/s at the server)")
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(40)


if __name__ == "__main__":
    main()
