"""Hole punching (core/holes.py): a fragment rendered in place and through a shared page's
marker gives the same text; a hole's values must be plain (they are stored)."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from kaisai.core.holes import COLLECTOR, Collector, Punched, fill, marker_prefix

PAGE = Template(
    '{% load holes %}<p>{{ title }}</p>{% hole "registrations/_frame_mine.html" frame_pk=7 %}'
    '<i>{% hole "registrations/_frame_mine.html" frame_pk=8 %}</i>'
)


class Registration:
    frame_id = 7


def test_in_place_and_through_the_markers_give_the_same_text():
    personal = {"my_registration": Registration(), "has_active_registration": True}
    in_place = PAGE.render(Context({"title": "T", **personal}))
    collector = Collector()
    shared = PAGE.render(Context({"title": "T", COLLECTOR: collector}))
    assert marker_prefix() in shared and " mine" not in shared
    punched = Punched.of(shared.encode(), collector)
    filled = punched.assemble(lambda name, values: fill(name, values, personal).encode())
    assert filled.decode() == in_place
    assert in_place == "<p>T</p> mine<i></i>"


def test_a_holes_values_must_be_plain():
    with pytest.raises(TypeError):
        Collector().add("x.html", {"frame": object()})
