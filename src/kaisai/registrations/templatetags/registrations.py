"""Template helpers for registration pages: `{% load registrations %}`."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def answer_text(value: Any) -> str:
    """A questionnaire answer as text: choices of a multiple-choice question joined by commas."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)
