"""The search form's prefecture select, rendered once per language, value and attributes
(`forms_search.MemoSelect`): the same HTML as a plain Select, never another request's choice."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from kaisai.events.forms_search import EventSearchForm, MemoSelect


def plain(form: EventSearchForm) -> str:
    """The prefecture field rendered by Django's own Select."""
    field = form["prefecture"]
    widget = forms.Select(choices=field.field.choices)
    return field.as_widget(widget=widget)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"prefecture": "tokyo"},
        {"prefecture": "osaka", "q": "x"},
        {"prefecture": "online"},
        {"prefecture": "not-a-prefecture"},  # invalid: aria-invalid and the error
        {"prefecture": ""},
    ],
)
def test_memo_select_renders_what_a_plain_select_renders(language, data):
    with translation.override(language):
        for _twice in range(2):
            form = EventSearchForm(data) if data else EventSearchForm()
            form.is_valid()
            assert str(form["prefecture"]) == plain(form)


def test_memo_select_keeps_only_valid_values():
    widget = EventSearchForm().fields["prefecture"].widget
    assert isinstance(widget, MemoSelect)
    before = len(widget._memo)
    for n in range(20):
        str(EventSearchForm({"prefecture": f"nowhere-{n}"})["prefecture"])
    assert len(widget._memo) == before


def test_search_page_marks_the_asked_prefecture_each_time(client, db):
    for prefecture, other in (("tokyo", "osaka"), ("osaka", "tokyo"), ("tokyo", "osaka")):
        page = client.get("/events/search/", {"prefecture": prefecture}).content.decode()
        assert f'<option value="{prefecture}" selected>' in page
        assert f'<option value="{other}" selected>' not in page
    japanese = client.get(
        "/events/search/", {"prefecture": "tokyo"}, headers={"accept-language": "ja"}
    ).content.decode()
    assert '<option value="tokyo" selected>東京都</option>' in japanese
