"""kaisai tick: run the periodic jobs once (for cron, or to catch up by hand)."""

from django.core.management.base import BaseCommand

from kaisai.core.ticker import tick


class Command(BaseCommand):
    help = "Run the periodic jobs once: lottery draws, mail delivery, reminders, webhooks."

    def handle(self, *args, **options) -> None:
        for job, result in tick().items():
            self.stdout.write(f"{job}: {result}")
