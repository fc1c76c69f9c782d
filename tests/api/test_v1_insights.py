"""The insights in the native API (issue 15): `get_event_insights` and `get_group_insights`
give the pages' numbers to the group's owners and organizers only."""

from __future__ import annotations

import pytest

from kaisai.api.v1.api import api
from kaisai.groups.enums import Role
from tests.factories import OrganizerFactory
from tests.insights.builders import frame_of, held_event, person


@pytest.fixture
def series(group):
    first = held_event(group, days_ago=40, number=1)
    second = held_event(group, days_ago=2, number=2)
    for target in (first, second):
        frame = frame_of(target)
        person(frame, applied_days_before=5, came=True)
        person(frame, applied_days_before=2)
        person(frame, applied_days_before=2, cancelled_hours_before=10)
    return first, second


def test_operation_ids():
    schema = api.get_openapi_schema()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"get_event_insights", "get_group_insights"} <= ids


def test_organizer_gets_the_numbers(api_as, series, group, organizer):
    client = api_as(organizer)
    body = client.get(f"/api/v1/events/{series[1].pk}/insights/").json()
    assert body["event"]["number"] == 2 and body["previous"]["number"] == 1
    assert body["funnel"] == [{"label": "General", "applied": 3, "accepted": 3, "came": 1}]
    assert [(r["accepted"], r["came"], r["no_shows"], r["rate"]) for r in body["attendance"]] == [
        (2, 1, 1, 50.0),
        (2, 1, 1, 50.0),
    ]
    assert {b["key"]: b["count"] for b in body["cancellations"]}["3-24h"] == 1
    assert body["applications"][-1] == {"days_before": 0, "this_event": 3, "previous_event": 3}
    body = client.get(f"/api/v1/groups/{group.slug}/insights/").json()
    assert [r["label"] for r in body["funnel"]] == ["#1", "#2"]
    assert body["event"] is None


def test_other_group_reception_and_anonymous_refused(api_as, series, group, outsider):
    reception = OrganizerFactory(group=group, role=Role.RECEPTION).user
    urls = [f"/api/v1/events/{series[1].pk}/insights/", f"/api/v1/groups/{group.slug}/insights/"]
    for url in urls:
        assert api_as(outsider).get(url).status_code == 403, url
        assert api_as(reception).get(url).status_code == 403, url
        assert api_as().get(url).status_code == 401, url
    assert api_as(outsider).get("/api/v1/events/999999/insights/").status_code == 404
