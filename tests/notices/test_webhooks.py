"""Group webhooks: deliveries from the audit log to a real local HTTP server, signed,
retried after a 500; the organizer page and its permissions."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kaisai.groups.enums import Role
from kaisai.notices.models import Webhook, WebhookDelivery
from kaisai.notices.services import webhooks
from kaisai.registrations import services
from kaisai.registrations.models import RegistrationLog
from tests.conftest import login
from tests.factories import EventFactory, OrganizerFactory, UserFactory
from tests.notices.webhook_receiver import Receiver, webhook_receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    # The receiver listens on 127.0.0.1: allowed only on a closed site (the default refuses).
    settings.KAISAI_WEBHOOK_ALLOW_PRIVATE = True
    with webhook_receiver() as server:
        yield server


@pytest.fixture
def frame(group, organizer):
    event = EventFactory(group=group, title="MLCT #5", number=5)
    return services.create_frame(event=event, by=organizer, capacity=1, name="General")


def soon():
    """Past the settling delay (log rows younger than it wait for the next run)."""
    return timezone.now() + webhooks.SETTLE + timedelta(seconds=1)


def test_registrations_cancellations_and_promotions_are_posted_signed(receiver, group, frame):
    hook = webhooks.create_webhook(group=group, url=receiver.url)
    first, second = UserFactory(nickname="ann"), UserFactory(nickname="bob")
    accepted = services.register(frame=frame, user=first)
    services.register(frame=frame, user=second)  # waitlisted
    services.cancel_registration(registration=accepted, by=first)  # bob is promoted

    an_hour_ago = timezone.now() - timedelta(hours=1)
    assert webhooks.dispatch_webhooks(now=an_hour_ago) == 0  # too fresh: left to settle
    assert webhooks.dispatch_webhooks(now=soon()) == 4 + 4  # 4 created, 4 delivered
    types = [r.json["kaisai"]["type"] for r in receiver.requests]
    assert types == ["registration.created", "registration.created",
                     "registration.cancelled", "registration.promoted"]  # fmt: skip
    for request in receiver.requests:
        expected = hmac.new(hook.secret.encode(), request.body, hashlib.sha256).hexdigest()
        assert request.headers["x-kaisai-signature"] == f"sha256={expected}"
        assert request.headers["x-kaisai-delivery"].startswith(f"wh-{hook.pk}-")
        assert request.headers["content-type"] == "application/json"
        payload = request.json
        assert payload["text"] == payload["content"] and payload["username"] == "kaisai"
        assert "MLCT #5" in payload["text"]
        assert payload["kaisai"]["event"]["number"] == 5
        assert payload["kaisai"]["frame"]["name"] == "General"
    promoted = next(r.json for r in receiver.requests
                    if r.json["kaisai"]["type"] == "registration.promoted")  # fmt: skip
    assert promoted["kaisai"]["status"] == "accepted" and "@bob" in promoted["text"]
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert Webhook.objects.get().last_log_id == RegistrationLog.objects.latest("id").pk

    assert webhooks.dispatch_webhooks(now=soon()) == 0  # nothing twice


def test_only_the_groups_own_registrations_and_only_from_its_creation(receiver, group, frame):
    services.register(frame=frame, user=UserFactory())  # before the webhook: not told
    webhooks.create_webhook(group=group, url=receiver.url)
    other = EventFactory()
    other_frame = services.create_frame(event=other, by=UserFactory(), capacity=5, name="X")
    services.register(frame=other_frame, user=UserFactory())  # another group: not told
    services.register(frame=frame, user=UserFactory(nickname="late"))
    webhooks.dispatch_webhooks(now=soon())
    assert len(receiver.requests) == 1 and "@late" in receiver.requests[0].json["text"]


def test_a_500_is_retried_with_backoff_then_delivered(receiver, group, frame):
    webhooks.create_webhook(group=group, url=receiver.url)
    receiver.statuses = [500]
    services.register(frame=frame, user=UserFactory())
    assert webhooks.dispatch_webhooks(now=soon()) == 1  # created, not delivered
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert webhooks.dispatch_webhooks(now=soon()) == 0  # waits its back-off
    assert webhooks.dispatch_webhooks(now=timezone.now() + timedelta(minutes=1)) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 2, 200)
    assert len(receiver.requests) == 2
    assert len({r.headers["x-kaisai-delivery"] for r in receiver.requests}) == 1
    assert receiver.requests[0].body == receiver.requests[1].body


def test_gives_up_after_max_attempts(receiver, group, frame):
    webhooks.create_webhook(group=group, url=receiver.url)
    receiver.statuses = [503] * 20
    services.register(frame=frame, user=UserFactory())
    webhooks.dispatch_webhooks(now=soon())
    WebhookDelivery.objects.update(attempts=webhooks.MAX_ATTEMPTS - 1)
    webhooks.dispatch_webhooks(now=timezone.now() + timedelta(hours=2))
    assert WebhookDelivery.objects.get().state == "failed"


def test_unreachable_endpoint_is_a_temporary_failure(settings, group, frame):
    settings.KAISAI_WEBHOOK_ALLOW_PRIVATE = True
    webhooks.create_webhook(group=group, url="http://127.0.0.1:9/nothing-listens")
    services.register(frame=frame, user=UserFactory())
    webhooks.dispatch_webhooks(now=soon())
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.last_status is None
    assert "ConnectError" in delivery.last_error


def test_private_addresses_are_refused_at_delivery(receiver, settings, group, frame):
    webhooks.create_webhook(group=group, url=receiver.url)  # saved while allowed
    settings.KAISAI_WEBHOOK_ALLOW_PRIVATE = False
    services.register(frame=frame, user=UserFactory())
    webhooks.dispatch_webhooks(now=soon())
    assert receiver.requests == []
    assert "not a public address" in WebhookDelivery.objects.get().last_error


def test_the_answer_body_is_never_kept_only_the_status(receiver, group, frame):
    webhooks.create_webhook(group=group, url=receiver.url)
    receiver.statuses = [500]
    services.register(frame=frame, user=UserFactory())
    webhooks.dispatch_webhooks(now=soon())
    assert WebhookDelivery.objects.get().last_error == "HTTP 500"  # not "HTTP 500: ok"


def test_non_http_urls_are_refused(group):
    with pytest.raises(webhooks.WebhookError):
        webhooks.create_webhook(group=group, url="file:///etc/passwd")


# --- The organizer page --------------------------------------------------------------------


def page(group) -> str:
    return reverse("notices:webhooks", kwargs={"slug": group.slug})


def test_organizer_adds_a_webhook_and_sees_the_secret_once(client, organizer, group):
    login(client, organizer)
    response = client.post(page(group), {"url": "https://hooks.slack.com/services/T/B/X"})
    assert response.status_code == 200
    hook = Webhook.objects.get()
    assert hook.group == group and hook.url == "https://hooks.slack.com/services/T/B/X"
    assert len(hook.secret) == 64 and hook.secret in response.content.decode()
    assert hook.secret not in client.get(page(group)).content.decode()


def test_bad_urls_show_a_field_error_and_save_nothing(client, organizer, group):
    login(client, organizer)
    for url in ("ftp://example.com/x", "not a url", "javascript:alert(1)"):
        response = client.post(page(group), {"url": url})
        assert response.status_code == 200
        assert "https:// or http://" in response.content.decode() or "valid URL" in (
            response.content.decode()
        )
    assert not Webhook.objects.exists()


def test_organizer_deletes_a_webhook_by_post_only(client, organizer, group):
    hook = webhooks.create_webhook(group=group, url="https://example.com/hook")
    login(client, organizer)
    url = reverse("notices:webhook_delete", kwargs={"slug": group.slug, "webhook_id": hook.pk})
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Webhook.objects.exists()


def test_list_shows_recent_deliveries_in_few_queries(
    client, organizer, group, frame, receiver, django_assert_max_num_queries
):
    webhooks.create_webhook(group=group, url=receiver.url)
    webhooks.create_webhook(group=group, url="https://example.com/second")
    receiver.statuses = [500]
    services.register(frame=frame, user=UserFactory())
    WebhookDelivery.objects.filter(webhook__url="https://example.com/second").update(
        state="delivered"
    )
    webhooks.collect(Webhook.objects.get(url=receiver.url).pk, now=soon())
    webhooks.deliver_due(now=soon())
    login(client, organizer)
    with django_assert_max_num_queries(12) as few:
        html = client.get(page(group)).content.decode()
    assert "New registration" in html and "500" in html and "Pending" in html
    for person in UserFactory.create_batch(10):
        services.register(frame=frame, user=person)
    webhooks.collect(Webhook.objects.get(url=receiver.url).pk, now=soon())
    with django_assert_max_num_queries(len(few)):
        client.get(page(group))


def test_group_page_links_to_webhooks_for_managers(client, organizer, group):
    login(client, organizer)
    assert page(group) in client.get(group.get_absolute_url()).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "outsider", "plain", "reception"])
def test_others_may_not_see_or_change_webhooks(client, group, outsider, who):
    hook = webhooks.create_webhook(group=group, url="https://example.com/hook")
    if who == "outsider":
        login(client, outsider)
    elif who == "plain":
        login(client, UserFactory())
    elif who == "reception":
        login(client, OrganizerFactory(group=group, role=Role.RECEPTION).user)
    delete_url = reverse("notices:webhook_delete",
                         kwargs={"slug": group.slug, "webhook_id": hook.pk})  # fmt: skip
    for response in (
        client.get(page(group)),
        client.post(page(group), {"url": "https://evil.example/x"}),
        client.post(delete_url),
    ):
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response["Location"]
        else:
            assert response.status_code in (403, 404)
    assert list(Webhook.objects.values_list("url", flat=True)) == ["https://example.com/hook"]
