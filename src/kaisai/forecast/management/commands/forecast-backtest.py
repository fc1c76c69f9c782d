"""kaisai forecast-backtest [--group SLUG] [--json]: the show-up model against history."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from kaisai.forecast.backtest import backtest_group
from kaisai.groups.models import Group


class Command(BaseCommand):
    help = (
        "Predict every held event from the history before it and compare with what happened: "
        "Brier score of the model and of the group's base rate, and a reliability table."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--group", metavar="SLUG", help="Only this group's events.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the result as JSON."
        )

    def handle(self, *args, group: str | None = None, as_json: bool = False, **options) -> None:
        chosen = None
        if group:
            chosen = Group.objects.filter(slug=group).first()
            if chosen is None:
                raise CommandError(f"No group with the slug {group!r}.")
        result = backtest_group(chosen)
        if as_json:
            self.stdout.write(json.dumps(result.as_data(), indent=2))
            return
        for line in result.lines():
            self.stdout.write(line)
