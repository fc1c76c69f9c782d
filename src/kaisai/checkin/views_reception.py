"""The reception (受付): a phone page that scans tickets or finds people by name, and the JSON
endpoints behind it. Owners, organizers and the reception role only.

The page works offline: `static/kaisai/reception.js` keeps every scan and tap in a queue in
localStorage with a client nonce and the device's time, and sends them when the network is back.
The endpoints are idempotent by nonce and take the original time, corrected for the device's
clock: the client sends when it scanned and when it sent, and the server keeps the difference.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.checkin import selectors, selectors_standby, services
from kaisai.checkin.errors import CheckInError
from kaisai.checkin.models import CheckIn, Ticket
from kaisai.core import counters
from kaisai.core.security_headers import allow_features
from kaisai.events.access import reception_event_or_403
from kaisai.events.models import Event
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration
from kaisai.registrations.selectors import speaker_user_ids

SEARCH_LIMIT = 20
SCANS_PER_MINUTE = 120
ERROR_STATUS = {"unknown": 404, "other_event": 409, "not_accepted": 409}
TICKET_URL = re.compile(r"/t/([A-Za-z0-9_-]{1,64})/?(?:[?#].*)?$")


def _payload(request: HttpRequest) -> dict:
    """A POST's fields: a JSON object (the page's script) or a form."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


def _scanned_at(data: dict) -> datetime | None:
    """When the device scanned, on the server's clock: the device sends its own time of the
    scan and of sending, and the age between them is taken from now (so a phone whose clock
    is off by minutes still records the right time)."""
    scanned = _parse_time(data.get("scanned_at"))
    if scanned is None:
        return None
    sent = _parse_time(data.get("sent_at"))
    if sent is None:
        return scanned
    age = max(sent - scanned, timedelta(0))
    return timezone.now() - age


def _parse_time(value) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_fixed_timezone(0))
    return moment


def _nonce(data: dict) -> str:
    nonce = data.get("nonce")
    return nonce[:64] if isinstance(nonce, str) else ""


