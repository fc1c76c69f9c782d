"""accounts.sessions: Django's database sessions read by one raw query — the same session
as Django's own store, none for an expired or unknown key."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaisai.accounts.sessions import SessionStore
from tests.factories import UserFactory


def test_it_is_the_sites_session_engine():
    assert settings.SESSION_ENGINE == "kaisai.accounts.sessions"


def test_reads_what_djangos_store_wrote_in_one_query(db):
    django_store = DjangoStore()
    django_store["answer"] = {"n": 42, "text": "日本語"}
    django_store.save()
    store = SessionStore(django_store.session_key)
    with CaptureQueriesContext(connection) as queries:
        assert store["answer"] == {"n": 42, "text": "日本語"}
    assert len(queries) == 1
    row = store._get_session_from_db()
    mine = Session.objects.get(session_key=django_store.session_key)
    assert (row.session_key, row.session_data, row.expire_date) == (
        mine.session_key,
        mine.session_data,
        mine.expire_date,
    )


def test_an_expired_or_unknown_session_is_empty_and_gets_a_new_key(db):
    store = SessionStore()
    store["answer"] = 42
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert "answer" not in expired
    assert expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {}
    assert unknown.session_key is None


def test_a_logged_in_visitor_stays_logged_in(db):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.wsgi_request.user == user
