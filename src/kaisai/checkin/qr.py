"""The ticket's QR code (segno, SVG): it encodes `BASE_URL/t/<token>/`.

A phone's ordinary camera app opens that URL (the owner sees the ticket, reception staff the
reception page); the reception page's scanner reads the token from it.
"""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.urls import reverse

from kaisai.checkin.models import Ticket


def ticket_url(ticket: Ticket) -> str:
    return settings.BASE_URL + reverse("checkin:ticket_token", kwargs={"token": ticket.token})


def _code(ticket: Ticket) -> segno.QRCode:
    # Error correction M: still reads from a cracked phone screen or a crumpled print-out.
    return segno.make(ticket_url(ticket), error="m", micro=False)


def ticket_svg_inline(ticket: Ticket, *, title: str = "") -> str:
    """An <svg> element that scales to its box (viewBox, no fixed size), white quiet zone."""
    return _code(ticket).svg_inline(
        scale=4, dark="#000", light="#fff", omitsize=True, svgclass="ticket-qr", title=title or None
    )


def ticket_svg_document(ticket: Ticket) -> bytes:
    """A standalone SVG file (image/svg+xml)."""
    out = io.BytesIO()
    _code(ticket).save(out, kind="svg", scale=8, dark="#000", light="#fff", xmldecl=True)
    return out.getvalue()
