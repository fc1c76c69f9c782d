"""The `kaisai` command as the README writes it, in a data directory set up like the demo's.

Every command in the README's table of `kaisai` commands is parsed from README.md and run in
a separate process against a fresh copy of the demo (its env file, database and data): a new
command in the README is covered without touching this file; a placeholder this file does not
know fails the test so that someone teaches it what to pass.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kaisai import envfile

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
LONG_RUNNING = {"serve", "worker"}  # run with --help: they do not end by themselves


def clean_env(data_dir: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("KAISAI_", "DJANGO_", "PYTEST")) and name not in {
            "SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "REDIS_URL", "SENTRY_DSN",
        }
    }  # fmt: skip
    env["KAISAI_DATA_DIR"] = str(data_dir)
    return env


def kaisai(data_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kaisai", *args],
        env=clean_env(data_dir), cwd=data_dir, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def readme_commands() -> list[str]:
    """The commands in the first column of the README's table under "The `kaisai` command"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## The `kaisai` command", 1)[1].split("\n## ", 1)[0]
    commands = []
    for line in section.splitlines():
        if line.startswith("| `kaisai"):
            first_cell = line.split("|")[1]
            commands += re.findall(r"`(kaisai [^`]+)`", first_cell)
    return commands


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    """A data directory as `make demo` leaves it: env file, migrated database, demo data."""
    data_dir = tmp_path_factory.mktemp("demo-data")
    envfile.write_demo_env(data_dir)
    # #5's lottery is drawn by the worker a week before the event: draw it now, as the worker
    # would at its time, so that verify-lottery has a published draw to check
    draw = (
        "from kaisai.registrations.models import Frame; "
        "from kaisai.registrations.services.draws import draw_lottery; "
        "[draw_lottery(frame=f, force=True) for f in Frame.objects.filter(method='lottery')]"
    )
    for args in (("migrate", "--noinput"), ("demo",), ("shell", "-c", draw)):
        result = kaisai(data_dir, *args)
        assert result.returncode == 0, result.stderr
    return data_dir


def argv_for(command: str, data_dir: Path) -> list[str]:
    """The README's command made runnable: flags in [...] kept (`demo --reset`), options
    with a value in [...] dropped, placeholders filled."""
    words = re.sub(r"\[(--[a-z-]+)\]", r"\1", command)
    words = re.sub(r"\[[^\]]*\]", " ", words).split()[1:]
    name = words[0]
    if name in LONG_RUNNING:
        return [name, "--help"]
    queries = {
        "FRAME_ID": "SELECT frame_id FROM registrations_lotterydraw WHERE drawn_at IS NOT NULL",
        "EVENT_ID": "SELECT max(id) FROM events_event",
    }
    values = {}
    database = sqlite3.connect(data_dir / "kaisai.sqlite3")
    try:
        for word, query in queries.items():
            if word in words:
                row = database.execute(query).fetchone()
                assert row and row[0], f"the demo has nothing for {word}"
                values[word] = str(row[0])
    finally:
        database.close()
    values["NICKNAME..."] = "demo"
    archives = sorted(data_dir.glob("backups/*.tar*")) + sorted(data_dir.glob("*.tar*"))
    if archives:
        values["ARCHIVE"] = str(archives[-1])
    argv = []
    for word in words:
        if word.isupper() or word.endswith("..."):
            assert word in values, f"test_cli does not know what to pass for {word} in {command!r}"
            argv.append(values[word])
        else:
            argv.append(word)
    if name == "createsuperuser":
        argv += ["--noinput", "--nickname", "cli-admin", "--email", "cli-admin@example.org"]
    if name in {"collectstatic", "migrate"}:
        argv.append("--noinput")
    return argv


def test_readme_names_the_commands():
    commands = readme_commands()
    names = {command.split()[1] for command in commands}
    assert {"serve", "worker", "demo", "token", "verify-lottery", "tick", "help"} <= names


def test_every_readme_command_runs_in_the_demo_checkout(demo_dir, tmp_path):
    data_dir = tmp_path / "var"
    shutil.copytree(demo_dir, data_dir)
    failures = []
    commands = readme_commands()
    # `demo --reset` reloads the data (the drawn lottery too): it runs after the others;
    # restore wants an empty database: it runs last, into a fresh data directory
    commands.sort(key=lambda c: (c.startswith("kaisai restore"), c.startswith("kaisai demo")))
    for command in commands:
        target = data_dir
        if command.startswith("kaisai restore"):
            target = tmp_path / "restored"
            target.mkdir()
            shutil.copy(data_dir / envfile.FILE_NAME, target)
        argv = argv_for(command, data_dir)
        result = kaisai(target, *argv)
        if result.returncode != 0 or "Traceback" in result.stderr:
            failures.append(f"{command} {argv}: exit {result.returncode}\n{result.stderr[-2000:]}")
    assert not failures, "\n\n".join(failures)


def test_missing_secret_key_is_one_line(tmp_path):
    result = kaisai(tmp_path, "help")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0]
    assert "Traceback" not in result.stderr


def test_invalid_setting_is_one_line(tmp_path):
    envfile.write_demo_env(tmp_path)
    env = clean_env(tmp_path) | {"KAISAI_RETRY_AFTER_SECONDS": "soon"}
    result = subprocess.run(
        [sys.executable, "-m", "kaisai", "check"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "KAISAI_RETRY_AFTER_SECONDS" in result.stderr


def test_env_file_is_read_and_the_environment_wins(tmp_path):
    (tmp_path / envfile.FILE_NAME).write_text(
        "# comment\nKAISAI_DEBUG=1\nSECRET_KEY='from-the-file'\nKAISAI_LOG_FORMAT=text\n"
    )
    code = "from django.conf import settings; print(settings.SECRET_KEY, settings.LOG_FORMAT)"
    env = clean_env(tmp_path) | {"KAISAI_LOG_FORMAT": "json"}
    env["DJANGO_SETTINGS_MODULE"] = "kaisai.settings"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["from-the-file", "json"], result.stderr
