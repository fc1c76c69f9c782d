"""Group webhooks: Slack- and Discord-compatible JSON about new registrations, cancellations
and promotions, signed with HMAC-SHA256 and retried with back-off (docs/webhooks.md).

Deliveries are made from the audit log (RegistrationLog), so every code path that changes a
registration is covered. `dispatch_webhooks` (a periodic job) first turns log rows after each
webhook's `last_log_id` into WebhookDelivery rows and advances `last_log_id` in the same
transaction (the webhook row locked), then POSTs what is due.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kaisai.core import netguard
from kaisai.groups.models import Group
from kaisai.notices.enums import DeliveryState, WebhookEvent
from kaisai.notices.models import Webhook, WebhookDelivery
from kaisai.registrations.enums import Status
from kaisai.registrations.models import RegistrationLog

logger = logging.getLogger(__name__)

TIMEOUT = 5.0  # seconds for one POST
LEASE = timedelta(seconds=60)  # a claimed delivery is not tried by another worker meanwhile
MAX_ATTEMPTS = 8
# Log rows younger than this are left for the next run: a registration's transaction that
# wrote a smaller id may not have committed yet, and last_log_id must not pass it by.
SETTLE = timedelta(seconds=5)
BATCH = 500


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def allow_private_addresses() -> bool:
    """Loopback, private, link-local and other special addresses are refused (when saving and
    at every delivery) unless KAISAI_WEBHOOK_ALLOW_PRIVATE is set, for a closed site whose
    chat server is on its own network (kaisai.core.netguard, docs/security.md)."""
    return bool(getattr(settings, "KAISAI_WEBHOOK_ALLOW_PRIVATE", False))


class WebhookError(Exception):
    pass


# --- Organizers' changes -----------------------------------------------------------------


def create_webhook(*, group: Group, url: str) -> Webhook:
    """A new webhook with a generated secret; it tells about changes from now on."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise WebhookError(_("Only http:// and https:// addresses can receive webhooks."))
    try:
        netguard.check_url(url, allow_private=allow_private_addresses())
    except netguard.AddressRefused as error:
        raise WebhookError(
            _("This address is not on the public Internet; webhooks can only be sent there.")
        ) from error
    with transaction.atomic():
        last = RegistrationLog.objects.aggregate(last=Max("id"))["last"] or 0
        return Webhook.objects.create(
            group=group, url=url, secret=secrets.token_hex(32), last_log_id=last
        )


def delete_webhook(*, webhook: Webhook) -> None:
    with transaction.atomic():
        webhook.delete()


# --- From the audit log to deliveries ----------------------------------------------------


def event_type_for(log: RegistrationLog) -> str | None:
    if not log.from_status:
        return WebhookEvent.REGISTERED
    if log.to_status == Status.CANCELLED:
        return WebhookEvent.CANCELLED
    if log.from_status == Status.WAITLISTED and log.to_status == Status.ACCEPTED:
        return WebhookEvent.PROMOTED
    return None


def build_payload(log: RegistrationLog, event_type: str) -> dict[str, Any]:
    registration = log.registration
    event = registration.event
    person = registration.user
    with translation.override(settings.LANGUAGE_CODE):
        what = str(WebhookEvent(event_type).label)
        status = str(Status(log.to_status).label)
        text = (
            f"{what}: {person.name} (@{person.nickname}) — {event.numbered_title} · "
            f"{log.frame.name} · {status}\n{settings.BASE_URL}{event.get_absolute_url()}"
        )
    return {
        "text": text,  # Slack
        "content": text[:2000],  # Discord
        "username": "kaisai",
        "kaisai": {
            "type": event_type,
            "event": {
                "id": event.pk,
                "title": event.title,
                "number": event.number,
                "url": f"{settings.BASE_URL}{event.get_absolute_url()}",
            },
            "registration": {"id": registration.pk, "nickname": person.nickname},
            "frame": {"id": log.frame_id, "name": log.frame.name},
            "status": log.to_status,
            "from_status": log.from_status,
            "at": log.created_at.isoformat(),
        },
    }


