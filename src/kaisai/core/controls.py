"""Control characters in text from users (docs/security.md).

C0 control characters other than tab, line feed and carriage return, DEL, and lone
surrogates are removed from every text a form or API v1 receives (ControlCharactersMiddleware
for POSTed forms, kaisai.api's JSON parser for the API): they have no meaning in a title or a
description, NUL cannot be stored in PostgreSQL, and XML 1.0 (Atom feeds, schedule.xml) cannot
carry them. Writers of XML also strip them from what was stored before (`strip_controls`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict

CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """The text without control characters (tab, LF and CR kept)."""
    return CONTROLS.sub("", text) if text else text


def clean_value(value: Any) -> Any:
    """strip_controls applied to every string in a JSON-like value (keys included)."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [clean_value(item) for item in value]
    if isinstance(value, dict):
        return {clean_value(key): clean_value(item) for key, item in value.items()}
    return value


def clean_query_dict(data: QueryDict) -> QueryDict:
    """A copy of the form data without control characters, or the same object if it has
    none (the common case costs one scan)."""
    if not any(
        CONTROLS.search(key) or any(CONTROLS.search(value) for value in values)
        for key, values in data.lists()
    ):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(strip_controls(key), [strip_controls(value) for value in values])
    cleaned._mutable = False
    return cleaned


class ControlCharactersMiddleware:
    """Removes control characters from POSTed form fields before any view (or the CSRF
    check) reads them, so that every form of every app is covered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            request.POST = clean_query_dict(request.POST)  # type: ignore[assignment]
        return self.get_response(request)
