"""Backups: the database and the uploaded files in one archive, and their restore into a
fresh database (docs/backup.md).

An archive `kaisai-backup-<UTC time>.tar` holds:

- `manifest.json`: kaisai's version, the database vendor, when, the latest migration of
  every app (a restore refuses an archive newer than the code);
- `database.dump` (PostgreSQL, `pg_dump --format=custom`, consistent while the site runs) or
  `database.sqlite3` (SQLite's online backup API, consistent as well);
- `media/…`: the uploaded files (MEDIA_ROOT).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why in one line."""


@dataclass(frozen=True)
class Database:
    vendor: str  # "postgresql" or "sqlite"
    settings: dict[str, Any]

    @classmethod
    def default(cls) -> Database:
        connection = connections["default"]
        return cls(connection.vendor, connection.settings_dict)

    def pg_env(self) -> dict[str, str]:
        s = self.settings
        env = {
            "PGDATABASE": s["NAME"],
            "PGHOST": s.get("HOST") or "",
            "PGPORT": str(s.get("PORT") or ""),
        }
        if s.get("USER"):
            env["PGUSER"] = s["USER"]
        if s.get("PASSWORD"):
            env["PGPASSWORD"] = s["PASSWORD"]
        return {k: v for k, v in env.items() if v}


def _kaisai_version() -> str:
    try:
        return version("kaisai")
    except PackageNotFoundError:
        return "unknown"


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections["default"]).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return latest


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(  # noqa: S603
        command, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise BackupError(f"{tool}: {last}")


def create_backup(directory: Path) -> Path:
    """Write an archive into `directory`; returns its path."""
    database = Database.default()
    if database.vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"kaisai backs up PostgreSQL and SQLite, not {database.vendor}")
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    archive = directory / f"kaisai-backup-{now:%Y%m%d-%H%M%S}.tar"
    with tempfile.TemporaryDirectory(prefix="kaisai-backup-") as tmp:
        work = Path(tmp)
        if database.vendor == "postgresql":
            dump = work / "database.dump"
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--file", str(dump)], database.pg_env()
            )
        else:
            dump = work / "database.sqlite3"
            connection = connections["default"]
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            with target:
                connection.connection.backup(target)
            target.close()
        manifest = {
            "format": FORMAT,
            "kaisai": _kaisai_version(),
            "database": database.vendor,
            "created_at": now.isoformat(),
            "migrations": _migrations(),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial = archive.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            tar.add(dump, arcname=dump.name)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                tar.add(media, arcname="media")
        partial.rename(archive)  # never a half-written archive under the final name
    return archive


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = tar.getmembers()
    for member in members:
        if member.name.startswith("/") or ".." in Path(member.name).parts:
            raise BackupError(f"refusing an archive member outside the archive: {member.name}")
        if member.issym() or member.islnk():
            raise BackupError(f"refusing a link in the archive: {member.name}")
    return members


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive) as tar:
            _safe_members(tar)
            handle = tar.extractfile("manifest.json")
            if handle is None:
                raise KeyError("manifest.json")
            return json.loads(handle.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(f"{archive} is not a kaisai backup ({error})") from error


def _database_is_empty(database: Database) -> bool:
    return not connections["default"].introspection.table_names()


def _unknown_migrations(latest: dict[str, str]) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    known = MigrationLoader(None, ignore_no_migrations=True).graph.nodes
    return sorted(f"{app}.{name}" for app, name in latest.items() if (app, name) not in known)


def restore_backup(archive: Path) -> dict[str, Any]:
    """Restore `archive` into the configured database, which must be empty (a fresh
    database), and its files into MEDIA_ROOT. Returns the manifest."""
    manifest = read_manifest(archive)
    database = Database.default()
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    if manifest["database"] != database.vendor:
        raise BackupError(
            f"the backup is of a {manifest['database']} database; DATABASE_URL is {database.vendor}"
        )
    unknown = _unknown_migrations(manifest.get("migrations", {}))
    if unknown:
        raise BackupError(
            f"the backup is from a newer kaisai (migrations this code lacks: {', '.join(unknown)})"
            ": install that version first"
        )
    if not _database_is_empty(database):
        raise BackupError(
            "the target database is not empty: restore into a fresh database (createdb, or a "
            "new SQLite path in DATABASE_URL)"
        )
    with tempfile.TemporaryDirectory(prefix="kaisai-restore-") as tmp:
        work = Path(tmp)
        with tarfile.open(archive) as tar:
            tar.extractall(work, members=_safe_members(tar), filter="data")
        if database.vendor == "postgresql":
            dump = str(work / "database.dump")
            name = database.settings["NAME"]
            command = ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", name, dump]
            _run(command, database.pg_env())
        else:
            connections["default"].close()
            source = sqlite3.connect(work / "database.sqlite3")
            target = sqlite3.connect(database.settings["NAME"])
            with target:
                source.backup(target)
            source.close()
            target.close()
        media = work / "media"
        if media.is_dir():
            shutil.copytree(media, Path(settings.MEDIA_ROOT), dirs_exist_ok=True)
    connections["default"].close()
    return manifest
