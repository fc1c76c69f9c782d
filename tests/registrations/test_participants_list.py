"""The participants list (参加者一覧), the members list and the share links (docs/participants.md):
people are named only when they chose to appear (hidden by default), counted otherwise; only
the person changes their choice; hidden people never show in the page, the API or the feeds."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from kaisai.accounts.models import User
from kaisai.checkin.models import CheckIn
from kaisai.events.enums import EventStatus
from kaisai.groups.models import Member
from kaisai.registrations import services
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration
from tests.conftest import login
from tests.factories import EventFactory, GroupFactory, MemberFactory, UserFactory


@pytest.fixture
def people(db):
    return {
        name: UserFactory(nickname=name, show_in_lists=shown)
        for name, shown in [("shown1", True), ("hidden1", False), ("shown2", True)]
    }


@pytest.fixture
def full(event, make_frame, people):
    """A frame of two seats: shown1 and hidden1 accepted, shown2 on the waitlist, plus a
    hidden person on the waitlist and one of another event."""
    frame = make_frame(capacity=2, name="General")
    for name in ("shown1", "hidden1", "shown2"):
        services.register(frame=frame, user=people[name])
    services.register(frame=frame, user=UserFactory(nickname="quietwait"))
    return frame


def page(client, event) -> str:
    response = client.get(reverse("registrations:participants", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, css_class: str) -> str:
    start = html.index(f'class="{css_class}"')
    return html[start : html.index("</div>", start)]


def test_hidden_by_default_and_counted(client, event, full, people):
    assert not UserFactory(nickname="newcomer").show_in_lists  # the default: hidden
    html = page(client, event)
    accepted = section(html, "participants-accepted")
    waitlist = section(html, "participants-waitlist")
    assert "shown1" in accepted and "hidden1" not in html and "Hidden1" not in html
    assert "and 1 other" in accepted
    assert "shown2" in waitlist and "shown2" not in accepted
    assert "quietwait" not in html and "Quietwait" not in html
    assert "and 1 other" in waitlist
    assert "Accepted (2)" in html and "Waitlist (2)" in html


def test_event_page_summary_and_no_hidden_names(client, event, full):
    html = client.get(event.get_absolute_url()).content.decode()
    assert 'id="participants-heading"' in html
    assert "2 people accepted" in html and "2 on the waitlist" in html
    assert "shown1" in html and "hidden1" not in html and "quietwait" not in html
    assert "and 1 other" in html
    assert reverse("registrations:participants", kwargs={"pk": event.pk}) in html


def test_the_registration_choice_overrides_the_default(client, event, full, people):
    login(client, people["hidden1"])
    response = client.post(
        reverse("registrations:listing", kwargs={"pk": event.pk}), {"choice": "show"}
    )
    assert response.status_code == 302
    assert "hidden1" in section(page(Client(), event), "participants-accepted")
    login(client, people["shown1"])
    client.post(reverse("registrations:listing", kwargs={"pk": event.pk}), {"choice": "hide"})
    html = page(Client(), event)
    assert "shown1" not in html and "Shown1" not in html
    client.post(reverse("registrations:listing", kwargs={"pk": event.pk}), {"choice": "default"})
    assert Registration.objects.get(user=people["shown1"], event=event).listed is None
    assert "shown1" in page(Client(), event)


def test_a_choice_changes_only_ones_own_registration(client, event, full, people):
    """Nothing in the request names whose registration: another user cannot change it."""
    outsider = UserFactory(nickname="outsider2")
    login(client, outsider)
    response = client.post(
        reverse("registrations:listing", kwargs={"pk": event.pk}), {"choice": "show"}
    )
    assert response.status_code == 302
    assert "no registration" in str(list(response.wsgi_request._messages)[0])
    assert not Registration.objects.filter(event=event, listed__isnull=False).exists()
    login(client, people["shown2"])
    client.post(reverse("registrations:listing", kwargs={"pk": event.pk}), {"choice": "hide"})
    assert set(Registration.objects.filter(event=event, listed=False).values_list(
        "user__nickname", flat=True
    )) == {"shown2"}  # fmt: skip


def test_the_choice_needs_login_csrf_and_a_valid_value(event, full, people):
    url = reverse("registrations:listing", kwargs={"pk": event.pk})
    anonymous = Client().post(url, {"choice": "show"})
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people["hidden1"])
    assert strict.post(url, {"choice": "show"}).status_code == 403
    assert strict.get(url).status_code == 405
    client = login(Client(), people["hidden1"])
    response = client.post(url, {"choice": "everyone"}, follow=True)
    assert "Choose to appear" in response.content.decode()
    assert Registration.objects.get(user=people["hidden1"], event=event).listed is None


def test_the_choice_on_my_registration_page(client, event, full, people):
    login(client, people["hidden1"])
    html = client.get(reverse("registrations:mine", kwargs={"pk": event.pk})).content.decode()
    assert 'name="choice" value="show"' in html
    assert 'value="default" id="listing-default" checked' in html
    response = client.post(
        reverse("registrations:listing", kwargs={"pk": event.pk}),
        {"choice": "show", "back": "mine"},
    )
    assert response["Location"] == reverse("registrations:mine", kwargs={"pk": event.pk})


def test_the_default_in_profile_settings(client, people):
    person = people["hidden1"]
    login(client, person)
    html = client.get(reverse("accounts:settings")).content.decode()
    assert 'name="show_in_lists"' in html
    client.post(reverse("accounts:settings"), {"show_in_lists": "on", "display_name": "H"})
    person.refresh_from_db()
    assert person.show_in_lists


def test_deactivated_and_deleted_accounts_are_never_named(client, event, full, people):
    User.objects.filter(nickname="shown1").update(is_active=False)
    Registration.objects.filter(user__nickname="shown2").update(listed=True)
    User.objects.filter(nickname="shown2").update(deleted_at="2026-01-01T00:00:00Z")
    html = page(client, event)
    assert "shown1" not in html and "shown2" not in html


def test_drafts_have_no_public_list(client, group, make_frame):
    draft = EventFactory(group=group, status=EventStatus.DRAFT)
    url = reverse("registrations:participants", kwargs={"pk": draft.pk})
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/events/{draft.pk}/participants/").status_code == 404


# --- API -------------------------------------------------------------------------------------


def test_api_list_participants(client, event, full):
    response = client.get(f"/api/v1/events/{event.pk}/participants/")
    assert response.status_code == 200
    body = response.json()
    (row,) = body["frames"]
    assert [p["nickname"] for p in row["accepted"]] == ["shown1"]
    assert [p["nickname"] for p in row["waitlisted"]] == ["shown2"]
    assert (row["accepted_count"], row["accepted_hidden"]) == (2, 1)
    assert (row["waitlisted_count"], row["waitlisted_hidden"]) == (2, 1)
    assert "hidden1" not in response.content.decode()
    assert "quietwait" not in response.content.decode()
    assert set(row["accepted"][0]) == {"nickname", "display_name", "url", "avatar_url"}


def test_api_operation_id(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/events/{event_id}/participants/"]["get"]
    assert operation["operationId"] == "list_participants"


def test_checked_in_hidden_people_are_not_on_profiles_or_api_v2(
    client, settings, event, full, people
):
    settings.KAISAI_API_V2_RATE = "100000/s"
    for registration in Registration.objects.filter(event=event, status=Status.ACCEPTED):
        CheckIn.objects.create(
            registration=registration, event=event, checked_in_at=event.starts_at,
            method=CheckIn.Method.SEARCH,
        )  # fmt: skip
    from kaisai.accounts.services import create_api_token

    _, key = create_api_token(user=UserFactory(nickname="reader"), name="t")
    headers = {"X-API-Key": key}
    hidden = client.get("/api/v2/users/hidden1/attended_events/", headers=headers).json()
    shown = client.get("/api/v2/users/shown1/attended_events/", headers=headers).json()
    assert hidden["results_available"] == 0 and shown["results_available"] == 1
    search = client.get("/api/v2/events/", {"nickname": "hidden1"}, headers=headers).json()
    assert search["results_available"] == 0
    users = client.get("/api/v2/users/", {"nickname": "hidden1,shown1"}, headers=headers).json()
    counts = {u["nickname"]: u["attended_event_count"] for u in users["users"]}
    assert counts == {"hidden1": 0, "shown1": 1}
    assert event.title not in client.get("/user/hidden1/").content.decode()
    assert event.title in client.get("/user/shown1/").content.decode()
    # One's own key still finds one's own attendance.
    _, own = create_api_token(user=people["hidden1"], name="own")
    mine = client.get("/api/v2/users/hidden1/attended_events/", headers={"X-API-Key": own})
    assert mine.json()["results_available"] == 1


def test_feeds_name_no_participant(client, event, full):
    for url in (
        reverse("groups:feed_atom", kwargs={"slug": event.group.slug}),
        reverse("groups:events_ics", kwargs={"slug": event.group.slug}),
        reverse("events:ics", kwargs={"pk": event.pk}),
    ):
        body = client.get(url).content.decode()
        assert event.title in body
        for nickname in ("hidden1", "quietwait", "Hidden1", "Quietwait"):
            assert nickname not in body


# --- members list ----------------------------------------------------------------------------


def test_members_list(client, group):
    MemberFactory(group=group, user=UserFactory(nickname="openmember", show_in_lists=True))
    quiet = MemberFactory(group=group, user=UserFactory(nickname="quietmember"))
    MemberFactory(
        group=group, user=UserFactory(nickname="optedout", show_in_lists=True), listed=False
    )
    url = reverse("groups:members", kwargs={"slug": group.slug})
    html = client.get(url).content.decode()
    assert "openmember" in html
    assert "quietmember" not in html and "optedout" not in html
    assert "3 members" in html and "and 2 others" in html
    assert url in client.get(group.get_absolute_url()).content.decode()
    login(client, quiet.user)
    html = client.get(url).content.decode()
    assert "You are hidden from this list." in html
    client.post(reverse("groups:member_listing", kwargs={"slug": group.slug}), {"choice": "show"})
    quiet.refresh_from_db()
    assert quiet.listed is True
    assert "quietmember" in Client().get(url).content.decode()


def test_member_choice_is_ones_own_only(client, group):
    quiet = MemberFactory(group=group, user=UserFactory(nickname="quietmember"))
    stranger = UserFactory(nickname="stranger")
    login(client, stranger)
    response = client.post(
        reverse("groups:member_listing", kwargs={"slug": group.slug}), {"choice": "show"},
        follow=True,
    )  # fmt: skip
    assert "You do not follow this group." in response.content.decode()
    assert not Member.objects.filter(listed__isnull=False).exists()
    assert quiet.user.nickname not in response.content.decode()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(quiet.user)
    url = reverse("groups:member_listing", kwargs={"slug": group.slug})
    assert strict.post(url, {"choice": "show"}).status_code == 403
    other = GroupFactory(slug="elsewhere")
    login(client, quiet.user)
    client.post(reverse("groups:member_listing", kwargs={"slug": other.slug}), {"choice": "show"})
    quiet.refresh_from_db()
    assert quiet.listed is None


# --- share links ---------------------------------------------------------------------------


def test_share_links(client, settings, group):
    settings.BASE_URL = "https://kaisai.example.org"
    event = EventFactory(group=group, title="MLCT #6 & friends", hashtag="mlct")
    html = client.get(event.get_absolute_url()).content.decode()
    url = quote(f"https://kaisai.example.org/events/{event.pk}/", safe="")
    expected = {
        "share-x": f"https://x.com/intent/tweet?text=MLCT+%236+%26+friends&amp;url={url}&amp;hashtags=mlct",
        "share-hatena": f"https://b.hatena.ne.jp/add?mode=confirm&amp;url={url}&amp;title=MLCT+%236+%26+friends",
        "share-facebook": f"https://www.facebook.com/sharer/sharer.php?u={url}",
        "share-line": f"https://social-plugins.line.me/lineit/share?url={url}",
    }
    for css_class, href in expected.items():
        assert (
            f'<a class="{css_class}" href="{href}" rel="noopener noreferrer" target="_blank">'
            in html
        ), css_class
    # No third-party script, frame or image on the page: every script and image is the site's.
    assert "<iframe" not in html
    for src in re.findall(r'<(?:script|img)[^>]* src="([^"]*)"', html):
        assert src.startswith("/"), src


def test_drafts_have_no_share_links(client, group, organizer):
    draft = EventFactory(group=group, status=EventStatus.DRAFT)
    login(client, organizer)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert "share-x" not in html


def test_the_list_is_a_fixed_number_of_queries(client, event, make_frame):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    frame = make_frame(capacity=3)
    url = reverse("registrations:participants", kwargs={"pk": event.pk})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for i in range(2):
        services.register(frame=frame, user=UserFactory(nickname=f"few{i}", show_in_lists=True))
    few = queries()
    for i in range(10):
        services.register(frame=frame, user=UserFactory(nickname=f"many{i}", show_in_lists=i % 2))
    assert queries() == few
