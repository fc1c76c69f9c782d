"""Personal API tokens (from `kaisai token create` or the settings page).

Sent as `Authorization: Bearer TOKEN` (native API) or `X-API-Key: TOKEN` (connpass-style)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer

from kaisai.accounts.selectors import user_for_api_token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


class ApiKeyToken(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None):
        user = user_for_api_token(key)
        if user is not None:
            request.user = user
        return user


TOKEN_AUTH = [BearerToken(), ApiKeyToken()]
