"""Stub: filled in by its owner."""

from django.http import HttpRequest, HttpResponse


def messages(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def message_detail(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError
