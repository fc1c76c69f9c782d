"""Stub: filled in by its owner."""

from django.http import HttpRequest, HttpResponse


def materials(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def add(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def delete(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError
