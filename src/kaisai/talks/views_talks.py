"""Stub: filled in by its owner."""

from django.http import HttpRequest, HttpResponse


def manage(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def create(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def detail(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def edit(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def decide(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def withdraw(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def invitation(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError
