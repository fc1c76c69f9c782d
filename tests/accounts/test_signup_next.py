"""Issue 14, item 5: signing up from an event's apply button lands back on the registration —
`next` is carried through the login page's sign-up link, the sign-up, the confirmation mail's
link and the confirmation (which logs in: ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION), and through a
later login when the link is opened in another browser."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kaisai.registrations import services
from tests.factories import EventFactory

PASSWORD = "a sturdy passphrase 42"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth sends one confirmation mail per address every 3 minutes (its rate limits live
    in the cache, which outlives a test): clear them before and after."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def register_url(db, group, organizer):
    event = EventFactory(group=group)
    services.create_frame(event=event, by=organizer, capacity=5, name="General")
    return reverse("registrations:register", kwargs={"pk": event.pk})


def sign_up_from(client: Client, register_url: str) -> str:
    """Press the apply button anonymously, follow the sign-up link, sign up: the mail's link."""
    login_page = client.get(register_url, follow=True)
    assert login_page.request["PATH_INFO"] == reverse("account_login")
    html = login_page.content.decode()
    signup_link = re.search(r'href="(/accounts/signup/[^"]*)"', html).group(1)
    signup_link = signup_link.replace("&amp;", "&")
    assert "next=" in signup_link
    signup_page = client.get(signup_link).content.decode()
    next_field = re.search(r'name="next" value="([^"]+)"', signup_page)
    assert next_field and next_field.group(1) == register_url
    response = client.post(
        signup_link,
        {"email": "aki@example.com", "username": "aki-ito", "password1": PASSWORD,
         "password2": PASSWORD, "display_name": "Ken", "next": next_field.group(1)},
    )  # fmt: skip
    assert response.status_code == 302
    (message,) = mail.outbox
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_confirming_in_the_same_browser_logs_in_and_lands_on_the_registration(client, register_url):
    link = sign_up_from(client, register_url)
    confirm_page = client.get(link)
    assert confirm_page.status_code == 200
    html = confirm_page.content.decode()
    action = re.search(r'<form[^>]*method="post"[^>]*action="([^"]+)"', html)
    data = {}
    hidden_next = re.search(r'name="next" value="([^"]+)"', html)
    if hidden_next:
        data["next"] = hidden_next.group(1)
    response = client.post(action.group(1) if action else link, data)
    assert response.status_code == 302
    assert response["Location"] == register_url
    assert "_auth_user_id" in client.session
    assert client.get(register_url).status_code == 200


def test_confirming_in_another_browser_lands_on_login_then_the_registration(register_url):
    link = sign_up_from(Client(), register_url)
    other = Client()
    confirm_page = other.get(link).content.decode()
    hidden_next = re.search(r'name="next" value="([^"]+)"', confirm_page)
    assert hidden_next and hidden_next.group(1) == register_url
    response = other.post(link, {"next": hidden_next.group(1)}, follow=True)
    assert response.request["PATH_INFO"] == reverse("account_login")
    login_html = response.content.decode()
    next_field = re.search(r'name="next" value="([^"]+)"', login_html)
    assert next_field and next_field.group(1) == register_url
    logged_in = other.post(
        reverse("account_login"),
        {"login": "aki-ito", "password": PASSWORD, "next": next_field.group(1)},
    )
    assert logged_in["Location"] == register_url
