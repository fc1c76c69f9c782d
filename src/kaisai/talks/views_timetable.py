"""Stub: filled in by its owner."""

from django.http import HttpRequest, HttpResponse


def edit_timetable(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def frab_json(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def frab_xml(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError


def talk_ics(request: HttpRequest, **kwargs) -> HttpResponse:
    raise NotImplementedError
