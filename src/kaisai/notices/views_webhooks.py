"""Stub: filled in by its owner."""

from django.http import HttpRequest, HttpResponse


def webhooks(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def delete(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError
