"""A real third-party client against a live kaisai: the PyPI package `connpass` (0.2.0,
ryohidaka/connpass-py) runs its own `get_events` and `get_event_presentations`, unchanged, in
a Python ≥ 3.12.2 virtualenv of its own, and parses our answers with its pydantic models.

The virtualenv is made once and kept in pytest's cache directory
(`.pytest_cache/d/kaisai-connpass-client/`, or the temporary directory when pytest's cache is
off); `connpass` comes from the package index pip is configured with (a mirror works). The
interpreter is `$KAISAI_CONNPASS_PYTHON` if set, else the oldest Python >= 3.12.2 (what
`connpass` requires) among pyenv's versions and python3.13/python3.12/python3 on PATH; without
one the test is skipped and says so.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from kaisai.accounts.services import create_api_token
from kaisai.events.selectors import public_events
from kaisai.site.demo.generate import DEMO_GROUP_SLUG, DEMO_NICKNAME, load_demo
from kaisai.talks.enums import MaterialKind
from kaisai.talks.models import Material
from tests.factories import UserFactory
from tests.talks.factories import MaterialFactory, TalkFactory

CONNPASS = "connpass==0.2.0"
MIN_VERSION = (3, 12, 2)

# Runs inside the client's virtualenv. The client has no option for its server: the base URL
# is set on the instance's request handler (connpass-py builds `RequestHandler(base_url=...)`
# from its module constant and requests f"{base_url}/{endpoint}"); nothing else is changed.
CHILD = r"""
import json, sys
from connpass import Connpass
from connpass.models import (
    ConnpassEvent, EventOrder, GetEventPresentationsQuery, GetEventsQuery, Presentation,
)

base_url, key, subdomain = sys.argv[1:4]
client = Connpass(api_key=key)
client.request_handler.base_url = base_url

found = client.get_events(
    GetEventsQuery(subdomain=[subdomain], order=EventOrder.STARTED_AT, count=100)
)
search = client.get_events(GetEventsQuery(
    keyword=["Machine"], prefecture=["tokyo", "online"], subdomain=[subdomain],
    order=EventOrder.UPDATED_AT, count=1, start=1,
))
out = {
    "envelope": [found.results_returned, found.results_available, found.results_start],
    "search": [search.results_returned, search.results_available, search.results_start],
    "events": [],
    "presentations": {},
}
for event in found.events:
    assert isinstance(event, ConnpassEvent)
    out["events"].append({
        "model": type(event).__name__,
        "id": event.id,
        "title": event.title,
        "open_status": event.open_status.value,
        "event_type": event.event_type.value,
        "started_at": event.started_at.isoformat(),
        "utc_offset": event.started_at.utcoffset().total_seconds(),
        "group": event.group.subdomain if event.group else None,
        "limit": event.limit,
        "accepted": event.accepted,
        "waiting": event.waiting,
        "lat": event.lat,
    })
    page = client.get_event_presentations(event.id, GetEventPresentationsQuery(count=100, start=1))
    items = []
    for item in page.presentations:
        assert isinstance(item, Presentation)
        items.append({
            "model": type(item).__name__,
            "url": item.url,
            "name": item.name,
            "type": item.presentation_type.value,
            "presenter": item.presenter.nickname if item.presenter else None,
        })
    out["presentations"][str(event.id)] = items
try:
    client.request_handler.api_key = "wrong-key"
    client.get_events()
except ValueError as error:
    out["wrong_key"] = str(error)
