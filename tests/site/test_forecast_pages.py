"""The organizer's forecast pages (issue 12): the event's forecast card, the compact card on
the registrations page, the group's history of forecast against actual (SVG chart, table,
CSV). Who may see them, that the numbers are the forecast selectors', the query count."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.forecast.backtest import EventResult
from kaisai.forecast.selectors import FrameForecast
from kaisai.groups.enums import Role
from kaisai.registrations import services
from kaisai.registrations.models import Frame, Registration
from kaisai.site import charts, selectors_forecast
from tests.conftest import login
from tests.factories import EventFactory, OrganizerFactory, UserFactory

SVG = "{http://www.w3.org/2000/svg}"


def forecast_url(event) -> str:
    return reverse("registrations:forecast", kwargs={"pk": event.pk})


def history_url(group) -> str:
    return reverse("groups:forecast_history", kwargs={"slug": group.slug})


def history_csv_url(group) -> str:
    return reverse("groups:forecast_history_csv", kwargs={"slug": group.slug})


@pytest.fixture
def frame(make_frame):
    return make_frame(capacity=100, name="General")


def fill(frame, count: int, status: str = "accepted") -> None:
    rows = [
        Registration(event_id=frame.event_id, frame=frame, user=UserFactory(), status=status,
                     waitlist_key=index + 1 if status == "waitlisted" else None)
        for index in range(count)
    ]  # fmt: skip
    Registration.objects.bulk_create(rows)


def known_forecast(**overrides) -> FrameForecast:
    values = {
        "expected_attendance": 87.3, "low": 79, "high": 95, "overflow_probability": 0.042,
        "recommended_accept": 131, "accepted": 120, "waitlisted": 30,
        "expected_promotions": 4.5, "based_on_history": True,
        "explanation": "Regulars <b>come</b>: 70% of the accepted came at the last 4 events.",
    }  # fmt: skip
    values.update(overrides)
    return FrameForecast(**values)


def patch_forecast(monkeypatch, frame, asked=None, **overrides):
    """The card reads `forecast.selectors.event_forecast`: answer with known numbers."""

    def fake(event, *, risk=None):
        if asked is not None:
            asked.append(event.pk)
        return [known_forecast(frame_id=frame.pk, capacity=frame.capacity, **overrides)]

    monkeypatch.setattr(selectors_forecast, "event_forecast", fake)


# --- who may ------------------------------------------------------------------------------


def _organizer_pages(event, group):
    return [forecast_url(event), history_url(group), history_csv_url(group)]


def test_anonymous_goes_to_login(client, event, group):
    for url in _organizer_pages(event, group):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_reception_and_participants_forbidden(client, event, group, frame):
    reception = OrganizerFactory(group=group, role=Role.RECEPTION).user
    for person in (reception, UserFactory()):
        login(client, person)
        for url in _organizer_pages(event, group):
            assert client.get(url).status_code == 403, url


def test_reception_registrations_page_has_no_forecast(client, event, group, frame):
    login(client, OrganizerFactory(group=group, role=Role.RECEPTION).user)
    page = client.get(reverse("registrations:registrations", kwargs={"pk": event.pk}))
    assert page.status_code == 200
    assert b"forecast-compact" not in page.content
    assert forecast_url(event).encode() not in page.content


def test_organizer_of_another_group_forbidden_and_draft_hidden(client, event, group, outsider):
    login(client, outsider)
    for url in _organizer_pages(event, group):
        assert client.get(url).status_code == 403, url
    draft = EventFactory(group=group, status=EventStatus.DRAFT)
    assert client.get(forecast_url(draft)).status_code == 404


def test_unknown_group_and_event_404(client, organizer):
    login(client, organizer)
    nope = reverse("groups:forecast_history", kwargs={"slug": "nope"})
    assert client.get(nope).status_code == 404
    assert client.get(reverse("registrations:forecast", kwargs={"pk": 999999})).status_code == 404


def test_co_organizer_sees_the_card(client, event, group, frame):
    login(client, OrganizerFactory(group=group, role=Role.ORGANIZER).user)
    assert client.get(forecast_url(event)).status_code == 200
    assert client.get(history_url(group)).status_code == 200


# --- the card -----------------------------------------------------------------------------


def test_card_shows_the_forecast_selectors_numbers(client, event, organizer, frame, monkeypatch):
    asked: list[int] = []
    patch_forecast(monkeypatch, frame, asked)
    login(client, organizer)
    page = client.get(forecast_url(event))
    assert page.status_code == 200
    assert asked == [event.pk]
    text = page.content.decode()
    assert 'class="forecast-expected">87<' in text
    assert "79–95" in text
    assert "4.2%" in text
    assert 'class="forecast-empty">13<' in text  # 100 seats - 87.3 expected
    assert "Promote 11 from the waitlist." in text  # 131 recommended - 120 accepted
    assert "Regulars &lt;b&gt;come&lt;/b&gt;" in text  # the explanation, escaped
    assert "<b>come</b>" not in text
    assert 'aria-current="page">Forecast<' in text  # the management navigation


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"recommended_accept": 160}, "Promote 30 from the waitlist and accept 10 more."),
        ({"waitlisted": 0}, "Accept 11 more."),
        ({"recommended_accept": 115}, "5 more accepted than recommended"),
        ({"recommended_accept": 120}, "Nothing to add"),
        ({"based_on_history": False}, "No history yet"),
    ],
)
def test_card_next_step(client, event, organizer, frame, monkeypatch, overrides, says):
    patch_forecast(monkeypatch, frame, **overrides)
    login(client, organizer)
    assert says in client.get(forecast_url(event)).content.decode()


def test_card_never_shows_a_persons_probability(client, event, organizer, frame):
    fill(frame, 5)
    names = list(Registration.objects.filter(frame=frame).values_list("user__nickname", flat=True))
    login(client, organizer)
    text = client.get(forecast_url(event)).content.decode()
    assert not any(name and name in text for name in names)


def test_compact_card_on_the_registrations_page(client, event, organizer, frame, monkeypatch):
    patch_forecast(monkeypatch, frame)
    login(client, organizer)
    text = client.get(reverse("registrations:registrations", kwargs={"pk": event.pk})).content
    text = text.decode()
    assert "forecast-compact" in text
    assert "General: about 87 of 100 seats (79–95), more arrivals than seats 4.2%" in text
    assert "11 more to accept or promote" in text
    assert forecast_url(event) in text


def test_card_query_count_does_not_grow_with_registrations(client, event, organizer, make_frame):
    small = make_frame(capacity=100, name="Small")
    big = make_frame(capacity=100, name="Big", target=EventFactory(group=event.group))
    fill(small, 10)
    fill(big, 200 - 60, "accepted")
    fill(big, 60, "waitlisted")
    login(client, organizer)
    client.get(forecast_url(small.event))  # warm caches (session, site)
    with CaptureQueriesContext(connection) as few:
        assert client.get(forecast_url(small.event)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(forecast_url(big.event)).status_code == 200
    assert len(many) == len(few)


def test_card_without_frames(client, event, organizer):
    login(client, organizer)
    assert "No frame with seats yet." in client.get(forecast_url(event)).content.decode()


def test_navigation_links_to_the_card(client, event, organizer, frame):
    login(client, organizer)
    page = client.get(reverse("registrations:frames", kwargs={"pk": event.pk}))
    assert forecast_url(event) in page.content.decode()


# --- history: chart, table, CSV -------------------------------------------------------------


@pytest.fixture
def history(group, monkeypatch):
    start = timezone.now() - timedelta(days=300)

    def held(days: int, **fields):
        when = start + timedelta(days=days)
        return EventFactory(
            group=group, starts_at=when, ends_at=when + timedelta(hours=2), **fields
        )

    events = [held(60 * n, number=n, title=f"MLCT #{n}") for n in (1, 2)]
    odd = held(200, number=None, title='<script>alert("x")</script> & =cmd')
    for held_event, seats in ((events[0], 90), (events[1], 60), (odd, 80)):
        Frame.objects.create(event=held_event, name="General", capacity=seats)
    Frame.objects.create(event=events[1], name="LT", capacity=40)

    def result(event, accepted, expected, low, high, actual, base):
        return EventResult(event.pk, event.title, event.starts_at, accepted, expected, low,
                           high, actual, base)  # fmt: skip

    rows = [
        result(events[1], 110, 71.2, 63, 79, 74, 77.0),
        result(events[0], 95, 65.0, 57, 73, 81, 66.5),
        result(odd, 85, 55.5, 48, 63, 52, 59.5),
    ]
    monkeypatch.setattr(selectors_forecast, "group_forecast_history", lambda g: rows)
    return events


def test_history_page_chart_and_table(client, group, organizer, history):
    login(client, organizer)
    page = client.get(history_url(group))
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and "forecast-history-table" in text
    assert "<script>alert" not in text
    # oldest first; the second event's actual is outside its interval
    assert text.index("#1") < text.index("#2")
    assert "71.2" in text and "63–79" in text and "outside" in text


def test_history_chart_is_well_formed_and_escaped(history):
    rows = selectors_forecast.forecast_history(history[0].group)
    svg = charts.history_svg(rows)
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "Forecast against actual attendance"
    labels = [t.text for t in root.iter(f"{SVG}text") if t.text and not t.text.isdigit()]
    assert labels == ["#1", "#2", "<script>aler"]  # cut to 12 characters, then escaped
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == 3
    tips = [g.find(f"{SVG}title").text for g in root.findall(f"{SVG}g")]
    assert tips[0] == "#1: expected 65 (57–73), came 81, seats 90"
    assert "<script>" in tips[2]  # as text, not markup
    assert "<script>" not in svg


def test_history_chart_empty():
    root = ET.fromstring(charts.history_svg([]))  # noqa: S314 - our own output
    assert root.findall(f"{SVG}g") == []


def test_history_csv(client, group, organizer, history):
    login(client, organizer)
    response = client.get(history_csv_url(group))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["event", "number", "starts at", "seats", "accepted", "expected attendance",
                       "low (5%)", "high (95%)", "came",
                       "expected by the group's base rate alone"]  # fmt: skip
    assert [r[1] for r in rows[1:]] == ["1", "2", ""]
    assert rows[1][3:] == ["90", "95", "65.0", "57", "73", "81", "66.5"]
    assert rows[2][3] == "100"  # the seats of all the event's frames
    assert rows[3][0].startswith("<script>")  # plain text in a CSV
    assert not rows[3][0].startswith("=")


def test_history_empty(client, group, organizer):
    login(client, organizer)
    text = client.get(history_url(group)).content.decode()
    assert "No past event" in text
    assert "<svg" not in text


def test_group_page_links_history_for_organizers_only(client, group, organizer, user):
    login(client, organizer)
    assert history_url(group) in client.get(group.get_absolute_url()).content.decode()
    login(client, user)
    assert history_url(group) not in client.get(group.get_absolute_url()).content.decode()


def test_pages_write_nothing(client, event, organizer, frame, group):
    fill(frame, 3)
    login(client, organizer)
    before = list(Registration.objects.order_by("pk").values())
    client.get(forecast_url(event))
    client.get(history_url(group))
    assert list(Registration.objects.order_by("pk").values()) == before
    assert services  # the services module is what writes; the pages call none of it


def test_card_matches_the_real_forecast(client, event, organizer, frame):
    from kaisai.forecast.selectors import event_forecast

    fill(frame, 40)
    fill(frame, 7, "waitlisted")
    (forecast,) = event_forecast(event)
    login(client, organizer)
    text = client.get(forecast_url(event)).content.decode()
    assert f'class="forecast-expected">{forecast.expected_attendance:.0f}<' in text
    assert f"{forecast.low}–{forecast.high}" in text
    assert forecast.explanation.replace("'", "&#x27;") in text
    assert "waitlist 7" in text and "40 accepted" in text


def test_pending_lottery_card(client, event, organizer, make_frame):
    lottery = make_frame(capacity=10, method="lottery", name="Lottery")
    for _ in range(25):
        services.register(frame=lottery, user=UserFactory())
    login(client, organizer)
    text = client.get(forecast_url(event)).content.decode()
    assert "lottery not drawn yet: 25 applicants" in text
    assert "known after the draw" in text
    assert "The draw should accept" in text and "of 25 applicants to fill the 10 seats." in text
    listing = client.get(reverse("registrations:registrations", kwargs={"pk": event.pk}))
    assert "Lottery: the draw should accept" in listing.content.decode()


def test_history_page_from_real_history_and_query_count(client, group, organizer):
    from tests.forecast.synthetic import held_series, people

    crowd = people(60)
    rates = {person.pk: 0.3 + 0.6 * (index % 3) / 2 for index, person in enumerate(crowd)}
    held_series(group, rates, events=2, per_event=10, seed=1)
    login(client, organizer)
    client.get(history_url(group))  # warm caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(history_url(group)).status_code == 200
    held_series(group, rates, events=6, per_event=40, seed=2, first_days_ago=300)
    with CaptureQueriesContext(connection) as many:
        page = client.get(history_url(group))
    assert page.status_code == 200
    rows = selectors_forecast.forecast_history(group)
    assert len(rows) == 8
    assert page.content.decode().count("<circle") == 8
    assert len(many) == len(few)
    ET.fromstring(charts.history_svg(rows))  # noqa: S314 - our own output


def test_card_says_when_fill_the_room_is_on(client, event, organizer, frame, monkeypatch):
    from kaisai.site import views_forecast

    frame.overbooking = "forecast"  # Frame's fill-the-room fields (l-12-fill)
    frame.overflow_risk = 0.05
    frame.accept_limit = 131
    card = selectors_forecast.FrameCard(frame=frame, forecast=known_forecast(frame_id=frame.pk))
    monkeypatch.setattr(views_forecast, "event_forecast_cards", lambda event: [card])
    login(client, organizer)
    text = client.get(forecast_url(event)).content.decode()
    assert "Fill the room" in text
    assert "accepting up to 131, overflow risk 5%" in text
