"""The registrations of an event as CSV for organizers (Excel-friendly).

- UTF-8 with a byte-order mark, so that Excel opens Japanese names correctly;
- times in the event's own zone;
- the columns apps above registrations add (`column_providers`: checkin adds whether and
  when each person checked in, and their ticket's receipt number);
- one column per question (multiple choices joined by "; ");
- cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a
  carriage return) are prefixed with an apostrophe (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from kaisai.events.models import Event
from kaisai.registrations.models import Answer, Question, Registration

BOM = "\ufeff"

# A provider is called once per export with the event; it returns its column names and a
# function giving a registration's cells. Apps above registrations append theirs in their
# AppConfig.ready() (checkin: check-in and receipt number); the columns follow "Registered at".
RowCells = Callable[[Registration], list[Any]]
ColumnProvider = Callable[[Event], tuple[list[str], RowCells]]
column_providers: list[ColumnProvider] = []


def add_column_provider(provider: ColumnProvider) -> None:
    if provider not in column_providers:
        column_providers.append(provider)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise a text cell that a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _answer_text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return "" if value is None else str(value)


def local_time(moment: datetime, event: Event) -> str:
    return moment.astimezone(event.tz).strftime("%Y-%m-%d %H:%M")


def header(questions: Iterable[Question], extra: Iterable[str] = ()) -> list[str]:
    return [
        _("Registration ID"),
        _("Nickname"),
        _("Display name"),
        _("E-mail"),
        _("Frame"),
        _("Status"),
        _("Waitlist position"),
        _("Standby at the door"),
        _("Nominated"),
        _("After-party"),
        _("Registered at"),
        *extra,
        *(question.label for question in questions),
    ]


def registrations_csv(
    event: Event, registrations: list[Registration], questions: list[Question]
) -> str:
    """The CSV text (BOM first). `registrations` come with `user` and `frame` loaded and
    `.position` set (selectors.with_waitlist_positions); answers are read in one query."""
    answers: dict[tuple[int, int], Any] = {
        (registration_id, question_id): value
        for registration_id, question_id, value in Answer.objects.filter(
            registration__event=event
        ).values_list("registration_id", "question_id", "value")
    }
    extras = [provider(event) for provider in column_providers]
    yes, no = _("yes"), _("no")
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    extra_headers = [name for names, _cells in extras for name in names]
    writer.writerow([safe_cell(cell) for cell in header(questions, extra_headers)])
    for r in registrations:
        row = [
            r.pk,
            r.user.nickname,
            r.user.display_name,
            r.user.email,
            r.frame.name,
            r.get_status_display(),
            getattr(r, "position", None) or "",
            yes if r.standby else no,
            yes if r.nominated else no,
            yes if r.afterparty else no,
            r.created_at.astimezone(event.tz).strftime("%Y-%m-%d %H:%M"),
            *(cell for _names, cells in extras for cell in cells(r)),
            *(_answer_text(answers.get((r.pk, q.pk))) for q in questions),
        ]
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
