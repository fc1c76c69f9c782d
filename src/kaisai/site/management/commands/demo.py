"""kaisai demo [--reset]: load the demo data (Machine Learning Casual Talks and friends).

Idempotent: when the demo is already there it says so and changes nothing; --reset deletes
the demo data first and loads it afresh (dates move with today). The demo user's password is
KAISAI_DEMO_PASSWORD, or "kaisai-demo" when that is not set.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kaisai.site.demo import generate


class Command(BaseCommand):
    help = "Load the demo data: a realistic meetup series with 250 people."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo data first, then load it again."
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        self._migrate_if_needed()
        password = generate.demo_password()
        if generate.demo_exists():
            if not options["reset"]:
                self.stdout.write(
                    "The demo data is already loaded (group "
                    f"“{generate.DEMO_GROUP_SLUG}”); nothing changed. "
                    "Use --reset to load it afresh."
                )
                self._print_login(password)
                return
            generate.delete_demo()
            self.stdout.write("Deleted the previous demo data.")
        summary = generate.load_demo(password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo: {summary.users} people, {summary.groups} groups, "
                f"{summary.events} events ({time.monotonic() - started:.1f} s)."
            )
        )
        self._print_login(password)

    def _print_login(self, password: str) -> None:
        url = settings.BASE_URL + f"/groups/{generate.DEMO_GROUP_SLUG}/"
        self.stdout.write(
            f"\nOpen {url}\n"
            f"Log in as nickname “{generate.DEMO_NICKNAME}” with password “{password}” "
            f"(at {settings.BASE_URL}/accounts/login/).\n"
            "Every demo user has the same password."
        )

    def _migrate_if_needed(self) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("Setting up the database (migrate)…")
            call_command("migrate", interactive=False, verbosity=0)
