"""Reads about people: their API tokens, and who an API token belongs to. What a profile shows
of events, groups and talks is the site's (kaisai.site.selectors_profile)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from kaisai.accounts.models import ApiToken, User

TOKEN_LAST_USED_RESOLUTION = timedelta(minutes=1)

# The three choices a registration or a membership holds for its list (docs/participants.md).
LISTING_CHOICES = {"default": None, "show": True, "hide": False}


def listed_q(prefix: str = "") -> Q:
    """Whether a row that holds a person's own list choice (`listed`, a nullable boolean, and
    `user`: a registration or a membership) names the person in a public list — the one rule
    for participants and members lists, the API and profiles: the row's choice if made, else
    the person's default (`User.show_in_lists`, off unless they chose to appear); never a
    deactivated or deleted account. `prefix` reaches the row from another model
    ("registration__")."""
    chose_show = Q(**{f"{prefix}listed": True})
    follows_default = Q(**{f"{prefix}listed__isnull": True, f"{prefix}user__show_in_lists": True})
    active = Q(**{f"{prefix}user__is_active": True, f"{prefix}user__deleted_at__isnull": True})
    return (chose_show | follows_default) & active


def is_listed(listed: bool | None, user: User) -> bool:
    """`listed_q` for one row already loaded."""
    shown = user.show_in_lists if listed is None else listed
    return shown and user.is_active and user.deleted_at is None


def listing_choice(listed: bool | None) -> str:
    """The form value of a row's choice: default / show / hide."""
    return next(key for key, value in LISTING_CHOICES.items() if value is listed)


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


# Every API request runs this lookup: as raw SQL it costs a third of the ORM's compiled join
# (bench/RESULTS.md). The user comes back with all its fields; `api_token_stale` says whether
# `last_used_at` is due for an update, which the conditional UPDATE below then writes.
_USER_BY_KEY_HASH_SQL = (
    "SELECT u.*, t.id AS api_token_id,"
    " (t.last_used_at IS NULL OR t.last_used_at < %s) AS api_token_stale"
    " FROM accounts_user u JOIN accounts_apitoken t ON t.user_id = u.id"
    " WHERE t.key_hash = %s AND u.is_active"
)
_MARK_USED_SQL = (
    "UPDATE accounts_apitoken SET last_used_at = %s"
    " WHERE id = %s AND (last_used_at IS NULL OR last_used_at < %s)"
)


def user_for_api_token(key: str | None) -> User | None:
    """The active user a personal API token belongs to, or None.

    The token is looked up by its SHA-256 (one indexed query, the same work for any input);
    `last_used_at` is written at most once a minute per token so busy clients do not turn
    every read into a write.
    """
    if not key:
        return None
    now = timezone.now()
    stale_before = connection.ops.adapt_datetimefield_value(now - TOKEN_LAST_USED_RESOLUTION)
    users = User.objects.raw(_USER_BY_KEY_HASH_SQL, [stale_before, ApiToken.hash_key(key)])
    user = next(iter(users), None)
    if user is None:
        return None
    token_id = user.__dict__.pop("api_token_id")
    if user.__dict__.pop("api_token_stale"):
        with connection.cursor() as cursor:
            cursor.execute(
                _MARK_USED_SQL,
                [connection.ops.adapt_datetimefield_value(now), token_id, stale_before],
            )
    return user


def has_two_factor(user) -> bool:
    """Whether the user signs in with a second factor (an authenticator app or a security key /
    passkey; allauth.mfa). Cached per request on the user object."""
    if user is None or not user.is_authenticated:
        return False
    if "_kaisai_has_mfa" not in user.__dict__:
        from allauth.mfa.utils import is_mfa_enabled

        user.__dict__["_kaisai_has_mfa"] = is_mfa_enabled(user)
    return user.__dict__["_kaisai_has_mfa"]
