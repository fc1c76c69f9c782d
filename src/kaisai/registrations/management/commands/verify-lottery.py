"""kaisai verify-lottery FRAME_ID: recompute a published draw from its seed and compare."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from kaisai.registrations.selectors_lottery import verification


class Command(BaseCommand):
    help = "Recompute a lottery draw from its published seed and compare it with the result."

    def add_arguments(self, parser) -> None:
        parser.add_argument("frame_id", type=int)

    def handle(self, *args, frame_id: int, **options) -> None:
        result = verification(frame_id)
        if result is None:
            raise CommandError(f"Frame {frame_id} has no drawn lottery.")
        for line in result.lines():
            self.stdout.write(line)
        if not result.ok:
            self.stderr.write("NOT VERIFIED: the published result does not follow from the seed.")
            sys.exit(1)
        self.stdout.write("Verified: the published order follows from the seed.")
