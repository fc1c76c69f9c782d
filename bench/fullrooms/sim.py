"""The full-rooms simulation: drives kaisai's real services through the database, with time
moved by a clock (time-machine), for several policies side by side on the same people.

Every group (one per population shape × policy) holds the same series: its event #k starts
at the same moment in every group, so one monotonic clock serves all of them and the site-wide
periodic jobs (lottery draws, reconfirmation, re-planning) run once per tick for all groups,
as the worker's ticker does. Per event (start T):

    T-20d  event created and published; one lottery frame of `seats` seats (policy settings)
    T-19d … T-11d  the applicants register (`registrations.services.register`)
    T-10d  the ticker draws the lottery (`draw_due_lotteries`; the re-plan first)
           full policy: waitlisted people opt in as standby
    …      who will not come may cancel ahead (`cancel_registration`; the waitlist moves up)
    T-48h  full policy: "still coming?" (`send_due_reconfirmations`); the answers come in
           through `notices.services.reconfirmation.record_answer`
    T-10m  who comes and holds a seat checks in (`checkin.services.check_in`)
    T+10m  full policy: standbys at the door are admitted while seats are free
           (`checkin.services.admit_standby`), the rest are turned away

The harness only decides what people do (population.py); seats, waitlist, promotion, draws,
forecasts and limits are kaisai's.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import time_machine

from bench.fullrooms.policies import (
    FIXED_FACTOR,
    INTERVAL,
    OVERFLOW_RISK,
    RECONFIRM_HOURS,
    STANDBY_AFTER_MINUTES,
    START,
    Services,
)
from bench.fullrooms.population import STANDBY_OPT_IN, answer_of, make_series
from bench.fullrooms.results import EventResult, Run


class Simulation:
    def __init__(
        self,
        *,
        shapes: list[str],
        policies: list[str],
        seats: int,
        events: int,
        seed: int,
        demand: float = 2.0,
        risk: float = OVERFLOW_RISK,
        progress: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.features = Services.load()
        self.seats, self.events, self.seed, self.progress = seats, events, seed, progress
        self.risk = risk
        self.runs = [
            Run(
                shape,
                policy,
                make_series(shape=shape, seats=seats, events=events, seed=seed, demand=demand),
            )
            for shape in shapes
            for policy in policies
        ]
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._seed_rng = random.Random(f"{seed}:lottery-seeds")

    # -- the clock ----------------------------------------------------------------------------
    def at(self, moment: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self._queue, (moment, next(self._order), action))

    def run(self) -> list[EventResult]:
        seed_of = lambda: f"{self._seed_rng.getrandbits(256):064x}"  # noqa: E731
        with (
            time_machine.travel(START - timedelta(days=30), tick=False) as clock,
            mock.patch("kaisai.registrations.lottery.new_seed", seed_of),
        ):
            self._setup()
            for number in range(self.events):
                self._schedule_event(number)
                while self._queue:
                    moment, _, action = heapq.heappop(self._queue)
                    clock.move_to(moment)
                    action()
                self.progress(f"event {number + 1}/{self.events} done")
        return [result for run in self.runs for result in run.results]

    # -- setup ----------------------------------------------------------------------------------
    def _setup(self) -> None:
        from kaisai.accounts.services import create_users_without_password
        from kaisai.groups.services import create_group

        for index, run in enumerate(self.runs):
            tag = f"s{self.seed}r{index}"
            organizer, *users = create_users_without_password(
                nicknames=[f"{tag}org"] + [f"{tag}p{p.index}" for p in run.series.people]
            )
            run.organizer, run.users = organizer, users
            run.group = create_group(
                creator=organizer, slug=f"fullrooms-{tag}", title=f"{run.shape} / {run.policy}"
            )

    # -- one event ------------------------------------------------------------------------------
    def _schedule_event(self, number: int) -> None:
        starts = START + number * INTERVAL
        for run in self.runs:
            self.at(starts - timedelta(days=20), lambda run=run: self._create(run, number))
            decisions = run.series.decisions[number]
            for person in run.series.applicants[number]:
                decision = decisions[person]
                when = starts - timedelta(days=19) + decision.register_at * timedelta(days=8)
                self.at(when, lambda run=run, p=person: self._register(run, number, p))
                if decision.cancels_ahead:
                    when = starts - timedelta(hours=1, days=decision.cancel_days_before)
                    when = max(when, starts - timedelta(days=10, hours=-2))
                    self.at(when, lambda run=run, p=person: self._cancel(run, number, p))
            if run.policy == "full":
                when = starts - timedelta(days=10) + timedelta(hours=1)
                self.at(when, lambda run=run: self._opt_in(run, number))
            self.at(starts - timedelta(minutes=10), lambda run=run: self._doors(run, number))
        ticks = [starts - timedelta(days=20, minutes=-1), starts - timedelta(days=10)]
        ticks += [starts - timedelta(days=d) for d in range(9, 2, -1)]
        ticks += [starts - timedelta(hours=h) for h in (RECONFIRM_HOURS, 36, 24, 12, 6, 3, 1)]
        ticks.append(starts - timedelta(minutes=20))
        for moment in ticks:
            self.at(moment, lambda moment=moment, n=number: self._tick(moment, n))
        self.at(starts + timedelta(minutes=10), lambda: self._door_standby(number))

    def _create(self, run: Run, number: int) -> None:
        from kaisai.events.services import create_event, publish_event
        from kaisai.notices.services.reminders import save_mail_settings
        from kaisai.registrations import services

        starts = START + number * INTERVAL
        event = create_event(
            group=run.group, by=run.organizer, title=f"{run.shape} #{number + 1}",
            starts_at=starts, ends_at=starts + timedelta(hours=2, minutes=30),
            time_zone="Asia/Tokyo",
        )  # fmt: skip
        publish_event(event=event, by=run.organizer)
        fields: dict[str, Any] = {}
        if run.policy in ("forecast", "full"):
            fields = {"overbooking": "forecast", "overflow_risk": self.risk}
        if run.policy == "full":
            fields["standby_after_minutes"] = STANDBY_AFTER_MINUTES
        lottery_at = starts - timedelta(days=10)
        frame = services.create_frame(
            event=event, by=run.organizer, capacity=self.seats, method="lottery", name="General",
            lottery_at=lottery_at, closes_at=lottery_at, **fields,
        )  # fmt: skip
        frame.event = event
        run.frames[number] = frame
        if run.policy == "fixed13":
            limit = math.ceil(FIXED_FACTOR * self.seats - 1e-9)
            self.features.set_accept_limit(frame=frame, limit=limit, by=run.organizer)
        reminders: list[int] = []
        if run.policy == "full":
            save_mail_settings(
                event=event, reminder_hours=reminders, reconfirm_hours=RECONFIRM_HOURS,
                reconfirm_deadline_hours=None, release_unanswered=False,
            )  # fmt: skip
        else:  # no reminder or reconfirmation mail in the other policies
            save_mail_settings(
                event=event, reminder_hours=reminders, reconfirm_hours=None,
                reconfirm_deadline_hours=None, release_unanswered=False,
            )  # fmt: skip

    def _register(self, run: Run, number: int, person: int) -> None:
        from kaisai.registrations import services

        registration = services.register(frame=run.frames[number], user=run.users[person])
        run.registrations[(number, person)] = registration.pk

    def _registration(self, run: Run, number: int, person: int) -> Any:
        from kaisai.registrations.models import Registration

        return Registration.objects.select_related("frame__event", "user").get(
            pk=run.registrations[(number, person)]
        )

    def _cancel(self, run: Run, number: int, person: int) -> None:
        from kaisai.registrations import services

        registration = self._registration(run, number, person)
        if registration.is_active:
            services.cancel_registration(registration=registration, by=registration.user)
            run.counts["cancelled"] = run.counts.get("cancelled", 0) + 1
            self._replan(run, number)

    def _replan(self, run: Run, number: int) -> None:
        """The ticker re-plans frames in fill-the-room mode every 60 s (`replan_upcoming`);
        between the simulation's sparser ticks, a change (a cancellation, an answer) is
        followed by the re-plan of its frame, as the next minute's tick would do."""
        if run.policy in ("forecast", "full"):
            self.features.replan(frame=run.frames[number])

    def _tick(self, now: datetime, number: int) -> None:
        """The worker's periodic jobs that matter here, in the ticker's order."""
        from kaisai.notices.services.reconfirmation import send_due_reconfirmations
        from kaisai.registrations.services import draw_due_lotteries

        self.features.replan_upcoming()
        if draw_due_lotteries():
            self.features.replan_upcoming()
        send_due_reconfirmations(now)
        self._plan_answers(now, number)

    # -- the full policy: reconfirmation answers, standby -----------------------------------
    def _plan_answers(self, now: datetime, number: int) -> None:
        """Who was asked "still coming?" answers (or not) within the next 12 hours."""
        from kaisai.notices.services.reconfirmation import ask_key
        from kaisai.notices.services.reminders import existing_keys
        from kaisai.registrations.enums import Status
        from kaisai.registrations.models import Registration

        starts = START + number * INTERVAL
        for run in self.runs:
            if run.policy != "full":
                continue
            accepted = dict(
                Registration.objects.filter(
                    frame=run.frames[number], status=Status.ACCEPTED
                ).values_list("pk", "user_id")
            )
            asked = existing_keys(ask_key(pk) for pk in accepted if pk not in run.answered)
            person_of = {user.pk: index for index, user in enumerate(run.users)}
            for pk, user_id in accepted.items():
                if pk in run.answered or ask_key(pk) not in asked:
                    continue
                run.answered.add(pk)
                person = person_of[user_id]
                decision = run.series.decisions[number][person]
                answer = answer_of(decision)
                if answer is None:
                    continue
                window = min(timedelta(hours=12), starts - timedelta(minutes=30) - now)
                when = now + decision.answer_delay * max(window, timedelta(0))
                self.at(when, lambda run=run, p=person, a=answer: self._answer(run, number, p, a))

    def _answer(self, run: Run, number: int, person: int, answer: str) -> None:
        from kaisai.notices.services.reconfirmation import record_answer

        registration = self._registration(run, number, person)
        record_answer(registration=registration, answer=answer)
        key = "answered_yes" if answer == "yes" else "answered_no"
        run.counts[key] = run.counts.get(key, 0) + 1
        self._replan(run, number)

    def _opt_in(self, run: Run, number: int) -> None:
        from kaisai.registrations.enums import Status
        from kaisai.registrations.models import Registration

        waitlisted = Registration.objects.filter(
            frame=run.frames[number], status=Status.WAITLISTED
        ).select_related("frame__event", "user")
        person_of = {user.pk: index for index, user in enumerate(run.users)}
        for registration in waitlisted:
            decision = run.series.decisions[number][person_of[registration.user_id]]
            if decision.standby_draw < STANDBY_OPT_IN:
                self.features.opt_in_standby(registration=registration, by=registration.user)
                run.counts["standby_opted"] = run.counts.get("standby_opted", 0) + 1

    # -- the day ------------------------------------------------------------------------------
    def _doors(self, run: Run, number: int) -> None:
        """Snapshot the forecast, then everyone who holds a seat and comes checks in."""
        from kaisai.checkin.models import CheckIn
        from kaisai.checkin.services import check_in
        from kaisai.registrations.enums import Status
        from kaisai.registrations.models import Registration

        frame = run.frames[number]
        forecast: dict[str, Any] = {}
        if run.policy in ("forecast", "full"):
            frame.refresh_from_db()
            snapshot = self.features.frame_forecast(frame)
            forecast = {
                key: value
                for key, value in asdict(snapshot).items()
                if key in ("expected_attendance", "low", "high", "overflow_probability",
                           "recommended_accept", "accepted", "based_on_history")
            }  # fmt: skip
        accepted = list(
            Registration.objects.filter(frame=frame, status=Status.ACCEPTED).select_related(
                "user", "event"
            )
        )
        person_of = {user.pk: index for index, user in enumerate(run.users)}
        decisions = run.series.decisions[number]
        arrivals = 0
        for registration in accepted:
            if decisions[person_of[registration.user_id]].comes:
                check_in(event=frame.event, registration=registration, by=run.organizer,
                         method=CheckIn.Method.SEARCH)  # fmt: skip
                arrivals += 1
        counts, run.counts = run.counts, {}
        run.results.append(
            EventResult(
                shape=run.shape,
                policy=run.policy,
                number=number,
                seats=self.seats,
                applicants=len(run.series.applicants[number]),
                comers=sum(d.comes for d in decisions.values()),
                accepted=len(accepted),
                arrivals=arrivals,
                seated=min(arrivals, self.seats),
                overflow=arrivals > self.seats,
                empty=max(self.seats - arrivals, 0),
                cancelled=counts.get("cancelled", 0),
                answered_yes=counts.get("answered_yes", 0),
                answered_no=counts.get("answered_no", 0),
                standby_opted=counts.get("standby_opted", 0),
                forecast=forecast,
            )  # fmt: skip
        )

    def _door_standby(self, number: int) -> None:
        """Standbys who came wait at the door; the reception admits them in waitlist order
        while kaisai says a seat is free."""
        from kaisai.checkin.errors import CheckInError
        from kaisai.registrations.enums import Status
        from kaisai.registrations.models import Registration

        for run in self.runs:
            if run.policy != "full":
                continue
            result = run.results[-1]
            standbys = (
                Registration.objects.filter(
                    frame=run.frames[number], status=Status.WAITLISTED, standby=True
                )
                .select_related("frame__event", "user", "event")
                .order_by("waitlist_key")
            )
            person_of = {user.pk: index for index, user in enumerate(run.users)}
            for registration in standbys:
                if not run.series.decisions[number][person_of[registration.user_id]].comes:
                    continue
                result.standby_arrived += 1
                try:
                    self.features.admit_standby(registration=registration, by=run.organizer)
                except CheckInError as error:
                    if error.reason != "full":
                        raise
                    result.standby_turned_away += 1
                else:
                    result.standby_admitted += 1
            result.seated = min(result.arrivals, result.seats) + result.standby_admitted
            result.empty = result.seats - result.seated
