"""Stub: filled in by its owner."""

from django.http import HttpRequest, HttpResponse


def cancel_link(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def reconfirm_link(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def event_settings(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def reconfirmation(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError
