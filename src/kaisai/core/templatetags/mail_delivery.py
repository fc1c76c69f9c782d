"""Mail delivery in organizer pages.

`{% undeliverable_emails_for registrations as undeliverable %}` then
`{% if registration.user.email|lower in undeliverable %}`: one query for the whole list."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from kaisai.core.selectors_mail import undeliverable_emails

register = template.Library()


@register.simple_tag
def undeliverable_emails_for(registrations: Iterable) -> set[str]:
    return undeliverable_emails(registration.user for registration in registrations)
