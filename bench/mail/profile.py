"""cProfile of the outbox delivery as the worker runs it (`deliver_due_mail`), in this
process, for an organizer's message to N people, to the aiosmtpd server in its own process.

    .venv/bin/python -m bench.mail.profile [--mails 400] [--sort tottime]
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
    args = parser.parse_args()
    from bench.mail.server import Server

    server = Server.start()
    tmp = tempfile.mkdtemp(prefix="kaisai-bench-mail-")
    os.environ.update(
        DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
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
