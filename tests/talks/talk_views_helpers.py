"""URLs shared by the talk pages' tests (test_views_talk_*.py)."""

from __future__ import annotations

from django.urls import reverse


def manage_url(event) -> str:
    return reverse("talks:manage", kwargs={"pk": event.pk})


def talk_url(name: str, talk) -> str:
    return reverse(f"talks:{name}", kwargs={"talk_id": talk.pk})
