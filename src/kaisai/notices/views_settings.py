"""Stub: filled in by its owner."""

from django.http import HttpRequest, HttpResponse


def mail_settings(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def unsubscribe(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError
