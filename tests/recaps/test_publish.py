"""Publishing the recap: the event and materials pages, one notice to the members through the
real outbox (opt-outs honoured, sent once), the confirmation's number, API v1 and API v2."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from kaisai.accounts.models import User
from kaisai.core import outbox
from kaisai.core.models import OutboxMail
from kaisai.groups.models import Member
from kaisai.notices.enums import MailKind
from kaisai.notices.models import MailOptOut
from kaisai.recaps.models import Recap
from kaisai.recaps.selectors import notice_recipients
from kaisai.recaps.services import RecapError, do_draft_recap, do_publish_recap
from kaisai.talks.models import Material
from tests.api.v2.conftest import V2Client
from tests.conftest import login
from tests.factories import UserFactory


@pytest.fixture
def recap(past_event, organizer):
    return do_draft_recap(event=past_event, by=organizer)


@pytest.fixture
def members(group, attendees):
    """Two more members: one switched materials mails off for the group, one everywhere."""
    quiet = UserFactory(nickname="quiet")
    quiet_everywhere = UserFactory(nickname="quiet_all")
    for person in (quiet, quiet_everywhere):
        Member.objects.create(group=group, user=person)
    MailOptOut.objects.create(user=quiet, group=group, kind=MailKind.MATERIALS_ADDED)
    MailOptOut.objects.create(user=quiet_everywhere, kind=MailKind.MATERIALS_ADDED)
    return quiet, quiet_everywhere


def test_publish_mails_members_once_honouring_opt_outs(
    smtp_server, recap, members, attendees, organizer, group, settings
):
    settings.BASE_URL = "https://kaisai.example.org"
    Member.objects.get_or_create(group=group, user=organizer)
    speaker = User.objects.get(nickname="spk")
    # Members: the three attendees, the speaker, the two who opted out and the organizer.
    assert len(notice_recipients(recap.event)) == 4
    sent = do_publish_recap(recap=recap, by=organizer, confirmed_count=4)
    assert sent == 4
    assert outbox.deliver_due_mail() == 4
    to = sorted(message["To"] for message in smtp_server.inbox.messages)
    assert to == sorted([*(p.email for p in attendees), speaker.email])
    message = smtp_server.inbox.messages[0]
    assert message["Subject"].startswith("Recap: ")
    assert f"https://kaisai.example.org/events/{recap.event.pk}/recap/" in str(message)
    recap.refresh_from_db()
    assert recap.is_published and recap.notified_count == 4
    with pytest.raises(RecapError):
        do_publish_recap(recap=recap, by=organizer)
    assert OutboxMail.objects.count() == 4
    assert notice_recipients(recap.event) == []


def test_a_changed_number_of_recipients_writes_nothing(recap, members, organizer):
    with pytest.raises(RecapError) as error:
        do_publish_recap(recap=recap, by=organizer, confirmed_count=99)
    assert error.value.reason == "changed"
    recap.refresh_from_db()
    assert not recap.is_published
    assert not OutboxMail.objects.exists() and not Material.objects.filter(kind="blog").exists()


def test_only_the_events_organizers_publish(recap, outsider, attendees):
    for person in (outsider, attendees[0]):
        with pytest.raises(PermissionDenied):
            do_publish_recap(recap=recap, by=person)
    assert not Recap.objects.filter(published_at__isnull=False).exists()


def test_publish_through_the_confirmation(client, recap, members, organizer):
    login(client, organizer)
    page = client.get(f"/events/{recap.event.pk}/recap/publish/")
    assert page.status_code == 200
    assert "4 members of the group get it by mail" in page.content.decode()
    assert not OutboxMail.objects.exists()
    stale = client.post(f"/events/{recap.event.pk}/recap/publish/", {"confirm": "3"})
    assert stale.status_code == 409 and not OutboxMail.objects.exists()
    done = client.post(f"/events/{recap.event.pk}/recap/publish/", {"confirm": "4"})
    assert done.status_code == 302 and OutboxMail.objects.count() == 4


def test_another_groups_organizer_gets_403_on_every_recap_page(client, recap, outsider):
    login(client, outsider)
    pk = recap.event.pk
    assert client.get(f"/events/{pk}/recap/edit/").status_code == 403
    assert client.post(f"/events/{pk}/recap/edit/", {"body": "x"}).status_code == 403
    assert client.post(f"/events/{pk}/recap/draft/").status_code == 403
    assert client.get(f"/events/{pk}/recap/publish/").status_code == 403
    assert client.post(f"/events/{pk}/recap/publish/", {"confirm": "0"}).status_code == 403
    assert client.get(f"/events/{pk}/recap/").status_code == 404  # a draft
    recap.refresh_from_db()
    assert recap.body != "x" and not recap.is_published


def test_published_recap_on_event_and_materials_pages(client, recap, organizer):
    event = recap.event
    assert "recap-body" not in client.get(f"/events/{event.pk}/").content.decode()  # a draft
    recap.body = "# Great night\n\n<script>alert(1)</script> **thanks**"
    recap.save()
    do_publish_recap(recap=recap, by=organizer)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "<h1>Great night</h1>" in page and "<strong>thanks</strong>" in page
    assert "<script>alert(1)" not in page
    materials = client.get(f"/events/{event.pk}/materials/").content.decode()
    assert f"/events/{event.pk}/recap/" in materials and "Recap: " in materials
    assert client.get(f"/events/{event.pk}/recap/").status_code == 200


def test_api_v2_lists_the_recap_as_a_blog_presentation(recap, organizer, settings):
    from kaisai.accounts.services import create_api_token

    settings.BASE_URL = "https://kaisai.example.org"
    settings.KAISAI_API_V2_RATE = "100000/s"
    _, key = create_api_token(user=UserFactory(nickname="reader"), name="t")
    url = f"/api/v2/events/{recap.event.pk}/presentations/"
    before = V2Client(key).json(url)["presentations"]
    assert all(item["presentation_type"] != "blog" for item in before)
    do_publish_recap(recap=recap, by=organizer)
    after = V2Client(key).json(url)["presentations"]
    blog = [item for item in after if item["presentation_type"] == "blog"]
    assert len(blog) == 1
    assert blog[0]["url"] == f"https://kaisai.example.org/events/{recap.event.pk}/recap/"
    assert blog[0]["name"].startswith("Recap: ") and blog[0]["user"]["nickname"] == "organizer"


def test_api_v1_get_recap_is_public_once_published(client, recap, organizer):
    url = f"/api/v1/events/{recap.event.pk}/recap/"
    missing = client.get(url)
    assert missing.status_code == 404 and missing.json()["reason"] == "not_found"
    do_publish_recap(recap=recap, by=organizer)
    body = client.get(url).json()
    assert body["event_id"] == recap.event.pk and body["body"].startswith("Thank you")
    assert "<h2>Talks</h2>" in body["html"] and body["external_recaps"] == []
    doc = client.get("/api/v1/openapi.json").json()
    operations = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert "get_recap" in operations
