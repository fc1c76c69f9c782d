"""The search form of /events/search/ and its Atom feed: query string → EventQuery."""

from __future__ import annotations

from django import forms
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kaisai.core.prefectures import Prefecture
from kaisai.events.search import EventQuery


class _MemoWidget(forms.Widget):
    """A widget whose HTML is rendered once per (language, value, attributes) and then reused,
    for the values `memoable` accepts: a bounded set, whatever people type into the query
    string. Widgets render through templates, about 0.1 ms each (bench/search/README.md)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._memo: dict[tuple, SafeString] = {}  # shared by the copies each form makes

    def memoable(self, text: str | None) -> bool:
        raise NotImplementedError

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        # None and "" are told apart: a date input writes value="" for "", nothing for None.
        text = None if value is None else str(value)
        if not self.memoable(text):
            return super().render(name, value, attrs, renderer)
        key = (get_language(), name, text, tuple(sorted((attrs or {}).items())), type(renderer))
        html = self._memo.get(key)
        if html is None:
            html = self._memo[key] = super().render(name, value, attrs, renderer)
        return html


class MemoSelect(_MemoWidget, forms.Select):
    """The prefecture list has 48 options, each rendered through a template: about a quarter of
    the search page's time (bench/search/README.md). Its choices never change while the process
    runs, so the same language, selected value and attributes give the same HTML. Only values
    that are one of the choices (or empty) are kept."""

    def memoable(self, text: str | None) -> bool:
        return (text or "") in {str(choice) for choice, _label in self.choices}


class MemoTextInput(_MemoWidget, forms.TextInput):
    """Kept only when empty (None or "")."""

    def memoable(self, text: str | None) -> bool:
        return not text


class MemoDateInput(_MemoWidget, forms.DateInput):
    """Kept only when empty (None or "")."""

    def memoable(self, text: str | None) -> bool:
        return not text


ORDER_CHOICES = [("start", _("Soonest first")), ("start_desc", _("Latest first"))]


class EventSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=200,
        help_text=_("Events that contain every word (Japanese or English)."),
        widget=MemoTextInput,
    )
    starts_from = forms.DateField(
        label=_("From"), required=False, widget=MemoDateInput(attrs={"type": "date"})
    )
    starts_until = forms.DateField(
        label=_("Until"), required=False, widget=MemoDateInput(attrs={"type": "date"})
    )
    prefecture = forms.ChoiceField(
        label=_("Prefecture"),
        required=False,
        choices=[("", _("Anywhere"))] + list(Prefecture.choices),
        widget=MemoSelect,
    )
    group = forms.SlugField(
        label=_("Group (address name)"), required=False, max_length=50, widget=MemoTextInput
    )
    tag = forms.CharField(label=_("Hashtag"), required=False, max_length=100, widget=MemoTextInput)
    order = forms.ChoiceField(
        label=_("Order"), required=False, choices=ORDER_CHOICES, widget=MemoSelect
    )

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        first, last = cleaned.get("starts_from"), cleaned.get("starts_until")
        if first and last and last < first:
            self.add_error("starts_until", _("The end of the range is before its start."))
        return cleaned

    def event_query(self) -> EventQuery:
        data = self.cleaned_data
        tag = data.get("tag", "").strip().lstrip("#")
        return EventQuery(
            keywords=data.get("q", "").split(),  # str.split() also splits at 全角 spaces
            starts_from=data.get("starts_from"),
            starts_until=data.get("starts_until"),
            prefectures=[data["prefecture"]] if data.get("prefecture") else [],
            group_slugs=[data["group"]] if data.get("group") else [],
            tags=[tag] if tag else [],
            order=data.get("order") or "start",
        )
