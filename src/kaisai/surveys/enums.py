from django.db import models
from django.utils.translation import gettext_lazy as _

from kaisai.registrations.enums import QuestionKind


class SurveyKind(models.TextChoices):
    """The registration questionnaire's kinds of question, plus a 1–5 rating."""

    TEXT = QuestionKind.TEXT.value, QuestionKind.TEXT.label
    SINGLE = QuestionKind.SINGLE.value, QuestionKind.SINGLE.label
    MULTIPLE = QuestionKind.MULTIPLE.value, QuestionKind.MULTIPLE.label
    RATING = "rating", _("Rating (1–5)")


RATINGS = (1, 2, 3, 4, 5)
