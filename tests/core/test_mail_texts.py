"""Every kind of mail the site sends, rendered in Japanese and English: the site's name and
address come from KAISAI_SITE_NAME / KAISAI_BASE_URL (never django.contrib.sites'
"example.com"), and each URL stands on its own line, so that mail programs make it a link
(a URL right after Japanese text without a space is not clickable)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.utils import timezone, translation

import kaisai
from kaisai.core.outbox import render_text
from kaisai.registrations import services
from tests.factories import EventFactory, UserFactory
from tests.talks.factories import MaterialFactory, TalkFactory

pytestmark = pytest.mark.django_db

URL = re.compile(r"https?://[^\s<>\"]+")
SRC = Path(kaisai.__file__).parent


def assert_readable(text: str, *, where: str) -> None:
    assert "example.com" not in text, f"{where}: example.com in\n{text}"
    urls = URL.findall(text)
    for line in text.splitlines():
        for url in URL.findall(line):
            assert line.strip() == url, f"{where}: URL not on its own line: {line!r}"
    return urls


def site_mail_templates() -> list[str]:
    names = sorted(
        path.name.removesuffix(".txt")
        for path in SRC.glob("*/templates/mail/*.txt")
        if not path.name.endswith(".subject.txt")
    )
    assert len(names) >= 20
    return names


@pytest.fixture
def context(organizer, group):
    event = EventFactory(group=group, place="Sponsor Hall", address="1-2-3 Shibuya",
                         stream_url="https://youtube.test/live")  # fmt: skip
    frame = services.create_frame(
        event=event, by=organizer, capacity=5, method="first_come", name="General",
    )  # fmt: skip
    person = UserFactory(nickname="taro", email="taro@mail.test")
    registration = services.register(frame=frame, user=person)
    talk = TalkFactory(event=event, title="RAG in practice")
    material = MaterialFactory(talk=talk, title="")
    return {
        "user": person, "event": event, "frame": frame, "registration": registration,
        "talk": talk, "material": material, "inviter": organizer, "token": "tok3n",
        "stage": 3, "hours": 24, "message": type("M", (), {"body": "See you!"})(),
        "cancel_url": "http://127.0.0.1:8000/mail/cancel/abc/",
        "yes_url": "http://127.0.0.1:8000/mail/reconfirm/yes/",
        "no_url": "http://127.0.0.1:8000/mail/reconfirm/no/",
        "unsubscribe_url": "http://127.0.0.1:8000/mail/unsubscribe/u/",
        "deadline": timezone.now(), "releases": True,
        "BASE_URL": "http://127.0.0.1:8000", "SITE_NAME": "kaisai",
    }  # fmt: skip


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_site_mail_puts_urls_on_their_own_line(context, language):
    for name in site_mail_templates():
        with translation.override(language):
            subject = render_text(f"mail/{name}.subject.txt", context)
            body = render_text(f"mail/{name}.txt", context)
        assert_readable(subject, where=f"{name} subject")
        urls = assert_readable(body, where=name)
        assert urls, f"{name} has no link"


def test_site_follows_the_settings(settings):
    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.name, site.domain) == ("kaisai", "127.0.0.1:8000")


def signup(client, email: str, nickname: str = "hanako"):
    return client.post(
        "/accounts/signup/",
        {"email": email, "username": nickname, "password1": "a-long-pass-phrase-9",
         "password2": "a-long-pass-phrase-9"},
    )  # fmt: skip


@pytest.mark.parametrize("language", ["ja", "en"])
def test_signup_confirmation_mail(client, settings, language):
    settings.LANGUAGE_CODE = language
    with translation.override(language):
        signup(client, f"hanako-{language}@mail.test", nickname=f"hanako-{language}")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject.startswith("[kaisai] ")
    assert "example.com" not in message.subject
    urls = assert_readable(message.body, where="signup confirmation")
    assert any("/accounts/confirm-email/" in url for url in urls)
    assert "http://127.0.0.1:8000/" in urls


def test_account_mails_use_the_site_name(client, settings):
    settings.KAISAI_SITE_NAME = "MLCT Meetups"
    UserFactory(email="known@mail.test", nickname="known")
    signup(client, "known@mail.test", nickname="someone")  # already exists
    client.post("/accounts/password/reset/", {"email": "known@mail.test"})
    client.post("/accounts/password/reset/", {"email": "nobody@mail.test"})  # unknown
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert message.subject.startswith("[MLCT Meetups] "), message.subject
        assert "MLCT Meetups" in message.body
        assert assert_readable(message.body, where=message.subject)