def _rate_limited(request: HttpRequest) -> bool:
    """At most SCANS_PER_MINUTE ticket lookups per user and minute (Django's cache: shared
    by all app servers when it is Redis), so that tokens cannot be enumerated."""
    limit = getattr(settings, "KAISAI_RECEPTION_SCANS_PER_MINUTE", SCANS_PER_MINUTE)
    window = int(timezone.now().timestamp() // 60)
    key = f"kaisai:reception-scans:{request.user.pk}:{window}"
    return counters.bump(key, timeout=120) > limit


def _local_time(event: Event, moment: datetime | None) -> str:
    return timezone.localtime(moment, event.tz).strftime("%H:%M") if moment else ""


def _person(event: Event, registration: Registration, speakers: set[int] | None = None) -> dict:
    """`speakers`: the speakers among a list's people (one query for all); None asks for
    this one person."""
    ticket = getattr(registration, "ticket", None)
    if speakers is None:
        speakers = speaker_user_ids(event.pk, [registration.user_id])
    flags = []
    if registration.user_id in speakers:
        flags.append(str(_("Speaker")))
    if registration.nominated:
        flags.append(str(_("Nominated")))
    if registration.standby:
        flags.append(str(_("Standby")))
    return {
        "registration": registration.pk,
        "name": registration.user.name,
        "nickname": registration.user.nickname,
        "frame": registration.frame.name,
        "afterparty": registration.afterparty if event.has_afterparty else None,
        "receipt_number": ticket.receipt_number if ticket else None,
        "status": registration.status,
        "status_display": str(registration.get_status_display()),
        "flags": flags,
        "notes": registration.organizer_note,
    }


def _checkin(event: Event, checkin: CheckIn | None) -> dict:
    if checkin is None:
        return {"checked_in": False, "checked_in_at": "", "by": ""}
    return {
        "checked_in": True,
        "checked_in_at": _local_time(event, checkin.checked_in_at),
        "by": checkin.by.name if checkin.by else "",
        "method": checkin.method,
        "late": checkin.late,
    }


def _counter(event: Event) -> dict:
    checked_in, accepted = selectors.checked_in_count(event)
    return {"checked_in": checked_in, "accepted": accepted}


def _result(event: Event, result: services.CheckInResult) -> JsonResponse:
    info = _checkin(event, result.checkin)
    if result.already:
        values = {"time": info["checked_in_at"], "name": info["by"]}
        if info["by"]:
            message = _("Already checked in at %(time)s by %(name)s.") % values
        else:
            message = _("Already checked in at %(time)s.") % values
    else:
        message = _("Checked in.")
    return JsonResponse(
        {
            "result": "already" if result.already else "checked_in",
            "reason": "",
            "message": message,
            "person": _person(event, result.registration),
            **info,
            "counter": _counter(event),
        }
    )


def _error(
    reason: str, message: str, status: int, person: dict | None = None, **extra
) -> JsonResponse:
    body = {"result": "error", "reason": reason, "message": message, "person": person}
    return JsonResponse({**body, **extra}, status=status)


def _check_in_error(event: Event, error: CheckInError, registration=None) -> JsonResponse:
    """4xx with the reason. Another event's ticket says nothing about its holder."""
    person = None
    if error.reason == "not_accepted" and registration is not None:
        person = _person(event, registration)
    return _error(
        error.reason, error.messages[0], ERROR_STATUS.get(error.reason, 400), person,
        counter=_counter(event),
    )  # fmt: skip


def _strings() -> dict[str, str]:
    """The words the page's script shows, translated here (the script has no catalogue)."""
    return {
        "start_camera": _("Start camera"),
        "stop_camera": _("Stop camera"),
        "camera_unavailable": _(
            "This browser cannot use a camera here (the site needs HTTPS). Search by name below."
        ),
        "camera_denied": _("The camera could not be started. Allow it, or search by name below."),
        "camera_on": _("Point the camera at a ticket's QR code."),
        "not_a_ticket": _("This QR code is not a kaisai ticket."),
        "sending": _("Sending…"),
        "saved_offline": _("No network: saved on this device, it will be sent automatically."),
        "queued_already": _("Already waiting to be sent."),
        "checked_in": _("Checked in"),
        "sent_late": _("sent late"),
        "check_in": _("Check in"),
        "undo": _("Undo"),
        "yes": _("Yes"),
        "no": _("No"),
        "no_results": _("Nobody found among the accepted participants."),
        "search_offline": _("Search needs the network. Scanning still works offline."),
        "undo_offline": _("Undo needs the network."),
        "removed_from_queue": _("Removed from the waiting scans."),
        "session_ended": _(
            "The server did not take this (logged out?). Reload the page; "
            "waiting scans are kept on this device."
        ),
        "server_busy": _("The server is busy. Waiting scans will be sent again."),
        "waiting_one": _("1 waiting to be sent"),
        "waiting_many": _("%(count)s waiting to be sent"),
    }


@allow_features("camera")  # scanning tickets' QR codes
@never_cache
@login_required
@require_GET
def reception(request: HttpRequest, pk: int) -> HttpResponse:
    event = reception_event_or_403(request.user, pk)
    context = {
        "event": event,
        "counter": _counter(event),
        "strings": _strings(),
        "standby": selectors_standby.standby_panel(event),
        "days_from_event": selectors.days_from_event(event),
    }
    return render(request, "checkin/reception.html", context)


@never_cache
@login_required
@require_POST
def scan(request: HttpRequest, pk: int) -> JsonResponse:
    """A scanned ticket: {token, nonce, scanned_at, sent_at} → the result for the reception."""
    event = reception_event_or_403(request.user, pk)
    if _rate_limited(request):
        return _error("rate_limited", _("Too many scans. Wait a minute and try again."), 429)
    data = _payload(request)
    token = data.get("token")
    if not isinstance(token, str) or not token.strip():
        return _error("bad_request", _("No ticket in this scan."), 400)
    token = token.strip()
    found = TICKET_URL.search(token)  # the whole URL of the QR code is accepted too
    if found:
        token = found.group(1)
    try:
        result = services.check_in_ticket(
            event=event, token=token, by=request.user, method=CheckIn.Method.SCAN,
            nonce=_nonce(data), scanned_at=_scanned_at(data),
        )  # fmt: skip
    except CheckInError as error:
        registration = None
        if error.reason == "not_accepted":
            registration = (
                Registration.objects.select_related("user", "frame", "ticket")
                .filter(event=event, ticket__token=token)
                .first()
            )
        return _check_in_error(event, error, registration)
    return _result(event, result)


@never_cache
@login_required
@require_GET
def search(request: HttpRequest, pk: int) -> JsonResponse:
    """Accepted registrations by name, nickname or receipt number, with their check-in."""
    event = reception_event_or_403(request.user, pk)
    query = unicodedata.normalize("NFKC", request.GET.get("q", "")).strip()[:100]
    if not query:
        return JsonResponse({"results": []})
    matches = Q(user__display_name__icontains=query) | Q(user__nickname__icontains=query)
    number = query.removeprefix("#").strip()
    if number.isdigit() and len(number) < 9:
        matches |= Q(ticket__receipt_number=int(number))
    rows = (
        Registration.objects.filter(matches, event=event, status=Status.ACCEPTED)
        .select_related("user", "frame", "ticket", "checkin__by")
        .order_by("user__nickname", "pk")[:SEARCH_LIMIT]
    )
    found = list(rows)
    speakers = speaker_user_ids(event.pk, [row.user_id for row in found])
    results = [
        {"person": _person(event, row, speakers), **_checkin(event, getattr(row, "checkin", None))}
        for row in found
    ]
    return JsonResponse({"results": results})


def _registration(event: Event, data: dict) -> Registration | None:
    value = data.get("registration")
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        pk = int(value)
    except ValueError:
        return None
    return (
        Registration.objects.select_related("user", "frame", "ticket")
        .filter(pk=pk, event=event)
        .first()
    )


@never_cache
@login_required
@require_POST
def check_in(request: HttpRequest, pk: int) -> JsonResponse:
    """One tap on a search result: {registration, nonce, scanned_at, sent_at}."""
    event = reception_event_or_403(request.user, pk)
    data = _payload(request)
    registration = _registration(event, data)
    if registration is None:
        return _error("unknown", _("No such registration for this event."), 404)
    try:
        result = services.check_in(
            event=event, registration=registration, by=request.user,
            method=CheckIn.Method.SEARCH, nonce=_nonce(data), scanned_at=_scanned_at(data),
        )  # fmt: skip
    except CheckInError as error:
        return _check_in_error(event, error, registration)
    return _result(event, result)


@never_cache
@login_required
@require_POST
def undo(request: HttpRequest, pk: int) -> JsonResponse:
    """Take a check-in back: {registration}."""
    event = reception_event_or_403(request.user, pk)
    registration = _registration(event, _payload(request))
    if registration is None:
        return _error("unknown", _("No such registration for this event."), 404)
    undone = services.undo_check_in(registration=registration, by=signed_in_user(request))
    return JsonResponse(
        {
            "result": "undone" if undone else "not_checked_in",
            "reason": "",
            "message": _("Check-in undone.") if undone else _("Was not checked in."),
            "person": _person(event, registration),
            **_checkin(event, None),
            "counter": _counter(event),
        }
    )


@never_cache
@login_required
@require_GET
def counter(request: HttpRequest, pk: int) -> JsonResponse:
    """The live counter: {checked_in, accepted}."""
    return JsonResponse(_counter(reception_event_or_403(request.user, pk)))


@never_cache
@login_required
@require_POST
def admit_standby(request: HttpRequest, pk: int) -> HttpResponse:
    """One tap on a standby of the panel: {registration} → accepted and checked in, if a seat
    is free (the service decides under the frame's lock); back to the panel with the outcome."""
    event = reception_event_or_403(request.user, pk)
    registration = _registration(event, request.POST.dict())
    if registration is None:
        messages.error(request, _("No such registration for this event."))
    else:
        try:
            admitted = services.admit_standby(registration=registration, by=signed_in_user(request))
        except CheckInError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("%(name)s is admitted and checked in (receipt number %(number)s).")
                % {"name": admitted.user.name, "number": _receipt_number(admitted)},
            )
    return redirect(reverse("checkin:reception", kwargs={"pk": event.pk}) + "#standby")


def _receipt_number(registration: Registration) -> object:
    ticket = Ticket.objects.filter(registration=registration).first()
    return ticket.receipt_number if ticket else "—"
