"""The search form's widgets, rendered once per language, value and attributes for a bounded set of
values (`forms_search.MemoSelect`, `MemoTextInput`, `MemoDateInput`): the same HTML as Django's
own widgets, never another request's value."""

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


PLAIN_WIDGETS = {
    "q": lambda field: forms.TextInput(attrs=field.widget.attrs),
    "starts_from": lambda field: forms.DateInput(attrs={**field.widget.attrs, "type": "date"}),
    "starts_until": lambda field: forms.DateInput(attrs={**field.widget.attrs, "type": "date"}),
    "prefecture": lambda field: forms.Select(attrs=field.widget.attrs, choices=field.choices),
    "group": lambda field: forms.TextInput(attrs=field.widget.attrs),
    "tag": lambda field: forms.TextInput(attrs=field.widget.attrs),
    "order": lambda field: forms.Select(attrs=field.widget.attrs, choices=field.choices),
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_field_renders_what_django_s_widget_renders(language):
    """Each request's form against Django's plain widgets, the memo filled by the requests
    before it (so a memo hit of another request's value would show)."""
    datasets = [
        None,
        {},
        {"q": "機械学習", "prefecture": "tokyo"},
        {"q": "", "starts_from": "", "group": "", "tag": "", "order": ""},
        {"starts_from": "2026-03-08", "starts_until": "2026-03-01"},  # an error on until
        {"starts_from": "not a date", "order": "start_desc", "tag": "#python"},
        {"group": "bad slug!", "order": "sideways"},
        {"q": "<b>&\"'", "group": "ok-group", "tag": ""},
        {},
    ]
    assert set(PLAIN_WIDGETS) == set(EventSearchForm.base_fields)
    with translation.override(language):
        for _twice in range(2):
            for data in datasets:
                form = EventSearchForm(data) if data is not None else EventSearchForm()
                form.is_valid()
                for name, make in PLAIN_WIDGETS.items():
                    field = form[name]
                    assert str(field) == field.as_widget(widget=make(field.field)), (name, data)


def test_inputs_keep_only_their_empty_rendering():
    widgets = [EventSearchForm().fields[name].widget for name in ("q", "starts_from", "group")]
    for _ in range(3):
        form = EventSearchForm({"q": "", "starts_from": "", "group": ""})
        [str(form[name]) for name in ("q", "starts_from", "group")]
    before = [len(widget._memo) for widget in widgets]
    for n in range(20):
        form = EventSearchForm(
            {"q": f"word {n}", "starts_from": f"2026-01-{n + 1:02d}", "group": f"g{n}"}
        )
        [str(form[name]) for name in ("q", "starts_from", "group")]
    assert [len(widget._memo) for widget in widgets] == before
