"""The recap's first draft, in Markdown, from what kaisai knows about the event.

`draft_markdown` gathers the facts once (`RecapFacts`, a fixed number of queries) and joins
what each builder of `SECTIONS` writes, in order; a builder returns "" to leave its section
out. Adding a section is one line: a function `(facts) -> str` appended to `SECTIONS`.

Survey highlights come from outside: the caller passes a function `(event) -> str` (Markdown)
as `survey_highlights`; without one, that section is left out. Recaps import nothing from a
survey app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Sum
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from kaisai.checkin.selectors import attendance_numbers
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event, Sponsor
from kaisai.registrations.models import Frame
from kaisai.talks.enums import MaterialKind, TalkKind
from kaisai.talks.selectors_materials import MaterialsPage, materials_page

SurveyHighlights = Callable[[Event], str]


@dataclass
class RecapFacts:
    event: Event
    applicants: int
    seats: int
    came: int
    materials: MaterialsPage
    sponsors: list[Sponsor]
    next_event: Event | None = None
    speaker_frames: list[Frame] = field(default_factory=list)
    survey_highlights: str = ""


def gather_facts(event: Event, *, survey_highlights: SurveyHighlights | None = None) -> RecapFacts:
    numbers = attendance_numbers(event)
    seats = Frame.objects.filter(event=event).aggregate(n=Sum("capacity"))["n"] or 0
    next_event = (
        Event.objects.filter(
            group_id=event.group_id, status=EventStatus.PUBLISHED, starts_at__gt=event.starts_at
        )
        .order_by("starts_at", "id")
        .first()
    )
    speaker_frames = (
        list(Frame.objects.filter(event=next_event, requires_talk=True).order_by("order", "id"))
        if next_event is not None
        else []
    )
    return RecapFacts(
        event=event,
        applicants=int(numbers["total"] or 0),
        seats=seats,
        came=int(numbers["attended"] or 0),
        materials=materials_page(event, AnonymousUser()),
        sponsors=list(event.sponsors.all()),
        next_event=next_event,
        speaker_frames=speaker_frames,
        survey_highlights=(survey_highlights(event) if survey_highlights else "").strip(),
    )


# --- helpers ------------------------------------------------------------------------------


def _text(value: str) -> str:
    """User-written text inside Markdown: one line, brackets that could open a link escaped."""
    line = " ".join((value or "").split())
    for char in "\\[]*_`<>":
        line = line.replace(char, "\\" + char)
    return line


def _link(label: str, url: str) -> str:
    return f"[{_text(label)}]({url.replace(' ', '%20').replace(')', '%29')})"


def _absolute(path: str) -> str:
    return settings.BASE_URL + path


def _local(moment: datetime, event: Event) -> datetime:
    return moment.astimezone(event.tz)


def _when(event: Event) -> str:
    starts, ends = _local(event.starts_at, event), _local(event.ends_at, event)
    day = formats.date_format(starts, "Y-m-d (D)")
    if starts.date() == ends.date():
        return f"{day} {starts:%H:%M}–{ends:%H:%M}"
    return f"{day} {starts:%H:%M} – {formats.date_format(ends, 'Y-m-d (D)')} {ends:%H:%M}"


def _where(event: Event) -> str:
    parts = [_text(event.place), _text(event.address)]
    place = " ".join(part for part in parts if part)
    if event.is_online:
        online = _("online")
        return f"{place} / {online}" if place else online
    return place


# --- sections -----------------------------------------------------------------------------


def overview_section(facts: RecapFacts) -> str:
    event = facts.event
    lines = [
        _("Thank you for coming to %(title)s!") % {"title": _text(event.numbered_title)},
        "",
        f"- {_('Date')}: {_when(event)}",
    ]
    where = _where(event)
    if where:
        lines.append(f"- {_('Place')}: {where}")
    lines.append(
        "- "
        + _("Applicants: %(applicants)d / Seats: %(seats)d / Came: %(came)d")
        % {"applicants": facts.applicants, "seats": facts.seats, "came": facts.came}
    )
    return "\n".join(lines)


def _material_line(material) -> str:
    label = {
        MaterialKind.SLIDE: _("Slides"),
        MaterialKind.MOVIE: _("Video"),
        MaterialKind.BLOG: _("Post"),
    }.get(material.kind, _("Link"))
    title = material.title or material.url
    return f"  - {label}: {_link(title, material.url)}"


def _talk_block(row) -> str:
    speakers = ", ".join(_text(speaker.display_name) for speaker in row.speakers)
    lines = [f"- **{_text(row.talk.title)}**" + (f" — {speakers}" if speakers else "")]
    lines += [_material_line(material) for material in row.materials]
    return "\n".join(lines)


def talks_section(facts: RecapFacts) -> str:
    rows = [row for row in facts.materials.talks if row.talk.kind != TalkKind.LT]
    if not rows:
        return ""
    return "## " + _("Talks") + "\n\n" + "\n".join(_talk_block(row) for row in rows)


def lightning_talks_section(facts: RecapFacts) -> str:
    rows = [row for row in facts.materials.talks if row.talk.kind == TalkKind.LT]
    if not rows:
        return ""
    return "## " + _("Lightning talks") + "\n\n" + "\n".join(_talk_block(row) for row in rows)


def event_materials_section(facts: RecapFacts) -> str:
    materials = facts.materials.event_materials
    if not materials:
        return ""
    lines = [_material_line(material).strip() for material in materials]
    return "## " + _("Videos and materials") + "\n\n" + "\n".join(lines)


def sponsors_section(facts: RecapFacts) -> str:
    if not facts.sponsors:
        return ""
    lines = []
    for sponsor in facts.sponsors:
        name = _link(sponsor.name, sponsor.url) if sponsor.url else _text(sponsor.name)
        provides = f" ({_text(sponsor.provides)})" if sponsor.provides else ""
        lines.append(f"- {name}{provides}")
    intro = _("Many thanks to our sponsors:")
    return "## " + _("Thanks") + "\n\n" + intro + "\n\n" + "\n".join(lines)


def survey_section(facts: RecapFacts) -> str:
    """Filled only when the caller gave a function that returns the survey's highlights."""
    if not facts.survey_highlights:
        return ""
    return "## " + _("Survey highlights") + "\n\n" + facts.survey_highlights


