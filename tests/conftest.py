"""Shared fixtures. Tests run against a real database: SQLite by default, PostgreSQL when
DATABASE_URL points to it (see .ci/run)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from tests.factories import GroupFactory, UserFactory


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
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) that Django's SMTP backend sends to."""
    from tests.smtp import SmtpServer

    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
