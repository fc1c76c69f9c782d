"""A generated "city": groups with an owner, people with e-mails, published events past and
future, one frame per event and its registrations (accepted up to the capacity, the rest
waitlisted with distinct keys), counters consistent with the facts.

Written straight into the tables of Django's default database: COPY on PostgreSQL for the
two big tables (people, registrations), `bulk_create` otherwise. Deterministic for a seed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.groups.enums import Role
from kaisai.groups.models import Group, Organizer
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration

BATCH = 5000


@dataclass(frozen=True)
class Sizes:
    groups: int = 1000
    people: int = 100_000
    events: int = 10_000
    registrations: int = 1_000_000

    def scaled(self, scale: float) -> Sizes:
        return Sizes(
            groups=max(1, round(self.groups * scale)),
            people=max(2, round(self.people * scale)),
            events=max(1, round(self.events * scale)),
            registrations=max(1, round(self.registrations * scale)),
        )


def write_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert `rows` (values of the fields `names`, the others take their defaults) into
    `model`'s table: COPY on PostgreSQL, bulk_create elsewhere. Returns the number of rows."""
    count = 0
    if connection.vendor != "postgresql":
        batch: list[models.Model] = []
        for row in rows:
            batch.append(model(**dict(zip(names, row, strict=True))))
            if len(batch) == BATCH:
                model.objects.bulk_create(batch)  # type: ignore[attr-defined]
                count += len(batch)
                batch = []
        model.objects.bulk_create(batch)  # type: ignore[attr-defined]
        return count + len(batch)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    by_name = {f.attname: f for f in fields}
    unknown = set(names) - set(by_name)
    assert not unknown, unknown
    now = timezone.now()
    position = {name: index for index, name in enumerate(names)}
    # Every other field: its default, prepared once.
    constant = {}
    for f in fields:
        if f.attname not in position:
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            value = now if auto else f.get_default()
            constant[f.attname] = f.get_db_prep_save(value, connection)
    plan = [(position.get(f.attname), constant.get(f.attname)) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([value if i is None else row[i] for i, value in plan])
            count += 1
    return count


def generate(sizes: Sizes, *, seed: int = 16, prefix: str = "citizen", log=print) -> dict:
    """Create the city in the default database; returns the counts and the seconds taken."""
    rng = random.Random(seed)
    started = time.monotonic()
    now = timezone.now()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        timings[name] = round(time.monotonic() - since, 1)
        log(f"  {name}: {timings[name]} s")
        return time.monotonic()

    with transaction.atomic():
        t = time.monotonic()
        password = make_password(None)
        write_rows(
            User,
            ("nickname", "email", "password", "date_joined"),
            (
                (f"{prefix}{i}", f"{prefix}{i}@example.invalid", password, now)
                for i in range(sizes.people)
            ),
        )
        people = list(
            User.objects.filter(nickname__startswith=prefix)
            .order_by("id")
            .values_list("id", flat=True)[: sizes.people]
        )
        assert len(people) == sizes.people, (len(people), sizes.people)
        t = lap("people", t)

        groups = Group.objects.bulk_create(
            [
                Group(slug=f"{prefix}-group-{g}", title=f"City group {g}")
                for g in range(sizes.groups)
            ],
            batch_size=BATCH,
        )
        owners = rng.sample(people, min(len(people), sizes.groups))
        Organizer.objects.bulk_create(
            [
                Organizer(group=group, user_id=owners[g % len(owners)], role=Role.OWNER)
                for g, group in enumerate(groups)
            ],
            batch_size=BATCH,
        )
        t = lap("groups", t)

        # Events: ~80% in the past two years, the rest in the next six months; numbered in
        # their group in order of start.
        starts = sorted(
            (now + timedelta(minutes=rng.randint(-2 * 365 * 24 * 60, 182 * 24 * 60)), e)
            for e in range(sizes.events)
        )
        numbers: dict[int, int] = {}
        events = []
        for start, e in starts:
            group = groups[e % len(groups)]
            numbers[group.pk] = numbers.get(group.pk, 0) + 1
            events.append(
                Event(
                    group=group,
                    number=numbers[group.pk],
                    title=f"{group.title} #{numbers[group.pk]}",
                    description="Talks and drinks.",
                    status=EventStatus.PUBLISHED,
                    starts_at=start,
                    ends_at=start + timedelta(hours=3),
                    place="City hall",
                    prefecture="tokyo",
                    published_at=start - timedelta(days=30),
                )
            )
        events = Event.objects.bulk_create(events, batch_size=BATCH)
        t = lap("events", t)

        # Registrations per event: the average, spread ±50% in pairs so the total is exact;
        # capacities from 60% to 120% of the average, so many events have a waitlist.
        average = sizes.registrations // len(events)
        sizes_per_event = [average] * len(events)
        sizes_per_event[0] += sizes.registrations - average * len(events)
        for i in range(0, len(events) - 1, 2):
            d = rng.randint(0, average // 2)
            sizes_per_event[i] += d
            sizes_per_event[i + 1] -= d
        sizes_per_event = [min(n, len(people)) for n in sizes_per_event]
        frames = []
        for event, n in zip(events, sizes_per_event, strict=True):
            capacity = max(1, rng.randint(average * 6 // 10, average * 12 // 10))
            accepted = min(n, capacity)
            frames.append(
                Frame(
                    event=event,
                    name="General",
                    capacity=capacity,
                    accepted_count=accepted,
                    waitlist_seq=n - accepted,
                )
            )
        frames = Frame.objects.bulk_create(frames, batch_size=BATCH)
        t = lap("frames", t)

        def registrations():
            for event, frame, n in zip(events, frames, sizes_per_event, strict=True):
                accepted = frame.accepted_count
                for k, user_id in enumerate(rng.sample(people, n)):
                    if k < accepted:
                        yield (event.pk, frame.pk, user_id, Status.ACCEPTED, None)
                    else:
                        yield (event.pk, frame.pk, user_id, Status.WAITLISTED, k - accepted + 1)

        written = write_rows(
            Registration, ("event_id", "frame_id", "user_id", "status", "waitlist_key"),
            registrations(),
        )  # fmt: skip
        lap("registrations", t)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        t = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        lap("vacuum analyze", t)
    return {
        "people": len(people),
        "groups": len(groups),
        "events": len(events),
        "frames": len(frames),
        "registrations": written,
        "seconds": round(time.monotonic() - started, 1),
        "steps": timings,
    }


CHECK_SQL = """
SELECT count(*),
       coalesce(sum(CASE WHEN f.accepted_count <> coalesce(r.accepted, 0) THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN coalesce(r.accepted, 0) > f.capacity THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN coalesce(r.waitlisted, 0) <> coalesce(r.keys, 0)
                         THEN 1 ELSE 0 END), 0),
       coalesce(sum(r.total), 0)
FROM registrations_frame f
LEFT JOIN (
    SELECT frame_id,
           sum(CASE WHEN status = 'accepted' THEN 1 ELSE 0 END) AS accepted,
           sum(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END) AS waitlisted,
           count(DISTINCT waitlist_key) AS keys,
           count(*) AS total
    FROM registrations_registration GROUP BY frame_id
) r ON r.frame_id = f.id
"""


def check() -> dict:
    """Counters = facts in one query: frames, frames whose counter differs from the accepted
    registrations, oversold frames, frames whose waitlist keys are not distinct, and the
    registrations."""
    with connection.cursor() as cursor:
        cursor.execute(CHECK_SQL)
        frames, bad_counter, oversold, bad_keys, registrations = map(int, cursor.fetchone())
    return {
        "frames": frames,
        "counter_differs": bad_counter,
        "oversold": oversold,
        "waitlist_keys_not_distinct": bad_keys,
        "registrations": registrations,
    }
