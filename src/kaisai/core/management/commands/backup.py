"""kaisai backup: the database and the uploaded files in one archive (docs/backup.md).

kaisai backup [--output DIR]      # default: $KAISAI_DATA_DIR/backups
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kaisai.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(Path(settings.DATA_DIR) / "backups"),
            help="directory for the archive (default: %(default)s)",
        )

    def handle(self, *args, **options):
        try:
            archive = create_backup(Path(options["output"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(archive))
