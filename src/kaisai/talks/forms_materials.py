"""The form that adds a material: which talk (or the whole event), kind, link, title.

The form parses input; the rules (http(s) only, who may add to which talk) live in
talks.services.materials, whose MaterialError messages are put back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kaisai.talks.enums import MaterialKind
from kaisai.talks.models import Talk

EVENT_LEVEL = ""


class MaterialForm(forms.Form):
    talk = forms.ChoiceField(label=_("Talk"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=MaterialKind.choices)
    url = forms.CharField(
        label=_("Link"),
        max_length=1000,
        widget=forms.URLInput(attrs={"placeholder": "https://speakerdeck.com/…"}),
        help_text=_(
            "Speaker Deck, Docswell, Google Slides, SlideShare and YouTube links are shown "
            "embedded; other links as plain links."
        ),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Empty: taken from the slides' or video's page where the host tells it."),
    )

    def __init__(self, *args: Any, talks: list[Talk], event_level: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.talks = {str(talk.pk): talk for talk in talks}
        choices: list[tuple[str, str]] = [(str(t.pk), t.title) for t in talks]
        if event_level:
            choices.insert(0, (EVENT_LEVEL, str(_("The whole event"))))
        self.fields["talk"].choices = choices  # type: ignore[attr-defined]
        self.fields["talk"].required = not event_level

    def clean_talk(self) -> Talk | None:
        value = self.cleaned_data.get("talk") or EVENT_LEVEL
        if value == EVENT_LEVEL:
            return None
        if value not in self.talks:
            raise ValidationError(_("Choose one of your talks."))
        return self.talks[value]

    def show_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)
