"""kaisai restore ARCHIVE: a backup into a fresh database and MEDIA_ROOT (docs/backup.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kaisai.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a `kaisai backup` archive into a fresh (empty) database."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar written by kaisai backup")

    def handle(self, *args, **options):
        try:
            manifest = restore_backup(Path(options["archive"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"restored the {manifest['database']} backup of {manifest['created_at']} "
            f"(kaisai {manifest['kaisai']}); run `kaisai migrate` if this code is newer"
        )
