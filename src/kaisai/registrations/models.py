"""Frames (参加枠), registrations (申込), the questionnaire, the audit log and lottery draws.

Facts are the registrations; `Frame.accepted_count` is a counter kept in the same transaction
as every change of an accepted registration (checked against the facts by tests), so that the
availability check under the frame's lock is one conditional UPDATE instead of a COUNT.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kaisai.events import bounds
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.registrations.enums import (
    ACTIVE_STATUSES,
    DEFAULT_OVERFLOW_RISK,
    MAX_OVERFLOW_RISK,
    WAITING_STATUSES,
    Method,
    Overbooking,
    QuestionKind,
    Status,
)


def registration_window(
    opens_at: datetime | None, closes_at: datetime | None, starts_at: datetime, moment: datetime
) -> str:
    """The registration window rule, written once: "not_yet" before `opens_at`, "open" until
    `closes_at` (empty: the event's start), then "closed". `Frame.window_now`, the registration
    services and API v2's open_status use it; `selectors.taking_registrations` is its query."""
    if opens_at and moment < opens_at:
        return "not_yet"
    if moment >= (closes_at or starts_at):
        return "closed"
    return "open"


class Frame(models.Model):
    # Not fields: set by selectors on the frames a page shows
    # (`selectors_event_page.frames_for_page`: the window, the draw and the free seats; talks'
    # call for speakers: the seats left).
    window: str
    lottery: LotteryDraw | None
    lottery_pending: bool
    free: int
    seats_left: int

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="frames")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    capacity = models.PositiveIntegerField(_("capacity"))
    method = models.CharField(
        _("method"), max_length=16, choices=Method.choices, default=Method.FIRST_COME
    )
    lottery_at = models.DateTimeField(_("lottery time"), null=True, blank=True)
    opens_at = models.DateTimeField(
        _("registration opens"), null=True, blank=True, help_text=_("Empty: when published.")
    )
    closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: at the start.")
    )
    promotion_cutoff = models.DateTimeField(
        _("waitlist promotion until"),
        null=True,
        blank=True,
        help_text=_("Empty: until the event starts."),
    )
    fee = models.PositiveIntegerField(_("fee (yen, paid on site)"), default=0)
    requires_talk = models.BooleanField(
        _("speakers' frame"),
        default=False,
        help_text=_(
            "Registering asks for a talk title and abstract (e.g. lightning talks). "
            "Its seats are speaker seats; its waitlist is the speaker waitlist."
        ),
    )
    speakers_keep_seat = models.BooleanField(
        _("attendees keep their seat when they propose a talk"),
        default=False,
        help_text=_(
            "Speakers' frame only. Ticked: someone already registered in another frame proposes "
            "a talk and keeps their seat (the organizers accept or reject the talk; it takes no "
            "speaker seat). Not ticked: proposing moves them into this frame with their talk."
        ),
    )
    accepts_lottery_losers = models.BooleanField(
        _("open to those who lost a lottery"),
        default=True,
        help_text=_(
            "First come only. Not ticked: people whose lottery application in this event was "
            "not drawn cannot register to this frame."
        ),
    )
    standby_after_minutes = models.PositiveSmallIntegerField(
        _("standbys admitted from (minutes after the start)"),
        null=True,
        blank=True,
        help_text=_(
            "Empty: no standby at the door. E.g. 10: from 10 minutes after the start, the "
            "reception admits waitlisted people who came as standbys to the seats still free, "
            "in waitlist order."
        ),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    # Fill-the-room mode: `capacity` stays the seats in the room; with the mode on, up to
    # `accept_limit` people are accepted (planned by the show-up forecast within
    # `overflow_risk`, `services.replan`). Seats are always taken against
    # COALESCE(accept_limit, capacity). "accept_limit is NULL or >= capacity" is kept by the
    # services, not by a constraint: a capacity may be lowered below a limit set before.
    overbooking = models.CharField(
        _("fill-the-room mode"),
        max_length=16,
        choices=Overbooking.choices,
        default=Overbooking.OFF,
    )
    overflow_risk = models.FloatField(
        _("overflow risk"),
        default=DEFAULT_OVERFLOW_RISK,
        help_text=_("The accepted chance that more people come than there are seats."),
    )
    accept_limit = models.PositiveIntegerField(null=True, blank=True, editable=False)
    accepted_count = models.PositiveIntegerField(default=0, editable=False)
    waitlist_seq = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["order", "id"]
        # The ticker's re-planning finds the few frames in fill-the-room mode by this index.
        indexes = [
            models.Index(
                fields=["overbooking"],
                condition=Q(overbooking=Overbooking.FORECAST),
                name="frame_fills_the_room",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method=Method.LOTTERY) | Q(lottery_at__isnull=False),
                name="frame_lottery_has_time",
            ),
            models.CheckConstraint(
                condition=Q(method__in=Method.values), name="frame_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(overbooking__in=Overbooking.values), name="frame_overbooking_valid"
            ),
            models.CheckConstraint(
                condition=Q(overflow_risk__gt=0, overflow_risk__lte=MAX_OVERFLOW_RISK),
                name="frame_overflow_risk_range",
            ),
        ]
        verbose_name = _("frame")
        verbose_name_plural = _("frames")

    def __str__(self) -> str:
        return f"{self.name} ({self.event})"

    @classmethod
    def from_db(cls, db, field_names, values):
        """Times stored before the date bounds are clamped when read (kaisai.events.bounds)."""
        instance = super().from_db(db, field_names, values)
        bounds.clamp_loaded(instance, ("lottery_at", "opens_at", "closes_at", "promotion_cutoff"))
        return instance

    @property
    def seat_limit(self) -> int:
        """How many may be accepted: COALESCE(accept_limit, capacity), the bound every
        seat is taken against."""
        return self.capacity if self.accept_limit is None else self.accept_limit

    @property
    def overflow_percent(self) -> str:
        """The overflow risk as a percentage for pages: "5", "2.5"."""
        return f"{round(self.overflow_risk * 100, 2):g}"

    @property
    def fills_the_room(self) -> bool:
        return self.overbooking == Overbooking.FORECAST

    def window_now(self, moment: datetime | None = None) -> str:
        """open / not_yet / closed: whether the frame takes registrations (`self.event` is
        read: load it with the frame). A draft's frames have not opened yet (the event may
        still be published); those of a cancelled or postponed event are closed."""
        if self.event.status == EventStatus.DRAFT:
            return "not_yet"
        if self.event.status != EventStatus.PUBLISHED:
            return "closed"
        return registration_window(
            self.opens_at, self.closes_at, self.event.starts_at, moment or timezone.now()
        )

    @property
    def has_standby(self) -> bool:
        return self.standby_after_minutes is not None

    @property
    def standby_opens_at(self) -> datetime | None:
        """When the reception starts admitting standbys (`self.event` is read), or None."""
        if self.standby_after_minutes is None:
            return None
        return self.event.starts_at + timedelta(minutes=self.standby_after_minutes)