def collect(webhook_id: int, *, now: datetime | None = None) -> int:
    """Turn the group's log rows after last_log_id into deliveries; advance last_log_id in the
    same transaction. Returns how many deliveries were created."""
    settled = (now or timezone.now()) - SETTLE
    with transaction.atomic():
        webhook = (
            Webhook.objects.select_for_update(skip_locked=True)
            .filter(pk=webhook_id, active=True)
            .first()
        )
        if webhook is None:
            return 0
        last_id = (
            RegistrationLog.objects.filter(created_at__lte=settled)
            .filter(id__gt=webhook.last_log_id)
            .aggregate(last=Max("id"))["last"]
        )
        if last_id is None:
            return 0
        logs = list(
            RegistrationLog.objects.filter(
                id__gt=webhook.last_log_id,
                id__lte=last_id,
                registration__event__group_id=webhook.group_id,
            )
            .select_related("registration__event", "registration__user", "frame")
            .order_by("id")[:BATCH]
        )
        if len(logs) == BATCH:
            last_id = logs[-1].pk
        deliveries = []
        for log in logs:
            event_type = event_type_for(log)
            if event_type is None:
                continue
            deliveries.append(
                WebhookDelivery(
                    webhook=webhook,
                    key=f"wh-{webhook.pk}-{log.pk}",
                    event_type=event_type,
                    payload=build_payload(log, event_type),
                    next_attempt_at=timezone.now(),
                )
            )
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        Webhook.objects.filter(pk=webhook.pk).update(last_log_id=last_id)
        return len(deliveries)


# --- Sending ------------------------------------------------------------------------------


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Lease the delivery (one short UPDATE): the POST happens outside any transaction."""
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        state=DeliveryState.PENDING,
        next_attempt_at__lte=now,
        webhook__active=True,
    ).update(next_attempt_at=timezone.now() + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)


def send(delivery: WebhookDelivery, client: httpx.Client) -> bool:
    """POST one claimed delivery and record the outcome. True if delivered."""
    body = body_of(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "kaisai-webhook",
        "X-Kaisai-Signature": sign(delivery.webhook.secret, body),
        "X-Kaisai-Delivery": delivery.key,
        "X-Kaisai-Event": delivery.event_type,
    }
    status: int | None = None
    error = ""
    try:
        outcome = netguard.post(
            delivery.webhook.url,
            content=body,
            headers=headers,
            client=client,
            allow_private=allow_private_addresses(),
        )
        status = outcome.status
        if not 200 <= status < 300:
            # Only the status: the answer's body is never read, kept or shown.
            error = f"HTTP {status}"
    except netguard.AddressRefused as exc:
        error = f"AddressRefused: {exc}"
    except httpx.HTTPError as exc:
        error = type(exc).__name__
    delivery.last_status = status
    delivery.last_error = error[:2000]
    if not error:
        delivery.state = DeliveryState.DELIVERED
        delivery.delivered_at = timezone.now()
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = DeliveryState.FAILED
    else:
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
    delivery.save(
        update_fields=["last_status", "last_error", "state", "delivered_at", "next_attempt_at"]
    )
    return not error


def deliver_due(*, now: datetime | None = None, limit: int = 100) -> int:
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=now, webhook__active=True
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    delivered = 0
    for delivery_id in due:
        delivery = _claim(delivery_id, now)
        if delivery is None:
            continue
        # One client per POST: connections go to checked addresses with the name in Host and
        # SNI, so a pooled connection must not carry another webhook's request.
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            delivered += send(delivery, client)
    return delivered


def dispatch_webhooks(*, now: datetime | None = None) -> int:
    """The periodic job: new deliveries from the audit log, then the due POSTs. Returns how
    many deliveries were created plus how many were delivered."""
    created = sum(
        collect(webhook_id, now=now)
        for webhook_id in Webhook.objects.filter(active=True).values_list("pk", flat=True)
    )
    return created + deliver_due(now=now)
