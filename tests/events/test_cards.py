"""The event cards written out in Python (events/cards.py): the very bytes of the template
they replace (REFERENCE below, events/_event_list.html as it was), for every branch."""

# ruff: noqa: E501 - REFERENCE is the template as it was, long lines included
from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kaisai.events.cards import event_cards
from kaisai.events.models import Event, EventStatus
from tests.factories import EventFactory, GroupFactory

REFERENCE = """{% load i18n tz %}
<ul class="card-list">
{% for event in events %}
  <li class="card">
    <h3><a href="{{ event.get_absolute_url }}">{{ event.title }}</a>
      {% if event.status == "cancelled" %}<span class="badge cancelled">{% translate "Cancelled" %}</span>{% elif event.status == "postponed" %}<span class="badge postponed">{% translate "Postponed" %}</span>{% elif event.status == "draft" %}<span class="badge draft">{% translate "Draft" %}</span>{% elif event.is_held %}<span class="badge">{% translate "Held" %}</span>{% endif %}
    </h3>
    <p class="meta">
      <time datetime="{{ event.starts_at|date:'c' }}">{{ event.starts_at|timezone:event.time_zone|date:"Y-m-d (D) H:i" }}</time>
      · <a href="{{ event.group.get_absolute_url }}">{{ event.group.title }}</a>{% if event.number %} #{{ event.number }}{% endif %}
      {% if event.place %} · {{ event.place }}{% elif event.is_online %} · {% translate "Online" %}{% endif %}
    </p>
    {% if event.catch %}<p>{{ event.catch }}</p>{% endif %}
  </li>
{% empty %}
  <li class="muted">{% translate "No events." %}</li>
{% endfor %}
</ul>
"""


def _reference(events) -> str:
    return Template(REFERENCE).render(Context({"events": events}))


def _events() -> list[Event]:
    now = timezone.now()
    plain = GroupFactory(slug="plain-group", title="Plain")
    tricky = GroupFactory(slug="tricky_Group-2", title="<b>\"R&D\" & 'co'</b>")
    made = [
        EventFactory(group=plain),
        EventFactory(group=tricky, title="<script>alert('x')</script> & co", number=12),
        EventFactory(group=plain, status=EventStatus.CANCELLED, number=1234567),
        EventFactory(group=plain, status=EventStatus.POSTPONED, catch=""),
        EventFactory(group=plain, status=EventStatus.DRAFT, place="", venue_kind="online"),
        EventFactory(
            group=plain,
            starts_at=now - timedelta(days=3),
            ends_at=now - timedelta(days=3) + timedelta(hours=2),
            place="",
            venue_kind="hybrid",
        ),
        EventFactory(group=plain, place="", venue_kind="offline", catch="<i>a & b</i>"),
        EventFactory(
            group=tricky,
            starts_at=datetime(2026, 3, 8, 6, 59, 59, 999999, tzinfo=UTC),
            ends_at=datetime(2026, 3, 8, 9, tzinfo=UTC),
            time_zone="America/New_York",
        ),
        EventFactory(
            group=tricky,
            starts_at=datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
            ends_at=datetime(2026, 11, 1, 8, tzinfo=UTC),
            time_zone="America/New_York",
        ),
        EventFactory(
            group=plain,
            starts_at=datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            ends_at=datetime(2026, 10, 25, 3, tzinfo=UTC),
            time_zone="Europe/London",
            number=7,
        ),
    ]
    return list(Event.objects.select_related("group").filter(pk__in=[e.pk for e in made]))


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York", "UTC"])
def test_the_cards_are_the_template_s_bytes(db, language, zone):
    events = _events()
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        expected = _reference(events)
        if language == "en":  # every branch is taken
            for part in ("Cancelled", "Postponed", "Draft", "Held", "· Online", " #12", "(Sun)"):
                assert part in expected
            assert "&lt;script&gt;" in expected and "<p>&lt;i&gt;a &amp; b" in expected
        assert render_to_string("events/_event_list.html", {"events": events}) == expected
        for one in events:
            assert render_to_string("events/_event_list.html", {"events": [one]}) == (
                _reference([one])
            )


@pytest.mark.parametrize("language", ["en", "ja"])
def test_no_events_says_so_as_before(db, language):
    with translation.override(language):
        for nothing in ([], None, Event.objects.none()):
            assert render_to_string("events/_event_list.html", {"events": nothing}) == (
                _reference(nothing)
            )


def test_an_unknown_time_zone_shows_no_local_time_as_before(db):
    (event,) = Event.objects.select_related("group").filter(pk=EventFactory().pk)
    event.time_zone = "Nowhere/Atlantis"
    assert render_to_string("events/_event_list.html", {"events": [event]}) == _reference([event])
    assert "></time>" in event_cards([event])


def test_pages_that_list_events_show_the_cards(client, db):
    event = EventFactory(title="Listed & found")
    for url in ("/", "/events/search/?q=Listed"):
        body = client.get(url).content.decode()
        assert f'<a href="/events/{event.pk}/">Listed &amp; found</a>' in body
