"""What a participant does: register, cancel, change frame.

A registration is written by one of three paths, all writing the rows defined once in
`rows` (registration, answers, audit row) and `audit` (mail, status listeners) through
`_create`, or — on PostgreSQL — the same instances' columns in one statement:

- `onestatement.register_first_come` (PostgreSQL, first-come frame): one SQL statement;
- `_register_seat_last` (first-come with seats left): write first, take the seat last;
- `_register_lock_first` (everything else): lock and place first, then write.

The first two exist for the registration rush (bench/RESULTS.md): the frame's lock is held
for as short a time as possible. The speakers'-frame rule (a talk proposal is required) is
`_require_talk`, applied by `register` and `move_registration`.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from kaisai.accounts.models import User
from kaisai.core import metrics
from kaisai.core.models import OutboxMail
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.registrations import hooks
from kaisai.registrations.enums import ACTIVE_STATUSES, Method, Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Answer, Frame, Question, Registration
from kaisai.registrations.proposals import TalkProposal
from kaisai.registrations.services import audit, onestatement, placement, questionnaire, rows, seats


def active_registration(event_id: int, user: User) -> Registration | None:
    return (
        Registration.objects.filter(event_id=event_id, user=user, status__in=ACTIVE_STATUSES)
        .select_related("frame")
        .first()
    )


def check_window(frame: Frame) -> None:
    """Registration is possible on a published event, inside the frame's window
    (`Frame.window_now`)."""
    if frame.event.status != EventStatus.PUBLISHED:
        raise RegistrationError(_("This event does not take registrations."), code="not_open")
    window = frame.window_now()
    if window == "not_yet":
        raise RegistrationError(_("Registration has not opened yet."), code="not_open")
    if window == "closed":
        raise RegistrationError(_("Registration has closed."), code="closed")


_LOSERS_CODE = "lottery_losers_excluded"
_LOSERS_EXCLUDED = gettext_lazy(
    "“%(frame)s” is not open to those not drawn in this event's lottery (the organizers' choice)."
)


def check_lottery_losers(frame: Frame, user: User) -> None:
    """A first-come frame closed to those not drawn in a lottery of the event
    (`Frame.accepts_lottery_losers` off) refuses someone whose lottery application was
    rejected. No query for the other frames. (One still on a lottery's waitlist is
    registered: `change_frame` checks the move.)"""
    if frame.method != Method.FIRST_COME or frame.accepts_lottery_losers:
        return
    lost = Registration.objects.filter(
        event_id=frame.event_id, user=user, status=Status.REJECTED, frame__method=Method.LOTTERY
    ).exists()
    if lost:
        raise RegistrationError(_LOSERS_EXCLUDED % {"frame": frame.name}, code=_LOSERS_CODE)


def _require_talk(frame: Frame, user: User, talk: TalkProposal | None) -> None:
    """A speakers' frame (`requires_talk`) needs a talk proposal, checked before anything is
    written (by the checker talks connect); any other frame takes none."""
    if not frame.requires_talk:
        if talk is not None:
            raise RegistrationError(_("This frame does not take talk proposals."), code="no_talks")
        return
    if talk is None:
        raise RegistrationError(
            {"talk": [_("This frame is for speakers: propose a talk to register to it.")]},
            code="talk_required",
        )
    hooks.check_talk(frame, user, talk)


def reserve_afterparty(event: Event) -> None:
    """The after-party has its own headcount: check it under the event's row lock."""
    if event.afterparty_capacity is None:
        return
    Event.objects.select_for_update().filter(pk=event.pk).first()
    taken = Registration.objects.filter(
        event=event, afterparty=True, status__in=ACTIVE_STATUSES
    ).count()
    if taken >= event.afterparty_capacity:
        raise RegistrationError(
            _("The after-party is full. You can register without it."), code="afterparty_full"
        )


def questions_for(frame: Frame) -> list[Question]:
    """The event's questionnaire. No query when the caller's frame query already knew that
    the event has none (an annotation `has_questions`, as the API's frame lookup adds)."""
    if not getattr(frame, "has_questions", True):
        return []
    return list(Question.objects.filter(event_id=frame.event_id))


class _NoSeatLeft(Exception):
    """The seat-last attempt found the frame full: roll it back and place the general way."""


def _create(
    frame: Frame, user: User, status: str, key: int | None, afterparty: bool,
    cleaned: dict[int, Any], *, notify: bool = True,
) -> Registration:  # fmt: skip
    """Write the rows of a new registration (`rows`; `onestatement` writes the same). With
    `notify=False` the caller runs the status listeners itself (`hooks.status_changed`)."""
    registration = rows.new_registration(
        frame, user, status=status, waitlist_key=key, afterparty=afterparty
    )
    registration.save(force_insert=True)
    if cleaned:
        Answer.objects.bulk_create(rows.new_answers(registration, cleaned))
    audit.record(registration, from_status="", actor=user, reason=rows.REGISTERED, notify=notify)
    return registration


