"""Participant pages: register, my registration (cancel, change frame), lottery, my events.

Thin views: they find the event (drafts are 404), call a service, and say the outcome.
The event page's frames section is `selectors_event_page.event_page_frames` (rendered by the
site's event page).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.accounts.selectors import listing_choice
from kaisai.events.access import public_event_or_404, visible_event_or_404
from kaisai.events.models import Event
from kaisai.registrations import selectors, selectors_lottery, selectors_participant, services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.forms_participant import RegisterForm
from kaisai.registrations.hooks import has_talk
from kaisai.registrations.lottery import ALGORITHM
from kaisai.registrations.models import Frame, Registration
from kaisai.registrations.proposals import TalkProposalForm
from kaisai.registrations.selectors_event_page import draw_of as _draw_of
from kaisai.registrations.selectors_event_page import frames_for_page as _frames
from kaisai.registrations.selectors_event_page import with_position as _with_position

# --- helpers --------------------------------------------------------------------------------


def _has_afterparty(event: Event) -> bool:
    """The service records an after-party choice only when the event announces one."""
    return event.has_afterparty


def _in_event_zone(event: Event, moment) -> str:
    return dateformat.format(moment.astimezone(event.tz), "Y-m-d (D) H:i")


def outcome_message(registration: Registration, event: Event) -> str:
    """What happened to a registration, said the way the participant needs to hear it."""
    frame = registration.frame
    if registration.status == Status.ACCEPTED:
        return _("You have a seat in “%(frame)s”. See you there!") % {"frame": frame.name}
    if registration.status == Status.WAITLISTED:
        return _(
            "“%(frame)s” is full, so you are number %(position)s on its waitlist. You move up "
            "automatically when a seat frees up, and we mail you."
        ) % {"frame": frame.name, "position": selectors.waitlist_position(registration)}
    if registration.status == Status.APPLIED and frame.method == Method.LOTTERY:
        return _(
            "You applied for the lottery of “%(frame)s”. It is drawn on %(date)s; we mail you "
            "the result."
        ) % {"frame": frame.name, "date": _in_event_zone(event, frame.lottery_at)}
    if registration.status == Status.APPLIED:
        return _(
            "You applied to “%(frame)s”. The organizers review applications; we mail you "
            "their decision."
        ) % {"frame": frame.name}
    return _("Your registration is %(status)s.") % {"status": registration.get_status_display()}


def _frame_of(event: Event, raw: str | None) -> int | None:
    """A frame id from the request: None if absent, 404 if it is not one of the event's."""
    if raw in (None, ""):
        return None
    try:
        frame_id = int(raw)  # type: ignore[arg-type]
    except ValueError:
        raise Http404 from None
    if not Frame.objects.filter(pk=frame_id, event=event).exists():
        raise Http404
    return frame_id


# --- pages ------------------------------------------------------------------------------------


@login_required
def register(request: HttpRequest, pk: int) -> HttpResponse:
    event = public_event_or_404(pk)
    chosen = _frame_of(event, request.POST.get("frame") or request.GET.get("frame"))
    if request.method != "POST" and selectors.registration_of(event, request.user):
        if chosen is not None and Frame.objects.filter(pk=chosen, requires_talk=True).exists():
            # "Propose a lightning talk" while registered: propose it from the seat one has.
            return redirect(
                f"{reverse('registrations:propose_talk', args=[event.pk])}?frame={chosen}"
            )
        messages.info(request, _("You are already registered to this event."))
        return redirect("registrations:mine", pk=event.pk)
    frames = _frames(event)
    open_frames = [frame for frame in frames if frame.window == "open"]
    if chosen is None and len(open_frames) == 1:
        chosen = open_frames[0].pk
    form = RegisterForm(
        request.POST if request.method == "POST" else None,
        frames=frames,
        questions=list(event.questions.all()),
        has_afterparty=_has_afterparty(event),
        initial={"frame": chosen},
    )
    if request.method == "POST" and form.is_valid():
        frame = next(frame for frame in frames if frame.pk == form.cleaned_data["frame"])
        try:  # a speakers' frame: registration and talk, all or nothing
            registration = services.register(
                frame=frame,
                user=signed_in_user(request),
                answers=form.answers(),
                afterparty=form.cleaned_data.get("afterparty", False),
                talk=form.proposal(),
            )
        except RegistrationError as error:
            form.add_registration_error(error)
        else:
            message = outcome_message(registration, event)
            if not registration.just_created:
                message = _("You were already registered to this event.") + " " + message
            messages.success(request, message)
            return redirect("registrations:mine", pk=event.pk)
    context = {
        "event": event,
        "frames": frames,
        "open_frames": open_frames,
        "form": form,
        "chosen": str(form["frame"].value() or ""),
        "afterparty_taken": (
            selectors_participant.afterparty_signups(event)
            if event.afterparty_capacity is not None and "afterparty" in form.fields
            else None
        ),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "registrations/register.html", context, status=status)


