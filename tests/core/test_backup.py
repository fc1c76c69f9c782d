"""kaisai backup / restore: an archive of the database and the uploaded files, restored into a
fresh database that then serves the same pages."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kaisai.registrations import services
from tests.factories import EventFactory, UserFactory

CHECK = """
import django, sys
django.setup()
from django.test import Client
from kaisai.registrations.models import Registration
from pathlib import Path
from django.conf import settings
event_id, title = int(sys.argv[1]), sys.argv[2]
page = Client(HTTP_HOST="localhost").get(f"/events/{event_id}/")
print(page.status_code, title in page.content.decode(), Registration.objects.count(),
      (Path(settings.MEDIA_ROOT) / "groups" / "logo.txt").read_text())
"""


def _kaisai(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kaisai.settings",
        "KAISAI_DEBUG": "1",
        **env,
    }
    environment.pop("KAISAI_TESTING", None)
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], env=environment, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


@pytest.fixture
def story(group, organizer):
    event = EventFactory(group=group, title="Restored Talk Night")
    frame = services.create_frame(event=event, by=organizer, capacity=10, name="General")
    frame.event = event
    for _ in range(3):
        services.register(frame=frame, user=UserFactory())
    media = Path(settings.MEDIA_ROOT) / "groups"
    media.mkdir(parents=True, exist_ok=True)
    (media / "logo.txt").write_text("the group's logo")
    return event


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_serves_the_same_data(story, tmp_path):
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "backups"), stdout=out)
    archive = Path(out.getvalue().strip())
    assert archive.is_file() and archive.suffix == ".tar"
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["database"] == connection.vendor
    assert "registrations" in manifest["migrations"]

    env = {"KAISAI_DATA_DIR": str(tmp_path / "restored"), "SECRET_KEY": "restore-test"}
    fresh = None
    if connection.vendor == "postgresql":
        fresh = f"kaisai_restore_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {fresh}")
        s = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{fresh}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    try:
        restored = _kaisai(env, "-m", "kaisai", "restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        assert "restored the" in restored.stdout
        again = _kaisai(env, "-m", "kaisai", "restore", str(archive))
        assert again.returncode != 0 and "not empty" in again.stderr  # never over live data
        served = _kaisai(env, "-c", CHECK, str(story.pk), story.title)
        assert served.returncode == 0, served.stderr
        assert served.stdout.split(maxsplit=3) == ["200", "True", "3", "the group's logo\n"]
    finally:
        if fresh:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {fresh} WITH (FORCE)")


# transaction=True: the SQLite test database is in memory with a shared cache, whose online
# backup waits forever for the write lock the `db` fixture's open transaction holds.
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(story, tmp_path):
    out = io.StringIO()
    call_command("backup", output=str(tmp_path), stdout=out)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", out.getvalue().strip())


def _archive(tmp_path: Path, manifest: dict, extra: tuple[str, bytes] | None = None) -> Path:
    path = tmp_path / "crafted.tar"
    with tarfile.open(path, "w") as tar:
        for name, data in [
            ("manifest.json", json.dumps(manifest).encode()),
            *([extra] if extra else []),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.django_db
def test_restore_refuses_an_archive_of_a_newer_kaisai_or_with_escaping_paths(tmp_path):
    newer = {"format": 1, "database": connection.vendor, "kaisai": "9", "created_at": "now",
             "migrations": {"registrations": "9999_from_the_future"}}  # fmt: skip
    with pytest.raises(CommandError, match="newer kaisai.*registrations.9999_from_the_future"):
        call_command("restore", str(_archive(tmp_path, newer)))
    escaping = _archive(tmp_path, {**newer, "migrations": {}}, ("../evil", b"x"))
    with pytest.raises(CommandError, match="outside the archive"):
        call_command("restore", str(escaping))
    with pytest.raises(CommandError, match="not a kaisai backup"):
        call_command("restore", str(tmp_path / "missing.tar"))
