"""The form to add a group webhook."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        validators=[
            URLValidator(
                schemes=["http", "https"],
                message=_("Enter a web address starting with https:// or http://."),
            )
        ],
        help_text=_(
            "A Slack or Discord incoming webhook, or your own endpoint. It is told about new "
            "registrations, cancellations and promotions."
        ),
    )
