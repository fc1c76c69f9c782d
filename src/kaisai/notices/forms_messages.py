"""The organizer's message form: audience, subject, Markdown body."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kaisai.core.markdown import MARKDOWN_HELP
from kaisai.notices.enums import Audience
from kaisai.notices.models import OrganizerMessage


class MessageForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("To"), choices=Audience.choices, widget=forms.RadioSelect, initial=Audience.ACCEPTED
    )
    subject = forms.CharField(
        label=_("Subject"), max_length=OrganizerMessage._meta.get_field("subject").max_length
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=format_lazy(
            "{} {}", MARKDOWN_HELP, _("Preview shows it as recipients will see it.")
        ),
    )

    def clean_subject(self) -> str:
        # A subject is one header line.
        return " ".join(self.cleaned_data["subject"].split())
