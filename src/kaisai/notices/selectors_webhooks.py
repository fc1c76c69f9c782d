"""Reads for the webhooks page."""

from __future__ import annotations

from django.db.models import Prefetch

from kaisai.groups.models import Group
from kaisai.notices.models import Webhook, WebhookDelivery

RECENT = 10


def webhooks_with_recent_deliveries(group: Group) -> list[Webhook]:
    """The group's webhooks, each with `.recent`: its last deliveries (two queries)."""
    recent = WebhookDelivery.objects.order_by("-created_at", "-id")[:RECENT]
    return list(
        Webhook.objects.filter(group=group)
        .order_by("created_at", "id")
        .prefetch_related(Prefetch("deliveries", queryset=recent, to_attr="recent"))
    )