print(json.dumps(out, ensure_ascii=False))
"""


def _version(python: str) -> tuple[int, ...] | None:
    try:
        result = subprocess.run(
            [python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return tuple(int(part) for part in result.stdout.strip().split("."))


def find_python() -> tuple[str, tuple[int, ...]] | None:
    """$KAISAI_CONNPASS_PYTHON if set; else the oldest Python >= 3.12.2 found (pyenv's
    versions, python3.13/python3.12/python3 on PATH)."""
    chosen = os.environ.get("KAISAI_CONNPASS_PYTHON")
    if chosen:
        version = _version(chosen)
        return (chosen, version) if version and version >= MIN_VERSION else None
    candidates = []
    for root in {Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")), Path("/root/.pyenv")}:
        versions = root / "versions"
        if versions.is_dir():
            candidates += [
                str(entry / "bin" / "python")
                for entry in sorted(versions.iterdir())
                if re.fullmatch(r"3\.\d+\.\d+", entry.name)
            ]
    candidates += [
        path for name in ("python3.13", "python3.12", "python3") if (path := shutil.which(name))
    ]
    usable = []
    for python in dict.fromkeys(candidates):
        version = _version(python)
        if version and version >= MIN_VERSION:
            usable.append((python, version))
    return min(usable, key=lambda pair: pair[1]) if usable else None


@pytest.fixture(scope="session")
def connpass_python(pytestconfig) -> str:
    """The python of a virtualenv with the `connpass` client installed (made once, cached)."""
    interpreter = find_python()
    if interpreter is None:
        pytest.skip(
            "The connpass client needs Python >= 3.12.2 and none was found (pyenv versions, "
            "python3.13/python3.12 on PATH, or set KAISAI_CONNPASS_PYTHON)."
        )
    python, version = interpreter
    if getattr(pytestconfig, "cache", None) is not None:
        cache = Path(pytestconfig.cache.mkdir("kaisai-connpass-client"))
    else:  # pytest's cache switched off (-p no:cacheprovider)
        cache = Path(tempfile.gettempdir()) / "kaisai-connpass-client"
    venv = cache / ("py" + ".".join(map(str, version)))
    venv_python = venv / "bin" / "python"
    marker = venv / ".connpass-installed"
    if not marker.exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300)
        install = subprocess.run(
            [str(venv_python), "-m", "pip", "install", "--quiet", CONNPASS],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if install.returncode != 0:
            pytest.fail(
                f"pip could not install {CONNPASS} into {venv} (is the package index "
                f"reachable?):\n{install.stdout}\n{install.stderr}",
                pytrace=False,
            )
        marker.write_text(CONNPASS)
    return str(venv_python)


def _with_talks_and_slides(events) -> None:
    """The demo's events with talks and slide materials (added here if the demo has none)."""
    if Material.objects.filter(event__in=events).exists():
        return
    speaker = UserFactory(nickname="haru860", display_name="佐藤 治夫")
    for event in events[:2]:
        talk = TalkFactory(event=event, title=f"推薦システム入門 ({event.pk})", speaker=speaker)
        MaterialFactory(talk=talk, event=event, url=f"https://speakerdeck.com/haru860/{event.pk}")
        MaterialFactory(
            talk=talk,
            event=event,
            kind=MaterialKind.MOVIE,
            url=f"https://www.youtube.com/watch?v=kaisai{event.pk}",
            title="",
        )


@pytest.mark.django_db(transaction=True)
def test_connpass_client_reads_the_demo_group_through_its_own_models(
    connpass_python, live_server, settings, tmp_path
):
    settings.BASE_URL = live_server.url
    load_demo(password="pw-for-tests")
    events = list(public_events().filter(group__slug=DEMO_GROUP_SLUG).order_by("-starts_at", "-id"))
    assert events, "the demo has MLCT events"
    _with_talks_and_slides(events)
    from kaisai.accounts.models import User

    _, key = create_api_token(user=User.objects.get(nickname=DEMO_NICKNAME), name="connpass-py")
    script = tmp_path / "child.py"
    script.write_text(CHILD)

    result = subprocess.run(
        [connpass_python, str(script), f"{live_server.url}/api/v2", key, DEMO_GROUP_SLUG],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ.get("PATH", ""), "NO_PROXY": "*", "no_proxy": "*"},
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)

    # Every event of the demo group came through the client's pydantic model, latest first
    # (order=EventOrder.STARTED_AT as the client sends it).
    assert [event["id"] for event in out["events"]] == [event.pk for event in events]
    assert out["envelope"] == [len(events), len(events), 1]
    assert {event["model"] for event in out["events"]} == {"ConnpassEvent"}
    assert {event["group"] for event in out["events"]} == {DEMO_GROUP_SLUG}
    assert {event["event_type"] for event in out["events"]} == {"participation"}
    assert {event["utc_offset"] for event in out["events"]} == {9 * 3600.0}
    assert all(event["started_at"].endswith("+09:00") for event in out["events"])
    assert {event["open_status"] for event in out["events"][1:]} == {"close"}  # past ones
    assert out["events"][0]["open_status"] in {"preopen", "open", "close"}
    assert out["search"][0] == 1 and out["search"][2] == 1  # repeated keys, count=1

    # The presentations of the events with materials came through the client's model too.
    expected = {
        str(event.pk): sorted(Material.objects.filter(event=event).values_list("url", flat=True))
        for event in events
    }
    assert {
        event_id: sorted(item["url"] for item in items)
        for event_id, items in out["presentations"].items()
    } == expected
    presentations = [item for items in out["presentations"].values() for item in items]
    assert presentations, "some presentations came through"
    assert {item["model"] for item in presentations} == {"Presentation"}
    assert {item["type"] for item in presentations} <= {"slide", "movie", "blog"}
    assert "slide" in {item["type"] for item in presentations}

    # A refused key reaches the client as its own error.
    assert out["wrong_key"].startswith("APIリクエストに失敗しました: 401")


def test_find_python_reports_a_version_at_least_3_12_2():
    found = find_python()
    if found is None:
        pytest.skip("no Python >= 3.12.2 on this machine")
    assert found[1] >= MIN_VERSION
    assert Path(found[0]).exists() or shutil.which(found[0])
