"""The signed-in user of a request, typed."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from kaisai.accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """`request.user` as a `User`, for views behind `@login_required` and API operations
    behind token authentication (neither runs for an anonymous user)."""
    return cast(User, request.user)


# Who a read may be for: a signed-in user, or an anonymous visitor (public pages).
AnyUser = User | AnonymousUser
