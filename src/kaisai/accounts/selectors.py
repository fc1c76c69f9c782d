"""Reads about people: their API tokens, and who an API token belongs to. What a profile shows
of events, groups and talks is the site's (kaisai.site.selectors_profile)."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from kaisai.accounts.models import ApiToken, User
from kaisai.core import rawrows

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


# Every API request runs this lookup, as raw SQL (`core.rawrows`: a fraction of the ORM's
# compiled join; bench/RESULTS.md). The user comes back with all its fields. `last_used_at` is
# written at most once a minute per token, by a conditional UPDATE that re-checks the stored
# value, so busy clients do not turn every read into a write. On PostgreSQL the lookup and that
# UPDATE are one statement (a data-modifying CTE; when the token was used in the last minute
# it writes nothing, and the statement's transaction is read-only); elsewhere (SQLite) two.
_USER_FIELDS = rawrows.fields_of(User)
_STALE = "(t.last_used_at IS NULL OR t.last_used_at < %s)"
_MARK_USED_SQL = (
    "UPDATE accounts_apitoken SET last_used_at = %s"
    " WHERE id = %s AND (last_used_at IS NULL OR last_used_at < %s)"
)


@cache
def _user_by_key_hash_sql(vendor: str) -> str:
    user = rawrows.columns(_USER_FIELDS, "u")
    if vendor != "postgresql":
        return (
            f"SELECT {user}, t.id, {_STALE}"  # noqa: S608 (names from the model)
            " FROM accounts_user u JOIN accounts_apitoken t ON t.user_id = u.id"
            " WHERE t.key_hash = %s AND u.is_active"
        )
    return (
        "WITH hit AS (SELECT t.id, t.user_id FROM accounts_apitoken t"  # noqa: S608 (names)
        " JOIN accounts_user u ON u.id = t.user_id WHERE t.key_hash = %s AND u.is_active),"
        " used AS (UPDATE accounts_apitoken t SET last_used_at = %s FROM hit"
        f" WHERE t.id = hit.id AND {_STALE})"
        f" SELECT {user}, hit.id, NULL"
        " FROM hit JOIN accounts_user u ON u.id = hit.user_id"
    )


def user_for_api_token(key: str | None) -> User | None:
    """The active user a personal API token belongs to, or None.

    The token is looked up by its SHA-256 (one indexed query, the same work for any input);
    `last_used_at` is written at most once a minute per token (see above).
    """
    if not key:
        return None
    now = timezone.now()
    stale_before = connection.ops.adapt_datetimefield_value(now - TOKEN_LAST_USED_RESOLUTION)
    used_at = connection.ops.adapt_datetimefield_value(now)
    key_hash = ApiToken.hash_key(key)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_user_by_key_hash_sql("postgresql"), [key_hash, used_at, stale_before])
        else:
            cursor.execute(_user_by_key_hash_sql(connection.vendor), [stale_before, key_hash])
        row = cursor.fetchone()
        if row is None:
            return None
        token_id, stale = row[-2], row[-1]
        if stale:  # (not on PostgreSQL: its statement wrote it)
            cursor.execute(_MARK_USED_SQL, [used_at, token_id, stale_before])
    return rawrows.from_row(User, _USER_FIELDS, row[:-2])


def has_two_factor(user) -> bool:
    """Whether the user signs in with a second factor (an authenticator app or a security key /
    passkey; allauth.mfa). Cached per request on the user object."""
    if user is None or not user.is_authenticated:
        return False
    if "_kaisai_has_mfa" not in user.__dict__:
        from allauth.mfa.utils import is_mfa_enabled

        user.__dict__["_kaisai_has_mfa"] = is_mfa_enabled(user)
    return user.__dict__["_kaisai_has_mfa"]
