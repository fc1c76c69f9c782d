"""`$KAISAI_DATA_DIR/kaisai.env`: settings kept beside the data they belong to.

`make demo` writes one for the demo (KAISAI_DEBUG=1 and a generated SECRET_KEY), so that every
`kaisai` command run in the checkout afterwards uses the demo's settings as written in the
README. settings.py reads the file when it exists; a variable set in the environment wins.
The format is one `NAME=value` a line; blank lines and lines starting with `#` are ignored,
and a value may be quoted with '…' or "…".
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

FILE_NAME = "kaisai.env"


class EnvFileError(ValueError):
    pass


def parse(text: str, *, source: str = FILE_NAME) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].strip()
        name, sep, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.replace("_", "").isalnum():
            raise EnvFileError(f"{source}, line {number}: expected NAME=value, not {raw!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def load(path: Path, environ: dict[str, str] | os._Environ = os.environ) -> None:
    """Put the file's variables into `environ`, except those already set there."""
    if not path.is_file():
        return
    for name, value in parse(path.read_text(encoding="utf-8"), source=str(path)).items():
        environ.setdefault(name, value)


def write_demo_env(data_dir: Path) -> Path:
    """The demo's env file (kept if it exists): debug mode on and a secret key of its own
    (the one an older demo generated into `secret_key`, when there is one)."""
    path = data_dir / FILE_NAME
    if path.exists():
        return path
    data_dir.mkdir(parents=True, exist_ok=True)
    old_key = data_dir / "secret_key"
    key = old_key.read_text().strip() if old_key.exists() else secrets.token_urlsafe(50)
    path.write_text(
        "# The demo's settings, written by `make demo` (see docs/configuration.md).\n"
        "# Variables set in the environment take precedence over these.\n"
        "KAISAI_DEBUG=1\n"
        f"SECRET_KEY={key}\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


if __name__ == "__main__":  # python -m kaisai.envfile DATA_DIR: write the demo's env file
    print(write_demo_env(Path(sys.argv[1])))
