"""Publishing asks first: the page says how many members get the "new event" mail, names
some of them and shows the mail; only the confirmation publishes (and queues the mails)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaisai.core.models import OutboxMail
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.notices.enums import MailKind
from kaisai.notices.models import MailOptOut
from tests.conftest import login
from tests.factories import EventFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(group):
    return EventFactory(group=group, status=EventStatus.DRAFT, title="Casual Talks")


@pytest.fixture
def members(group):
    people = [MemberFactory(group=group, user=UserFactory(display_name=f"Member {n}")).user
              for n in range(12)]  # fmt: skip
    MailOptOut.objects.create(user=people[0], group=group, kind=MailKind.EVENT_PUBLISHED)
    return people


def publish_url(event) -> str:
    return reverse("events:publish", kwargs={"pk": event.pk})


def test_publish_button_shows_what_goes_to_whom_and_publishes_nothing(
    client, draft, members, organizer
):
    login(client, organizer)
    for response in (client.get(publish_url(draft)), client.post(publish_url(draft))):
        assert response.status_code == 200
        html = response.content.decode()
        assert "11 members of the group get a mail about it" in html
        assert "Member 1," in html and "and 1 more" in html
        assert "Member 0," not in html  # switched these mails off
        assert "Casual Talks" in html and 'class="mail-body"' in html
        assert "Publish and mail 11 members" in html
    draft.refresh_from_db()
    assert draft.status == EventStatus.DRAFT
    assert not OutboxMail.objects.exists()


def test_confirmation_publishes_and_mails(client, draft, members, organizer):
    response = login(client, organizer).post(publish_url(draft), {"confirm": "1"})
    assert response.status_code == 302
    assert Event.objects.get(pk=draft.pk).status == EventStatus.PUBLISHED
    assert OutboxMail.objects.filter(template="event_published").count() == 11


def test_others_may_not_publish(client, draft, members, outsider):
    login(client, outsider)
    assert client.get(publish_url(draft)).status_code in (403, 404)
    assert client.post(publish_url(draft), {"confirm": "1"}).status_code in (403, 404)
    assert Event.objects.get(pk=draft.pk).status == EventStatus.DRAFT
