from __future__ import annotations

import pytest
from django.urls import reverse

from kaisai.accounts import services
from kaisai.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(nickname="root", is_staff=True, is_superuser=True))
    return client


def test_admin_user_pages_render(admin_client, user):
    for url in (
        reverse("admin:accounts_user_changelist") + "?q=" + user.nickname,
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_user_change", args=[user.pk]),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "first_name" not in response.content.decode()


def test_admin_user_add_with_nickname(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "nickname": "added-by-admin",
            "email": "added@example.com",
            "usable_password": "true",
            "password1": "a sturdy passphrase 42",
            "password2": "a sturdy passphrase 42",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.get(nickname="added-by-admin")
    assert created.check_password("a sturdy passphrase 42")


def test_admin_api_token_is_read_only(admin_client, user):
    token, key = services.create_api_token(user=user, name="bot")
    assert admin_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    html = admin_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content
    assert token.key_hash in html.decode()
    assert key not in html.decode()
    assert 'name="key_hash"' not in html.decode()