@login_required
def my_registration(request: HttpRequest, pk: int) -> HttpResponse:
    event = public_event_or_404(pk)
    registration = selectors_participant.latest_registration(event, request.user, with_answers=True)
    if registration is None:
        raise Http404
    _with_position(registration)
    frames = _frames(event) if registration.is_active else []
    change_to = [
        frame
        for frame in frames
        if frame.pk != registration.frame_id
        and frame.window == "open"
        and not services.closed_to(registration, frame)
    ]
    context = {
        "event": event,
        "registration": registration,
        "frame": registration.frame,
        "draw": _draw_of(registration.frame),
        "answers": list(registration.answers.all()),
        "has_afterparty": _has_afterparty(event),
        "sees_participant_info": registration.status == Status.ACCEPTED
        and selectors.sees_participant_info(event, request.user),
        "change_to": change_to,
        # Moving into a speakers' frame proposes a talk: the change form asks for it.
        "talk_form": TalkProposalForm(prefix="talk")
        if any(frame.requires_talk for frame in change_to)
        else None,
        "talk": _talk_of(registration),
        "listing_choice": listing_choice(registration.listed),
        "speakers_frame": next(
            (
                frame
                for frame in frames
                if frame.requires_talk
                and frame.window == "open"
                and frame.pk != registration.frame_id
            ),
            None,
        ),
    }
    return render(request, "registrations/mine.html", context)


def _talk_of(registration: Registration) -> object | None:
    """The talk proposed with a registration to a speakers' frame (LT), if any: the reverse
    accessor that talks' model declares (registrations import nothing of talks)."""
    if not registration.frame.requires_talk:
        return None
    return getattr(registration, "talk", None)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = public_event_or_404(pk)
    registration = selectors.registration_of(event, request.user)
    if registration is None:
        messages.info(request, _("You have no active registration to cancel."))
        return redirect(event)
    services.cancel_registration(
        registration=registration,
        by=signed_in_user(request),
        reason=gettext_noop("cancelled by the participant"),
    )
    messages.success(
        request,
        _("Your registration is cancelled. Thank you for freeing the seat for someone else."),
    )
    return redirect("registrations:mine", pk=event.pk)


@login_required
@require_POST
def standby(request: HttpRequest, pk: int) -> HttpResponse:
    """Opt in or out of coming as a standby at the door (`action`: "in" or "out")."""
    event = public_event_or_404(pk)
    registration = selectors.registration_of(event, request.user)
    if registration is None:
        messages.info(request, _("You have no active registration."))
        return redirect(event)
    action = request.POST.get("action")
    if action not in ("in", "out"):
        messages.error(request, _("Choose whether you come as a standby."))
        return redirect("registrations:mine", pk=event.pk)
    service = services.opt_in_standby if action == "in" else services.opt_out_standby
    try:
        service(registration=registration, by=signed_in_user(request))
    except RegistrationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if action == "in":
            messages.success(
                request,
                _("You are a standby. A seat is NOT guaranteed: we mailed you when to come."),
            )
        else:
            messages.success(request, _("You are no longer a standby; you stay on the waitlist."))
    return redirect("registrations:mine", pk=event.pk)


@login_required
@require_POST
def change_frame(request: HttpRequest, pk: int) -> HttpResponse:
    event = public_event_or_404(pk)
    frame_id = _frame_of(event, request.POST.get("frame"))
    registration = selectors.registration_of(event, request.user)
    if registration is None:
        messages.info(request, _("You have no active registration to change."))
        return redirect(event)
    if frame_id is None:
        messages.error(request, _("Choose a frame."))
        return redirect("registrations:mine", pk=event.pk)
    frame = Frame.objects.get(pk=frame_id)
    frame.event = event
    talk = None
    if frame.requires_talk and not has_talk(registration):
        form = TalkProposalForm(request.POST, prefix="talk")
        talk = form.proposal() if form.is_valid() else None
        if talk is None:
            messages.error(request, _talk_missing(form))
            return redirect("registrations:mine", pk=event.pk)
    try:
        moved = services.change_frame(
            registration=registration, to_frame=frame, by=signed_in_user(request), talk=talk
        )
    except RegistrationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, outcome_message(moved, event))
    return redirect("registrations:mine", pk=event.pk)


