"""Tickets and attendance pages.

Participants: the ticket (受付票) with its QR code, what a scanned QR opens, self check-in
with the attendance code (出席コード), my attendance. Organizers (owner, organizer): the
attendance code, an event's attendance, a person's attendance within their group.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from kaisai.accounts.models import User
from kaisai.accounts.requests import signed_in_user
from kaisai.checkin import ratelimit, selectors, selectors_pages, services
from kaisai.checkin.errors import CheckInError
from kaisai.checkin.forms import AttendanceCodeForm, SelfCheckInForm
from kaisai.checkin.models import CheckIn, Ticket
from kaisai.checkin.qr import ticket_svg_document, ticket_url
from kaisai.checkin.tickets import ticket_of, valid_ticket
from kaisai.core.clientip import client_ip
from kaisai.events.access import managed_event_or_403, public_event_or_404
from kaisai.events.ics import event_calendar
from kaisai.events.models import Event
from kaisai.groups.access import managed_group_or_403
from kaisai.groups.permissions import can_do_reception
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration

TOKEN_LOOKUPS_PER_MINUTE = 30
CODE_TRIES_PER_MINUTE = 10

# --- helpers --------------------------------------------------------------------------------


def _my_registration(event: Event, user) -> Registration | None:
    """The user's active registration, else their latest one."""
    rows = Registration.objects.filter(event=event, user=user).select_related("frame")
    active = rows.filter(status__in=(Status.ACCEPTED, Status.WAITLISTED, Status.APPLIED))
    return active.order_by("-id").first() or rows.order_by("-id").first()


def _own_ticket(pk: int, user: User) -> tuple[Event, Ticket]:
    """The event and the user's ticket to it (404 unless their registration is accepted)."""
    event = public_event_or_404(pk)
    registration = (
        Registration.objects.filter(event=event, user=user, status=Status.ACCEPTED)
        .select_related("frame", "ticket")
        .first()
    )
    the_ticket = ticket_of(registration)
    if registration is None or the_ticket is None:
        raise Http404
    registration.event = event
    return event, the_ticket


def _self_check_in_window(event: Event) -> tuple:
    return event.starts_at - services.SELF_CHECK_IN_OPENS, event.ends_at


# --- participants ---------------------------------------------------------------------------


@login_required
@cache_control(private=True, no_store=True)
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """The participant's own ticket; waitlisted, applied or cancelled: a page saying why not."""
    event = public_event_or_404(pk)
    registration = _my_registration(event, request.user)
    if registration is None or registration.status != Status.ACCEPTED:
        missing = {"event": event, "registration": registration}
        return render(request, "checkin/no_ticket.html", missing, status=404)
    registration.event = event
    the_ticket = ticket_of(registration)
    if the_ticket is None:  # issued at acceptance: only a registration accepted just now
        missing = {"event": event, "registration": registration}
        return render(request, "checkin/no_ticket.html", missing, status=404)
    checkin = CheckIn.objects.filter(registration=registration).select_related("by").first()
    context: dict[str, object] = {
        "event": event,
        "registration": registration,
        "ticket": the_ticket,
        "ticket_url": ticket_url(the_ticket),
        "checkin": checkin,
        "can_self_check_in": event.is_online and bool(event.attendance_code),
    }
    return render(request, "checkin/ticket.html", context)


