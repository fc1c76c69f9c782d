"""Reads of surveys: who came, the talks asked about, and the results (docs/survey.md)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kaisai.checkin.models import CheckIn
from kaisai.events.models import Event
from kaisai.surveys.enums import RATINGS, SurveyKind
from kaisai.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    TalkFeedback,
)
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Talk

BAR_WIDTH = 190
BAR_LEFT = 90


def survey_of(event: Event) -> Survey | None:
    return Survey.objects.filter(event=event).first()


def questions_of(survey: Survey) -> list[SurveyQuestion]:
    if survey.pk is None:  # not saved yet (the builder before its first change)
        return []
    return list(survey.questions.all())


def talks_asked(survey: Survey) -> list[Talk]:
    """The talks a per-talk survey asks about: the event's accepted talks."""
    if not survey.per_talk:
        return []
    return list(
        Talk.objects.filter(event_id=survey.event_id, state=TalkState.ACCEPTED).order_by(
            "slot__starts_at", "pk"
        )
    )


def attendee_ids(event: Event) -> list[int]:
    """Those who came (checked in), once each."""
    return list(
        CheckIn.objects.filter(event=event)
        .values_list("registration__user_id", flat=True)
        .distinct()
        .order_by("registration__user_id")
    )


def came(event: Event, user_id: int) -> bool:
    return CheckIn.objects.filter(event=event, registration__user_id=user_id).exists()


@dataclass
class Bar:
    label: str
    count: int
    share: float  # 0..1 of the largest count, for the bar's length

    @property
    def width(self) -> str:
        """The bar's length in the chart's units (BAR_WIDTH for the largest count)."""
        return f"{self.share * BAR_WIDTH:.1f}"

    @property
    def count_x(self) -> str:
        return f"{BAR_LEFT + self.share * BAR_WIDTH + 6:.1f}"


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)
    average: float | None = None
    texts: list[str] = field(default_factory=list)


@dataclass
class TalkResult:
    talk: Talk
    ratings: int = 0
    average: float | None = None
    bars: list[Bar] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


@dataclass
class Results:
    survey: Survey
    responses: int
    questions: list[QuestionResult]
    talks: list[TalkResult]


def _bars(labels: list[str], counts: Counter) -> list[Bar]:
    top = max([1, *counts.values()])
    return [Bar(label, counts.get(label, 0), counts.get(label, 0) / top) for label in labels]


def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _talk_result(talk: Talk, rows: list[TalkFeedback]) -> TalkResult:
    ratings = [row.rating for row in rows if row.rating]
    return TalkResult(
        talk=talk,
        ratings=len(ratings),
        average=_average(ratings),
        bars=_bars([str(r) for r in RATINGS], Counter(str(r) for r in ratings)),
        comments=[row.comment for row in rows if row.comment],
    )


def results(survey: Survey) -> Results:
    """Aggregates of every question and every talk (a fixed number of queries)."""
    questions = questions_of(survey)
    by_question: dict[int, list[Any]] = {q.pk: [] for q in questions}
    for question_id, value in SurveyAnswer.objects.filter(response__survey=survey).values_list(
        "question_id", "value"
    ):
        by_question.setdefault(question_id, []).append(value)
    out: list[QuestionResult] = []
    for question in questions:
        values = [v for v in by_question[question.pk] if v not in ("", [], None)]
        result = QuestionResult(question=question, answered=len(values))
        if question.kind == SurveyKind.RATING:
            numbers = [int(v) for v in values]
            result.average = _average(numbers)
            result.bars = _bars([str(r) for r in RATINGS], Counter(str(n) for n in numbers))
        elif question.kind == SurveyKind.TEXT:
            result.texts = [str(v) for v in values]
        else:
            chosen: Counter = Counter()
            for v in values:
                chosen.update(v if isinstance(v, list) else [v])
            result.bars = _bars(question.choice_list, chosen)
        out.append(result)
    feedback: dict[int, list[TalkFeedback]] = {}
    for row in TalkFeedback.objects.filter(response__survey=survey).order_by("talk_id"):
        feedback.setdefault(row.talk_id, []).append(row)
    talks = [_talk_result(t, feedback.get(t.pk, [])) for t in talks_asked(survey)]
    return Results(
        survey=survey,
        responses=SurveyResponse.objects.filter(survey=survey).count(),
        questions=out,
        talks=talks,
    )


def talk_feedback(talk: Talk) -> TalkResult:
    """The ratings and comments on one talk (for its speakers): nothing of any other talk."""
    return _talk_result(talk, list(TalkFeedback.objects.filter(talk=talk)))


def csv_rows(survey: Survey) -> list[list[str]]:
    """One row per response: (the person, unless anonymous), each question, each talk's
    rating and comment."""
    questions = questions_of(survey)
    talks = talks_asked(survey)
    header = [] if survey.anonymous else ["person"]
    header += [q.label for q in questions]
    for talk in talks:
        header += [f"{talk.title} (rating)", f"{talk.title} (comment)"]
    rows = [header]
    responses = SurveyResponse.objects.filter(survey=survey).select_related("user")
    responses = responses.prefetch_related("answers", "talk_feedback")
    for response in responses.order_by("user__nickname", "id"):
        answers = {a.question_id: a.value for a in response.answers.all()}
        by_talk = {f.talk_id: f for f in response.talk_feedback.all()}
        row = [] if survey.anonymous else [response.user.name if response.user else ""]
        for q in questions:
            value = answers.get(q.pk, "")
            row.append("; ".join(value) if isinstance(value, list) else str(value))
        for talk in talks:
            f = by_talk.get(talk.pk)
            row += [str(f.rating or "") if f else "", f.comment if f else ""]
        rows.append(row)
    return rows


def highlights(event: Event) -> str:
    """The survey's numbers for a recap draft (recaps.drafting's `survey_highlights`), in
    Markdown: how many answered, each rating question's average, each talk's average. Text
    answers and comments are left out: people wrote them to the organizers, not to the public.
    Empty when the event has no survey or nobody answered."""
    survey = survey_of(event)
    if survey is None:
        return ""
    summary = results(survey)
    if not summary.responses:
        return ""
    lines = [
        ngettext(
            "%(count)d person answered the survey.",
            "%(count)d people answered the survey.",
            summary.responses,
        )
        % {"count": summary.responses},
        "",
    ]
    for result in summary.questions:
        if result.average is not None:
            lines.append(
                _("- %(question)s: %(average).1f / 5 (%(count)d answers)")
                % {
                    "question": result.question.label,
                    "average": result.average,
                    "count": result.answered,
                }
            )
    for talk in summary.talks:
        if talk.average is not None:
            lines.append(
                _("- “%(title)s”: %(average).1f / 5 (%(count)d ratings)")
                % {"title": talk.talk.title, "average": talk.average, "count": talk.ratings}
            )
    return "\n".join(lines).strip()
