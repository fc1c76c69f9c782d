"""The talk proposed with a registration to a speakers' frame (`Frame.requires_talk`).

The registration core owns the rule "a speakers' frame needs a talk" (`services.register`,
`services.move_registration`), so the proposal is its own small value, written by the talk
writer that talks connect (`registrations.hooks`). The form fields here collect it on the
participant's pages; talks validate it against their model before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

LT_MINUTES = 5
DEFAULT_LANGUAGE = "ja"
# The languages a talk may be given in: the site's languages, or another one.
LANGUAGE_CHOICES: list[tuple[str, Any]] = [*settings.LANGUAGES, ("other", _("Other"))]
TALK_FIELDS = ("title", "abstract", "duration", "language", "consent_stream", "consent_record")


@dataclass(frozen=True)
class TalkProposal:
    """What a speakers' frame asks for on registration (a lightning talk)."""

    title: str
    abstract: str = ""
    duration: int = LT_MINUTES
    language: str = DEFAULT_LANGUAGE
    consent_stream: bool = True
    consent_record: bool = True


def talk_fields() -> dict[str, forms.Field]:
    """The proposal's form fields (the title is required only for a speakers' frame)."""
    return {
        "title": forms.CharField(label=capfirst(_("title")), max_length=200, required=False),
        "abstract": forms.CharField(
            label=capfirst(_("abstract")),
            required=False,
            max_length=5000,
            help_text=_("Markdown."),
            widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000}),
        ),
        "duration": forms.IntegerField(
            label=capfirst(_("duration (minutes)")), min_value=1, max_value=600, initial=LT_MINUTES
        ),
        "language": forms.ChoiceField(
            label=capfirst(_("language")), choices=LANGUAGE_CHOICES, initial=DEFAULT_LANGUAGE
        ),
        "consent_stream": forms.BooleanField(
            label=capfirst(_("may be streamed")), required=False, initial=True
        ),
        "consent_record": forms.BooleanField(
            label=capfirst(_("may be recorded")), required=False, initial=True
        ),
    }


def proposal_from(data: dict[str, Any]) -> TalkProposal:
    """The proposal in a form's cleaned data."""
    return TalkProposal(
        title=(data.get("title") or "").strip(),
        abstract=data.get("abstract") or "",
        duration=data.get("duration") or LT_MINUTES,
        language=data.get("language") or DEFAULT_LANGUAGE,
        consent_stream=bool(data.get("consent_stream")),
        consent_record=bool(data.get("consent_record")),
    )


class TalkProposalForm(forms.Form):
    """The talk fields alone: the participant's change of frame into a speakers' frame."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(talk_fields())

    def proposal(self) -> TalkProposal | None:
        """The proposal, or None if no title was given."""
        proposal = proposal_from(self.cleaned_data)
        return proposal if proposal.title else None