@login_required
def propose_talk(request: HttpRequest, pk: int) -> HttpResponse:
    """A registered attendee proposes a lightning talk to a speakers' frame (`?frame=`, or the
    event's only open one): moving into it, or keeping their seat, as the frame says
    (`Frame.speakers_keep_seat`, `services.propose_talk`)."""
    event = public_event_or_404(pk)
    speakers_frames = [
        frame for frame in _frames(event) if frame.requires_talk and frame.window == "open"
    ]
    chosen = _frame_of(event, request.POST.get("frame") or request.GET.get("frame"))
    frame = next((f for f in speakers_frames if chosen in (None, f.pk)), None)
    if frame is None:
        messages.info(request, _("This event does not take talk proposals now."))
        return redirect(event)
    registration = selectors.registration_of(event, request.user)
    if registration is None:
        return redirect(f"{reverse('registrations:register', args=[event.pk])}?frame={frame.pk}")
    if registration.frame_id == frame.pk:
        messages.info(request, _("You are already registered in the speakers' frame."))
        return redirect("registrations:mine", pk=event.pk)
    form = TalkProposalForm(request.POST if request.method == "POST" else None, prefix="talk")
    if request.method == "POST" and form.is_valid():
        talk = form.proposal()
        if talk is None:
            form.add_error("title", _("A speakers' frame needs the title of your talk."))
        else:
            try:
                moved = services.propose_talk(
                    registration=registration, frame=frame, talk=talk, by=signed_in_user(request)
                )
            except RegistrationError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                if frame.speakers_keep_seat:
                    messages.success(
                        request,
                        _(
                            "Your talk is proposed; you keep your seat in “%(frame)s”. The "
                            "organizers decide on the talk and we mail you."
                        )
                        % {"frame": registration.frame.name},
                    )
                else:
                    messages.success(request, outcome_message(moved, event))
                return redirect("registrations:mine", pk=event.pk)
    context = {"event": event, "frame": frame, "registration": registration, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "registrations/propose_talk.html", context, status=status)


def _talk_missing(form: TalkProposalForm) -> str:
    """Why a move into a speakers' frame was refused: the talk's fields, with their errors."""
    problems = [
        f"{form.fields[name].label}: {' '.join(str(error) for error in errors)}"
        for name, errors in form.errors.items()
    ]
    title = str(form["title"].value() or "").strip()
    missing = [] if title else [_("A speakers' frame needs the title of your talk.")]
    return " ".join([*missing, *problems])


def lottery(request: HttpRequest, pk: int, frame_id: int) -> HttpResponse:
    event = visible_event_or_404(request.user, pk)
    frame = get_object_or_404(
        selectors.frames_with_counts(event), pk=frame_id, method=Method.LOTTERY
    )
    frame.event = event
    draw = _draw_of(frame)
    drawn = draw is not None and draw.is_drawn
    # Before the draw: the user's pending application; after it: whichever of theirs was drawn.
    mine = selectors_participant.my_registration_ids(
        frame, request.user, status="" if drawn else Status.APPLIED
    )
    context = {
        "event": event,
        "frame": frame,
        "draw": draw,
        "drawn": drawn,
        "algorithm": draw.algorithm if draw else ALGORITHM,
        "mine": sorted(mine & set(draw.applicants)) if drawn else sorted(mine),  # type: ignore[union-attr]
        "rows": selectors_participant.draw_rows(draw, mine) if drawn else [],  # type: ignore[arg-type]
        "verification": selectors_lottery.verification(frame.pk) if drawn else None,
    }
    return render(request, "registrations/lottery.html", context)


@login_required
def my_events(request: HttpRequest) -> HttpResponse:
    upcoming, past = selectors_participant.my_events(signed_in_user(request))
    return render(
        request,
        "registrations/my_events.html",
        {"upcoming": upcoming, "past": past, "now": timezone.now()},
    )
