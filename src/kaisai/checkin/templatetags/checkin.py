"""Template helpers for tickets and attendance: `{% load checkin %}`.

- `{% ticket_for registration as ticket %}`: the registration's ticket, issued on first use
  (None unless accepted). Mails use it, so the ticket exists once the mail is written.
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
from kaisai.checkin.tickets import issue_ticket

register = template.Library()


@register.simple_tag
def ticket_for(registration) -> Ticket | None:
    if registration is None:
        return None
    return issue_ticket(registration)


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
