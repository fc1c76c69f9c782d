"""The city generator (bench/city/) at a tiny scale, so that the harness cannot rot: the
counts asked for, one frame per event, counters = facts by the benchmark's own check query,
and that query sees a counter that lies."""

from __future__ import annotations

import pytest

from bench.city.generate import Sizes, check, generate
from kaisai.accounts.models import User
from kaisai.events.models import Event
from kaisai.groups.models import Group, Organizer
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration

pytestmark = pytest.mark.django_db


def test_a_tiny_city_has_the_counts_and_counters_equal_to_facts():
    sizes = Sizes(groups=3, people=60, events=8, registrations=320)
    result = generate(sizes, seed=3, log=lambda *_: None)

    assert result["registrations"] == 320
    assert User.objects.filter(nickname__startswith="citizen").count() == 60
    assert not User.objects.filter(nickname__startswith="citizen", email="").exists()
    assert Group.objects.count() == 3
    assert Organizer.objects.filter(role="owner").count() == 3
    assert Event.objects.filter(status="published").count() == 8
    assert Frame.objects.count() == 8
    assert Registration.objects.count() == 320
    # Accepted up to the capacity, the rest waitlisted with keys 1..n; one registration per
    # person and event.
    for frame in Frame.objects.all():
        rows = Registration.objects.filter(frame=frame)
        accepted = rows.filter(status=Status.ACCEPTED).count()
        waitlisted = rows.filter(status=Status.WAITLISTED)
        assert accepted == frame.accepted_count <= frame.capacity
        assert sorted(waitlisted.values_list("waitlist_key", flat=True)) == list(
            range(1, waitlisted.count() + 1)
        )
        assert rows.values("user").distinct().count() == rows.count()
    assert check() == {
        "frames": 8,
        "counter_differs": 0,
        "oversold": 0,
        "waitlist_keys_not_distinct": 0,
        "registrations": 320,
    }

    frame = Frame.objects.first()
    Frame.objects.filter(pk=frame.pk).update(accepted_count=frame.capacity + 1)
    assert check()["counter_differs"] == 1
