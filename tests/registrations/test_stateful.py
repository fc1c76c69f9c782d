"""A hypothesis state machine drives random register / cancel / capacity / accept limit / draw /
nominate / move / approve sequences against the services and a simple model of the rules, and checks
after every step that the database agrees with the model and that the invariants hold."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from hypothesis import settings
from hypothesis.extra.django import TestCase
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from hypothesis.strategies import booleans, integers, sampled_from

from kaisai.registrations import lottery, services
from kaisai.registrations.enums import ACTIVE_STATUSES, Method, Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, LotteryDraw, Registration
from tests.factories import EventFactory, GroupFactory, UserFactory

USERS = 6
FRAMES = ("first_come", "lottery", "approval")


class RegistrationMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.organizer = UserFactory()
        event = EventFactory(group=GroupFactory(owner=self.organizer))
        soon = timezone.now() + timedelta(days=1)
        self.frames = {
            "first_come": services.create_frame(event=event, by=self.organizer, capacity=1,
                                                name="fc", method=Method.FIRST_COME),
            "lottery": services.create_frame(event=event, by=self.organizer, capacity=2,
                                             name="lot", method=Method.LOTTERY, lottery_at=soon),
            "approval": services.create_frame(event=event, by=self.organizer, capacity=1,
                                              name="ap", method=Method.APPROVAL),
        }  # fmt: skip
        self.users = UserFactory.create_batch(USERS)
        # The model: each user's (frame name, status); per frame: capacity, accepted, waitlist.
        self.state: dict[int, tuple[str, str]] = {}
        self.capacity = {"first_come": 1, "lottery": 2, "approval": 1}
        # Fill-the-room's accept limit (None: the capacity), set by `set_accept_limit`.
        self.limit: dict[str, int | None] = {name: None for name in FRAMES}
        self.waitlist: dict[str, list[int]] = {name: [] for name in FRAMES}
        self.nominated: set[int] = set()
        self.drawn = False

    # --- the model's rules -------------------------------------------------------------
    def accepted(self, frame: str) -> int:
        return sum(1 for f, s in self.state.values() if f == frame and s == "accepted")

    def bound(self, frame: str) -> int:
        """COALESCE(accept_limit, capacity): what seats are taken against."""
        limit = self.limit[frame]
        return self.capacity[frame] if limit is None else limit

    def lottery_pending(self, frame: str) -> bool:
        return frame == "lottery" and not self.drawn

    def place(self, index: int, frame: str) -> None:
        if frame == "approval" or self.lottery_pending(frame):
            self.state[index] = (frame, "applied")
        elif self.accepted(frame) < self.bound(frame):
            self.state[index] = (frame, "accepted")
        else:
            self.state[index] = (frame, "waitlisted")
            self.waitlist[frame].append(index)

    def promote(self, frame: str) -> None:
        while self.waitlist[frame] and self.accepted(frame) < self.bound(frame):
            head = self.waitlist[frame].pop(0)
            self.state[head] = (frame, "accepted")

    def leave(self, index: int) -> tuple[str, str]:
        frame, status = self.state.pop(index)
        if index in self.waitlist[frame]:
            self.waitlist[frame].remove(index)
        self.nominated.discard(index)
        return frame, status

    def registration(self, index: int) -> Registration | None:
        return Registration.objects.filter(
            user=self.users[index], status__in=ACTIVE_STATUSES
        ).first()

    # --- rules -------------------------------------------------------------------------
    @rule(index=integers(0, USERS - 1), frame=sampled_from(FRAMES))
    def register(self, index, frame):
        services.register(frame=self.frames[frame], user=self.users[index])
        if index not in self.state:
            self.place(index, frame)

    @rule(index=integers(0, USERS - 1))
    def register_first_come(self, index):
        """First-come is the busiest path: give it its own rule so waitlists grow."""
        self.register(index, "first_come")

    # Rules are picked uniformly: aliases make the busy paths (a queue forming, seats freed
    # one at a time) common enough that promotion order is exercised in most runs.
    register_first_come_again = register_first_come
    register_first_come_once_more = register_first_come

    @rule(index=integers(0, USERS - 1))
    def cancel(self, index):
        registration = self.registration(index)
        if registration is None:
            return
        services.cancel_registration(registration=registration, by=self.users[index])
        frame, status = self.leave(index)
        if status == "accepted":
            self.promote(frame)

    @rule(frame=sampled_from(FRAMES), which=integers(0, 3))
    def cancel_an_accepted_person(self, frame, which):
        """Freeing seats is what moves waitlists: give it its own rule."""
        accepted = sorted(i for i, (f, s) in self.state.items() if f == frame and s == "accepted")
        if accepted:
            self.cancel(accepted[which % len(accepted)])

    cancel_an_accepted_person_again = cancel_an_accepted_person

    @rule(frame=sampled_from(FRAMES), capacity=integers(0, 4))
    def change_capacity(self, frame, capacity):
        services.change_capacity(frame=self.frames[frame], capacity=capacity, by=self.organizer)
        self.capacity[frame] = capacity
        limit = self.limit[frame]
        if limit is not None and limit < capacity:
            self.limit[frame] = capacity
        if not self.lottery_pending(frame):
            self.promote(frame)

    @rule(frame=sampled_from(FRAMES), limit=integers(0, 6))
    def set_accept_limit(self, frame, limit):
        """Fill-the-room: raising the limit promotes in order, lowering it demotes nobody."""
        services.set_accept_limit(frame=self.frames[frame], limit=limit, by=self.organizer)
        self.limit[frame] = max(limit, self.capacity[frame])
        if not self.lottery_pending(frame):
            self.promote(frame)

    @rule()
    def draw(self):
        draw = services.draw_lottery(frame=self.frames["lottery"], force=True)
        if self.drawn:
            return
        self.drawn = True
        ids = {self.registration(i).pk: i for i, (f, s) in self.state.items() if f == "lottery"}
        nominated = [pk for pk, i in ids.items() if i in self.nominated]
        order = [ids[pk] for pk in lottery.draw_order(draw.seed, ids, nominated)]
        free = max(self.bound("lottery") - self.accepted("lottery"), 0)
        for position, index in enumerate(order):
            if position < free:
                self.state[index] = ("lottery", "accepted")
            else:
                self.state[index] = ("lottery", "waitlisted")
                self.waitlist["lottery"].append(index)

    @rule(index=integers(0, USERS - 1))
    def nominate(self, index):
        registration = self.registration(index)
        if registration is None:
            assert index not in self.state
            return
        try:
            services.nominate(registration=registration, by=self.organizer)
        except RegistrationError:
            refused = True
        else:
            refused = False
        frame, status = self.state[index]
        if status not in ("applied", "waitlisted"):
            assert refused
        elif self.lottery_pending(frame):
            assert not refused
            self.nominated.add(index)
        elif self.accepted(frame) < self.bound(frame):
            assert not refused
            self.leave(index)
            self.state[index] = (frame, "accepted")
        else:
            assert refused

    @rule(index=integers(0, USERS - 1), accept=booleans())
    def decide(self, index, accept):
        registration = self.registration(index)
        if registration is None:
            return
        try:
            services.decide_application(registration=registration, by=self.organizer, accept=accept)
        except RegistrationError:
            refused = True
        else:
            refused = False
        frame, status = self.state[index]
        if status not in ("applied", "waitlisted") or self.lottery_pending(frame):
            assert refused
        elif not accept:
            assert not refused
            self.leave(index)  # rejected: no longer active
        elif self.accepted(frame) < self.bound(frame):
            assert not refused
            self.leave(index)
            self.state[index] = (frame, "accepted")
        else:
            assert refused

    @rule(index=integers(0, USERS - 1), to=sampled_from(FRAMES))
    def move(self, index, to):
        registration = self.registration(index)
        if registration is None:
            return
        services.move_registration(registration=registration, to_frame=self.frames[to],
                                   by=self.organizer)  # fmt: skip
        frame, status = self.state[index]
        if frame == to:
            return
        self.leave(index)
        self.place(index, to)
        if status == "accepted":
            self.promote(frame)

    # --- invariants ----------------------------------------------------------------------
    @invariant()
    def database_agrees_with_model(self):
        for name, frame in self.frames.items():
            rows = Registration.objects.filter(frame=frame, status__in=ACTIVE_STATUSES)
            actual = {self.users.index(r.user): r.status for r in rows.select_related("user")}
            expected = {i: s for i, (f, s) in self.state.items() if f == name}
            assert actual == expected, (name, actual, expected)
            waiting = rows.filter(status=Status.WAITLISTED).order_by("waitlist_key")
            assert [self.users.index(r.user) for r in waiting] == self.waitlist[name]

    @invariant()
    def counter_matches_facts_and_capacity_is_respected(self):
        for name, frame in self.frames.items():
            fresh = Frame.objects.get(pk=frame.pk)
            facts = Registration.objects.filter(frame=frame, status=Status.ACCEPTED).count()
            assert fresh.accepted_count == facts
            # Over the bound only if it was lowered later: then nobody was accepted since.
            assert facts <= max(fresh.seat_limit, self.accepted(name))
            assert fresh.accept_limit == self.limit[name]

    @invariant()
    def one_active_registration_per_person(self):
        for user in self.users:
            assert Registration.objects.filter(user=user, status__in=ACTIVE_STATUSES).count() <= 1

    @invariant()
    def lottery_draw_is_verifiable(self):
        draw = LotteryDraw.objects.filter(frame=self.frames["lottery"]).first()
        if draw and draw.is_drawn:
            assert lottery.verify(seed=draw.seed, published_commitment=draw.commitment,
                                  algorithm=draw.algorithm, applicants=draw.applicants,
                                  nominated=draw.nominated, order=draw.order)  # fmt: skip


class TestRegistrationStateMachine(TestCase):
    def test_random_sequences_keep_the_invariants(self):
        run_state_machine_as_test(
            RegistrationMachine,
            settings=settings(max_examples=30, stateful_step_count=40, deadline=None),
        )
