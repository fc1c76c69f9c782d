"""The event page's read of the visitor's registration, compiled once per process
(core/compiled.CompiledQuery in selectors_participant.latest_registration): the same
registration, frame, lottery draw, dates and waitlist position as Django's own iteration of
the same queryset, and no query more for the frame or the draw."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaisai.core.compiled import CompiledQuery
from kaisai.registrations import services
from kaisai.registrations.models import LotteryDraw, Registration
from kaisai.registrations.selectors_participant import (
    _ahead_in_waitlist,
    _latest,
    latest_registration,
)
from tests.factories import UserFactory


def as_django_reads(event, user):
    return _latest(event.pk, user.pk).annotate(n_ahead=_ahead_in_waitlist()).first()


def shown(registration):
    frame = registration.frame
    try:
        draw = frame.draw
    except LotteryDraw.DoesNotExist:
        draw = None
    return (
        registration.pk,
        registration.status,
        registration.created_at,
        registration.frame_id,
        registration.n_ahead,
        frame.name,
        frame.method,
        frame.lottery_at,
        frame.opens_at,
        draw,
    )


def test_the_compiled_read_is_djangos_read(event, make_frame):
    general = make_frame(capacity=1)
    lottery = make_frame(capacity=5, method="lottery", name="Lottery")
    accepted = services.register(frame=general, user=UserFactory()).user
    first_waiting = services.register(frame=general, user=UserFactory()).user
    second_waiting = services.register(frame=general, user=UserFactory()).user
    applied = services.register(frame=lottery, user=UserFactory()).user
    moved = UserFactory()
    cancelled = services.register(frame=lottery, user=moved)
    services.cancel_registration(registration=cancelled, by=None)
    services.register(frame=general, user=moved)  # active after a cancelled one
    gone = services.register(frame=lottery, user=UserFactory())
    services.cancel_registration(registration=gone, by=None)
    for user in (accepted, first_waiting, second_waiting, applied, moved, gone.user):
        with CaptureQueriesContext(connection) as queries:
            compiled = latest_registration(event, user, with_position=True)
            assert compiled is not None
            values = shown(compiled)
        assert len(queries) == 1
        assert values == shown(as_django_reads(event, user))
    assert latest_registration(event, second_waiting, with_position=True).position == 2
    assert latest_registration(event, moved, with_position=True).status == "waitlisted"
    assert latest_registration(event, UserFactory(), with_position=True) is None


def test_every_named_value_must_be_in_the_query(db):
    query = CompiledQuery(
        lambda event, user: Registration.objects.filter(event_id=event), "event", "user"
    )
    try:
        query.first(event=1, user=2)
    except ValueError:
        return
    raise AssertionError("a named value missing from the query was not noticed")