def _register_seat_last(frame: Frame, user: User, cleaned: dict[int, Any]) -> Registration | None:
    """A first-come frame with seats left: write the registration, its answers, the audit row
    and the mail first, and take the seat (the frame's row lock) last, right before COMMIT, so
    that the lock is held for one statement and the commit. None if no seat was left (the
    attempt is rolled back). On PostgreSQL `onestatement` does this in one statement.

    The status listeners run after the seat is taken: what they lock (check-in's per-event
    ticket counter) is always locked after the frame, on every path, so that two
    registrations never wait for each other's locks in opposite order."""
    try:
        with transaction.atomic():
            registration = _create(frame, user, Status.ACCEPTED, None, False, cleaned, notify=False)
            if not seats.take_seat(frame.pk):
                raise _NoSeatLeft
            hooks.status_changed(registration, "")
    except _NoSeatLeft:
        return None
    return registration


def _register_lock_first(
    frame: Frame, user: User, cleaned: dict[int, Any], afterparty: bool, *, speaker: bool = False
) -> Registration:
    """Every other case: lock (and decide the status) first, then write."""
    with transaction.atomic():
        if afterparty:
            reserve_afterparty(frame.event)
        status, key = placement.initial_status(frame, speaker=speaker)
        return _create(frame, user, status, key, afterparty, cleaned)


def register(
    *,
    frame: Frame,
    user: User,
    answers: dict[Any, Any] | None = None,
    afterparty: bool = False,
    talk: TalkProposal | None = None,
) -> Registration:
    """Apply to a frame (`frame.event` is read: load it with the frame). A speakers' frame
    needs `talk`, written with the registration in one transaction (`hooks.write_talk`).
    A repeated request answers with the existing registration (`just_created` False) and
    writes no second talk.

    A second active registration to the event is stopped by the database's unique index (the
    INSERT fails before any lock is taken); then, and whenever a rule says no, an existing
    active registration is the answer."""
    _require_talk(frame, user, talk)
    try:
        check_window(frame)
        check_lottery_losers(frame, user)
        cleaned = questionnaire.clean_answers(questions_for(frame), answers)
        afterparty = afterparty and frame.event.has_afterparty
        with transaction.atomic() if talk else nullcontext():
            registration = _place(frame, user, cleaned, afterparty, one_statement=not talk)
            if talk is not None:
                hooks.write_talk(registration, talk)
    except (RegistrationError, IntegrityError) as error:
        existing = active_registration(frame.event_id, user)
        if existing is None:
            reason = error.reason if isinstance(error, RegistrationError) else "conflict"
            metrics.REGISTRATIONS.labels(result=reason).inc()
            raise
        metrics.REGISTRATIONS.labels(result="repeated").inc()
        return existing  # registered before, or a concurrent duplicate request won the race
    metrics.REGISTRATIONS.labels(result=registration.status).inc()
    registration.just_created = True
    return registration


def _seat_late_speaker(registration: Registration) -> Registration:
    """The one statement waitlisted a speaker (the frame filled up after it was read as
    having seats): take back its waitlist mail, still unsent in the outbox, and give the
    speaker seat (`speakers.seat_speaker`), in one transaction."""
    from kaisai.registrations.services.speakers import seat_speaker  # (speakers imports us)

    with transaction.atomic():
        OutboxMail.objects.filter(
            key__startswith=f"registration-{registration.pk}-",
            template=audit.MAIL_FOR[Status.WAITLISTED],
            state=OutboxMail.State.PENDING,
        ).delete()
        seated = seat_speaker(event_id=registration.event_id, user_id=registration.user_id, by=None)
    return seated or registration


def _place(
    frame: Frame, user: User, cleaned: dict[int, Any], afterparty: bool, *, one_statement: bool
) -> Registration:
    """The fastest of the three write paths that the case allows. A speaker of the event
    (`hooks.speakers_among`) is asked about only when the frame may not seat them (one
    query): they go the lock-first way and get a speaker seat, never the waitlist."""
    registration = None
    seat_free = seats.seat_last_possible(frame)
    speaker = not seat_free and bool(hooks.speakers_among(frame.event_id, [user.pk]))
    if (
        not speaker
        and one_statement
        and not afterparty
        and frame.method == Method.FIRST_COME
        and onestatement.available()
    ):
        registration = onestatement.register_first_come(frame, user, cleaned)
        if (
            seat_free
            and registration.status == Status.WAITLISTED
            and hooks.speakers_among(frame.event_id, [user.pk])
        ):
            registration = _seat_late_speaker(registration)
    elif not speaker and seat_free and not afterparty:
        registration = _register_seat_last(frame, user, cleaned)
    if registration is None:
        speaker = speaker or (
            seat_free and bool(hooks.speakers_among(frame.event_id, [user.pk]))
        )  # the seat-last attempt found the frame full after all
        registration = _register_lock_first(frame, user, cleaned, afterparty, speaker=speaker)
    return registration


