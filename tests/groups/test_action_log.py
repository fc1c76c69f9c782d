"""The organizer action log: what is recorded, by whom, and who may read it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kaisai.events import services as event_services
from kaisai.events.enums import EventStatus
from kaisai.groups import services as group_services
from kaisai.groups.enums import Action, Role
from kaisai.groups.models import ActionLog, Organizer
from kaisai.groups.services_log import log_action
from kaisai.groups.views_security import LOG_PAGE_SIZE
from kaisai.notices.services.messages import send_message
from kaisai.registrations import services
from tests.conftest import login
from tests.factories import EventFactory, OrganizerFactory, UserFactory

pytestmark = pytest.mark.django_db


def last(group) -> ActionLog:
    return ActionLog.objects.filter(group=group).order_by("-id").first()


def test_event_publication_and_cancellation(group, organizer):
    event = EventFactory(group=group, status=EventStatus.DRAFT)
    event_services.publish_event(event=event, by=organizer)
    entry = last(group)
    assert (entry.action, entry.actor, entry.event) == (Action.EVENT_PUBLISHED, organizer, event)
    event_services.cancel_event(event=event, by=organizer)
    assert last(group).action == Action.EVENT_CANCELLED


def test_capacity_message_and_lottery(group, organizer, event, make_frame):
    frame = make_frame(capacity=3, name="General")
    services.change_capacity(frame=frame, capacity=5, by=organizer)
    entry = last(group)
    assert entry.action == Action.CAPACITY_CHANGED and entry.event == event
    assert entry.details == {"frame": "General", "old": 3, "new": 5}
    services.register(frame=frame, user=UserFactory())
    send_message(event=event, by=organizer, audience="registrants", subject="Hi", body="Hello")
    entry = last(group)
    assert entry.action == Action.MESSAGE_SENT and entry.details["recipients"] == 1
    lottery = make_frame(capacity=1, method="lottery", name="Lottery")
    services.register(frame=lottery, user=UserFactory())
    services.draw_lottery(frame=lottery, force=True)
    entry = last(group)
    assert entry.action == Action.LOTTERY_DRAWN and entry.actor is None
    assert entry.details["accepted"] == 1


def test_roles_and_invitation_links(group, organizer):
    helper = OrganizerFactory(group=group, role=Role.ORGANIZER)
    group_services.change_role(organizer=helper, by=organizer, role=Role.RECEPTION)
    entry = last(group)
    assert entry.action == Action.ROLE_CHANGED
    assert entry.details == {"person": helper.user.nickname, "old": "organizer", "new": "reception"}
    invitation = group_services.create_invitation(group=group, by=organizer)
    group_services.revoke_invitation(invitation=invitation, by=organizer)
    entries = ActionLog.objects.filter(group=group, action=Action.TOKEN_CHANGED).order_by("id")
    assert [entry.details["invitation"] for entry in entries] == ["created", "revoked"]


def test_csv_export_and_webhooks_from_the_pages(client, group, organizer, event, settings):
    login(client, organizer)
    assert client.get(reverse("registrations:csv", kwargs={"pk": event.pk})).status_code == 200
    entry = last(group)
    assert (entry.action, entry.actor, entry.event) == (Action.CSV_EXPORTED, organizer, event)
    settings.KAISAI_WEBHOOK_ALLOW_PRIVATE = True
    url = reverse("notices:webhooks", kwargs={"slug": group.slug})
    client.post(url, {"url": "https://hooks.example.com/kaisai"})
    entry = last(group)
    assert entry.action == Action.WEBHOOK_CHANGED
    assert entry.details["host"] == "hooks.example.com"


def test_only_owners_read_the_log(client, group, organizer, outsider):
    url = reverse("groups:action_log", kwargs={"slug": group.slug})
    log_action(group=group, actor=organizer, action=Action.CSV_EXPORTED)
    assert client.get(url).status_code == 302  # to the login page
    login(client, outsider)  # owner of another group
    assert client.get(url).status_code == 403
    helper = OrganizerFactory(group=group, role=Role.ORGANIZER).user
    login(client, helper)
    assert client.get(url).status_code == 403
    login(client, organizer)
    response = client.get(url)
    assert response.status_code == 200
    assert "Exported the registrations (CSV)" in response.content.decode()
    # another group's log is not shown here
    other = Organizer.objects.get(user=outsider).group
    log_action(group=other, actor=outsider, action=Action.MESSAGE_SENT)
    assert "Sent a message" not in client.get(url).content.decode()


def test_log_page_is_paginated(client, group, organizer):
    ActionLog.objects.bulk_create(
        ActionLog(group=group, actor=organizer, action=Action.MESSAGE_SENT)
        for _ in range(LOG_PAGE_SIZE + 1)
    )
    login(client, organizer)
    url = reverse("groups:action_log", kwargs={"slug": group.slug})
    html = client.get(url).content.decode()
    assert html.count("Sent a message") == LOG_PAGE_SIZE and 'rel="next"' in html
    assert client.get(url + "?page=2").content.decode().count("Sent a message") == 1


def test_old_entries_stay_after_the_actor_leaves(group, organizer):
    helper = OrganizerFactory(group=group, role=Role.ORGANIZER)
    event = EventFactory(group=group, status=EventStatus.DRAFT,
                         starts_at=timezone.now() + timedelta(days=3))  # fmt: skip
    event_services.publish_event(event=event, by=helper.user)
    group_services.remove_organizer(organizer=helper, by=organizer)
    assert ActionLog.objects.filter(group=group, actor=helper.user).count() == 1


def test_admin_lists_the_log_read_only(admin_client, group, organizer):
    log_action(group=group, actor=organizer, action=Action.CSV_EXPORTED)
    assert admin_client.get(reverse("admin:groups_actionlog_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:groups_actionlog_add")).status_code == 403
