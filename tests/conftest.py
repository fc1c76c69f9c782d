"""Shared fixtures. Tests run against a real database: SQLite by default, PostgreSQL when
DATABASE_URL points to it (see .ci/run)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from kaisai.registrations import services
from tests.factories import EventFactory, GroupFactory, UserFactory


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read English unless they ask for Japanese (the site's default is Japanese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def outsider(db):
    """A logged-in-able user who organizes another group, never the one under test."""
    person = UserFactory(nickname="outsider")
    GroupFactory(slug="other-group", owner=person)
    return person


@pytest.fixture
def organizer(db):
    return UserFactory(nickname="organizer")


@pytest.fixture
def group(db, organizer):
    return GroupFactory(owner=organizer)


def login(client: Client, person) -> Client:
    client.force_login(person)
    return client


@pytest.fixture
def event(db, group):
    """A published event of `group`, two weeks ahead (modules may define their own)."""
    return EventFactory(group=group)


@pytest.fixture
def make_frame(event, organizer):
    """make_frame(capacity=3, method=..., target=event, name=..., **fields) → a Frame."""

    def make(capacity=3, method="first_come", target=None, **fields):
        if method == "lottery":
            fields.setdefault("lottery_at", timezone.now() + timedelta(days=1))
        return services.create_frame(
            event=target or event, by=organizer, capacity=capacity, method=method,
            name=fields.pop("name", "General"), **fields,
        )  # fmt: skip

    return make


def serve_mail_with(settings, server):
    """Point Django's SMTP backend at a started test SMTP server; stop it afterwards."""
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) that Django's SMTP backend sends to."""
    from tests.smtp import SmtpServer

    yield from serve_mail_with(settings, SmtpServer())
