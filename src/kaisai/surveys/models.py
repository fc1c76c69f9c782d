"""The post-event survey (アンケート): docs/survey.md.

Anonymity is kept by the tables' shape: a response (`SurveyResponse`) and its answers carry a
person only when the survey is not anonymous; who has answered is a separate marker
(`SurveyRespondent`) with no link to the response. Response-side rows have random (UUID) keys
and no time, so neither order nor time joins a marker to a response.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaisai.events.models import Event
from kaisai.surveys.enums import SurveyKind
from kaisai.talks.models import Talk


class Survey(models.Model):
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="survey")
    anonymous = models.BooleanField(
        _("answers are anonymous"),
        default=True,
        help_text=_("Answers are stored without the person; nobody can see who answered what."),
    )
    per_talk = models.BooleanField(_("ask for a rating and a comment on each talk"), default=False)
    # The organizer's go: the worker sends the survey after the event's end once this is set.
    scheduled = models.BooleanField(_("send after the event"), default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return f"survey of {self.event_id}"


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=300)
    kind = models.CharField(
        _("kind"), max_length=16, choices=SurveyKind.choices, default=SurveyKind.RATING
    )
    choices = models.TextField(_("choices"), blank=True, help_text=_("One choice per line."))
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class SurveyRespondent(models.Model):
    """ "This person has answered": only the marker that stops a second answer."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="respondents")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="survey_respondent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} answered {self.survey_id}"


class SurveyResponse(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # Only for a survey that is not anonymous.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return str(self.pk)


class SurveyAnswer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField(default=str)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class TalkFeedback(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="talk_feedback"
    )
    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="survey_feedback")
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True, max_length=2000)

    def __str__(self) -> str:
        return f"{self.talk_id}: {self.rating}"
