"""The Japanese UI is complete: every message is translated, and pages and mails use it.

`test_every_message_in_the_code_is_translated` extracts the messages afresh (Django's
makemessages, i.e. gettext's xgettext) from a copy of the package, so a new string that nobody
translated fails here. Translate it in src/kaisai/locale/ja/LC_MESSAGES/django.po
(`make messages` updates the file and compiles it).
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from kaisai.core import outbox
from kaisai.registrations import services
from tests.factories import EventFactory, UserFactory

PACKAGE_DIR = Path(settings.BASE_DIR)
JA_PO = PACKAGE_DIR / "locale" / "ja" / "LC_MESSAGES" / "django.po"
JA_MO = JA_PO.with_suffix(".mo")


def parse_po(path: Path) -> list[dict]:
    """A tiny .po reader: one dict per entry with msgctxt, msgid, msgid_plural, msgstr, flags."""
    entries: list[dict] = []
    entry: dict = {}
    field = ""

    def flush() -> None:
        if "msgid" in entry:
            entries.append(dict(entry))
        entry.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            flush()
        elif line.startswith("#,"):
            if "msgid" in entry:
                flush()
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            if "msgid" in entry:
                flush()
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field.startswith("msgstr"):
                entry["msgstr"][field] += value
            else:
                entry[field] += value
        else:
            keyword, _, value = line.partition(" ")
            field = keyword
            if keyword.startswith("msgstr"):
                entry.setdefault("msgstr", {})[keyword] = ast.literal_eval(value)
            else:
                entry[keyword] = ast.literal_eval(value)
    flush()
    return entries


def key(entry: dict) -> tuple[str | None, str]:
    return entry.get("msgctxt"), entry["msgid"]


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]", text))


@pytest.fixture(scope="module")
def ja_entries() -> list[dict]:
    return [entry for entry in parse_po(JA_PO) if entry["msgid"]]  # without the header


def test_ja_catalog_has_no_untranslated_and_no_fuzzy_entries(ja_entries):
    assert len(ja_entries) > 500
    header = parse_po(JA_PO)[0]
    assert header["msgid"] == "" and "fuzzy" not in header.get("flags", set())
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"]["msgstr"]
    untranslated = [e["msgid"] for e in ja_entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in ja_entries if "fuzzy" in e.get("flags", set())]
    assert untranslated == [], f"untranslated in {JA_PO}: {untranslated}"
    assert fuzzy == [], f"fuzzy in {JA_PO}: {fuzzy}"


def test_ja_translations_keep_their_placeholders(ja_entries):
    wrong = []
    for entry in ja_entries:
        wanted = placeholders(entry["msgid"]) | placeholders(entry.get("msgid_plural", ""))
        for translation in entry["msgstr"].values():
            found = placeholders(translation)
            # A plural's one Japanese form may name the count the English singular leaves out.
            if found - wanted or (not entry.get("msgid_plural") and found != wanted):
                wrong.append((entry["msgid"], translation))
    assert wrong == []


def test_committed_mo_matches_the_po(ja_entries):
    """The demo and checkouts without gettext use the committed .mo: it must match the .po."""
    assert JA_MO.exists(), "run `make messages` (or `kaisai compilemessages`) and commit the .mo"
    with JA_MO.open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    stale = []
    for entry in ja_entries:
        name = (
            entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        )
        if entry.get("msgid_plural"):
            compiled = catalog.get((name, 0))
            expected = entry["msgstr"]["msgstr[0]"]
        else:
            compiled = catalog.get(name)
            expected = entry["msgstr"]["msgstr"]
        if compiled != expected:
            stale.append(entry["msgid"])
    assert stale == [], f"the .mo is out of date: run `make messages` and commit it ({stale})"


def test_every_message_in_the_code_is_translated(ja_entries, settings, tmp_path, monkeypatch):
    if shutil.which("xgettext") is None or shutil.which("msguniq") is None:
        pytest.fail(
            "gettext is needed to check that every message is translated: "
            "install it (apt-get install gettext) and run the tests again"
        )
    copy = tmp_path / "kaisai"
    shutil.copytree(
        PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.mo")
    )
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(copy)
    call_command(
        "makemessages", locale=["ja"], extensions=["html", "txt", "py"], keep_pot=True,
        verbosity=0,
    )  # fmt: skip
    pot = tmp_path / "locale" / "django.pot"
    fresh = {key(entry) for entry in parse_po(pot) if entry["msgid"]}
    assert len(fresh) > 500
    translated = {key(entry) for entry in ja_entries if all(entry["msgstr"].values())}
    missing = sorted(fresh - translated, key=lambda k: (k[0] or "", k[1]))
    assert missing == [], (
        f"{len(missing)} message(s) are not translated into Japanese: run `make messages`, "
        f"translate them in {JA_PO.relative_to(PACKAGE_DIR.parent.parent)} and commit the .po "
        f"and .mo: {missing}"
    )


# --- the catalogue in use ----------------------------------------------------------------


@pytest.mark.django_db
def test_page_in_japanese_for_a_japanese_browser(client):
    body = client.get(reverse("events:list"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<html lang="ja">' in body
    assert ">イベント</a>" in body and "ログイン" in body
    assert ">Events</a>" not in body


@pytest.mark.django_db
def test_page_in_english_for_an_english_browser(client):
    body = client.get(reverse("events:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in body
    assert ">Events</a>" in body and "Log in" in body
    assert "イベント</a>" not in body


@pytest.mark.django_db
def test_language_cookie_wins_over_the_browser(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    body = client.get(reverse("groups:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ja">' in body and "<h1>グループ</h1>" in body


@pytest.mark.django_db
def test_users_preferred_language_is_used_when_logged_in(client):
    client.force_login(UserFactory(preferred_language="ja"))
    body = client.get(reverse("events:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ja">' in body and "ログアウト" in body


@pytest.fixture
def accepted_registration(group, organizer):
    def make(language: str):
        event = EventFactory(group=group, title="MLCT #5")
        frame = services.create_frame(event=event, by=organizer, capacity=10, name="一般枠")
        person = UserFactory(preferred_language=language, display_name="佐藤 健")
        return services.register(frame=frame, user=person)

    return make


def render_accepted_mail(registration) -> tuple[str, str]:
    mail = outbox.queue_mail(
        key=f"translation-test-{registration.pk}", user=registration.user,
        template="registration_accepted", context={"registration": registration},
    )  # fmt: skip
    assert mail is not None
    return outbox.render(mail)


@pytest.mark.django_db
def test_mail_in_the_recipients_language_japanese(accepted_registration):
    registration = accepted_registration("ja")
    subject, body = render_accepted_mail(registration)
    assert subject == "参加が確定しました: MLCT #5"
    assert "佐藤 健 様" in body
    assert "参加枠: 一般枠" in body and "キャンセル" in body
    assert "Your seat" not in body


@pytest.mark.django_db
def test_mail_in_the_recipients_language_english(accepted_registration):
    subject, body = render_accepted_mail(accepted_registration("en"))
    assert subject == "You are registered: MLCT #5"
    assert "Frame: 一般枠" in body and "参加" not in body


@pytest.mark.django_db
def test_registration_log_shows_system_reasons_in_japanese(
    client, accepted_registration, organizer
):
    registration = accepted_registration("ja")
    services.cancel_registration(registration=registration, by=organizer, reason="<b>重複</b>")
    client.force_login(organizer)
    url = reverse("registrations:audit_log", kwargs={"pk": registration.event_id})
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "<td>申込</td>" in body  # the system's "registered"
    assert "&lt;b&gt;重複&lt;/b&gt;" in body  # an organizer's own words, as typed and escaped
