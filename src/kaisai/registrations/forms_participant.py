"""The participant's registration form: frame, questionnaire, after-party and — for a
speakers' frame (Frame.requires_talk) — the talk proposed with it.

The questionnaire is checked by the registration service (one place for its rules, shared
with the API); this form only collects the answers and puts the service's errors next to
the fields they belong to.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from kaisai.registrations.enums import QuestionKind
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Question
from kaisai.talks.enums import TalkLanguage
from kaisai.talks.models import Talk
from kaisai.talks.services.proposals import LT_MINUTES, TalkProposal

TALK_FIELDS = ("title", "abstract", "duration", "language", "consent_stream", "consent_record")


def talk_fields() -> dict[str, forms.Field]:
    """The proposal's fields, from the Talk model (title required only for a speakers' frame)."""
    fields: dict[str, Any] = {
        name: Talk._meta.get_field(name).formfield()  # type: ignore[union-attr]
        for name in TALK_FIELDS
    }
    fields["title"].required = False
    fields["abstract"].widget = forms.Textarea(attrs={"rows": 5, "maxlength": 5000})
    fields["duration"].initial = LT_MINUTES
    fields["language"].initial = TalkLanguage.JA
    fields["consent_stream"].initial = True
    fields["consent_record"].initial = True
    return fields


class OfferedChoiceField(forms.ChoiceField):
    """Offers the question's choices; whether an answer is one of them is the service's call."""

    def valid_value(self, value: Any) -> bool:
        return True


class OfferedMultipleChoiceField(forms.MultipleChoiceField):
    def valid_value(self, value: Any) -> bool:
        return True


def question_field(question: Question) -> forms.Field:
    choices = [(choice, choice) for choice in question.choice_list]
    field: forms.Field
    if question.kind == QuestionKind.SINGLE:
        field = OfferedChoiceField(choices=choices, widget=forms.RadioSelect, required=False)
    elif question.kind == QuestionKind.MULTIPLE:
        field = OfferedMultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, required=False
        )
    else:
        field = forms.CharField(
            required=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000})
        )
        if question.required:
            field.widget.attrs["required"] = True
    field.label = question.label
    field.question = question  # type: ignore[attr-defined,union-attr]
    if question.required:
        field.widget.attrs["aria-required"] = "true"
    return field


class RegisterForm(forms.Form):
    frame = forms.TypedChoiceField(
        label=_("Frame"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a frame.")},
    )
    afterparty = forms.BooleanField(label=_("I will join the after-party"), required=False)

    def __init__(
        self,
        *args: Any,
        frames: list[Frame],
        questions: list[Question],
        has_afterparty: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Every frame of the event is a valid choice; the service says when one is closed.
        self.fields["frame"].choices = [(frame.pk, frame.name) for frame in frames]  # type: ignore[attr-defined]
        if not has_afterparty:
            del self.fields["afterparty"]
        self.talk_frame_ids = {frame.pk for frame in frames if frame.requires_talk}
        if self.talk_frame_ids:
            self.fields.update(talk_fields())
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = question_field(question)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if self.wants_talk() and not (data.get("title") or "").strip():
            self.add_error("title", _("A speakers' frame needs the title of your talk."))
        return data

    def wants_talk(self) -> bool:
        """Whether the chosen frame is a speakers' frame (the talk is proposed with it)."""
        return self.cleaned_data.get("frame") in self.talk_frame_ids

    def talk_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in TALK_FIELDS if name in self.fields]

    def proposal(self) -> TalkProposal:
        data = self.cleaned_data
        return TalkProposal(
            title=data["title"].strip(),
            abstract=data.get("abstract") or "",
            duration=data.get("duration") or LT_MINUTES,
            language=data.get("language") or TalkLanguage.JA,
            consent_stream=bool(data.get("consent_stream")),
            consent_record=bool(data.get("consent_record")),
        )

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q{question.pk}"] for question in self.questions]

    def answers(self) -> dict[str, Any]:
        """Answers keyed by question id, as `services.register` takes them."""
        return {
            str(question.pk): self.cleaned_data.get(f"q{question.pk}")
            for question in self.questions
        }

    def add_registration_error(self, error: RegistrationError) -> None:
        """Put the service's (translated) messages next to their fields: `q<id>` keys go to
        the question, the after-party's to its checkbox, everything else to the form."""
        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                self.add_error(key if key in self.fields else None, messages)
            return
        field = "afterparty" if error.reason == "afterparty_full" else NON_FIELD_ERRORS
        self.add_error(field if field in self.fields else None, error.messages)