def next_event_section(facts: RecapFacts) -> str:
    upcoming = facts.next_event
    if upcoming is None:
        return ""
    lines = [
        _("The next event: %(link)s on %(date)s.")
        % {
            "link": _link(upcoming.numbered_title, _absolute(upcoming.get_absolute_url())),
            "date": formats.date_format(_local(upcoming.starts_at, upcoming), "Y-m-d (D) H:i"),
        }
    ]
    register = reverse("registrations:register", kwargs={"pk": upcoming.pk})
    for frame in facts.speaker_frames:
        lines += [
            "",
            _("We are looking for speakers (%(frame)s): %(link)s")
            % {
                "frame": _text(frame.name),
                "link": _link(_("apply to speak"), _absolute(f"{register}?frame={frame.pk}")),
            },
        ]
    return "## " + _("Next time") + "\n\n" + "\n".join(lines)


# The recap's sections, in order. A new section is one line here.
SECTIONS: list[Callable[[RecapFacts], str]] = [
    overview_section,
    talks_section,
    lightning_talks_section,
    event_materials_section,
    sponsors_section,
    survey_section,
    next_event_section,
]


def draft_markdown(event: Event, *, survey_highlights: SurveyHighlights | None = None) -> str:
    facts = gather_facts(event, survey_highlights=survey_highlights)
    parts = [builder(facts) for builder in SECTIONS]
    return "\n\n".join(part.strip() for part in parts if part.strip()) + "\n"
