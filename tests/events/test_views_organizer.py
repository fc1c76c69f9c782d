"""Organizer pages: create, edit (with sponsors), publish, cancel, postpone, copy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from kaisai.events.enums import EventStatus
from kaisai.events.models import Event, Sponsor
from kaisai.groups.enums import Role
from tests.conftest import login
from tests.events.conftest import big_image_upload, image_upload
from tests.events.test_forms import form_data, sponsor_data
from tests.factories import OrganizerFactory, SponsorFactory

# (url name, method) for every organizer URL that takes an event id.
EVENT_ACTIONS = [
    ("edit", "get"),
    ("edit", "post"),
    ("publish", "post"),
    ("cancel", "post"),
    ("postpone", "post"),
    ("copy", "post"),
]


def url(name: str, event) -> str:
    return reverse(f"events:{name}", kwargs={"pk": event.pk})


def create_url(group) -> str:
    return reverse("events:create", kwargs={"group_slug": group.slug})


def post_data(event=None, sponsors=(), initial=0, **overrides) -> dict:
    data = form_data(**overrides)
    data.update(sponsor_data(event, list(sponsors), initial=initial))
    return data


def snapshot(group) -> list[tuple]:
    return list(
        Event.objects.filter(group=group)
        .order_by("pk")
        .values_list("pk", "title", "status", "number", "starts_at")
    ) + list(Sponsor.objects.order_by("pk").values_list("pk", "name", "event_id"))


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_create_anonymous_redirected_to_login(client, group, method):
    response = getattr(client, method)(create_url(group), post_data())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Event.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_create_outsider_forbidden(client, group, outsider, method):
    login(client, outsider)
    response = getattr(client, method)(create_url(group), post_data())
    assert response.status_code in (403, 404)
    assert not Event.objects.filter(group=group).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_create_reception_forbidden(client, group, method):
    login(client, OrganizerFactory(group=group, role=Role.RECEPTION).user)
    response = getattr(client, method)(create_url(group), post_data())
    assert response.status_code == 403
    assert not Event.objects.exists()


def test_create_unknown_group_404(client, organizer):
    login(client, organizer)
    response = client.get(reverse("events:create", kwargs={"group_slug": "nope"}))
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "method"), EVENT_ACTIONS)
@pytest.mark.parametrize("status", [EventStatus.PUBLISHED, EventStatus.DRAFT])
def test_event_action_anonymous_redirected_to_login(client, event, name, method, status):
    event.status = status
    event.save()
    before = snapshot(event.group)
    response = getattr(client, method)(url(name, event), post_data(title="Hacked"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert snapshot(event.group) == before


@pytest.mark.parametrize(("name", "method"), EVENT_ACTIONS)
@pytest.mark.parametrize("status", [EventStatus.PUBLISHED, EventStatus.DRAFT])
def test_event_action_outsider_forbidden(client, event, outsider, name, method, status):
    event.status = status
    event.save()
    SponsorFactory(event=event)
    before = snapshot(event.group)
    login(client, outsider)
    response = getattr(client, method)(url(name, event), post_data(title="Hacked"))
    assert response.status_code in (403, 404)
    assert snapshot(event.group) == before


@pytest.mark.parametrize(("name", "method"), EVENT_ACTIONS)
@pytest.mark.parametrize(
    ("status", "expected"),
    # Reception staff may not see drafts (docs/permissions.md): a draft is 404 to them.
    [(EventStatus.PUBLISHED, 403), (EventStatus.DRAFT, 404)],
)
def test_event_action_reception_forbidden(client, event, name, method, status, expected):
    event.status = status
    event.save()
    before = snapshot(event.group)
    login(client, OrganizerFactory(group=event.group, role=Role.RECEPTION).user)
    response = getattr(client, method)(url(name, event), post_data(title="Hacked"))
    assert response.status_code == expected
    assert snapshot(event.group) == before


@pytest.mark.parametrize("name", ["cancel", "postpone"])
def test_event_action_get_not_allowed(client, event, organizer, name):
    login(client, organizer)
    assert client.get(url(name, event)).status_code == 405


@pytest.mark.parametrize("role", [Role.OWNER, Role.ORGANIZER])
def test_event_action_allowed_for_owner_and_organizer(client, draft, role):
    person = OrganizerFactory(group=draft.group, role=role).user
    login(client, person)
    assert client.get(url("edit", draft)).status_code == 200
    client.post(url("publish", draft), {"confirm": "1"})
    assert Event.objects.get(pk=draft.pk).status == EventStatus.PUBLISHED


# --- create -------------------------------------------------------------------------------


def test_create_get_shows_empty_form_in_site_zone(client, group, organizer):
    login(client, organizer)
    response = client.get(create_url(group))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="Asia/Tokyo" selected>' in html
    assert 'type="datetime-local"' in html
    assert 'enctype="multipart/form-data"' in html


def test_create_makes_numbered_draft_with_sponsors(client, event, organizer):
    login(client, organizer)
    data = post_data(
        title="MLCT #6",
        starts_at="2030-07-19T19:30",
        ends_at="2030-07-19T22:00",
        sponsors=[
            {"name": "Venue Co", "url": "https://venue.example", "provides": "Venue", "order": "1"}
        ],
    )
    data["image"] = image_upload()
    response = client.post(create_url(event.group), data)
    created = Event.objects.exclude(pk=event.pk).get()
    assert response.status_code == 302
    assert response["Location"] == created.get_absolute_url()
    assert created.number == 6
    assert created.status == EventStatus.DRAFT
    assert created.created_by == organizer
    assert created.starts_at == datetime(2030, 7, 19, 10, 30, tzinfo=UTC)
    assert created.image.name.startswith("events/")
    assert list(created.sponsors.values_list("name", "provides")) == [("Venue Co", "Venue")]


def test_create_bad_input_shows_errors_and_saves_nothing(client, group, organizer):
    login(client, organizer)
    data = post_data(
        ends_at="2030-05-17T18:00",
        place="",
        sponsors=[
            {"name": "Venue Co", "url": "https://venue.example", "provides": "", "order": "0"}
        ],
    )
    response = client.post(create_url(group), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "The event must end after it starts." in html
    assert "Enter the venue" in html
    assert "Nothing has been saved" in html
    assert not Event.objects.exists()
    assert not Sponsor.objects.exists()


def test_create_bad_sponsor_saves_no_event(client, group, organizer):
    login(client, organizer)
    data = post_data(
        sponsors=[{"name": "", "url": "https://venue.example", "provides": "x", "order": "0"}]
    )
    response = client.post(create_url(group), data)
    assert response.status_code == 400
    assert not Event.objects.exists()


# --- edit ---------------------------------------------------------------------------------


def test_edit_get_shows_times_in_event_zone(client, event, organizer):
    login(client, organizer)
    html = client.get(url("edit", event)).content.decode()
    assert 'value="2030-05-17T19:30"' in html


def test_edit_saves_fields_and_sponsors(client, event, organizer):
    keep = SponsorFactory(event=event, name="Keep Co", order=1)
    drop = SponsorFactory(event=event, name="Drop Co", order=2)
    login(client, organizer)
    rows = [
        {"id": str(keep.pk), "name": "Keep Co Ltd", "url": "", "provides": "Venue", "order": "1"},
        {
            "id": str(drop.pk),
            "name": "Drop Co",
            "url": "",
            "provides": "",
            "order": "2",
            "DELETE": "on",
        },
        {"name": "New Co", "url": "https://new.example", "provides": "Drinks", "order": "3"},
    ]
    data = post_data(
        event,
        sponsors=rows,
        initial=2,
        title="MLCT #5 (renamed)",
        time_zone="Asia/Tokyo",
        starts_at="2030-05-17T19:00",
        ends_at="2030-05-17T21:30",
    )
    response = client.post(url("edit", event), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "MLCT #5 (renamed)"
    assert event.starts_at == datetime(2030, 5, 17, 10, 0, tzinfo=UTC)
    assert event.number == 5
    assert list(event.sponsors.values_list("name", "provides")) == [
        ("Keep Co Ltd", "Venue"),
        ("New Co", "Drinks"),
    ]


def test_edit_bad_input_saves_nothing(client, event, organizer):
    sponsor = SponsorFactory(event=event, name="Keep Co")
    login(client, organizer)
    rows = [{"id": str(sponsor.pk), "name": "Renamed Co", "url": "", "provides": "", "order": "0"}]
    data = post_data(
        event, sponsors=rows, initial=1, title="New title", latitude="123", longitude="1"
    )
    before = snapshot(event.group)
    response = client.post(url("edit", event), data)
    assert response.status_code == 400
    assert "latitude" in response.context["form"].errors
    assert snapshot(event.group) == before


def test_edit_cannot_touch_another_events_sponsor(client, event, organizer):
    other = SponsorFactory(name="Theirs")  # belongs to an event of another group
    login(client, organizer)
    rows = [
        {
            "id": str(other.pk),
            "name": "Mine now",
            "url": "",
            "provides": "",
            "order": "0",
            "DELETE": "on",
        }
    ]
    response = client.post(url("edit", event), post_data(event, sponsors=rows, initial=1))
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.name == "Theirs"
    assert Sponsor.objects.filter(pk=other.pk).exists()


def test_edit_rejects_too_large_image(client, event, organizer):
    data = post_data(event)
    data["image"] = big_image_upload()
    login(client, organizer)
    response = client.post(url("edit", event), data)
    assert response.status_code == 400
    event.refresh_from_db()
    assert not event.image


# --- state changes and copy ---------------------------------------------------------------


def test_publish_draft(client, draft, organizer):
    login(client, organizer)
    response = client.post(url("publish", draft), {"confirm": "1"}, follow=True)
    draft.refresh_from_db()
    assert draft.status == EventStatus.PUBLISHED
    assert draft.published_at is not None
    assert "The event is published." in response.content.decode()


def test_publish_published_event_shows_error(client, event, organizer):
    login(client, organizer)
    response = client.post(url("publish", event), follow=True)
    assert response.redirect_chain[-1][0] == event.get_absolute_url()
    assert "Only a draft or a postponed event can be published." in response.content.decode()
    assert Event.objects.get(pk=event.pk).status == EventStatus.PUBLISHED


def test_cancel_then_page_says_cancelled(client, event, organizer):
    login(client, organizer)
    response = client.post(url("cancel", event), follow=True)
    html = response.content.decode()
    assert Event.objects.get(pk=event.pk).status == EventStatus.CANCELLED
    assert "This event has been cancelled." in html


def test_cancel_draft_is_refused(client, draft, organizer):
    login(client, organizer)
    response = client.post(url("cancel", draft), follow=True)
    assert "Only a published or postponed event can be cancelled." in response.content.decode()
    assert Event.objects.get(pk=draft.pk).status == EventStatus.DRAFT


def test_postpone_published(client, event, organizer):
    login(client, organizer)
    client.post(url("postpone", event))
    assert Event.objects.get(pk=event.pk).status == EventStatus.POSTPONED


def test_copy_shows_a_preview_then_creates_the_next_draft(client, event, organizer):
    SponsorFactory(event=event, name="Venue Co")
    login(client, organizer)
    preview = client.post(url("copy", event))  # the event page's button
    assert preview.status_code == 200
    assert "MLCT #6" in preview.content.decode()
    assert Event.objects.count() == 1
    response = client.post(url("copy", event), {"starts_at": "2030-07-19T19:30", "confirm": "1"})
    new = Event.objects.exclude(pk=event.pk).get()
    assert response.status_code == 302
    assert response["Location"] == new.get_absolute_url()
    assert (new.number, new.status, new.title) == (6, EventStatus.DRAFT, "MLCT #6")
    assert new.starts_at == datetime(2030, 7, 19, 10, 30, tzinfo=UTC)
    assert list(new.sponsors.values_list("name", flat=True)) == ["Venue Co"]
