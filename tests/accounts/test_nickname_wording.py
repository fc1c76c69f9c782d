"""Sign-up and login say ニックネーム (nickname) for the public handle, never ユーザー名
(allauth's "username")."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}


def pages(client) -> dict[str, str]:
    UserFactory(nickname="taken", email="taken@mail.test")
    out = {
        "login": client.get("/accounts/login/", **JA),
        "signup": client.get("/accounts/signup/", **JA),
        "bad login": client.post("/accounts/login/", {"login": "taken", "password": "x"}, **JA),
        "taken": client.post(
            "/accounts/signup/",
            {
                "email": "new@mail.test",
                "username": "taken",
                "password1": "a-long-phrase-9",
                "password2": "a-long-phrase-9",
            },
            **JA,
        ),  # fmt: skip
    }
    return {name: response.content.decode() for name, response in out.items()}


def test_one_word_for_the_handle(client):
    for name, html in pages(client).items():
        assert "ユーザー名" not in html, name
        assert "Username" not in html and "username is" not in html, name


def test_password_reset_mail_says_nickname(client):
    UserFactory(nickname="hanako", email="hanako@mail.test")
    client.post("/accounts/password/reset/", {"email": "hanako@mail.test"})
    body = mail.outbox[0].body
    assert "your nickname is hanako" in body and "username" not in body
