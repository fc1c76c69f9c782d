"""Months and days at the calendar's edges (years 1 and 9999): an empty result for a valid
month or day, a 400 for what is no date, never a 500 (issue 13, docs/security.md)."""

from __future__ import annotations

import pytest

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

EDGES = ["999912", "999901", "000101", "000112"]
DAY_EDGES = ["99991231", "99991201", "00010101", "00011231"]


@pytest.mark.parametrize("name", ["ym", "publish_ym"])
@pytest.mark.parametrize("value", EDGES)
def test_edge_months_answer_an_empty_result(v2, mlct, name, value):
    EventFactory(group=mlct)  # held now: not in any of these months
    body = v2.json("/api/v2/events/", {name: value})
    assert body["results_returned"] == 0 and body["events"] == []


@pytest.mark.parametrize("name", ["ymd", "publish_ymd"])
@pytest.mark.parametrize("value", DAY_EDGES)
def test_edge_days_answer_an_empty_result(v2, mlct, name, value):
    EventFactory(group=mlct)
    body = v2.json("/api/v2/events/", {name: value})
    assert body["results_returned"] == 0 and body["events"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"ym": "000001"},
        {"ymd": "00000101"},
        {"publish_ym": "999913"},
        {"publish_ymd": "99991232"},
        {"ymd": "99999999"},
    ],  # fmt: skip
)
def test_no_date_is_a_400(v2, db, query):
    response = v2.get("/api/v2/events/", query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(query)