@login_required
@cache_control(private=True, no_store=True)
def ticket_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The own ticket's QR code as an SVG file (to save or print)."""
    _event, the_ticket = _own_ticket(pk, signed_in_user(request))
    response = HttpResponse(ticket_svg_document(the_ticket), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="ticket-{pk}.svg"'
    return response


@login_required
@cache_control(private=True, no_store=True)
def ticket_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The participant's own calendar entry: the event, linking to the ticket."""
    event, the_ticket = _own_ticket(pk, signed_in_user(request))
    body = event_calendar(
        event,
        ticket_url=ticket_url(the_ticket),
        receipt_number=the_ticket.receipt_number,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ticket-{pk}.ics"'
    return response


def ticket_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """What a scanned QR code opens in an ordinary browser.

    The owner goes to their ticket, the event's organizers and reception staff to the
    reception page with the token; anyone else sees a neutral page. Unknown tokens are
    counted per IP address: after 30 a minute, every lookup is refused (429)."""
    ip = client_ip(request)
    if ratelimit.is_limited("ticket-token", ip, TOKEN_LOOKUPS_PER_MINUTE):
        return render(request, "checkin/rate_limited.html", status=429)
    found = valid_ticket(token)
    if found is None:
        ratelimit.count_failure("ticket-token", ip)
        return render(request, "checkin/ticket_token.html", {"token": token}, status=404)
    user = request.user
    if user.is_authenticated:
        if found.registration.user_id == user.pk:
            return redirect("checkin:ticket", pk=found.event_id)
        if can_do_reception(user, found.event.group):
            url = reverse("checkin:reception", kwargs={"pk": found.event_id})
            return redirect(f"{url}?token={found.token}")
    return render(request, "checkin/ticket_token.html", {"token": token})


@login_required
def self_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """出席コード: check in online, from 2 hours before the start until the end."""
    event = public_event_or_404(pk)
    registration = _my_registration(event, request.user)
    accepted = registration is not None and registration.status == Status.ACCEPTED
    checkin = (
        CheckIn.objects.filter(registration=registration).select_related("by").first()
        if accepted
        else None
    )
    opens, closes = _self_check_in_window(event)
    now = timezone.now()
    form = SelfCheckInForm(request.POST or None)
    status = 200
    if request.method == "POST" and checkin is None:
        who = str(request.user.pk)
        if ratelimit.is_limited("attendance-code", who, CODE_TRIES_PER_MINUTE):
            form.add_error(None, _("Too many tries. Please wait a minute and try again."))
            status = 429
        elif form.is_valid():
            try:
                services.self_check_in(
                    event=event, user=signed_in_user(request), code=form.cleaned_data["code"]
                )
            except CheckInError as error:
                if error.reason == "wrong_code":
                    ratelimit.count_failure("attendance-code", who)
                form.add_service_error(error)
                status = 400
            else:
                messages.success(request, _("You are checked in. Enjoy the event!"))
                return redirect("checkin:self_check_in", pk=event.pk)
        else:
            status = 400
    elif request.method == "POST":
        return redirect("checkin:self_check_in", pk=event.pk)
    context: dict[str, object] = {
        "event": event,
        "registration": registration,
        "accepted": accepted,
        "checkin": checkin,
        "form": form,
        "has_code": bool(event.attendance_code),
        "opens": opens,
        "closes": closes,
        "window": "not_yet" if now < opens else "closed" if now > closes else "open",
    }
    return render(request, "checkin/self_check_in.html", context, status=status)


@login_required
def my_attendance(request: HttpRequest) -> HttpResponse:
    context = {"history": selectors_pages.history(signed_in_user(request))}
    return render(request, "checkin/my_attendance.html", context)


# --- organizers -----------------------------------------------------------------------------


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """An event's numbers and its accepted people with their check-ins."""
    event = managed_event_or_403(request.user, pk)
    show = request.GET.get("show", "all")
    if show not in selectors_pages.SHOW_CHOICES:
        show = "all"
    context = {
        "event": event,
        "numbers": selectors.attendance_numbers(event),
        "rows": selectors_pages.attendance_rows(event, show=show),
        "show": show,
        "ended": event.ends_at <= timezone.now(),
        "can_manage": True,
        "section": "attendance",
    }
    return render(request, "checkin/attendance.html", context)


@login_required
def attendance_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Set, change or clear the event's attendance code."""
    event = managed_event_or_403(request.user, pk)
    status = 200
    if request.method == "POST":
        data = request.POST.copy()
        if "clear" in data:
            data["code"] = ""
        form = AttendanceCodeForm(data)
        if form.is_valid():
            try:
                services.set_attendance_code(
                    event=event, code=form.cleaned_data["code"], by=signed_in_user(request)
                )
            except CheckInError as error:
                form.add_service_error(error)
                status = 400
            else:
                if event.attendance_code:
                    messages.success(request, _("The attendance code is set."))
                else:
                    messages.success(request, _("The attendance code is cleared."))
                return redirect("checkin:attendance_code", pk=event.pk)
        else:
            status = 400
    else:
        # A suggestion the organizer may keep or change; nothing is saved until they submit.
        form = AttendanceCodeForm(
            initial={"code": event.attendance_code or f"{secrets.randbelow(10**6):06d}"}
        )
    opens, closes = _self_check_in_window(event)
    context = {
        "event": event,
        "form": form,
        "opens": opens,
        "closes": closes,
        "self_check_in_url": settings.BASE_URL
        + reverse("checkin:self_check_in", kwargs={"pk": event.pk}),
        "can_manage": True,
        "section": "attendance_code",
    }
    return render(request, "checkin/attendance_code.html", context, status=status)


@login_required
def member_attendance(request: HttpRequest, slug: str, nickname: str) -> HttpResponse:
    """A person's attendance at this group's events; for the group's organizers only."""
    group = managed_group_or_403(request.user, slug)
    person = get_object_or_404(User, nickname=nickname)
    context = {
        "group": group,
        "person": person,
        "history": selectors_pages.history(person, group=group),
    }
    return render(request, "checkin/member_attendance.html", context)
