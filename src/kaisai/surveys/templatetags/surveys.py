"""Small helpers of the survey answer page: errors and the values posted back after an error."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def field_errors(errors: dict[str, list[str]], question: Any) -> list[str]:
    return errors.get(f"q{question.pk}", [])


@register.simple_tag
def talk_errors(errors: dict[str, list[str]], talk: Any) -> list[str]:
    return errors.get(f"t{talk.pk}", [])


@register.simple_tag
def posted_value(posted: Any, pk: int) -> str:
    return posted.get(f"q{pk}", "") if posted else ""


@register.simple_tag
def posted_is(posted: Any, pk: int, value: str) -> str:
    if not posted:
        return ""
    return " checked" if str(value) in posted.getlist(f"q{pk}") else ""
