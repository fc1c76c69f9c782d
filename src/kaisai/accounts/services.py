"""Every write about people: profiles, personal API tokens, users created from the console."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kaisai.accounts.models import ApiToken, User, nickname_validator
from kaisai.core.images import discard_replaced

TOKEN_PREFIX = "ks_"  # noqa: S105 - not a secret, the mark of a kaisai token
PROFILE_FIELDS = frozenset(
    {
        "display_name",
        "bio",
        "show_in_lists",
        "avatar",
        "x_account",
        "github_account",
        "website",
        "preferred_language",
    }
)


def _new_token_key() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _token_for(user: User, key: str, name: str) -> ApiToken:
    return ApiToken(user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:8])


def create_api_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a personal API token. Returns the row and the token itself, which is not
    stored anywhere (only its SHA-256 is) and must be shown to the user now."""
    key = _new_token_key()
    with transaction.atomic():
        token = _token_for(user, key, name)
        token.save()
    return token, key


def create_api_tokens(*, users: Sequence[User], name: str = "") -> list[tuple[ApiToken, str]]:
    """One new token for each user, in one bulk insert (for load tests with many users)."""
    pairs = [(user, _new_token_key()) for user in users]
    tokens = [_token_for(user, key, name) for user, key in pairs]
    with transaction.atomic():
        ApiToken.objects.bulk_create(tokens, batch_size=500)
    return [(token, key) for token, (_user, key) in zip(tokens, pairs, strict=True)]


def revoke_api_token(*, token: ApiToken) -> None:
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).delete()


def update_profile(*, user: User, **changes: Any) -> User:
    """Change the editable parts of a profile (never the nickname)."""
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"not profile fields: {', '.join(sorted(unknown))}")
    old_avatar = user.avatar.name if "avatar" in changes else None
    for field, value in changes.items():
        if field == "avatar" and not value:
            value = ""  # a cleared avatar
        setattr(user, field, value)
    with transaction.atomic():
        user.save(update_fields=sorted(changes))
        if old_avatar:
            discard_replaced(user, {"avatar": old_avatar})
    return user


def create_users_without_password(*, nicknames: Iterable[str]) -> list[User]:
    """Create accounts that cannot log in with a password (API clients, load tests).

    Nicknames are validated first: one bad or taken nickname creates nobody."""
    nicknames = list(dict.fromkeys(nicknames))
    for nickname in nicknames:
        nickname_validator(nickname)
    unusable = make_password(None)
    users = [
        User(nickname=nickname, email=f"{nickname}@example.invalid", password=unusable)
        for nickname in nicknames
    ]
    with transaction.atomic():
        taken = set(User.objects.filter(nickname__in=nicknames).values_list("nickname", flat=True))
        if taken:
            raise ValidationError(
                _("Nickname already taken: %(nicknames)s"),
                params={"nicknames": ", ".join(sorted(taken))},
            )
        User.objects.bulk_create(users, batch_size=500)
        # SQLite and PostgreSQL return primary keys from bulk_create; others may not.
        if users and users[0].pk is None:
            by_nickname = User.objects.in_bulk(nicknames, field_name="nickname")
            users = [by_nickname[nickname] for nickname in nicknames]
    return users
