"""The public side of frames: the event page's frames section and the lottery page."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import timedelta
from html import unescape

from django.urls import reverse
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.registrations import services
from kaisai.registrations.enums import Method
from kaisai.registrations.models import LotteryDraw
from tests.conftest import login
from tests.factories import EventFactory, UserFactory
from tests.registrations.participant_helpers import _page_queries, event_page, url

# --- event page frames section ------------------------------------------------------------


def test_event_page_frames_section_counts_and_register_button(
    client, event, make_frame, people, user
):
    event.time_zone = "Asia/Tokyo"
    event.save()
    frame = make_frame(capacity=2, fee=1000, description="For everyone")
    for person in people(4):
        services.register(frame=frame, user=person)
    html = event_page(client, event)
    assert "2/2, waitlist 2" in html
    assert "First come" in html and "1,000 yen" in html and "For everyone" in html
    assert "Full: you will be put on the waitlist." in html
    register_link = f"{url('register', event)}?frame={frame.pk}"
    assert register_link in html
    login(client, user)
    services.register(frame=frame, user=user)
    html = event_page(client, event)
    assert register_link not in html
    assert "Waitlisted: number 3" in html
    assert url("mine", event) in html


def test_event_page_no_register_button_outside_window(client, event, make_frame):
    soon = make_frame(capacity=2, opens_at=timezone.now() + timedelta(days=1))
    html = event_page(client, event)
    assert f"?frame={soon.pk}" not in html and "Not open yet" in html


def test_event_page_afterparty_signups(client, event, make_frame, people):
    event.afterparty_place = "Same floor"
    event.afterparty_capacity = 30
    event.save()
    frame = make_frame(capacity=5)
    for person in people(2):
        services.register(frame=frame, user=person, afterparty=True)
    services.register(frame=frame, user=UserFactory(), afterparty=False)
    assert "2 / 30 signed up" in event_page(client, event)


def test_event_page_query_count_does_not_grow(client, event, make_frame, people, user):
    event.afterparty_place = "Same floor"
    event.afterparty_capacity = 50
    event.save()
    frames = [make_frame(capacity=2, name="General")]
    login(client, user)
    services.register(frame=frames[0], user=user)  # waitlisted below, once others fill it
    for person in people(2, prefix="a"):
        services.register(frame=frames[0], user=person)
    detail = reverse("events:detail", kwargs={"pk": event.pk})
    few = _page_queries(client, detail)
    frames += [make_frame(capacity=2, name=f"F{i}") for i in range(4)]
    frames.append(make_frame(capacity=3, name="Lottery", method=Method.LOTTERY))
    for index, person in enumerate(people(20, prefix="b")):
        services.register(frame=frames[index % len(frames)], user=person, afterparty=True)
    assert _page_queries(client, detail) == few


# --- lottery page -------------------------------------------------------------------------


def test_lottery_page_before_and_after_draw(client, event, make_frame, people):
    frame = make_frame(capacity=2, method=Method.LOTTERY)
    applicants = people(4)
    registrations = [services.register(frame=frame, user=p) for p in applicants]
    draw = LotteryDraw.objects.get(frame=frame)
    lottery_url = url("lottery", event, frame_id=frame.pk)

    before = client.get(lottery_url).content.decode()
    assert draw.commitment in before and draw.seed not in before
    assert "sha256-v1" in before
    assert re.search(r'class="applicant-count">4<', before)
    login(client, applicants[0])
    mine_before = client.get(lottery_url).content.decode()
    assert f"registration id {registrations[0].pk}" in mine_before

    services.draw_lottery(frame=frame, force=True)
    draw.refresh_from_db()
    client.logout()
    after = client.get(lottery_url).content.decode()
    assert draw.seed in after and draw.commitment in after
    assert "Verified:" in after
    assert f"kaisai verify-lottery {frame.pk}" in after and "import hashlib" in after
    for person in applicants:
        # ids only, never names (word boundaries: the CSRF token may contain "p0")
        assert not re.search(rf"\b{person.nickname}\b", after)
    rows = re.findall(r"<td>(\d+)</td>\s*<td>(\d+)", after)
    assert [int(rid) for _rank, rid in rows] == draw.order
    assert after.count("badge status-accepted") == 2
    assert after.count("badge status-waitlisted") == 2
    # The page's own snippet, run as published, recomputes the published result.
    snippet = unescape(re.search(r'<pre class="snippet"><code>(.*?)</code>', after, re.S)[1])
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(snippet, {})  # noqa: S102 - the page's verification snippet
    assert output.getvalue().splitlines() == [
        f"accepted: {draw.order[:2]}",
        f"waitlisted, in order: {draw.order[2:]}",
    ]
    login(client, applicants[1])
    mine_after = client.get(lottery_url).content.decode()
    assert re.search(rf'<tr class="mine">\s*<td>\d+</td>\s*<td>{registrations[1].pk} ', mine_after)


def test_lottery_page_for_non_lottery_or_other_event_frame_is_404(client, event, group, make_frame):
    first_come = make_frame(capacity=2)
    other = make_frame(capacity=2, method=Method.LOTTERY, target=EventFactory(group=group))
    assert client.get(url("lottery", event, frame_id=first_come.pk)).status_code == 404
    assert client.get(url("lottery", event, frame_id=other.pk)).status_code == 404


def test_lottery_page_of_draft_is_404_to_outsiders(client, group, make_frame, organizer, outsider):
    draft = EventFactory(group=group, status=EventStatus.DRAFT)
    frame = make_frame(capacity=2, method=Method.LOTTERY, target=draft)
    target = url("lottery", draft, frame_id=frame.pk)
    assert client.get(target).status_code == 404
    login(client, outsider)
    assert client.get(target).status_code == 404
    login(client, organizer)
    assert client.get(target).status_code == 200


def test_frames_of_a_draft_say_not_yet_open(client, group, make_frame, organizer):
    """A draft was never opened: its frames say "not open yet", not "closed"."""
    draft = EventFactory(group=group, status=EventStatus.DRAFT)
    frame = make_frame(capacity=2, target=draft)
    frame.refresh_from_db()
    assert frame.window_now() == "not_yet"
    login(client, organizer)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert "Not open yet" in html
    assert ">Closed<" not in html
    EventFactory._meta.model.objects.filter(pk=draft.pk).update(status=EventStatus.CANCELLED)
    frame = type(frame).objects.select_related("event").get(pk=frame.pk)
    assert frame.window_now() == "closed"
