from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError

from kaisai.accounts import services
from kaisai.accounts.models import ApiToken, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_api_token_stores_only_hash_and_prefix(user):
    token, key = services.create_api_token(user=user, name="bot")

    assert key.startswith("ks_")
    assert len(key) > 40
    row = ApiToken.objects.get(pk=token.pk)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert row.prefix == key[:8]
    assert row.name == "bot"
    stored = [str(value) for value in ApiToken.objects.values_list(flat=False).get(pk=token.pk)]
    assert key not in stored


def test_create_api_token_keys_are_unique(user):
    keys = {services.create_api_token(user=user)[1] for _ in range(20)}
    assert len(keys) == 20


def test_create_api_tokens_bulk_one_per_user():
    users = [UserFactory() for _ in range(3)]
    pairs = services.create_api_tokens(users=users, name="load")
    assert [token.user for token, _key in pairs] == users
    for token, key in pairs:
        assert ApiToken.objects.get(key_hash=ApiToken.hash_key(key)).pk == token.pk


def test_revoke_api_token_deletes_it(user):
    token, _key = services.create_api_token(user=user)
    services.revoke_api_token(token=token)
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_update_profile_changes_fields(user):
    services.update_profile(user=user, display_name="佐藤 健", bio="Hello\nworld")
    user.refresh_from_db()
    assert user.display_name == "佐藤 健"
    assert user.bio == "Hello\nworld"


def test_update_profile_refuses_nickname(user):
    with pytest.raises(TypeError):
        services.update_profile(user=user, nickname="someone-else")
    user.refresh_from_db()
    assert user.nickname != "someone-else"


def test_create_users_without_password_creates_unusable_accounts():
    users = services.create_users_without_password(nicknames=["load-1", "load-2", "load-1"])
    assert [u.nickname for u in users] == ["load-1", "load-2"]
    stored = User.objects.get(nickname="load-1")
    assert not stored.has_usable_password()
    assert stored.email == "load-1@example.invalid"


def test_create_users_without_password_bad_nickname_creates_nobody():
    with pytest.raises(ValidationError):
        services.create_users_without_password(nicknames=["fine-one", "not ok!"])
    assert not User.objects.filter(nickname="fine-one").exists()


def test_create_users_without_password_taken_nickname_creates_nobody(user):
    with pytest.raises(ValidationError):
        services.create_users_without_password(nicknames=["fresh", user.nickname])
    assert not User.objects.filter(nickname="fresh").exists()
