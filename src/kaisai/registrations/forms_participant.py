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
from kaisai.registrations.proposals import TALK_FIELDS, TalkProposal, proposal_from, talk_fields


class QuestionMixin:
    """A questionnaire field knows its question (the template reads its kind and whether it
    is required)."""

    question: Question | None = None


class OfferedChoiceField(QuestionMixin, forms.ChoiceField):
    """Offers the question's choices; whether an answer is one of them is the service's call."""

    def valid_value(self, value: Any) -> bool:
        return True


class QuestionTextField(QuestionMixin, forms.CharField):
    pass


class OfferedMultipleChoiceField(QuestionMixin, forms.MultipleChoiceField):
    def valid_value(self, value: Any) -> bool:
        return True


def question_field(question: Question) -> forms.Field:
    choices = [(choice, choice) for choice in question.choice_list]
    field: QuestionTextField | OfferedChoiceField | OfferedMultipleChoiceField
    if question.kind == QuestionKind.SINGLE:
        field = OfferedChoiceField(choices=choices, widget=forms.RadioSelect, required=False)
    elif question.kind == QuestionKind.MULTIPLE:
        field = OfferedMultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, required=False
        )
    else:
        field = QuestionTextField(
            required=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000})
        )
        if question.required:
            field.widget.attrs["required"] = True
    field.label = question.label
    field.question = question
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
        # A title refused for its own reason (too long) already says what is wrong.
        if (
            self.wants_talk()
            and "title" not in self.errors
            and not (data.get("title") or "").strip()
        ):
            self.add_error("title", _("A speakers' frame needs the title of your talk."))
        return data

    def wants_talk(self) -> bool:
        """Whether the chosen frame is a speakers' frame (the talk is proposed with it)."""
        return self.cleaned_data.get("frame") in self.talk_frame_ids

    def talk_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in TALK_FIELDS if name in self.fields]

    def proposal(self) -> TalkProposal | None:
        """The talk proposed with a speakers' frame (None for any other frame)."""
        return proposal_from(self.cleaned_data) if self.wants_talk() else None

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