def cancel_registration(
    *, registration: Registration, by: User | None, reason: str = ""
) -> Registration:
    """Cancel (by the participant or an organizer); a freed seat goes to the waitlist at once."""
    with transaction.atomic():
        frames = seats.lock_frames(registration.frame_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            return registration
        frame = frames[registration.frame_id]
        previous = registration.status
        registration.status = Status.CANCELLED
        registration.waitlist_key = None
        registration.save(update_fields=["status", "waitlist_key", "updated_at"])
        if previous == Status.ACCEPTED:
            seats.release_seat(frame.pk)
        audit.record(
            registration, from_status=previous, actor=by, reason=reason or gettext_noop("cancelled")
        )
        if previous == Status.ACCEPTED:
            placement.promote(
                frame, actor=None, reason=gettext_noop("promoted after a cancellation")
            )
    return registration


def move_registration(
    *,
    registration: Registration,
    to_frame: Frame,
    by: User | None,
    reason: str = "",
    talk: TalkProposal | None = None,
) -> Registration:
    """Move an active registration to another frame of the same event (a participant while
    registration is open, or an organizer). The old seat is freed and the waitlist moves.
    Into a speakers' frame, `talk` is required unless the registration has its talk already
    (moved out and back); the talk is written in the same transaction."""
    if to_frame.event_id != registration.event_id:
        raise RegistrationError(_("That frame belongs to another event."), code="wrong_event")
    if to_frame.pk == registration.frame_id:
        return registration
    if talk is not None or to_frame.requires_talk and not hooks.has_talk(registration):
        # (a speaker moved back into a speakers' frame: the talk follows the registration)
        _require_talk(to_frame, registration.user, talk)
    with transaction.atomic():
        frames = seats.lock_frames(registration.frame_id, to_frame.pk)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            raise RegistrationError(_("This registration is not active."), code="not_active")
        old_frame, new_frame = frames[registration.frame_id], frames[to_frame.pk]
        previous = registration.status
        if previous == Status.ACCEPTED:
            seats.release_seat(old_frame.pk)
        speaker = bool(hooks.speakers_among(registration.event_id, [registration.user_id]))
        status, key = placement.initial_status(new_frame, speaker=speaker)
        registration.frame = new_frame
        registration.status = status
        registration.waitlist_key = key
        registration.nominated = False
        registration.standby = False  # a standby of the old frame, not of the new one
        registration.save(
            update_fields=["frame", "status", "waitlist_key", "nominated", "standby", "updated_at"]
        )
        audit.record(
            registration,
            from_status=previous,
            actor=by,
            reason=reason or f"moved from frame {old_frame.pk}",
        )
        if talk is not None:
            hooks.write_talk(registration, talk)
        if previous == Status.ACCEPTED:
            placement.promote(old_frame, reason=gettext_noop("promoted after a move"))
    return registration


def lost_a_lottery(registration: Registration) -> bool:
    """Not drawn: on the waitlist of a drawn lottery frame (before the draw one is `applied`)."""
    return registration.frame.method == Method.LOTTERY and registration.status == Status.WAITLISTED


def closed_to(registration: Registration, frame: Frame) -> bool:
    """Whether `frame` refuses this registration's move as one not drawn in a lottery."""
    return (
        frame.method == Method.FIRST_COME
        and not frame.accepts_lottery_losers
        and lost_a_lottery(registration)
    )


def change_frame(
    *, registration: Registration, to_frame: Frame, by: User, talk: TalkProposal | None = None
) -> Registration:
    """The participant's own move: only while the new frame takes registrations (into a
    speakers' frame with a talk proposal, as `move_registration` says), and not into a
    first-come frame closed to those not drawn in a lottery (`Frame.accepts_lottery_losers`)."""
    check_window(to_frame)
    if closed_to(registration, to_frame):
        raise RegistrationError(_LOSERS_EXCLUDED % {"frame": to_frame.name}, code=_LOSERS_CODE)
    return move_registration(registration=registration, to_frame=to_frame, by=by, talk=talk)