class LotteryDraw(models.Model):
    """The verifiable draw of a lottery frame: commitment first, seed and order after."""

    frame = models.OneToOneField(Frame, on_delete=models.CASCADE, related_name="draw")
    seed = models.CharField(max_length=64, editable=False)
    commitment = models.CharField(max_length=64, editable=False)
    algorithm = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    applicants = models.JSONField(default=list, blank=True)
    nominated = models.JSONField(default=list, blank=True)
    order = models.JSONField(default=list, blank=True)
    accepted = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("lottery draw")
        verbose_name_plural = _("lottery draws")

    def __str__(self) -> str:
        return f"draw of {self.frame_id}"

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None


class Registration(models.Model):
    # Not a field: `services.register` sets it on the registration it wrote (False: a repeated
    # request answered with the existing one).
    just_created: bool = False
    # Not fields either: set by selectors on the rows a page shows — the waitlist position
    # (`selectors.with_waitlist_positions`), and the arrival, ticket and outcome that
    # checkin's page selectors add (typed loosely: registrations does not import checkin).
    position: int | None
    arrival: Any
    is_speaker: bool
    the_ticket: Any
    outcome: str

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    # No index of its own: frame is the first column of the (frame, status, waitlist_key)
    # index, and every registration writes one index entry fewer.
    frame = models.ForeignKey(
        Frame, on_delete=models.PROTECT, related_name="registrations", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    waitlist_key = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    nominated = models.BooleanField(_("nominated"), default=False)
    afterparty = models.BooleanField(_("joins the after-party"), default=False)
    standby = models.BooleanField(
        _("standby at the door"),
        default=False,
        help_text=_("Waitlisted, and comes to the door to take a seat left free (当日補欠)."),
    )
    # The person's own choice for this event's participants list: None follows their
    # `User.show_in_lists`; True appears, False stays hidden (docs/participants.md).
    listed = models.BooleanField(_("shown in the participants list"), null=True, blank=True)
    organizer_note = models.CharField(
        _("note for the reception"),
        max_length=300,
        blank=True,
        help_text=_("Shown to organizers and the reception when this person checks in."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["frame", "status", "waitlist_key"]),
            # The waiting counts of a page of events (API v2's facts): index-only, a few
            # entries per event instead of every registration's heap row.
            models.Index(
                fields=["event"],
                condition=Q(status__in=WAITING_STATUSES),
                name="registration_waiting_event",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="registration_one_active_per_event",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="registration_status_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=Status.WAITLISTED, waitlist_key__isnull=False)
                    | (~Q(status=Status.WAITLISTED) & Q(waitlist_key__isnull=True))
                ),
                name="registration_waitlist_key_iff_waitlisted",
            ),
        ]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self) -> str:
        return f"{self.user} → {self.frame} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class RegistrationLog(models.Model):
    """Audit: every status change with actor, time and reason."""

    # Not fields: the organizers' history page sets the statuses' labels.
    from_label: str | Promise
    to_label: str | Promise

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="log")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    frame = models.ForeignKey(Frame, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.from_status} → {self.to_status}"


class Question(models.Model):
    """A questionnaire item (アンケート) asked on registration."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=300)
    kind = models.CharField(
        _("kind"), max_length=16, choices=QuestionKind.choices, default=QuestionKind.TEXT
    )
    choices = models.TextField(_("choices"), blank=True, help_text=_("One choice per line."))
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Answer(models.Model):
    text: str  # not a field: the organizers' answer list sets the value as text
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField(default=str)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "question"], name="answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"
