from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kaisai.surveys.enums import SurveyKind


class SettingsForm(forms.Form):
    anonymous = forms.BooleanField(
        label=_("Answers are anonymous"),
        required=False,
        help_text=_("Answers are stored without the person; nobody can see who answered what."),
    )
    per_talk = forms.BooleanField(
        label=_("Ask for a rating and a comment on each talk"), required=False
    )


class QuestionForm(forms.Form):
    label = forms.CharField(label=_("Question"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyKind.choices, initial=SurveyKind.RATING)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One choice per line (for the choice kinds)."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
