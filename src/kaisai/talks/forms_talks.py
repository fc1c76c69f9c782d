"""Forms for talks: the talk's own fields, a new talk with its first speaker, adding a speaker.

Forms only parse input; the services hold the rules and their TalkError messages are put back
on the form by `show_error`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kaisai.core.markdown import MARKDOWN_HELP
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Talk
from kaisai.talks.services.talks import ORGANIZER_FIELDS


def show_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's error on the form: field errors by field, the rest on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class TalkForm(forms.ModelForm):
    """The talk's own fields; the kind only for organizers (an LT frame's talk stays an LT)."""

    class Meta:
        model = Talk
        fields = ORGANIZER_FIELDS
        widgets = {"abstract": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"abstract": MARKDOWN_HELP}

    def __init__(self, *args: Any, organizer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        talk = self.instance
        if not organizer or (talk.pk and talk.registration_id):
            del self.fields["kind"]

    def changes(self) -> dict[str, Any]:
        names = [name for name in self.fields if name in ORGANIZER_FIELDS]
        return {name: self.cleaned_data[name] for name in names}

    def _post_clean(self) -> None:
        """The service validates and saves; the form does not touch the instance."""


def _check_speaker(form: forms.BaseForm, data: dict[str, Any]) -> None:
    how = data.get("how")
    if how == "mail" and not data.get("email"):
        form.add_error("email", _("Enter the address to send the invitation to."))
    if how == "guest" and not (data.get("name") or "").strip():
        form.add_error("name", _("Enter the speaker's name."))


class SpeakerForm(forms.Form):
    """Add a speaker: an invitation link (optionally mailed), or a guest's name."""

    HOW = [
        ("link", _("Invitation link (I pass it on myself)")),
        ("mail", _("Invitation by mail")),
        ("guest", _("Guest without an account (name only)")),
    ]

    how = forms.ChoiceField(label=_("Speaker"), choices=HOW, widget=forms.RadioSelect)
    email = forms.EmailField(label=_("Speaker's e-mail"), required=False)
    name = forms.CharField(label=_("Guest's name"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        _check_speaker(self, data)
        return data


class NewTalkForm(TalkForm):
    """An organizer's new talk, with its first speaker (or none yet)."""

    HOW = [("none", _("Add speakers later")), *SpeakerForm.HOW]

    accepted = forms.BooleanField(
        label=pgettext_lazy("talk state", "Accepted"),
        required=False,
        initial=True,
        help_text=_(
            "An invited talk is usually accepted at once; leave it proposed to decide later."
        ),
    )
    how = forms.ChoiceField(
        label=_("Speaker"), choices=HOW, initial="link", widget=forms.RadioSelect
    )
    email = forms.EmailField(label=_("Speaker's e-mail"), required=False)
    name = forms.CharField(label=_("Guest's name"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, organizer=True, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        _check_speaker(self, data)
        return data

    def state(self) -> str:
        return TalkState.ACCEPTED if self.cleaned_data.get("accepted") else TalkState.PROPOSED
