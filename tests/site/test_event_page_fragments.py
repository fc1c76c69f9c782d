"""The logged-in visitor's fragments kept per process under all their inputs
(site/event_page_fragments.py): a hit renders none again, and each input — the registration,
its cancellation, the waitlist number, the visitor's name, the language, who is logged in, a
password change, the CSRF secret — shows on the very next answer, byte for byte the page
rendered in full."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, override_settings
from django.test.signals import template_rendered
from django.urls import reverse

from kaisai.accounts.models import User
from kaisai.events.models import Event
from kaisai.registrations import services
from kaisai.site import event_page_fragments
from tests.factories import UserFactory

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
FRAGMENTS = set(event_page_fragments.READS)


@pytest.fixture(autouse=True)
def _empty_caches():
    cache.clear()
    event_page_fragments.clear()
    yield
    cache.clear()
    event_page_fragments.clear()


def url(event: Event) -> str:
    return reverse("events:detail", kwargs={"pk": event.pk})


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, event: Event) -> str:
    response = client.get(url(event))
    assert response.status_code == 200
    return response.content.decode()


def normalised(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value="T"', html)


def full(client: Client, event: Event) -> str:
    with override_settings(KAISAI_EVENT_PAGE_USER_CACHE=False):
        return normalised(page(client, event))


def assert_full(client: Client, event: Event) -> str:
    """The page from the shared page and the fragments kept, the same as rendered in full.
    (Rendering in full changes a setting, which empties the fragments kept: call it last.)"""
    html = normalised(page(client, event))
    assert html == full(client, event)
    return html


@contextmanager
def fragments_rendered():
    names: list[str] = []

    def record(sender, template, context, **kwargs):
        if template.name in FRAGMENTS:
            names.append(template.name)

    template_rendered.connect(record)
    try:
        yield names
    finally:
        template_rendered.disconnect(record)


def test_a_hit_renders_no_fragment_again_and_the_registrations_parts_are_shared(event, make_frame):
    make_frame(capacity=3)
    first, second = client_of(UserFactory()), client_of(UserFactory())
    page(first, event)  # the shared page stored, the first visitor's fragments kept
    with fragments_rendered() as rendered:
        page(first, event)
    assert rendered == []
    with fragments_rendered() as rendered:
        html = page(second, event)
    # Only the header is theirs: the parts of "no registration" are the first visitor's too.
    assert rendered == ["_user_nav.html"]
    assert normalised(html) == full(second, event)


def test_registering_and_cancelling_show_at_once(event, make_frame):
    frame = make_frame(capacity=2)
    visitor = UserFactory()
    client = client_of(visitor)
    assert "apply-button" in page(client, event)
    registration = services.register(frame=frame, user=visitor)
    html = page(client, event)
    assert "You are registered in this frame." in html and "apply-button" not in html
    services.cancel_registration(registration=registration, by=None)
    html = assert_full(client, event)
    assert "Your last registration to" in html and "You are registered" not in html


def test_the_waitlist_number_shows_at_once(event, make_frame):
    frame = make_frame(capacity=1)
    services.register(frame=frame, user=UserFactory())
    ahead = services.register(frame=frame, user=UserFactory())
    visitor = UserFactory()
    services.register(frame=frame, user=visitor)
    client = client_of(visitor)
    assert "Waitlisted: number 2" in page(client, event)
    services.cancel_registration(registration=ahead, by=None)
    html = assert_full(client, event)
    assert "Waitlisted: number 1" in html and "number 2" not in html


def test_a_new_display_name_shows_at_once(event, make_frame):
    make_frame(capacity=3)
    visitor = UserFactory(display_name="Before")
    client = client_of(visitor)
    assert ">Before</a>" in page(client, event)
    User.objects.filter(pk=visitor.pk).update(display_name="After")
    html = assert_full(client, event)
    assert ">After</a>" in html and "Before" not in html


def test_the_language_shows_at_once(event, make_frame):
    make_frame(capacity=3)
    client = client_of(UserFactory())
    assert "Log out" in page(client, event)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    html = page(client, event)
    assert "ログアウト" in html and "Log out" not in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Log out" in assert_full(client, event)


def test_after_logout_and_login_as_someone_else_the_page_is_theirs(event, make_frame):
    frame = make_frame(capacity=3)
    first = UserFactory(display_name="First Person")
    services.register(frame=frame, user=first)
    client = client_of(first)
    assert "You are registered in this frame." in page(client, event)
    client.logout()
    html = page(client, event)
    assert "First Person" not in html and "Log out" not in html
    second = UserFactory(display_name="Second Person")
    client.force_login(second)
    html = assert_full(client, event)
    assert "Second Person" in html and "First Person" not in html
    assert "You are registered" not in html and "apply-button" in html


def test_a_password_change_elsewhere_logs_the_old_session_out(event, make_frame):
    make_frame(capacity=3)
    visitor = UserFactory(display_name="Changing Person")
    client = client_of(visitor)
    assert "Changing Person" in page(client, event)
    visitor.set_password("a-new-password-42")  # elsewhere: this session keeps the old hash
    visitor.save()
    html = page(client, event)
    assert "Changing Person" not in html and "Log out" not in html
    assert reverse("account_login") in html


def test_the_token_is_always_of_the_current_csrf_secret(event, make_frame):
    make_frame(capacity=3)
    visitor = UserFactory()
    client = client_of(visitor)
    page(client, event)  # sets the CSRF cookie
    for secret in ("a" * 32, "b" * 32):  # rotated (as a login does)
        client.cookies[settings.CSRF_COOKIE_NAME] = secret
        tokens = TOKEN.findall(page(client, event))
        assert tokens and all(_unmask_cipher_token(token) == secret for token in tokens)
    del client.cookies[settings.CSRF_COOKIE_NAME]  # none: a new secret, set with the answer
    response = client.get(url(event))
    secret = response.cookies[settings.CSRF_COOKIE_NAME].value
    tokens = TOKEN.findall(response.content.decode())
    assert secret not in ("a" * 32, "b" * 32)
    assert tokens and all(_unmask_cipher_token(token) == secret for token in tokens)
