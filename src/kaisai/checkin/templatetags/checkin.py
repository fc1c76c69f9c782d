"""Template helpers for tickets and attendance: `{% load checkin %}`.

- `{% ticket_for registration as ticket %}`: the registration's ticket (None unless
  accepted). It only reads: tickets are issued at acceptance (`checkin.tickets`).
- `{% attendance_numbers_for event as numbers %}`: applied, accepted, …, attendance rate.
- `{% ticket_qr ticket %}`: the ticket's QR code as inline SVG.
- `{{ rate|percent }}`: 0.71 → "71%" ("—" for None).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from kaisai.checkin.models import Ticket
from kaisai.checkin.qr import ticket_svg_inline
from kaisai.checkin.selectors import attendance_numbers
from kaisai.checkin.tickets import ticket_of
from kaisai.registrations.models import Registration

register = template.Library()


@register.simple_tag
def ticket_for(registration: Registration | None) -> Ticket | None:
    return ticket_of(registration)


@register.simple_tag
def attendance_numbers_for(event) -> dict:
    return attendance_numbers(event)


@register.simple_tag
def ticket_qr(ticket: Ticket, title: str = "") -> SafeString:
    # segno writes only path data and the (escaped) title: safe to inline.
    return mark_safe(ticket_svg_inline(ticket, title=title))  # noqa: S308


@register.filter
def percent(rate) -> str:
    if rate is None or rate == "":
        return "—"
    return f"{round(float(rate) * 100)}%"
