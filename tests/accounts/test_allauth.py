"""allauth's pages in kaisai's layout, and the e-mail flows end to end (locmem mail)."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from kaisai.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a sturdy passphrase 42"


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.parametrize(
    "url_name",
    ["account_signup", "account_login", "account_reset_password"],
)
def test_allauth_pages_use_kaisai_layout(client, url_name):
    response = client.get(reverse(url_name))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html
    assert html.count("<h1>") == 1
    assert 'class="stacked account-form"' in html
    assert "kaisai/kaisai.css" in html
    # every visible input has a label
    for input_id in re.findall(r'<input[^>]*type="(?:text|email|password)"[^>]*id="([^"]+)"', html):
        assert f'for="{input_id}"' in html


def test_signup_form_fields(client):
    html = client.get(reverse("account_signup")).content.decode()
    for name in ("email", "username", "password1", "password2", "display_name"):
        assert f'name="{name}"' in html
    assert ">Nickname" in html


def test_logout_page_uses_kaisai_layout(client, user):
    client.force_login(user)
    html = client.get(reverse("account_logout")).content.decode()
    assert 'class="site-header"' in html
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_signup_confirm_email_then_login(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "ken@example.com",
            "username": "ken-sato",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "display_name": "佐藤 健",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(nickname="ken-sato")
    assert user.display_name == "佐藤 健"
    assert user.email == "ken@example.com"
    assert "_auth_user_id" not in client.session  # mandatory verification: not logged in yet

    # Logging in before confirming does not work.
    response = client.post(reverse("account_login"), {"login": "ken-sato", "password": PASSWORD})
    assert "_auth_user_id" not in client.session

    assert len(mail.outbox) >= 1
    confirm_path = link_in(mail.outbox[-1])
    assert "/accounts/confirm-email/" in confirm_path
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert 'class="site-header"' in page.content.decode()
    assert not EmailAddress.objects.get(email="ken@example.com").verified

    response = client.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="ken@example.com").verified

    client.logout()
    response = client.post(reverse("account_login"), {"login": "ken-sato", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk

    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "ken@example.com", "password": PASSWORD}
    )
    assert int(client.session["_auth_user_id"]) == user.pk


def test_signup_bad_input_creates_nobody(client):
    UserFactory(nickname="taken")
    response = client.post(
        reverse("account_signup"),
        {
            "email": "x@example.com",
            "username": "taken",
            "password1": PASSWORD,
            "password2": "different",
        },
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not User.objects.filter(email="x@example.com").exists()


def test_signup_invalid_nickname_is_refused(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "y@example.com",
            "username": "日本語",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="y@example.com").exists()


def test_password_reset_flow(client):
    user = UserFactory(nickname="forgetful", email="forgetful@example.com")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)

    response = client.post(reverse("account_reset_password"), {"email": "forgetful@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    reset_path = link_in(mail.outbox[0])

    response = client.get(reset_path, follow=True)  # allauth moves the key into the session
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else reset_path
    assert 'class="site-header"' in response.content.decode()

    new_password = "another sturdy passphrase 7"
    response = client.post(form_path, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302

    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "forgetful", "password": new_password}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_page_has_no_social_buttons_without_keys(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "/accounts/github/login/" not in html


def test_login_page_shows_github_when_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "github": {
            "APPS": [{"client_id": "abc", "secret": "def", "key": ""}],
            "SCOPE": ["user:email"],
        }
    }
    html = client.get(reverse("account_login")).content.decode()
    assert "/accounts/github/login/" in html
    assert "Continue with GitHub" in html
    assert "/accounts/google/login/" not in html
